"""Claim-level support: one source sentence must carry what an answer sentence asserts.

Counting a sentence's words anywhere in a cited chunk accepts false claims built from true parts: a
slide that names a person in one line and "de voorzitter van het IPO" in another "supports"
"X is de voorzitter van het IPO". So a sentence is taken apart into

* its *anchors*: names and abbreviations (capitalised words, acronyms), roles (voorzitter, minister,
  gedeputeerde, ...): who and what the claim is about;
* its *numbers*: amounts, years, dates, kenmerken;
* its *key words*: every other content word;

and it is supported only when ONE source sentence holds every anchor and every number, and that
sentence, alone or with one adjacent sentence (a subject named just before, "Dit kost ..."), holds
enough of the key words. The document's metadata (title, date, kenmerk, addressee, sender) counts as
part of every sentence: a citation vouches for its document's letterhead. Abbreviations match their
full forms through the glossary (SRP = Studenten Reis Product). All functions are pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.core.text import sentences_of
from assistant.core.tokens import tokenize
from assistant.rag.evidence import is_furniture
from assistant.rag.glossary import Glossary

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[A-Za-zÀ-ÿ0-9][\w&'’-]*")

#: Roles that bind to a name: a claim pairing a person with a role must find both in one sentence.
ROLE_WORDS = frozenset(
    tokenize(
        "voorzitter vicevoorzitter minister staatssecretaris premier minister-president gedeputeerde "
        "directeur woordvoerder secretaris commissaris burgemeester wethouder strateeg adviseur "
        "bestuurder ambassadeur portefeuillehouder dijkgraaf kamerlid fractievoorzitter rapporteur "
        "coördinator coordinator manager hoofd lid leden griffier ondertekenaar auteur spreker"
    )
)
#: The archive's own voice: "het IPO" and "de provincies" speak in every document, mostly as "wij".
#: They are key words, never anchors.
OWN_VOICE = frozenset(tokenize("ipo interprovinciaal overleg provincie provincies"))


def numbers(text: str) -> set[str]:
    """Numbers normalised so '€ 200 miljoen' and '€200 miljoen', '2,5' and '2.5' compare equal."""
    return {n.replace(",", ".").rstrip(".") for n in _NUMBER.findall(text)}


@dataclass(frozen=True, slots=True)
class Claim:
    """What one answer sentence asserts, taken apart (stemmed tokens; normalised numbers)."""

    words: frozenset[str]
    anchors: frozenset[str]
    numbers: frozenset[str]
    lead: frozenset[str]  # the first word's tokens: an anchor only if the source writes it as a name


def claim_of(sentence: str) -> Claim:
    """Anchors, numbers and key words of ``sentence``."""
    anchors: set[str] = set()
    lead: set[str] = set()
    for index, match in enumerate(_WORD.finditer(sentence)):
        word = match.group()
        letters = [c for c in word if c.isalpha()]
        acronym = len(letters) >= 2 and all(c.isupper() for c in letters)
        if acronym or (word[0].isupper() and index > 0):
            anchors.update(tokenize(word))
        elif word[0].isupper():
            lead.update(tokenize(word))
    words = frozenset(tokenize(sentence))
    anchors |= words & ROLE_WORDS
    return Claim(
        words, frozenset(anchors - OWN_VOICE), frozenset(numbers(sentence)), frozenset(lead - OWN_VOICE)
    )


def names_in(text: str) -> set[str]:
    """Tokens the text writes as names (capitalised after a sentence's first word, or acronyms)."""
    return {token for sentence in sentences_of(text) for token in claim_of(sentence).anchors - ROLE_WORDS}


@lru_cache(maxsize=8192)
def _tokens(text: str, glossary: Glossary | None) -> frozenset[str]:
    """A source sentence's tokens, with every glossary term it mentions in all of its forms."""
    tokens = set(tokenize(text))
    if glossary is not None:
        for term in glossary.mentioned(text):
            for form in term.forms:
                tokens.update(tokenize(form))
    return frozenset(tokens)


@dataclass(frozen=True, slots=True)
class Support:
    """How well one source supports one sentence, judged on its best evidence sentence.

    ``coverage`` is the share of key words found; ``numbers_ok`` says every number, and every name and
    role, stands in that one sentence (or in the document's metadata); ``quote`` is the evidence.
    """

    coverage: float
    numbers_ok: bool
    quote: str
    anchors_ok: bool = True

    def ok(self, min_coverage: float) -> bool:
        return self.numbers_ok and self.anchors_ok and self.coverage >= min_coverage


def support(
    sentence: str, source_text: str, context: str = "", *, glossary: Glossary | None = None
) -> Support:
    """How far ``source_text`` (with ``context``, its document's metadata) supports ``sentence``.

    The quote always comes from ``source_text`` itself: the evidence sentence, with its neighbour when
    the key words needed it.
    """
    claim = claim_of(sentence)
    sentences = [" ".join(s.split()) for s in sentences_of(source_text)]
    usable = [len(s) > 2 and not is_furniture(s) for s in sentences]
    if not any(usable):
        sentences, usable = [" ".join(source_text.split())], [True]
    context_tokens = _tokens(context, glossary) if context else frozenset()
    context_numbers = numbers(context)
    anchors = claim.anchors | (claim.lead & names_in(source_text))
    words = claim.words or frozenset({""})
    best: tuple[tuple[bool, bool, float, float], Support] | None = None
    for index, evidence in enumerate(sentences):
        if not usable[index]:
            continue
        tokens = _tokens(evidence, glossary) | context_tokens
        anchors_ok = anchors <= tokens
        numbers_ok = claim.numbers <= numbers(evidence) | context_numbers
        single = len(words & tokens) / len(words) if claim.words else 1.0
        coverage, quote = single, evidence
        for other in (index - 1, index + 1):  # a neighbour in the text, never across furniture
            if 0 <= other < len(sentences) and usable[other]:
                paired = len(words & (tokens | _tokens(sentences[other], glossary))) / len(words)
                if claim.words and paired > coverage:
                    first, second = sorted((index, other))
                    coverage, quote = paired, f"{sentences[first]} {sentences[second]}"
        key = (anchors_ok and numbers_ok, numbers_ok, coverage, single)
        if best is None or key > best[0]:
            best = (key, Support(coverage, numbers_ok, quote, anchors_ok))
    assert best is not None
    return best[1]
