"""Lexical retrieval: a BM25 index over the store's chunk texts, persisted next to the vector store.

Dense embeddings miss exact tokens that matter in this archive (kenmerken such as ``11812/2024``,
abbreviations such as SRP or NDS, amounts); BM25 catches them. The index is rebuilt from the store's
chunk texts whenever ingest changes the store, and carries a fingerprint of the chunk ids it was built
from, so a stale index (a run killed between store write and index write) is detected and rebuilt.

One long-running process serves many requests, and another request (or process) may rebuild the index
meanwhile. So the index on disk is a set of versions and a pointer: each rebuild writes a new version
folder, then atomically replaces ``current.json``; readers notice the pointer changed (one ``stat`` per
search) and load the new version, and an index in memory is swapped as one reference, never half-built.

Access levels: BM25 scores and the evidence gate's IDF are statistics over the whole indexed corpus, so
an index over every chunk would let confidential documents shape what a reader of public documents sees
(which public passages make the top candidates, whether the gate answers). So each version also holds
one BM25 per narrower scope (``openbaar``; ``openbaar`` + ``intern``) built from only the chunks that
scope may see, and :meth:`LexicalIndex.search` and :meth:`LexicalIndex.idf` take the caller's scope.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from assistant.core.records import ACCESS_LEVELS, Scope
from assistant.core.tokens import tokenize
from assistant.index.facets import Facets, Selection
from assistant.index.store import DiskFullError, disk_full_message, out_of_space

log = logging.getLogger(__name__)

#: Version 2 holds per-scope indexes; an older version is rebuilt by the next ingest (see ``is_current``).
FORMAT = 2

#: The narrower scopes a version keeps an index of: every proper prefix of the access levels.
SCOPES = tuple(frozenset(ACCESS_LEVELS[: i + 1]) for i in range(len(ACCESS_LEVELS) - 1))


def _bm25s() -> Any:
    """The bm25s module, imported on first use, with its logger following the application's level.

    bm25s sets its own logger to DEBUG when imported, which printed "Building index from tokens" on
    every rebuild even without ``--verbose``.
    """
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.NOTSET)
    return bm25s


def fingerprint(ids: Iterable[str]) -> str:
    """Order-independent digest of a set of chunk ids: equal sets, equal fingerprints."""
    digest = hashlib.sha256()
    for chunk_id in sorted(ids):
        digest.update(chunk_id.encode())
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class _Loaded:
    """One immutable version of the index in memory: swapped as a whole, read without locks."""

    ids: list[str]
    fingerprint: str
    bm25: Any
    stamp: tuple[int, int] | None  # (mtime_ns, inode) of the pointer file it was loaded from
    facets: Facets | None = None  # the chunks' filterable fields, when the rebuild was given them
    # Per narrower scope: its own BM25 and, per position in it, the position in ``ids``.
    scoped: Mapping[frozenset[str], _Part] = field(default_factory=dict)
    format: int = 1

    def part(self, scope: Scope | None) -> _Part | None:
        """The index ``scope`` searches: the whole one for full access, else that scope's own.

        ``None`` for a scope no version keeps (a hand-made set of levels, or an index built before
        scopes): searching the whole index would let other levels shape the result, so the caller gets
        no lexical statistics rather than leaked ones.
        """
        if scope is None or scope.is_full:
            return _Part(self.bm25, None)
        return self.scoped.get(scope.levels)


@dataclass(frozen=True, slots=True)
class _Part:
    """One BM25 over a subset of a version's chunks; ``positions`` maps its rows to the version's."""

    bm25: Any
    positions: npt.NDArray[np.int64] | None  # None: the whole version, rows are positions

    @property
    def size(self) -> int | None:
        return None if self.positions is None else len(self.positions)


_EMPTY = _Loaded([], fingerprint([]), None, None)


class LexicalIndex:
    """A BM25 (bm25s) index over chunk texts, addressed by chunk id, persisted in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._state: _Loaded | None = None
        self._lock = threading.Lock()

    @property
    def _pointer(self) -> Path:
        return self.directory / "current.json"

    def _stamp(self) -> tuple[int, int] | None:
        try:
            info = self._pointer.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_ino)

    def _current(self) -> _Loaded:
        """The loaded version, reloaded first when the pointer on disk changed since it was read."""
        state = self._state
        stamp = self._stamp()
        if state is not None and stamp == state.stamp:
            return state
        with self._lock:
            if self._state is None or self._state.stamp != stamp:
                self._state = self._load(stamp)
            return self._state

    def _load(self, stamp: tuple[int, int] | None) -> _Loaded:
        if stamp is None:
            return _EMPTY
        try:
            info = json.loads(self._pointer.read_text())
            ids = list(info["ids"])
            bm25 = None
            folder = self.directory / info["version"]
            if ids:
                bm25 = _bm25s().BM25.load(str(folder / "bm25"), show_progress=False)
            facets = Facets.load(folder, ids) if ids else None
            scoped: dict[frozenset[str], _Part] = {}
            for name in info.get("scopes", []):
                levels = frozenset(name.split("+"))
                positions = np.load(folder / f"scope-{name}.npy")
                part_bm25 = None
                if len(positions):
                    part_bm25 = _bm25s().BM25.load(str(folder / f"bm25-{name}"), show_progress=False)
                scoped[levels] = _Part(part_bm25, positions)
            fmt = int(info.get("format", 1))
            return _Loaded(ids, str(info["fingerprint"]), bm25, stamp, facets, scoped, fmt)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("BM25 index in %s is unreadable (%s); it will be rebuilt", self.directory, exc)
            return _Loaded([], "", None, stamp)

    @property
    def ids(self) -> list[str]:
        return self._current().ids

    @property
    def has_facets(self) -> bool:
        """Whether this version is current: it holds the filterable fields and the per-scope indexes.

        Versions built before them do not; ingest then rebuilds the index once.
        """
        state = self._current()
        return not state.ids or (state.facets is not None and state.format >= FORMAT)

    @property
    def current_fingerprint(self) -> str:
        return self._current().fingerprint

    def rebuild(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Index exactly these chunks, replacing what was there: a new version, then an atomic switch.

        With ``metadatas``, the version also holds their filterable fields (:mod:`assistant.index.facets`).
        A version that cannot be written is removed and the previous one stays current;
        :class:`~assistant.index.store.DiskFullError` when the disk is full.
        """
        bm25 = None
        facets = None
        scoped: dict[frozenset[str], _Part] = {}
        fp = fingerprint(ids)
        version = f"v-{fp[:16]}-{os.getpid()}-{threading.get_ident()}"
        folder = self.directory / version
        tmp = self.directory / f".current-{version}.json"
        try:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            if ids:
                tokens = [tokenize(t) or ["∅"] for t in texts]
                bm25 = _bm25s().BM25()
                bm25.index(tokens, show_progress=False)
                bm25.save(str(folder / "bm25"), show_progress=False)
                if metadatas is not None:
                    facets = Facets.build(ids, metadatas)
                    facets.save(folder)
                    levels = [m.get("access") for m in metadatas]
                    for scope in SCOPES:
                        scoped[scope] = _build_part(folder, scope, tokens, levels)
            pointer = {
                "fingerprint": fp, "version": version, "ids": list(ids), "format": FORMAT,
                "scopes": [_scope_name(s) for s in scoped],
            }  # fmt: skip
            tmp.write_text(json.dumps(pointer))
        except OSError as exc:
            # A version that could not be written completely is removed at once: the pointer still names
            # the previous one, and on a full disk the partial files would only take more space.
            shutil.rmtree(folder, ignore_errors=True)
            tmp.unlink(missing_ok=True)
            if out_of_space(exc, self.directory):
                raise DiskFullError(disk_full_message(self.directory)) from exc
            raise
        with self._lock:
            tmp.replace(self._pointer)
            fmt = FORMAT if metadatas is not None or not ids else 1
            self._state = _Loaded(list(ids), fp, bm25, self._stamp(), facets, scoped, fmt)
        self._remove_old_versions(keep=version)

    def _remove_old_versions(self, *, keep: str) -> None:
        """Delete superseded version folders (a reader still loading one retries from the pointer).

        Pointer files of versions never switched to (a run killed between writing one and the switch)
        go with them.
        """
        for folder in self.directory.glob("v-*"):
            if folder.name != keep:
                shutil.rmtree(folder, ignore_errors=True)
        for pointer in self.directory.glob(".current-v-*.json"):
            if pointer.name != f".current-{keep}.json":
                pointer.unlink(missing_ok=True)

    def idf(self, token: str, scope: Scope | None = None) -> float:
        """BM25 inverse document frequency of a (tokenized) term; highest for terms the archive lacks.

        The evidence gate weighs question words by it: a question whose rare words ("Voorjaarsnota",
        "Gelderland") occur nowhere in the retrieved text is probably not answered by the archive. It is
        counted over the chunks ``scope`` may see (all without one): over the whole archive, a word
        found only in confidential documents would make a public reader's gate answer differently.
        """
        state = self._current()
        part = state.part(scope)
        # A scope without its own index counts as an empty archive: no statistics leak from other levels.
        n = 0 if part is None else len(state.ids) if part.size is None else part.size
        df = 0
        if part is not None and part.bm25 is not None:
            vocab: dict[str, int] = part.bm25.vocab_dict
            indptr = part.bm25.scores["indptr"]
            column = vocab.get(token)
            df = int(indptr[column + 1] - indptr[column]) if column is not None else 0
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def matching(self, where: Mapping[str, Any]) -> Selection | None:
        """The chunks a Chroma ``where`` clause selects.

        ``None`` when this version holds no filterable fields or the clause is not understood: the caller
        then lets Chroma evaluate it (slower at scale, same result).
        """
        state = self._current()
        if state.facets is None or not state.ids:
            return None
        mask = state.facets.select(where)
        return None if mask is None else Selection(state.facets, mask)

    def search(self, query: str, k: int, scope: Scope | None = None) -> list[tuple[str, float]]:
        """Top ``k`` chunk ids with BM25 scores (> 0 only), best first, among the chunks ``scope`` sees.

        Scored by the scope's own index, so chunks above the scope neither take candidate places nor
        shift scores. A scope without its own index (see :meth:`_Loaded.part`) gets no lexical hits.
        """
        state = self._current()
        part = state.part(scope)
        tokens = tokenize(query)
        if part is None or part.bm25 is None or not tokens:
            return []
        scores = part.bm25.get_scores(tokens)
        rows = top_positive(scores, k)
        if part.positions is not None:
            return [(state.ids[int(part.positions[i])], float(scores[i])) for i in rows]
        return [(state.ids[i], float(scores[i])) for i in rows]


def top_positive(scores: Any, k: int) -> list[int]:
    """Positions of the ``k`` highest scores above 0, best first; equal scores in index order.

    Only positive scores are ranked, and of those only the ones at or above the k-th highest: at 100k
    chunks sorting every score took ~30 ms a search, this well under one. Equal scores (the same text
    indexed twice) keep index order, as fusion keeps first-seen order, where a full unstable argsort
    ordered them by chance.
    """
    positive = np.flatnonzero(scores > 0)
    if k <= 0 or not len(positive):
        return []
    values = scores[positive]
    if len(positive) > k:
        kth = np.partition(values, len(values) - k)[len(values) - k]
        keep = values >= kth
        positive, values = positive[keep], values[keep]
    order = positive[np.lexsort((positive, -values))][:k]  # by score descending, then by position
    return [int(i) for i in order]


def _scope_name(levels: frozenset[str]) -> str:
    """A scope's name on disk: its levels in order, joined by ``+`` (``openbaar+intern``)."""
    return "+".join(level for level in ACCESS_LEVELS if level in levels)


def _build_part(folder: Path, levels: frozenset[str], tokens: list[list[str]], access: list[Any]) -> _Part:
    """BM25 over the chunks whose level ``levels`` holds (a chunk without a level is in no narrower scope)."""
    positions = np.array([i for i, level in enumerate(access) if level in levels], dtype=np.int64)
    name = _scope_name(levels)
    np.save(folder / f"scope-{name}.npy", positions)
    bm25 = None
    if len(positions):
        bm25 = _bm25s().BM25()
        bm25.index([tokens[i] for i in positions], show_progress=False)
        bm25.save(str(folder / f"bm25-{name}"), show_progress=False)
    return _Part(bm25, positions)
