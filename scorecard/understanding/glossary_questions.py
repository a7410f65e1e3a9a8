"""Questions about a glossary term: `glossary TERM`, "what does polarity mean", "amber?"."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from scorecard.understanding.index import Index
from scorecard.understanding.resolution import Command, GlossaryMatch, NotFound, Resolution
from scorecard.understanding.vocabulary import CommandName
from scorecard.understanding.words import raw_words, stem

__all__ = ["glossary_question", "glossary_term"]


_GLOSSARY_ASK = re.compile(
    r"^(?:(?:so|ok|okay|sorry|please|and|but)\s*,?\s+)*"
    r"(?:what\s+(?:does|do)\s+(?:the\s+|an?\s+)?(?P<a>.+?)\s+(?:mean|stand\s+for)"
    r"|what\s+(?:is|are)\s+(?:meant\s+by|the\s+meaning\s+of|the\s+definition\s+of)\s+(?:an?\s+|the\s+)?(?P<b>.+)"
    r"|what\s+do\s+you\s+mean\s+by\s+(?:an?\s+|the\s+)?(?P<g>.+)"
    # "what's amber mean": "what does" said quickly.
    r"|(?:what's|whats|what\s+is)\s+(?:an?\s+|the\s+)?(?P<h>.+?)\s+(?:mean|stand\s+for)"
    r"|(?:what\s+is|what\s+are|what's|whats|what're)\s+(?:an?\s+|the\s+)?(?P<c>.+)"
    r"|(?:define|definition\s+of|meaning\s+of|explain)\s+(?:an?\s+|the\s+)?(?P<d>.+)"
    r"|(?P<e>.+?)\s+(?:meaning|definition|means))$",
    re.IGNORECASE,
)


def glossary_question(
    index: Index, message: str, words: list[str], terms: tuple[str, ...]
) -> Resolution | None:
    """`glossary TERM`; "what is/does X mean/..." about a term; "X?" about a term that is no
    indicator's word ("amber?", but "CLA?" is the children in care)."""
    if words[0] == "glossary":
        asked = message.split(None, 1)[1].strip(" ?") if len(message.split(None, 1)) > 1 else ""
        if not asked:
            return Command(CommandName.GLOSSARY)
        term = glossary_term(asked, terms, fuzzy=True)
        if term is not None:
            return GlossaryMatch(term)
        return NotFound(f"No glossary entry for '{asked}': `/kpi glossary` lists the terms.")
    match = _GLOSSARY_ASK.match(message.strip(" ?!."))
    if match:
        asked = next(g for g in match.groups() if g)
        term = glossary_term(asked, terms, fuzzy=False)
        if term is not None:
            return GlossaryMatch(term)
    if message.rstrip().endswith("?"):
        term = glossary_term(message.strip(" ?"), terms, fuzzy=False)
        if term is not None and not _catalogue_words(index, message):
            return GlossaryMatch(term)
    return None


def _catalogue_words(index: Index, text: str) -> bool:
    """Whether any word of `text` means something in the catalogue (a title, alias or cluster)."""
    return any(index.postings.get(t) for t in index.normaliser.tokens(text))


def glossary_term(asked: str, terms: tuple[str, ...], *, fuzzy: bool) -> str | None:
    """The term `asked` names, ignoring case, spacing, punctuation and plurals
    ("statistical neighbour" is "Statistical neighbours")."""
    wanted = " ".join(stem(w) for w in raw_words(asked))
    by_key = {" ".join(stem(w) for w in raw_words(t)): t for t in reversed(terms)}
    by_key.pop("", None)
    if wanted in by_key:
        return by_key[wanted]
    if fuzzy and by_key:
        best = process.extractOne(wanted, list(by_key), scorer=fuzz.ratio, score_cutoff=80)
        if best is not None:
            return by_key[best[0]]
    return None

