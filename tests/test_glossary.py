import pytest

from assistant.rag.glossary import GLOSSARY_FILE, format_terms, load_glossary, parse_glossary

REQUIRED = [
    "SRP",
    "NDS",
    "UDO",
    "Spuk",
    "BAC",
    "APB",
    "AFB",
    "MIRT",
    "LAM",
    "SPV",
    "DOVA",
    "NOVB",
    "VNG",
    "OCW",
    "BZK",
    "IenW",
    "GS",
    "PS",
    "NPLG",
    "Woo",
]


def test_glossary_file_has_the_required_abbreviations() -> None:
    glossary = load_glossary(GLOSSARY_FILE)
    assert set(REQUIRED) <= {t.abbreviation for t in glossary.terms}


def test_expand_abbreviation_to_full_term() -> None:
    expanded = load_glossary().expand("Wat zei IPO over het SRP?")
    assert "Studenten Reis Product" in expanded and "Interprovinciaal Overleg" in expanded


def test_expand_full_term_to_abbreviation_accent_insensitive() -> None:
    expanded = load_glossary().expand("inbreng algemene financiele beschouwingen")
    assert "AFB" in expanded


def test_abbreviations_match_whole_words_and_case() -> None:
    glossary = load_glossary()
    assert [t.abbreviation for t in glossary.mentioned("De PS van Overijssel")] == ["PS"]
    assert glossary.mentioned("tips en apps") == []  # no 'PS' inside words, no lower-case 'ps'
    assert "OCW" in [t.abbreviation for t in glossary.mentioned("minister van OC&W")]


def test_lookup_and_format() -> None:
    (term,) = load_glossary().lookup("udo")
    assert term.term == "Uitvoerbaarheidstoets Decentrale Overheden"
    assert format_terms([term])[0].startswith("UDO: Uitvoerbaarheidstoets")


def test_malformed_entry_is_named() -> None:
    with pytest.raises(ValueError, match="'XYZ'"):
        parse_glossary({"XYZ": {"aliases": []}})
