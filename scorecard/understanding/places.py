"""Places in a question: a ward (`ward Hollins Green`, `referrals in Marsh End`) is the area
asked about; a council's own name (`CLA rate in Leeds`) says which council, which the store
already knows, and is no indicator's word."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from scorecard.understanding.words import Normaliser, raw_words

__all__ = [
    "COUNCILS_FILE",
    "Place",
    "Places",
    "extract_area",
    "parse_places",
    "places_named",
    "take_places",
]

# Every English council's name, one a line (scorecard/councils.txt, made by
# scripts/make_councils.py): read by the handlers, given to QueryIndex.build.
COUNCILS_FILE = "councils.txt"


def parse_places(text: str) -> tuple[str, ...]:
    """Names one a line, without blank lines and `#` comments (councils.txt)."""
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


# --- a ward named as such ---------------------------------------------------------------------

_WARD_AFTER = re.compile(
    r"\bward\s*[:\-]?\s+(?:of\s+)?([A-Za-z][A-Za-z'’.\- ]*?)\s*(?=$|,|;|\bfor\b|\bin\b)", re.IGNORECASE
)
_WARD_BEFORE = re.compile(r"\b(?:in|for)\s+([A-Za-z][A-Za-z'’.\- ]*?)\s+ward\b", re.IGNORECASE)


def extract_area(text: str) -> tuple[str | None, str]:
    """A ward named with the word "ward" (`ward Hollins Green`, `in marsh end ward`), title-cased
    when typed all in lower case, and the text without it."""
    for pattern in (_WARD_AFTER, _WARD_BEFORE):
        match = pattern.search(text)
        if match and match.group(1).strip():
            name = " ".join(match.group(1).split())
            if name == name.lower():
                name = " ".join(part[:1].upper() + part[1:] for part in name.split())
            return name, text[: match.start()] + " " + text[match.end() :]
    return None, text


# --- wards and councils known by name ---------------------------------------------------------

_WARD = "ward"
_COUNCIL = "council"
_PLACE_BEFORE = r"(?P<prep>\b(?:in|for|at|across|within|around)\s+(?:the\s+)?)?"
# "Leeds City Council", "Durham County Council": the words after a council's name.
_PLACE_AFTER = r"(?:\s+(?:city|county|metropolitan|borough|district|council|ward|area))*"


@dataclass(frozen=True, slots=True)
class Place:
    words: tuple[str, ...]  # raw words, lower case
    name: str  # as listed
    kind: str  # _WARD or _COUNCIL
    needs_preposition: bool


# Places by their first raw word.
Places = Mapping[str, tuple[Place, ...]]


def places_named(
    wards: Sequence[str], councils: Sequence[str], normaliser: Normaliser, catalogue_words: set[str]
) -> dict[str, tuple[Place, ...]]:
    """The wards and councils a member may name, by their first raw word, longest names first.
    `catalogue_words` are the tokens and raw words that mean something in the catalogue."""
    places: dict[str, list[Place]] = {}
    for kind, names in ((_WARD, wards), (_COUNCIL, councils)):
        for name in names:
            words = tuple(raw_words(name))
            if not words:
                continue
            # A place whose words mean something in the catalogue ("Reading") is a place
            # only after "in", "for" or "at"; others wherever they are.
            meaningful = set(normaliser.tokens(name)) - normaliser.stopwords
            needs_preposition = bool(meaningful & catalogue_words)
            places.setdefault(words[0], []).append(Place(words, name, kind, needs_preposition))
    for found in places.values():
        found.sort(key=lambda p: (-len(p.words), p.kind))
    return {w: tuple(found) for w, found in places.items()}


@lru_cache(maxsize=1024)
def _place_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Compiled when first needed: most places are never named."""
    body = r"[\s\-,.'’&]+(?:and\s+)?".join(re.escape(w) for w in words)
    return re.compile(rf"{_PLACE_BEFORE}\b{body}\b{_PLACE_AFTER}", re.IGNORECASE)


def take_places(places: Places, text: str) -> tuple[str | None, str]:
    """Councils and wards named in `text`: (the ward, if one was named; the text without any
    of them). A council's own name says which council, which the store already knows."""
    if not places:
        return None, text
    ward: str | None = None
    for word in dict.fromkeys(raw_words(text)):
        for place in places.get(word, ()):
            match = _place_pattern(place.words).search(text)
            if match is None or (place.needs_preposition and not match.group("prep")):
                continue
            text = text[: match.start()] + " " + text[match.end() :]
            if place.kind == _WARD and ward is None:
                ward = place.name
            break
    return ward, text

