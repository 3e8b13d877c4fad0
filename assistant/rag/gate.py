"""The evidence gate: decide from retrieval evidence, before any generation, whether to answer.

The small local model invents answers when its sources do not cover a question, so the decision to
answer cannot be left to it. Two signals, both cheap and both measured on the retrieved hits:

* ``dense``: the best cosine similarity between the question and a chunk (topical closeness);
* ``coverage``: the share of the question's own content words (stemmed; question words, generic words
  such as "IPO" or "provincie", and glossary expansions excluded) found in the best single chunk.

A question is answered when both reach their thresholds. The thresholds are calibrated on the gold set
(:func:`calibrate`, run by ``lobby eval --calibrate``) and live in Settings.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from assistant.core.answers import Evidence
from assistant.core.records import Hit
from assistant.core.tokens import tokenize
from assistant.rag.glossary import Glossary

#: Words that say nothing about what a question is about, in this archive (stemmed by tokenize()).
QUESTION_WORDS = frozenset(
    tokenize(
        "wat welke welk hoe hoeveel waarom wanneer waar wie zei zeggen zegt gezegd vind vindt vond "
        "vinden standpunt standpunten positie ipo interprovinciaal overleg provincie provincies "
        "archief document documenten brief brieven staat stond noemt genoemd over gaat ging "
        "kun kunt geef gaf graag noem beschrijf leg uit samenvatting eigenlijk precies vraagt vragen vroeg "
        "daardoor daarover daarvan daarbij erover ervan erbij hierover hiervan"
    )
)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Minimum best-chunk similarity and content-word coverage for answering."""

    min_dense: float
    min_coverage: float


def content_words(question: str) -> list[str]:
    """The question's stemmed content words, without question and generic words."""
    return [t for t in dict.fromkeys(tokenize(question)) if t not in QUESTION_WORDS]


def content_terms(question: str) -> list[str]:
    """The question's content words as the user wrote them (not stemmed), for showing to users.

    Stems are for matching; a refusal that says "gezocht op: lderland" (Snowball's stem of
    "Gelderland") would read as a bug.
    """
    wanted = set(content_words(question))
    words = re.findall(r"[\wÀ-ÿ&/-]+", question)
    return list(dict.fromkeys(w for w in words if set(tokenize(w)) & wanted))


def concepts(question: str, glossary: Glossary | None = None) -> list[list[frozenset[str]]]:
    """What the question is about, as concepts with alternative spellings (token sets).

    Each content word is a concept of its own, except that the words of a glossary term form one
    concept whose alternatives are all the term's forms: "studentenreisproduct" is covered by a chunk
    that says "Studenten Reis Product" or "SRP".
    """
    words = content_words(question)
    result: list[list[frozenset[str]]] = []
    accounted: set[str] = set()
    for term in glossary.mentioned(question) if glossary else []:
        forms = [frozenset(content_words(form)) for form in term.forms]
        forms = [f for f in forms if f]
        own = {w for f in forms for w in f} & set(words)
        if forms and own - accounted:
            result.append(forms)
            accounted |= own
    result.extend([frozenset({w})] for w in words if w not in accounted)
    return result


def measure(
    question: str,
    hits: Sequence[Hit],
    glossary: Glossary | None = None,
    idf: Callable[[str], float] | None = None,
) -> Evidence:
    """The gate's signals for ``question`` over its retrieved ``hits`` (pure given ``idf``).

    With ``idf``, coverage is weighted: a concept weighs as much as its rarest word in the archive, so
    missing "Gelderland" or "Voorjaarsnota" (rare or absent) costs more than missing "verwacht".
    """
    wanted = concepts(question, glossary)
    dense = max((h.dense for h in hits if h.dense is not None), default=0.0)
    words = tuple(content_words(question))
    if not wanted:
        return Evidence(dense, 0.0, words)
    weights = [max(idf(t) for alt in alts for t in alt) if idf else 1.0 for alts in wanted]

    def covered(hit: Hit) -> float:
        tokens = set(tokenize(f"{hit.title} {hit.text}"))
        return sum(w for w, alts in zip(weights, wanted, strict=True) if any(alt <= tokens for alt in alts))

    best = max((covered(h) for h in hits), default=0.0)
    return Evidence(dense, best / sum(weights), words)


def decide(evidence: Evidence, thresholds: Thresholds) -> bool:
    """True when the archive covers the question well enough to answer."""
    return evidence.dense >= thresholds.min_dense and evidence.coverage >= thresholds.min_coverage


def _midpoints(values: Iterable[float]) -> list[float]:
    ordered = sorted(set(values))
    return [0.0] + [round((a + b) / 2, 4) for a, b in itertools.pairwise(ordered)]


def calibrate(
    samples: Sequence[tuple[Evidence, bool]],
    *,
    max_false_refusal: float = 0.05,
) -> tuple[Thresholds, float]:
    """Thresholds that best separate answerable (True) from unanswerable samples.

    Grid search over the midpoints between observed values (a threshold halfway between two
    questions generalises better than one sitting on a question); among thresholds whose false-refusal
    rate on answerable questions is at most ``max_false_refusal``, the one with the best accuracy on
    unanswerable ones (ties: the lowest thresholds, which refuse least).
    Returns the thresholds and their accuracy.
    """
    answerable = [e for e, ok in samples if ok]
    unanswerable = [e for e, ok in samples if not ok]
    if not answerable or not unanswerable:
        raise ValueError("calibration needs answerable and unanswerable questions")
    dense_grid = _midpoints(e.dense for e, _ in samples)
    coverage_grid = _midpoints(e.coverage for e, _ in samples)
    best: tuple[tuple[float, float, float, float], Thresholds] | None = None
    for min_dense in dense_grid:
        for min_coverage in coverage_grid:
            t = Thresholds(min_dense, min_coverage)
            false_refusal = sum(not decide(e, t) for e in answerable) / len(answerable)
            if false_refusal > max_false_refusal:
                continue
            refusal_accuracy = sum(not decide(e, t) for e in unanswerable) / len(unanswerable)
            key = (refusal_accuracy, -false_refusal, -min_dense, -min_coverage)
            if best is None or key > best[0]:
                best = (key, t)
    assert best is not None  # thresholds of 0 refuse nothing, so the grid always has a candidate
    (refusal_accuracy, neg_false_refusal, _, _), thresholds = best
    accuracy = (refusal_accuracy * len(unanswerable) + (1 + neg_false_refusal) * len(answerable)) / len(
        samples
    )
    return thresholds, accuracy
