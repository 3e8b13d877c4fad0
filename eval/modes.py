"""The retrieval configurations that evaluations compare, as switches on the user's retriever.

Each mode keeps every other retrieval setting as configured and only turns the dense search, the BM25
search and the glossary expansion on or off, so a comparison measures exactly those parts.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.core.settings import Settings
from assistant.rag.retrieval import Retriever

MODES: dict[str, dict[str, bool]] = {
    "bm25": {"dense": False, "lexical": True, "expand": False},
    "dense": {"dense": True, "lexical": False, "expand": False},
    "hybrid": {"dense": True, "lexical": True, "expand": False},
    "hybrid+glossary": {"dense": True, "lexical": True, "expand": True},
}


def default_mode(settings: Settings) -> str:
    """The mode users get with these settings."""
    return "hybrid+glossary" if settings.glossary_expansion else "hybrid"


def apply_mode(retriever: Retriever, mode: str) -> Retriever:
    """Switch ``retriever`` to ``mode`` in place (and return it); unknown modes raise ``ValueError``."""
    if mode not in MODES:
        raise ValueError(f"unknown retrieval mode {mode!r}; choose from {', '.join(MODES)}")
    retriever.options = replace(retriever.options, **MODES[mode])
    return retriever
