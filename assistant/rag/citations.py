"""Citations: number the sources, parse ``[n]`` markers, and check every cited sentence.

The local model copies text well but forgets markers and sometimes states things its sources do not
say. So correctness is checked after generation, with pure functions:

* every sentence is split off and its markers parsed (``[2]``, ``[1, 3]``, ``[1][3]``);
* a cited sentence is *supported* when the cited chunk contains most of its content words and every
  number it states (amounts are where a wrong answer hurts most);
* a sentence without a marker that one source clearly supports gets that marker (the model forgot it);
* what no source supports is removed, or kept and flagged, as the caller chooses.

Each kept citation resolves to the chunk and the sentence of the chunk that best supports it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.core.answers import CheckedSentence
from assistant.core.dates import format_date
from assistant.core.records import Hit
from assistant.core.text import split_sentences as text_sentences
from assistant.core.tokens import fold_accents, tokenize
from assistant.rag.claims import MIN_COVERAGE, Support, support
from assistant.rag.glossary import Glossary

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")

FLAG = "[niet geverifieerd]"

#: The prompt's own vocabulary. Short pieces of it are what a small model leaves behind ("Bron [4]"
#: split off a sentence, "bron,,,.", "De bronnummer is.", "Vraag 1"): not connectives.
_PROMPT_WORDS = frozenset(
    tokenize("bron bronnen bronnummer bronvermelding nummer antwoord vraag vragen zin zie source sources")
)


def is_fragment(text: str) -> bool:
    """True for a piece that says nothing: punctuation, a source label, or a few words of the prompt."""
    tokens = tokenize(text)
    if not tokens:  # only stopwords ("Ja.", a connective) or only punctuation (a fragment)
        return not any(c.isalpha() for c in text)
    return len(tokens) < 3 and all(t in _PROMPT_WORDS or t.isdigit() for t in tokens)


def split_sentences(answer: str) -> list[str]:
    """Answer sentences, each with its trailing markers; every line is its own unit (lists, quotes)."""
    return text_sentences(answer, lines=True)


def parse_markers(sentence: str) -> tuple[str, tuple[int, ...]]:
    """Sentence text without its ``[n]`` markers, and the cited numbers in order of appearance."""
    numbers: list[int] = []
    for match in _MARKER.finditer(sentence):
        for part in re.split(r"[,;]", match.group(1)):
            n = int(part)
            if n not in numbers:
                numbers.append(n)
    text = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER.sub("", sentence)).strip()
    return re.sub(r"\s{2,}", " ", text), tuple(numbers)


def document_facts(hit: Hit) -> list[str]:
    """What a citation of ``hit`` vouches for besides the chunk's text: its document's metadata.

    "Op 5 november 2024 schreef het IPO aan de minister ... [1]" is supported by source 1 when that
    letter is dated 5 November 2024 and addressed to the minister, even if the chunk (page 2 of the
    letter) does not repeat the date; so the date (as written and in words), title, reference number,
    addressee and sender count as the source's words too.
    """
    meta = hit.metadata
    date = f"{hit.date} {format_date(hit.date)}" if hit.date else ""
    facts = [hit.title, date]
    facts += [str(meta.get(key) or "") for key in ("kenmerk", "onderwerp", "addressee", "sender", "doc_type")]
    return [f for f in facts if f]


_DATED = re.compile(r"^-?\s*(?P<date>\d{1,2} \w+ \d{4}|datum onbekend) \((?P<title>.+?)\):\s*(?P<claim>.+)$")


def dated_claim(text: str, hit: Hit) -> str | None:
    """The claim of a dated-account line ("- 5 november 2024 (Titel): ..."), checked against its source.

    The date and title in front name the cited document: they must be exactly its date and title (else
    ``None``: the line is unsupported), and only the rest is a claim to check. Other text is unchanged.
    """
    match = _DATED.match(text)
    if match is None:
        return text
    if match["date"] != format_date(hit.date) or match["title"] != hit.title:
        return None
    return match["claim"]


def _checked(text: str, hit: Hit, min_coverage: float, glossary: Glossary | None) -> Support | None:
    """The support ``hit`` gives the claim in ``text``, or ``None`` when it does not support it."""
    claim = dated_claim(text, hit)
    if claim is None:
        return None
    result = support(claim, hit.text, document_facts(hit), glossary=glossary)
    return result if result.ok(min_coverage) else None


def check_answer(
    answer: str,
    sources: Sequence[Hit],
    *,
    min_coverage: float = MIN_COVERAGE,
    question: str = "",
    glossary: Glossary | None = None,
) -> list[CheckedSentence]:
    """Check every sentence of ``answer`` against the numbered ``sources`` (``[1]`` is ``sources[0]``).

    A sentence that only restates the question ("De metafoor ... spreekt de provincies aan.") is
    supported by any source that repeats the question's words, yet says nothing: with ``question``
    given, such echoes get no citation and count as unsupported. Support is judged per claim (see
    :mod:`assistant.rag.claims`); ``glossary`` lets abbreviations match their full forms.
    """
    asked = set(tokenize(question))
    checked: list[CheckedSentence] = []
    for raw in split_sentences(answer):
        text, cited = parse_markers(raw)
        if not text:
            continue
        words = tokenize(text)
        # A connective or a fragment (under three words, CheckedSentence.has_content) is nothing a
        # source could vouch for; nor is a sentence made only of the question's words.
        if len(words) < 3 or (asked and set(words) <= asked):
            checked.append(CheckedSentence(text, cited, ()))
            continue
        quotes: dict[int, str] = {}
        verified: list[int] = []
        for n in cited:
            if 1 <= n <= len(sources) and (result := _checked(text, sources[n - 1], min_coverage, glossary)):
                verified.append(n)
                quotes[n] = result.quote
        added: list[int] = []
        if not verified:
            passing = [
                (result, n)
                for n, hit in enumerate(sources, start=1)
                if (result := _checked(text, hit, min_coverage, glossary)) is not None
            ]
            if passing:
                result, n = max(passing, key=lambda pair: pair[0].coverage)
                added.append(n)
                quotes[n] = result.quote
        checked.append(CheckedSentence(text, cited, tuple(verified), tuple(added), quotes))
    return checked


def render(checked: Sequence[CheckedSentence], *, drop_unsupported: bool = True, lines: bool = False) -> str:
    """The answer text with verified markers; unsupported content sentences removed or flagged.

    With ``lines`` (a draft written one quote per line) every sentence keeps its own line; lists do too.
    """
    parts: list[str] = []
    for sentence in checked:
        numbers = sentence.verified or sentence.added
        if numbers:
            parts.append(f"{sentence.text} {''.join(f'[{n}]' for n in numbers)}")
        elif not sentence.has_content and not is_fragment(sentence.text):
            parts.append(sentence.text)
        elif not drop_unsupported:
            parts.append(f"{sentence.text} {FLAG}")
    listed = lines or any(p.lstrip().startswith(("-", "•", "*")) for p in parts)
    return "\n".join(parts) if listed else " ".join(parts)


def normalise_for_match(text: str) -> str:
    """Accent-folded, whitespace-collapsed text for substring checks in tests and evaluation."""
    return " ".join(fold_accents(text).split())
