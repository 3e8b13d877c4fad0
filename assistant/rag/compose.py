"""Composing answers from source sentences, without a model: extractive answers and dated accounts.

Pure functions over retrieved hits. The extractive mode answers with these alone (deterministic, no
model); with a model, :func:`focus` trims what the model is shown and :func:`position_changes` notes
where IPO's figures changed between documents.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.core.dates import format_date
from assistant.core.records import Hit
from assistant.core.tokens import containment, tokenize
from assistant.rag.answer_types import asked_types, holds_answer
from assistant.rag.evidence import evidence_sentences, source_sentences
from assistant.rag.figures import amounts_in
from assistant.rag.gate import QUESTION_WORDS
from assistant.rag.glossary import Glossary


def _sentences(text: str) -> list[str]:
    """Sentences that can answer: evidence (no letterhead, headers or questions) of four words or more."""
    return [s for s in evidence_sentences(text) if len(s.split()) >= 4]


@dataclass(frozen=True, slots=True)
class Terms:
    """What a sentence is matched on: the question's words, and each glossary term it names as one concept.

    A concept is its forms as token sets; any form counts once. "Wat vroeg het IPO over het
    studentenreisproduct?" is then matched by a letter that writes "SRP" or "Studenten Reis Product",
    which shares no word with the question as written.
    """

    words: frozenset[str]
    concepts: tuple[tuple[frozenset[str], ...], ...] = ()

    def __len__(self) -> int:
        return len(self.words) + len(self.concepts)


#: Asking, in its Dutch forms: "Wat vroeg het IPO?" is answered by "Wij verzoeken u ...", which shares
#: no word with it.
_ASKING = frozenset(
    tokenize("vroeg vraagt vragen verzocht verzoek verzoeken pleit pleiten oproep roept riep")
)


def question_terms(question: str, glossary: Glossary | None = None) -> Terms:
    """The terms of ``question``: its tokens, with those of a glossary term folded into one concept.

    A term every question names (IPO, "Interprovinciaal Overleg") is no concept: it would make every
    slide footer match. The verbs of asking form one concept too (:data:`_ASKING`).
    """
    words = set(tokenize(question))
    concepts: list[tuple[frozenset[str], ...]] = []
    for term in glossary.mentioned(question) if glossary else []:
        forms = tuple(f for f in (frozenset(tokenize(form)) for form in term.forms) if f)
        if forms and not all(form <= QUESTION_WORDS for form in forms):
            words -= {t for form in forms for t in form}
            concepts.append(forms)
    if words & _ASKING:
        words -= _ASKING
        concepts.append(tuple(frozenset({verb}) for verb in sorted(_ASKING)))
    return Terms(frozenset(words), tuple(concepts))


def _matches(word: str, tokens: set[str]) -> bool:
    return word in tokens or (len(word) >= 4 and any(t.startswith(word) for t in tokens))


def overlap(wanted: Terms, sentence: str) -> int:
    """Question terms found in a sentence, where a term also matches as the head of a Dutch compound.

    "herijk" (from "herijking") matches "herijkingsmetingen", "studentenreis" matches
    "studentenreisproduct": Dutch glues words together, and exact token overlap misses that. A glossary
    concept counts once, when all words of any of its forms are there.
    """
    tokens = set(tokenize(sentence))
    words = sum(1 for w in wanted.words if _matches(w, tokens))
    return words + sum(
        1 for forms in wanted.concepts if any(all(_matches(w, tokens) for w in form) for form in forms)
    )


def best_sentences(
    question: str, hit: Hit, limit: int, *, asked: str = "other", glossary: Glossary | None = None
) -> list[str]:
    """The ``limit`` evidence sentences of ``hit`` that share most words with ``question``.

    With an ``asked`` kind (a date for "wanneer"), the best sentence that holds one is added when the
    word-overlap choice has none: "In onze eerste kennismaking op 30 augustus 2024 ..." shares fewer
    words with the question than the slide that repeats its topic, but it is the answer. With
    ``glossary``, a term the question names matches in any of its forms.
    """
    wanted = question_terms(question, glossary)
    scored = [(overlap(wanted, s), -i, s) for i, s in enumerate(_sentences(hit.text))]
    scored = sorted((x for x in scored if x[0] > 0), reverse=True)
    chosen = [s for _, _, s in scored[:limit]]
    # A question in two parts ("..., en welk aandeel van de omzet is dat?") asks for a second kind too.
    kinds = [asked, *(k for k in asked_types(question) if k != asked)] if asked != "other" else []
    for kind in kinds:
        if not any(holds_answer(s, kind) for s in chosen):
            holding = [s for _, _, s in scored[limit:] if holds_answer(s, kind) and s not in chosen]
            chosen += holding[:1]
    return chosen


def focus(text: str, question: str, *, budget: int, glossary: Glossary | None = None) -> str:
    """The sentences of ``text`` most related to ``question``, in their original order, within ``budget``.

    The local model reads ~100 prompt tokens per second on two cores, so every source sentence costs
    time before the first token; and a small model copies whatever it is shown. Giving it only the
    relevant sentences makes answers both faster and more to the point. Budget is in estimated tokens.
    One sentence per line: a model (and the citation check) then sees where each sentence ends.
    """
    sentences = evidence_sentences(text) or [" ".join(source_sentences(text))]
    if sum(len(s.split()) for s in sentences) <= budget:
        return "\n".join(sentences)
    wanted = question_terms(question, glossary)
    scores = [overlap(wanted, s) for s in sentences]
    ranked = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: set[int] = set()
    used = 0
    for i in ranked:
        size = len(sentences[i].split())
        if chosen and (scores[i] == 0 or used + size > budget):
            continue  # unrelated sentences only cost prompt time
        chosen.add(i)
        used += size
    return "\n".join(sentences[i] for i in sorted(chosen))


def follower_of(text: str, sentence: str, asked: str) -> str:
    """The sentence after ``sentence`` in ``text`` when it holds the asked kind of answer, else "".

    A fact often follows the sentence that matches the question's words: "... ben ik in gesprek gegaan
    met de VNG." then "Dit gesprek heeft plaatsgevonden op 26 februari 2024."; it shares no word with
    "Wanneer sprak de minister met de VNG?", but it is the answer.
    """
    return _follower(_sentences(text), sentence, asked) if asked != "other" else ""


def _follower(sentences: Sequence[str], sentence: str, asked: str) -> str:
    """:func:`follower_of` over a text already split into its sentences."""
    if asked == "other" or sentence not in sentences:
        return ""
    index = sentences.index(sentence) + 1
    following = sentences[index] if index < len(sentences) else ""
    return following if following and holds_answer(following, asked) else ""


#: A sentence whose words stand for this share in another is a repeat of it (see :func:`repeats`).
REPEAT = 0.9


def repeats(tokens: set[str], known: Sequence[set[str]]) -> bool:
    """Whether a sentence's words nearly all stand in one already kept, or the reverse."""
    return any(containment(tokens, other) >= REPEAT for other in known)


def extractive_answer(
    question: str,
    sources: Sequence[Hit],
    *,
    max_sentences: int = 4,
    asked: str = "other",
    glossary: Glossary | None = None,
) -> str:
    """The best supporting sentences of the sources, each with its marker (deterministic, no model).

    A sentence that holds the asked kind of answer (an amount for "hoeveel geld", a date for
    "wanneer") ranks above one that only shares the question's words, and one that holds it right after
    a chosen sentence is quoted after it (:func:`follower_of`).
    """
    picked: list[tuple[int, float, str]] = []
    wanted = question_terms(question, glossary)
    kinds = [asked, *(k for k in asked_types(question) if k != asked)]
    for n, hit in enumerate(sources, start=1):
        best = best_sentences(question, hit, 2, asked=asked, glossary=glossary)
        sentences = _sentences(hit.text) if asked != "other" else []  # split once for the followers
        for sentence in best:
            share = overlap(wanted, sentence) / (len(wanted) or 1)
            if asked != "other" and any(holds_answer(sentence, kind) for kind in kinds):
                share += 0.25
            picked.append((n, share + 0.01 * hit.score, sentence))
            follower = _follower(sentences, sentence, asked)
            if follower and follower not in best:
                picked.append((n, share + 0.01 * hit.score - 1e-3, follower))
    picked.sort(key=lambda x: -x[1])
    # The same sentence in two sources (a deck quoting a letter, two chunks of one page) is one quote
    # with both markers, not two lines: the slot goes to the next best sentence.
    # So is a sentence that repeats one already chosen within a longer one (a slide heading that repeats
    # its first bullet, a press quote and the article around it): it would only take a slot.
    numbers: dict[str, list[int]] = {}
    unique: list[tuple[int, float, str]] = []
    words: list[set[str]] = []
    for n, score, sentence in picked:
        key = " ".join(tokenize(sentence))
        if key in numbers:
            if n not in numbers[key]:
                numbers[key].append(n)
            continue
        tokens = set(key.split())
        if repeats(tokens, words):
            continue
        numbers[key] = [n]
        unique.append((n, score, sentence))
        words.append(tokens)
    chosen = sorted(unique[:max_sentences], key=lambda x: (x[0], -x[1]))
    # One quote per line: slide bullets and headings have no closing full stop, and joined on one line
    # the citation check would read two quotes as one sentence that neither source fully supports.
    return "\n".join(
        f"{s} {''.join(f'[{m}]' for m in sorted(numbers[' '.join(tokenize(s))]))}" for _, _, s in chosen
    )


_REFERENCE = re.compile(
    r"\b(?:kenmerk|referentie|ons\s+kenmerk|van\s+welke\s+datum|welke\s+datum|gedateerd|datum\s+en|en\s+(?:de\s+)?datum)\b",
    re.IGNORECASE,
)


def asks_for_reference(question: str) -> bool:
    """Whether ``question`` asks for a document's reference number or date ("kenmerk en datum")."""
    return _REFERENCE.search(question) is not None


def document_line(hit: Hit) -> str:
    """The document's letterhead facts on one line: title, type, date and kenmerk.

    The addressee is left out: a role in it ("De voorzitter van de Tweede Kamer") next to the title's
    names reads as a pairing the claim check cannot confirm, and the question asked for the reference.

    These are metadata fields, not quotes; the citation check accepts them because a citation vouches for
    its document's metadata (:func:`assistant.rag.citations.document_facts`).
    """
    meta = hit.metadata
    facts = [str(meta.get("doc_type") or ""), format_date(hit.date) if hit.date else ""]
    if meta.get("kenmerk"):
        facts.append(f"kenmerk {meta['kenmerk']}")
    listed = "; ".join(f for f in facts if f)
    return f"{hit.title} ({listed})" if listed else hit.title


def anchor_sentence(question: str, sources: Sequence[Hit], glossary: Glossary | None = None) -> str:
    """The best sentence of the top-ranked document, with its source marker ("... [2]").

    The top document may be split over several retrieved chunks (a PDF page cut in two); the sentence
    is chosen among all of them, so the chunk that holds the answer is found even when it ranks second.
    """
    if not sources:
        return ""
    wanted = question_terms(question, glossary)
    candidates = [
        (overlap(wanted, sentence), -n, sentence, n)
        for n, hit in enumerate(sources, start=1)
        if hit.doc_id == sources[0].doc_id
        for sentence in best_sentences(question, hit, 1, glossary=glossary)
    ]
    if not candidates:
        return ""
    _, _, sentence, n = max(candidates)
    return f"{sentence} [{n}]"


def by_document(hits: Sequence[Hit]) -> list[Hit]:
    """One hit per document (the best one), newest document first; undated documents last."""
    best: dict[str, Hit] = {}
    for hit in hits:
        if hit.doc_id not in best:
            best[hit.doc_id] = hit
    return sorted(best.values(), key=lambda h: h.date or "0000", reverse=True)


def position_changes(question: str, dated: Sequence[Hit]) -> list[str]:
    """Where amounts named on the topic differ between consecutive documents (newest first)."""
    notes: list[str] = []
    amounts = [(h, amounts_in(" ".join(best_sentences(question, h, 2)))) for h in dated]
    with_amounts = [(h, a) for h, a in amounts if a]
    for (newer, new_amounts), (older, old_amounts) in itertools.pairwise(with_amounts):
        if set(new_amounts) != set(old_amounts):
            notes.append(
                # Not "it was X, now Y": the two amounts may be about different things (the whole
                # OV-sector against decentral OV), and this line is derived, not quoted.
                f"Verschil: op {format_date(newer.date)} noemt het IPO "
                f"{', '.join(dict.fromkeys(new_amounts))}; op {format_date(older.date)} noemde het "
                f"{', '.join(dict.fromkeys(old_amounts))} (na te gaan of het om hetzelfde bedrag gaat)."
            )
    return notes


def extractive_timeline(question: str, dated: Sequence[Hit]) -> str:
    """A dated account, newest first: per document its most relevant sentence, with its marker."""
    lines = []
    for n, hit in enumerate(dated, start=1):
        best = best_sentences(question, hit, 1)
        if best:
            lines.append(f"- {format_date(hit.date)} ({hit.title}): {best[0]} [{n}]")
    return "\n".join(lines)
