"""The plain-text table ``lobby bench`` prints: a benchmark's JSON object, flattened to rows.

Nested objects become dotted keys (``backends.torch-bf16.passages_per_s``); lists of numbers are
joined; lists of objects get their index in the key. Long lists are elided, since the JSON output
(``--json``) carries everything.
"""

from __future__ import annotations

from typing import Any

_MAX_LIST = 12


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``(key, text)`` rows for a JSON-like value, in the value's own order."""
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, item in value.items():
            rows.extend(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return rows
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        rows = []
        for index, item in enumerate(value[:_MAX_LIST]):
            rows.extend(flatten(item, f"{prefix}[{index}]"))
        if len(value) > _MAX_LIST:
            rows.append((prefix, f"... {len(value) - _MAX_LIST} meer (zie --json)"))
        return rows
    if isinstance(value, list):
        shown = ", ".join(_text(v) for v in value[:_MAX_LIST])
        more = f", ... ({len(value)} in totaal)" if len(value) > _MAX_LIST else ""
        return [(prefix, shown + more)]
    return [(prefix, _text(value))]


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render_table(result: dict[str, Any]) -> str:
    """Two aligned columns: what was measured, and its value."""
    rows = flatten(result)
    width = max((len(key) for key, _ in rows), default=0)
    return "\n".join(f"{key.ljust(width)}  {text}" for key, text in rows)
