"""Dutch tokens for matching: lowercase, accents folded, stopwords dropped, Snowball-stemmed.

One tokenizer for BM25, the evidence gate, the citation check and composition, so that "matches" means
the same everywhere. Identifiers with digits (kenmerken such as ``11812/2024``, dates) stay unstemmed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


def containment(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    """Share of the smaller token set found in the larger: 1.0 when one text holds the other (0.0 if empty).

    Near-copies are told apart this way at two sizes: a DOCX and a PDF passage of one letter
    (retrieval), and a sentence repeated inside a longer one (answers and prompts).
    """
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
