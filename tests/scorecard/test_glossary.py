"""The built-in glossary and a council's own terms."""

from __future__ import annotations

from scorecard.glossary import BUILTIN_GLOSSARY, lookup, merge_glossary, terms_used
from scorecard.model import GlossaryEntry


def test_builtin_glossary_explains_the_abbreviations_members_type() -> None:
    for term in (
        "RAG",
        "DOT",
        "YTD",
        "SN",
        "Statistical neighbours",
        "CIN",
        "CP",
        "CPP",
        "CLA",
        "LAC",
        "EHCP",
        "SEND",
        "NEET",
        "EET",
        "GLD",
        "KS2",
    ):
        entry = lookup(BUILTIN_GLOSSARY, term)
        assert entry is not None, term
        assert entry.definition.strip()


def test_glossary_lookup_ignores_case() -> None:
    entry = lookup(BUILTIN_GLOSSARY, "dot")
    assert entry is not None and entry.term == "DOT"
    assert lookup(BUILTIN_GLOSSARY, "no such term") is None


def test_loaded_terms_add_to_and_replace_builtin_ones_ignoring_case() -> None:
    loaded = [
        GlossaryEntry("cla", "Children looked after, as our council defines them."),
        GlossaryEntry("MOSAIC", "Our case management system."),
    ]
    merged = merge_glossary(BUILTIN_GLOSSARY, loaded)
    cla = lookup(merged, "CLA")
    assert cla is not None and cla.definition.startswith("Children looked after, as our council")
    assert lookup(merged, "mosaic") is not None
    assert len(merged) == len(BUILTIN_GLOSSARY) + 1
    assert [e.term.casefold() for e in merged] == sorted(e.term.casefold() for e in merged)


def test_terms_used_finds_whole_words_and_short_abbreviations_only_in_capitals() -> None:
    texts = ["New EHC plans (EHCP) issued within 20 weeks", "Children in care (CLA) per 10,000", "a cp b"]
    found = {e.term for e in terms_used(BUILTIN_GLOSSARY, texts, always=["RAG"])}
    assert {"EHCP", "CLA", "RAG"} <= found
    assert "CP" not in found
    assert "SEND" not in found
