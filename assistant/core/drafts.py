"""Drafts: templates for Dutch parliamentary genres, and the sourced draft made from one.

A template (``prompts/drafts/<name>.toml``) names its sections; each section lists what it asks for
(``asks``: "het standpunt van de provincies", "de financiële gevolgen"), which drives retrieval per
section and the gap report. A :class:`Draft` holds the sections' paragraphs, each with the numbers of
the sources that verified it, the gaps, and one numbered source list shared by all sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from assistant.core.answers import CheckedSentence, Citation


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """One section of a template: its heading, what it must cover, and its share of the length."""

    title: str
    asks: tuple[str, ...]
    words: int
    instruction: str = ""


@dataclass(frozen=True, slots=True)
class DraftTemplate:
    """A Dutch genre: who reads it, in what tone, how long, and its sections."""

    name: str
    title: str
    description: str
    audience: str
    tone: str
    words: int
    sections: tuple[SectionSpec, ...]
    letter: bool = False  # a heading block in the style of the archive's letters
    words_per_minute: int | None = None  # a speaking text: its length follows the speaking time
    source: str = ""  # the file it was read from

    def scaled(self, minutes: float | None) -> DraftTemplate:
        """The template for ``minutes`` of speaking time (unchanged for written genres or no time)."""
        if not minutes or not self.words_per_minute:
            return self
        total = max(1, round(minutes * self.words_per_minute))
        factor = total / max(1, sum(s.words for s in self.sections))
        sections = tuple(replace(s, words=max(20, round(s.words * factor))) for s in self.sections)
        return replace(self, words=total, sections=sections)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A body paragraph: its text with ``[n]`` markers, the verified source numbers, any notes.

    ``notes`` are derived remarks shown with the paragraph ("Bedragen naar datum ...", a newer
    statement that differs); they carry no claim of their own.
    """

    text: str
    citations: tuple[int, ...]
    checked: tuple[CheckedSentence, ...] = ()
    notes: tuple[str, ...] = ()
    origin: str = "bronnen"  # "model": the model's checked sentences; "bronnen": the sources' own sentences

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": list(self.citations),
            "notes": list(self.notes),
            "origin": self.origin,
        }


@dataclass(frozen=True, slots=True)
class Gap:
    """What a section asks for that the archive does not support."""

    section: str
    ask: str

    def to_json(self) -> dict[str, str]:
        return {"section": self.section, "ask": self.ask}

    @property
    def text(self) -> str:
        return f"geen bron gevonden voor: {self.ask}"


@dataclass(frozen=True, slots=True)
class DraftSection:
    """A section as drafted: heading, paragraphs and the asks it could not support."""

    title: str
    paragraphs: tuple[Paragraph, ...]
    gaps: tuple[Gap, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "paragraphs": [p.to_json() for p in self.paragraphs],
            "gaps": [g.ask for g in self.gaps],
        }


@dataclass(slots=True)
class Draft:
    """A sourced first version of a contribution, ready to render as Markdown or DOCX."""

    template: DraftTemplate
    subject: str
    addressee: str
    sections: list[DraftSection]
    sources: list[Citation]  # numbered once for the whole draft; ``n`` matches the markers
    backend: str
    pinned: tuple[str, ...] = ()  # document ids the advisor required
    excluded: tuple[str, ...] = ()  # document ids the advisor ruled out
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def gaps(self) -> list[Gap]:
        return [g for s in self.sections for g in s.gaps]

    @property
    def used(self) -> list[str]:
        """Document ids cited anywhere in the draft, in source-list order."""
        return list(dict.fromkeys(c.doc_id for c in self.sources))

    def paragraphs(self) -> list[Paragraph]:
        return [p for s in self.sections for p in s.paragraphs]

    def verified_share(self) -> float:
        """Share of body paragraphs that carry at least one verified citation (1.0 for none)."""
        body = self.paragraphs()
        return sum(1 for p in body if p.citations) / len(body) if body else 1.0

    def to_json(self) -> dict[str, Any]:
        """The ``lobby draft --json`` contract."""
        return {
            "template": self.template.name,
            "subject": self.subject,
            "addressee": self.addressee,
            "backend": self.backend,
            "sections": [s.to_json() for s in self.sections],
            "gaps": [g.to_json() for g in self.gaps],
            "sources": [c.to_json() for c in self.sources],
            "pinned": list(self.pinned),
            "excluded": list(self.excluded),
            "used": self.used,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }
