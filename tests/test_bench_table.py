"""The table ``lobby bench`` prints without ``--json``: every figure of the JSON object, one per row."""

from __future__ import annotations

from eval.bench_table import flatten, render_table


def test_nested_objects_become_dotted_keys_in_order() -> None:
    result = {"p95_ms": 41.5, "backends": {"torch-bf16": {"passages_per_s": 6.3, "speedup_vs_fp32": 2.4}}}
    assert flatten(result) == [
        ("p95_ms", "41.5"),
        ("backends.torch-bf16.passages_per_s", "6.3"),
        ("backends.torch-bf16.speedup_vs_fp32", "2.4"),
    ]


def test_lists_of_numbers_are_joined_and_lists_of_objects_indexed() -> None:
    rows = dict(flatten({"runs_s": [1.0, 2.5], "answers": [{"backend": "extractive"}], "none": None}))
    assert rows == {"runs_s": "1, 2.5", "answers[0].backend": "extractive", "none": "-"}


def test_long_lists_are_elided_with_a_pointer_to_json() -> None:
    rows = dict(flatten({"seconds": list(range(20)), "rows": [{"n": i} for i in range(20)]}))
    assert rows["seconds"].endswith("(20 in totaal)")
    assert "zie --json" in rows["rows"]


def test_render_aligns_the_values() -> None:
    lines = render_table({"a": 1, "langere_sleutel": "x"}).splitlines()
    assert lines == ["a                1", "langere_sleutel  x"]
