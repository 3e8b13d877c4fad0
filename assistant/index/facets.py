"""The filterable fields of every chunk, as columns in memory: which chunks a filter selects, in microseconds.

Chroma evaluates a ``where`` clause by scanning its metadata: at 100k chunks a date range and a document
type cost it 300-800 ms per query, against 8 ms for the vector search itself, while a search restricted to
a list of ids is as fast as an unfiltered one. So the lexical index, which is rebuilt from the store
whenever the store changes, also keeps these columns; a filter is evaluated here with numpy and the vector
search gets the matching ids.

Only the clause forms the retriever builds are understood (``$and``/``$or``, equality, ``$in``, ``$nin``,
``$ne`` and ranges on the columns below); anything else returns ``None`` and the caller lets Chroma
evaluate the clause itself, so a new filter is never silently wrong, only slower.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Mask = npt.NDArray[np.bool_]

#: Integer columns (compared with ranges) and text columns (compared by value).
NUMBERS = ("date_int",)
TEXTS = ("doc_type", "doc_id", "access")


@dataclass(frozen=True, slots=True)
class Facets:
    """Columns of the chunks ``ids`` (same order); a row without a field is marked absent."""

    ids: list[str]
    numbers: dict[str, npt.NDArray[np.int64]]
    texts: dict[str, npt.NDArray[np.int32]]  # codes into ``vocabulary``; -1 where absent
    present: dict[str, Mask]
    vocabulary: dict[str, dict[str, int]]
    rows: dict[str, int] = field(init=False, repr=False, compare=False)  # chunk id -> row, built once

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", {chunk_id: i for i, chunk_id in enumerate(self.ids)})

    @classmethod
    def build(cls, ids: Sequence[str], metadatas: Sequence[Mapping[str, Any]]) -> Facets:
        numbers: dict[str, npt.NDArray[np.int64]] = {}
        texts: dict[str, npt.NDArray[np.int32]] = {}
        present: dict[str, Mask] = {}
        vocabulary: dict[str, dict[str, int]] = {}
        for name in NUMBERS:
            raw = [m.get(name) for m in metadatas]
            whole = [isinstance(v, int) and not isinstance(v, bool) for v in raw]
            present[name] = np.array(whole, dtype=bool)
            values = [v if ok else 0 for v, ok in zip(raw, whole, strict=True)]
            numbers[name] = np.array(values, dtype=np.int64)
        for name in TEXTS:
            codes: dict[str, int] = {}
            raw = [m.get(name) for m in metadatas]
            column = [-1 if v is None else codes.setdefault(str(v), len(codes)) for v in raw]
            texts[name] = np.array(column, dtype=np.int32)
            present[name] = texts[name] >= 0
            vocabulary[name] = codes
        return cls(list(ids), numbers, texts, present, vocabulary)

    def save(self, folder: Path) -> None:
        arrays: dict[str, Any] = {f"n_{k}": v for k, v in self.numbers.items()}
        arrays.update({f"t_{k}": v for k, v in self.texts.items()})
        arrays.update({f"p_{k}": v for k, v in self.present.items()})
        for name, codes in self.vocabulary.items():
            arrays[f"v_{name}"] = np.array(sorted(codes, key=codes.__getitem__), dtype=str)
        np.savez(folder / "facets.npz", **arrays)

    @classmethod
    def load(cls, folder: Path, ids: list[str]) -> Facets | None:
        """The columns saved in ``folder`` for ``ids``; ``None`` when absent or not of these ids."""
        path = folder / "facets.npz"
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as data:
            numbers = {k: data[f"n_{k}"] for k in NUMBERS}
            texts = {k: data[f"t_{k}"] for k in TEXTS}
            present = {k: data[f"p_{k}"] for k in (*NUMBERS, *TEXTS)}
            vocabulary = {k: {str(v): i for i, v in enumerate(data[f"v_{k}"].tolist())} for k in TEXTS}
        if any(len(column) != len(ids) for column in (*numbers.values(), *texts.values())):
            return None
        return cls(ids, numbers, texts, present, vocabulary)

    def select(self, where: Mapping[str, Any]) -> Mask | None:
        """Rows matching a Chroma ``where`` clause, or ``None`` when the clause is not understood here."""
        if len(where) != 1:
            return self._combine([{k: v} for k, v in where.items()], every=True) if where else None
        ((key, condition),) = where.items()
        if key in ("$and", "$or"):
            if not isinstance(condition, list) or not condition:
                return None
            return self._combine(condition, every=key == "$and")
        if not isinstance(condition, Mapping):
            condition = {"$eq": condition}
        if len(condition) != 1:
            return self._combine([{key: {op: value}} for op, value in condition.items()], every=True)
        ((op, value),) = condition.items()
        return self._compare(key, op, value)

    def _combine(self, clauses: Sequence[Mapping[str, Any]], *, every: bool) -> Mask | None:
        """All (``every``) or any of ``clauses``; ``None`` when one of them is not understood."""
        masks = [self.select(c) for c in clauses]
        known = [m for m in masks if m is not None]
        if len(known) < len(masks):
            return None
        combined: Mask = (np.logical_and if every else np.logical_or).reduce(known)
        return combined

    def _compare(self, key: str, op: str, value: Any) -> Mask | None:
        present = self.present.get(key)
        if present is None:
            return None
        if key in self.numbers:
            column = self.numbers[key]
            if isinstance(value, bool) or not isinstance(value, int):
                return None
            tests = {"$eq": column == value, "$gt": column > value, "$gte": column >= value,
                     "$lt": column < value, "$lte": column <= value}  # fmt: skip
            return present & tests[op] if op in tests else None
        codes, vocabulary = self.texts[key], self.vocabulary[key]
        if op in ("$eq", "$ne"):
            values = [value]
        elif op in ("$in", "$nin") and isinstance(value, list):
            values = value
        else:
            return None
        wanted = [vocabulary[v] for v in values if isinstance(v, str) and v in vocabulary]
        hit = present & np.isin(codes, np.array(wanted, dtype=np.int32))
        if op in ("$eq", "$in"):
            return hit
        # Chroma's $ne/$nin on a chunk without the field: not settled here, so let Chroma decide.
        return ~hit if bool(present.all()) else None


@dataclass(frozen=True, slots=True)
class Selection:
    """The chunks a filter selects: their share, membership of one chunk, and (built on demand) their ids."""

    facets: Facets
    mask: Mask

    @property
    def share(self) -> float:
        return float(self.mask.mean()) if len(self.mask) else 0.0

    def __contains__(self, chunk_id: str) -> bool:
        row = self.facets.rows.get(chunk_id)
        return row is not None and bool(self.mask[row])

    def ids(self) -> list[str]:
        return [self.facets.ids[i] for i in np.flatnonzero(self.mask)]
