"""Lexical retrieval: Dutch-aware tokenisation and a BM25 index persisted next to the vector store.

Dense embeddings miss exact tokens that matter in this archive (kenmerken such as ``11812/2024``,
abbreviations such as SRP or NDS, amounts); BM25 catches them. The index is rebuilt from the store's
chunk texts whenever ingest changes the store, and carries a fingerprint of the chunk ids it was built
from, so a stale index (a run killed between store write and index write) is detected and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import shutil
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: Snowball's Dutch stopword list (lowercase, accents folded).
DUTCH_STOPWORDS = frozenset(
    (
        "aan",
        "al",
        "alles",
        "als",
        "altijd",
        "andere",
        "ben",
        "bij",
        "daar",
        "dan",
        "dat",
        "de",
        "der",
        "deze",
        "die",
        "dit",
        "doch",
        "doen",
        "door",
        "dus",
        "een",
        "eens",
        "en",
        "er",
        "ge",
        "geen",
        "geweest",
        "haar",
        "had",
        "heb",
        "hebben",
        "heeft",
        "hem",
        "het",
        "hier",
        "hij",
        "hoe",
        "hun",
        "iemand",
        "iets",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "kan",
        "kon",
        "kunnen",
        "maar",
        "me",
        "meer",
        "men",
        "met",
        "mij",
        "mijn",
        "moet",
        "na",
        "naar",
        "niet",
        "niets",
        "nog",
        "nu",
        "of",
        "om",
        "omdat",
        "onder",
        "ons",
        "ook",
        "op",
        "over",
        "reeds",
        "te",
        "tegen",
        "toch",
        "toen",
        "tot",
        "u",
        "uit",
        "uw",
        "van",
        "veel",
        "voor",
        "want",
        "waren",
        "was",
        "wat",
        "werd",
        "wezen",
        "wie",
        "wil",
        "worden",
        "wordt",
        "zal",
        "ze",
        "zelf",
        "zich",
        "zij",
        "zijn",
        "zo",
        "zonder",
        "zou",
    )
)

# Words: letters/digits, keeping inner joins that carry meaning in this archive: "11812/2024",
# "D2024-03-011394", "21.05.2024", "OV-voorzieningenniveau" (the latter also yields its parts).
_TOKEN = re.compile(r"[0-9a-z]+(?:[/.\-][0-9a-z]+)*")


def fold_accents(text: str) -> str:
    """Lowercase and strip diacritics: 'Financiële' -> 'financiele', 'één' -> 'een'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("dutch")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


def tokenize(text: str) -> list[str]:
    """Dutch BM25 tokens: lowercase, accents folded, stopwords dropped, Snowball-stemmed.

    A joined token such as ``ov-voorzieningenniveau`` is kept whole *and* split into its parts, so both
    the exact form and each word match; identifiers with digits (kenmerken, dates) are kept unstemmed.
    """
    tokens: list[str] = []
    for match in _TOKEN.finditer(fold_accents(text)):
        word = match.group()
        parts = re.split(r"[/.\-]", word) if any(c in word for c in "/.-") else []
        if any(ch.isdigit() for ch in word):
            tokens.append(word)
        elif word not in DUTCH_STOPWORDS:
            tokens.append(_stem(word))
        for part in parts:
            if part and part not in DUTCH_STOPWORDS and not any(ch.isdigit() for ch in part):
                tokens.append(_stem(part))
    return tokens


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


class LexicalIndex:
    """A BM25 (bm25s) index over chunk texts, addressed by chunk id, persisted in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._ids: list[str] = []
        self._fingerprint = fingerprint([])
        self._bm25: object | None = None
        self._loaded = False

    @property
    def ids(self) -> list[str]:
        self._ensure_loaded()
        return self._ids

    @property
    def current_fingerprint(self) -> str:
        self._ensure_loaded()
        return self._fingerprint

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        meta = self.directory / "ids.json"
        if not meta.exists():
            return
        try:
            bm25s = _bm25s()

            info = json.loads(meta.read_text())
            self._ids = list(info["ids"])
            self._fingerprint = str(info["fingerprint"])
            if self._ids:
                self._bm25 = bm25s.BM25.load(str(self.directory / "bm25"), show_progress=False)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("BM25 index in %s is unreadable (%s); it will be rebuilt", self.directory, exc)
            self._ids, self._fingerprint, self._bm25 = [], "", None

    def rebuild(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        """Index exactly these chunks, replacing what was there; written atomically."""
        bm25s = _bm25s()

        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        bm25 = None
        if ids:
            bm25 = bm25s.BM25()
            bm25.index([tokenize(t) or ["∅"] for t in texts], show_progress=False)
            bm25.save(str(tmp / "bm25"), show_progress=False)
        fp = fingerprint(ids)
        (tmp / "ids.json").write_text(json.dumps({"fingerprint": fp, "ids": list(ids)}))
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            self.directory.rename(old)
        tmp.rename(self.directory)
        shutil.rmtree(old, ignore_errors=True)
        self._ids, self._fingerprint, self._bm25, self._loaded = list(ids), fp, bm25, True

    def idf(self, token: str) -> float:
        """BM25 inverse document frequency of a (tokenized) term; highest for terms the archive lacks.

        The evidence gate weighs question words by it: a question whose rare words ("Voorjaarsnota",
        "Gelderland") occur nowhere in the retrieved text is probably not answered by the archive.
        """
        self._ensure_loaded()
        n = len(self._ids)
        df = 0
        if self._bm25 is not None:
            vocab: dict[str, int] = self._bm25.vocab_dict  # type: ignore[attr-defined]
            indptr = self._bm25.scores["indptr"]  # type: ignore[attr-defined]
            column = vocab.get(token)
            df = int(indptr[column + 1] - indptr[column]) if column is not None else 0
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top ``k`` chunk ids with BM25 scores (> 0 only), best first."""
        self._ensure_loaded()
        tokens = tokenize(query)
        if self._bm25 is None or not tokens:
            return []
        scores = self._bm25.get_scores(tokens)  # type: ignore[attr-defined]
        order = scores.argsort()[::-1][:k]
        return [(self._ids[i], float(scores[i])) for i in order if scores[i] > 0]
