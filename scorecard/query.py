"""What did the member mean? Text -> an indicator (with period and ward), a cluster, a command,
a glossary term, a short did-you-mean list, or "not found".

Members type what they remember: acronyms (`CLA rate`), plain words (`kids missing school`),
the catalogue's aliases, typos, an indicator code, a cluster name, a ward and a period, in any
order. The rule that shapes everything here (chat-and-workflow.md): a wrong indicator answered
confidently is worse than a question back. So an indicator comes back on its own only when
every meaningful word the member typed is explained by it and no other indicator comes close;
otherwise a did-you-mean list; and nothing at all unless some domain word matched.

How: the catalogue and the query go through the same normalisation (words, singulars, a light
stem, then the vocabulary's acronyms and synonyms rewritten to one canonical spelling), so
matching is on canonical tokens, weighted by how rare a token is across the catalogue (IDF).
The vocabulary is data (`vocabulary.toml`, `Vocabulary.from_toml`), read by the caller.
Pure: no I/O and no clock (`today` comes in), stdlib and rapidfuzz only.
"""

from __future__ import annotations

import calendar
import math
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Indel

from scorecard import scrutiny_words
from scorecard.model import Indicator, Unit
from scorecard.periods import (
    Frequency,
    Period,
    Year,
    YearBasis,
    quarter,
    year_of,
)
from scorecard.scrutiny_words import Scrutiny, ScrutinyKind

__all__ = [
    "COUNCILS_FILE",
    "DEFAULT_VOCABULARY_FILE",
    "Choices",
    "ClusterMatch",
    "Command",
    "CommandName",
    "GlossaryMatch",
    "IndicatorMatch",
    "NotFound",
    "PeriodKind",
    "QueryIndex",
    "RequestedPeriod",
    "Resolution",
    "Scrutiny",
    "ScrutinyKind",
    "Vocabulary",
    "VocabularyError",
    "extract_period",
    "parse_places",
    "resolve",
]

# The vocabulary shipped with the package (scorecard/vocabulary.toml); the handlers read it
# with importlib.resources and pass the text to Vocabulary.from_toml.
DEFAULT_VOCABULARY_FILE = "vocabulary.toml"

# Every English council's name, one a line (scorecard/councils.txt, made by
# scripts/make_councils.py): read by the handlers, given to QueryIndex.build.
COUNCILS_FILE = "councils.txt"

MAX_CHOICES = 5


def parse_places(text: str) -> tuple[str, ...]:
    """Names one a line, without blank lines and `#` comments (councils.txt)."""
    lines = (line.strip() for line in text.splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


NOT_FOUND_HINT = "Try `/kpi clusters` to see what there is, or `/kpi help` for examples."


# --- what a resolution can be ---------------------------------------------------------------


class CommandName(StrEnum):
    HELP = "help"
    CLUSTERS = "clusters"
    REDS = "reds"
    GLOSSARY = "glossary"


class PeriodKind(StrEnum):
    MONTH = "month"  # start_year = calendar year, number = month 1-12
    QUARTER = "quarter"  # start_year = financial year's first year, number = quarter 1-4
    YEAR = "year"  # `2023/24`: start_year = 2023, of the indicator's basis
    CALENDAR_YEAR = "calendar_year"  # `2024`
    DATE = "date"  # an ISO end date `2024-06-30` (day)
    LAST_YEAR = "last_year"  # the year before the one containing `day` (today), of the basis
    THIS_YEAR = "this_year"  # the year containing `day` (today), of the indicator's basis


@dataclass(frozen=True, slots=True)
class RequestedPeriod:
    """The period a member asked for, before it meets an indicator.

    A member's `2023/24` means a financial year for one indicator and an academic year for
    another, so what they typed is kept as a kind and numbers, and turned into the
    indicator's own `Period` by `period_for(indicator)`. Relative words (`last quarter`,
    `last month`, `Q2`, `March`) are resolved against `today` when parsed; `last year` and
    `this year` keep `today` in `day` because which year they mean depends on the basis.
    """

    kind: PeriodKind
    start_year: int = 0
    number: int = 0
    day: date | None = None
    text: str = ""

    @property
    def label(self) -> str:
        """As a councillor reads it: `March 2024`, `2024/25 Q2`, `2023/24`, `2024`, `last year`."""
        if self.kind is PeriodKind.MONTH:
            return f"{calendar.month_name[self.number]} {self.start_year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{Year(YearBasis.FINANCIAL, self.start_year).label} Q{self.number}"
        if self.kind is PeriodKind.YEAR:
            return Year(YearBasis.FINANCIAL, self.start_year).label
        if self.kind is PeriodKind.CALENDAR_YEAR:
            return str(self.start_year)
        if self.kind is PeriodKind.DATE:
            return self.day.isoformat() if self.day else ""
        return "last year" if self.kind is PeriodKind.LAST_YEAR else "this year"

    def span(self, basis: YearBasis) -> tuple[date, date]:
        """First and last day the member's words cover, for an indicator of `basis`."""
        if self.kind is PeriodKind.MONTH:
            last = calendar.monthrange(self.start_year, self.number)[1]
            return date(self.start_year, self.number, 1), date(self.start_year, self.number, last)
        if self.kind is PeriodKind.QUARTER:
            period = quarter(self.start_year, self.number)
            return period.start, period.end
        if self.kind is PeriodKind.YEAR:
            # `2023/24` names a financial or academic year; for a calendar-year indicator it is
            # read as the financial year (the council's own), and the calendar year ending
            # inside it is chosen (2023).
            label_basis = basis if basis is not YearBasis.CALENDAR else YearBasis.FINANCIAL
            year = Year(label_basis, self.start_year)
            return year.start, year.end
        if self.kind is PeriodKind.CALENDAR_YEAR:
            return date(self.start_year, 1, 1), date(self.start_year, 12, 31)
        assert self.day is not None
        if self.kind is PeriodKind.DATE:
            return self.day, self.day
        current = year_of(self.day, basis)
        chosen = current.previous() if self.kind is PeriodKind.LAST_YEAR else current
        return chosen.start, chosen.end

    def period_for(self, indicator: Indicator) -> Period:
        """The indicator's period the member meant: the latest one ending inside what they
        named, else the one containing its end.

        `2023/24` for a monthly indicator is March 2024 (the year's last month); `March 2024`
        for an academic-year indicator is 2023/24 (no academic year ends in March, so the one
        containing it); `2024` for a financial-year indicator is 2023/24 (the year ending in
        2024, as LAIT labels years); `2024/25 Q2` for an annual financial indicator is 2024/25.
        """
        start, end = self.span(indicator.year_basis)
        containing = _period_containing(end, indicator.frequency, indicator.year_basis)
        if containing.end <= end:
            return containing
        earlier = containing.previous()
        return earlier if earlier.end >= start else containing


def _period_containing(day: date, frequency: Frequency, basis: YearBasis) -> Period:
    if frequency is Frequency.MONTHLY:
        return Period(date(day.year, day.month, calendar.monthrange(day.year, day.month)[1]), frequency)
    if frequency is Frequency.QUARTERLY:
        fy = year_of(day, YearBasis.FINANCIAL)
        return quarter(fy.start_year, ((day.month - 4) % 12) // 3 + 1)
    return Period(year_of(day, basis).end, frequency, basis)


@dataclass(frozen=True, slots=True)
class IndicatorMatch:
    """One indicator clearly meant. `period` is None for "the latest"; `area` is a ward as
    typed (title-cased when typed all in lower case), None for the whole authority."""

    indicator: Indicator
    period: Period | None = None
    area: str | None = None
    requested: RequestedPeriod | None = None


@dataclass(frozen=True, slots=True)
class ClusterMatch:
    """A cluster named on its own (`/kpi SEND`). The period stays as asked, since the
    cluster's indicators differ in frequency: `period.period_for(indicator)` per line."""

    cluster: str
    period: RequestedPeriod | None = None


@dataclass(frozen=True, slots=True)
class Choices:
    """Did you mean...? At most five indicators, best first, with what else was asked, so
    the chosen one can be answered for the same period and ward."""

    candidates: tuple[Indicator, ...]
    requested: RequestedPeriod | None = None
    area: str | None = None


@dataclass(frozen=True, slots=True)
class GlossaryMatch:
    term: str


@dataclass(frozen=True, slots=True)
class Command:
    name: CommandName


@dataclass(frozen=True, slots=True)
class NotFound:
    hint: str = NOT_FOUND_HINT


Resolution = IndicatorMatch | ClusterMatch | Choices | GlossaryMatch | Command | NotFound | Scrutiny


# --- the vocabulary --------------------------------------------------------------------------


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used, with what is wrong and where."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Acronyms, synonyms, stopwords, weak words, out-of-scope words, qualifiers, subgroups,
    measures and commands.

    `rules` pairs a spelling with the canonical form it is rewritten to (acronyms and
    synonyms alike); `measures` pairs a word that says how something is counted ("number")
    with the units it fits. See vocabulary.toml for what each section means.
    """

    rules: tuple[tuple[str, str], ...] = ()
    stopwords: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    negations: tuple[str, ...] = ()
    subgroups: tuple[str, ...] = ()
    measures: tuple[tuple[str, tuple[Unit, ...]], ...] = ()
    commands: tuple[tuple[CommandName, tuple[str, ...]], ...] = ()

    @classmethod
    def from_toml(cls, text: str) -> Vocabulary:
        """Parse vocabulary.toml's text; a malformed file raises VocabularyError naming the key."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise VocabularyError(f"vocabulary is not valid TOML: {error}") from None
        known = {"acronyms", "synonyms", "stopwords", "weak", "out_of_scope", "qualifiers"}
        known |= {"subgroups", "measures", "commands"}
        unknown = set(data) - known
        if unknown:
            raise VocabularyError(f"unknown vocabulary sections: {sorted(unknown)}")
        rules: list[tuple[str, str]] = []
        for section in ("acronyms", "synonyms"):
            for canonical, spellings in _table(data, section).items():
                for spelling in _strings(spellings, f"{section}.{canonical}"):
                    rules.append((spelling, canonical))
                # The canonical form is one of its own spellings.
                rules.append((canonical, canonical))
        commands: list[tuple[CommandName, tuple[str, ...]]] = []
        for name, phrases in _table(data, "commands").items():
            try:
                command = CommandName(name)
            except ValueError:
                raise VocabularyError(
                    f"unknown command '{name}' (known: {', '.join(c.value for c in CommandName)})"
                ) from None
            commands.append((command, tuple(_strings(phrases, f"commands.{name}"))))
        measures: list[tuple[str, tuple[Unit, ...]]] = []
        for word, units in _table(data, "measures").items():
            try:
                fitting = tuple(Unit(u) for u in _strings(units, f"measures.{word}"))
            except ValueError:
                raise VocabularyError(
                    f"measures.{word}: unknown unit (known: {', '.join(u.value for u in Unit)})"
                ) from None
            measures.append((word, fitting))
        return cls(
            rules=tuple(rules),
            stopwords=tuple(_word_list(data, "stopwords")),
            weak=tuple(_word_list(data, "weak")),
            out_of_scope=tuple(_word_list(data, "out_of_scope")),
            qualifiers=tuple(_word_list(data, "qualifiers")),
            negations=tuple(
                _strings(_table(data, "qualifiers").get("negations", []), "qualifiers.negations")
            ),
            subgroups=tuple(_word_list(data, "subgroups")),
            measures=tuple(measures),
            commands=tuple(commands),
        )


def _table(data: Mapping[str, Any], section: str) -> dict[str, Any]:
    value = data.get(section, {})
    if not isinstance(value, dict):
        raise VocabularyError(f"[{section}] must be a table")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise VocabularyError(f"{where} must be a list of strings")
    return list(value)


def _word_list(data: Mapping[str, Any], section: str) -> list[str]:
    return _strings(_table(data, section).get("words", []), f"{section}.words")


# --- normalisation ---------------------------------------------------------------------------

# Ranges split into their numbers, so "16-17", "16 to 17" and "16 & 17" meet.
_WORD = re.compile(r"\d+(?:\.\d+)?|[a-z]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_POSSESSIVE = re.compile(r"['’]s\b")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NUMBER = "#"
_OUT_OF_SCOPE = "!out-of-scope"


def _raw_words(text: str) -> list[str]:
    """Lower-case words and numbers: `children's` -> children, `KS2` -> ks 2, `10,000` -> 10000."""
    lowered = text.lower().replace("&", " and ").replace("%", " percent ")
    lowered = _THOUSANDS.sub("", lowered)
    lowered = _POSSESSIVE.sub("", lowered)
    # Split `ks2`, `s47`, `2yr`, `10k` so that `ks 2` and `KS2` are one spelling.
    lowered = _LETTER_DIGIT.sub(" ", lowered)
    return _WORD.findall(lowered)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """Singular and a light stem, enough that `plans`/`plan`, `started`/`starting`/`start`,
    `ceased`/`cease` meet. Not a real stemmer: both sides get the same treatment, so all
    that matters is that related forms land together and unrelated ones rarely do."""
    if len(word) < 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "ls":
                word = word[:-1]  # stopped -> stop, but keep `fall`, `assess`
            break
    if len(word) >= 5 and word.endswith("e"):
        word = word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: tuple[str, ...]
    replacement: tuple[str, ...]


class _Normaliser:
    """Text -> canonical tokens: words, stems, one-word synonyms, then phrase rules, then
    stopwords removed. The same object serves the catalogue and the queries."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.words: dict[str, str] = {}
        phrase_rules: list[_Rule] = []
        for spelling, canonical in vocabulary.rules:
            pattern = _pattern(spelling)
            # Canonical words are stemmed like everything else, so "funding" meets "funded".
            replacement = tuple(w if w == _NUMBER else _stem(w) for w in canonical.lower().split())
            if not pattern or not replacement:
                raise VocabularyError(f"empty spelling or canonical form near '{canonical}'")
            if len(pattern) == 1 and len(replacement) == 1 and pattern[0] != _NUMBER:
                # A one-word synonym: applied before the phrases, so phrases see it.
                self.words.setdefault(pattern[0], replacement[0])
            else:
                phrase_rules.append(_Rule(pattern, replacement))
        self.out_of_scope: tuple[tuple[str, ...], ...] = tuple(
            tuple(_stem(w) for w in _raw_words(phrase)) for phrase in vocabulary.out_of_scope
        )
        for pattern in self.out_of_scope:
            phrase_rules.append(_Rule(pattern, (_OUT_OF_SCOPE,)))
        # Multi-word stopwords ("financial year", "up to date") are rules that drop the words.
        self.stopwords: set[str] = set()
        for phrase in vocabulary.stopwords:
            words = tuple(_stem(w) for w in _raw_words(phrase))
            if len(words) == 1:
                self.stopwords.add(words[0])
                self.stopwords.add(phrase.lower())
            elif words:
                phrase_rules.append(_Rule(words, ()))
        # Phrase patterns are written in plain words: give them the one-word synonyms too.
        self.rules: dict[str, list[_Rule]] = {}
        for rule in phrase_rules:
            pattern = tuple(self.words.get(w, w) for w in rule.pattern)
            self.rules.setdefault(pattern[0], []).append(_Rule(pattern, rule.replacement))
        for candidates in self.rules.values():
            candidates.sort(key=lambda r: -len(r.pattern))
        self.weak: set[str] = {t for phrase in vocabulary.weak for t in self.tokens(phrase)}
        self.weak |= {w for phrase in vocabulary.weak for w in phrase.lower().split()}
        # A subgroup is a phrase ("sen support"): its tokens without the weak ones ("special
        # school" is `special`), so that "care" or "year" alone never marks a subgroup.
        subgroups = (frozenset(t for t in self.tokens(p) if t not in self.weak) for p in vocabulary.subgroups)
        self.subgroups = tuple(dict.fromkeys(g for g in subgroups if g))
        self.negations = frozenset(t for phrase in vocabulary.negations for t in self.tokens(phrase))

    def word(self, raw: str) -> str:
        stemmed = _stem(raw)
        return self.words.get(stemmed, stemmed)

    def tokens(self, text: str, corrector: _Corrector | None = None) -> list[str]:
        raw = _raw_words(text)
        if corrector is not None:
            raw = [corrector.correct(w) for w in raw]
        return self.rewrite([self.word(w) for w in raw])

    def rewrite(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            current = words[i]
            candidates = list(self.rules.get(current, ()))
            if current[:1].isdigit():
                candidates += self.rules.get(_NUMBER, [])
                candidates.sort(key=lambda r: -len(r.pattern))
            for rule in candidates:
                matched = self._match(words, i, rule.pattern)
                if matched is not None:
                    end, numbers = matched
                    replacement = list(rule.replacement)
                    for k, token in enumerate(replacement):
                        if token == _NUMBER and numbers:
                            replacement[k] = numbers.pop(0)
                    out.extend(replacement)
                    i = end
                    break
            else:
                if current not in self.stopwords:
                    out.append(current)
                i += 1
        return out

    def _match(self, words: list[str], start: int, pattern: tuple[str, ...]) -> tuple[int, list[str]] | None:
        """Where `pattern` ends if it matches at `start`, and the numbers it captured. Up to two
        stopwords may sit between the pattern's words ("children who are in care")."""
        i = start
        numbers: list[str] = []
        for k, expected in enumerate(pattern):
            skipped = 0
            while k > 0 and i < len(words) and not _same(words[i], expected) and words[i] in self.stopwords:
                i += 1
                skipped += 1
                if skipped > 2:
                    return None
            if i >= len(words) or not _same(words[i], expected):
                return None
            if expected == _NUMBER:
                numbers.append(words[i])
            i += 1
        return i, numbers


def _pattern(spelling: str) -> tuple[str, ...]:
    """A spelling's words as the normaliser sees them, `#` kept as the any-number wildcard."""
    words: list[str] = []
    for part in spelling.split():
        words += [_NUMBER] if part == _NUMBER else [_stem(w) for w in _raw_words(part)]
    return tuple(words)


def _same(word: str, expected: str) -> bool:
    return word == expected or (expected == _NUMBER and word[:1].isdigit())


class _Corrector:
    """Typos: a word the bot has never seen becomes the nearest word it knows, if one is an
    edit or two away and starts with the same letter (typos rarely touch the first letter,
    and the rule keeps `bins` from becoming `pins`). Results are remembered."""

    def __init__(self, known: Iterable[str], frequency: Mapping[str, int], normaliser: _Normaliser) -> None:
        self.known = sorted(set(known))
        self.known_set = set(self.known)
        self.frequency = frequency
        self.normaliser = normaliser
        self.cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        if len(word) < 4 or not word.isalpha() or word in self.known_set:
            return word
        if self.normaliser.word(word) in self.known_set:
            return word
        cached = self.cache.get(word)
        if cached is not None:
            return cached
        limit = 1 if len(word) <= 6 else 2
        found = process.extract(word, self.known, scorer=OSA.distance, score_cutoff=limit, limit=8)
        candidates = [
            (int(d), -self.frequency.get(w, 0), w)
            for w, d, _ in found
            if w[:1] == word[:1] and (len(word) > 6 or _slip(word, w))
        ]
        best = min(candidates)[2] if candidates else word
        self.cache[word] = best
        return best


def _slip(word: str, known: str) -> bool:
    """A short word's typo is a letter missed, doubled or swapped, not changed: a changed letter
    in a short word is usually another word ("leader" is not "leaver")."""
    return Indel.distance(word, known) <= 1 or sorted(word) == sorted(known)


# --- periods in the text ---------------------------------------------------------------------

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
# `may` on its own is too often the verb; a month alone must not be it.
_MONTH_ALONE = "|".join(sorted((m for m in _MONTHS if m != "may"), key=len, reverse=True))

_YEAR_WORDS = r"(?:(?:financial|academic|calendar)\s+year\s*|fy\s*|ay\s*)?"
_PERIOD_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "fy_quarter",
        re.compile(rf"\b{_YEAR_WORDS}(\d{{4}})\s*[/-]\s*(\d{{2}}|\d{{4}})\s*,?\s*q(?:uarter)?\s*([1-4])\b"),
    ),
    (
        "quarter_fy",
        re.compile(
            rf"\bq(?:uarter)?\s*([1-4])\s*,?\s*(?:of\s+)?{_YEAR_WORDS}(\d{{4}})\s*[/-]\s*(\d{{2}}|\d{{4}})\b"
        ),
    ),
    ("quarter_year", re.compile(r"\bq(?:uarter)?\s*([1-4])\s*,?\s*(\d{4})\b")),
    ("iso_date", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("year_label", re.compile(rf"\b{_YEAR_WORDS}(\d{{4}})\s*([/-])\s*(\d{{2}}|\d{{4}})\b")),
    ("short_label", re.compile(rf"\b{_YEAR_WORDS}(\d{{2}})/(\d{{2}})\b")),
    ("month_year", re.compile(rf"\b({_MONTH_NAMES})\.?\s*'?(\d{{4}}|\d{{2}})\b")),
    (
        "relative",
        re.compile(
            r"\b(last|previous|prev|this|current)\s+(?:financial\s+|academic\s+|calendar\s+)?(year|quarter|qtr|month)\b"
        ),
    ),
    ("quarter_alone", re.compile(r"\bq(?:uarter)?\s*([1-4])\b")),
    ("month_alone", re.compile(rf"\b({_MONTH_ALONE})\b")),
    ("calendar_year", re.compile(r"\b((?:19[89]|20\d)\d)\b")),
]
_PERIOD_NOISE = re.compile(r"\b(?:financial|academic|calendar|fy|ay|year|quarter|month)\b")


def extract_period(text: str, today: date) -> tuple[RequestedPeriod | None, str]:
    """The first period named anywhere in `text`, and the text without it.

    Accepted: `2024/25 Q2`, `Q2 2024/25`, `2023/24`, `2023-24`, `23/24`, `2024-03`,
    `2024-03-31`, `March 2024`, `Mar 24`, `2024`, `Q2` (the latest Q2 ended by `today`),
    `March` (the latest March ended by `today`), `last`/`this` `year`/`quarter`/`month`.
    `Q2 2024` is read as 2024/25 Q2 (councils count quarters in financial years).
    """
    lowered = text.lower()
    for kind, pattern in _PERIOD_PATTERNS:
        for match in pattern.finditer(lowered):
            found = _period_from(kind, match, today)
            if found is None:
                continue
            rest = lowered[: match.start()] + " " + lowered[match.end() :]
            original_rest = text[: match.start()] + " " + text[match.end() :]
            # Words about periods left behind ("for the financial year") say nothing about
            # which indicator, and "year" would otherwise count against a clean match.
            rest_kept = _PERIOD_NOISE.sub(lambda m: " " * len(m.group(0)), rest)
            return (
                RequestedPeriod(
                    found.kind, found.start_year, found.number, found.day, match.group(0).strip()
                ),
                _keep_case(original_rest, rest_kept),
            )
    return None, text


def _keep_case(original: str, cleaned: str) -> str:
    """`cleaned` is `original` lower-cased with some words blanked: rebuild it in the
    original's case (ward names keep their capitals)."""
    if len(original) != len(cleaned):  # lower() changed a length (rare letters): lose the case
        return cleaned
    return "".join(o if c != " " or o.isspace() else " " for o, c in zip(original, cleaned, strict=True))


def _period_from(kind: str, match: re.Match[str], today: date) -> RequestedPeriod | None:
    groups = match.groups()
    if kind in ("fy_quarter", "quarter_fy"):
        if kind == "fy_quarter":
            first, second, number = groups
        else:
            number, first, second = groups
        start = _year_start(first, second)
        return None if start is None else RequestedPeriod(PeriodKind.QUARTER, start, int(number))
    if kind == "quarter_year":
        return RequestedPeriod(PeriodKind.QUARTER, int(groups[1]), int(groups[0]))
    if kind == "iso_date":
        try:
            day = date(int(groups[0]), int(groups[1]), int(groups[2]))
        except ValueError:
            return None
        return RequestedPeriod(PeriodKind.DATE, day.year, day=day)
    if kind == "year_label":
        first, separator, second = groups
        start = _year_start(first, second)
        if start is not None:
            return RequestedPeriod(PeriodKind.YEAR, start)
        if separator == "-" and len(second) == 2 and 1 <= int(second) <= 12:
            return RequestedPeriod(PeriodKind.MONTH, int(first), int(second))
        return None
    if kind == "short_label":
        first, second = int(groups[0]), int(groups[1])
        if second != (first + 1) % 100:
            return None
        return RequestedPeriod(PeriodKind.YEAR, 2000 + first)
    if kind == "month_year":
        year = int(groups[1])
        if year < 100:
            year += 2000
        return RequestedPeriod(PeriodKind.MONTH, year, _MONTHS[groups[0]])
    if kind == "relative":
        which, unit = groups
        last = which in ("last", "previous", "prev")
        if unit == "year":
            return RequestedPeriod(PeriodKind.LAST_YEAR if last else PeriodKind.THIS_YEAR, day=today)
        if unit in ("quarter", "qtr"):
            current = _period_containing(today, Frequency.QUARTERLY, YearBasis.FINANCIAL)
            chosen = current.previous() if last else current
            return RequestedPeriod(PeriodKind.QUARTER, chosen.year.start_year, chosen.quarter or 1)
        month = today.month - 1 if last else today.month
        year = today.year
        if month == 0:
            month, year = 12, year - 1
        return RequestedPeriod(PeriodKind.MONTH, year, month)
    if kind == "quarter_alone":
        number = int(groups[0])
        fy = year_of(today, YearBasis.FINANCIAL).start_year
        # The latest such quarter that has ended: its figures can exist.
        start = fy if quarter(fy, number).end <= today else fy - 1
        return RequestedPeriod(PeriodKind.QUARTER, start, number)
    if kind == "month_alone":
        number = _MONTHS[groups[0]]
        year = today.year
        if date(year, number, calendar.monthrange(year, number)[1]) > today:
            year -= 1
        return RequestedPeriod(PeriodKind.MONTH, year, number)
    if kind == "calendar_year":
        return RequestedPeriod(PeriodKind.CALENDAR_YEAR, int(groups[0]))
    return None


def _year_start(first: str, second: str) -> int | None:
    """`2023`, `24` -> 2023 when the second year follows the first; else None."""
    start = int(first)
    end = int(second)
    if len(second) == 2:
        end += (start // 100) * 100
        if end < start:
            end += 100
    return start if end == start + 1 else None


# --- wards -----------------------------------------------------------------------------------

_WARD_AFTER = re.compile(
    r"\bward\s*[:\-]?\s+(?:of\s+)?([A-Za-z][A-Za-z'’.\- ]*?)\s*(?=$|,|;|\bfor\b|\bin\b)", re.IGNORECASE
)
_WARD_BEFORE = re.compile(r"\b(?:in|for)\s+([A-Za-z][A-Za-z'’.\- ]*?)\s+ward\b", re.IGNORECASE)


def _extract_area(text: str) -> tuple[str | None, str]:
    for pattern in (_WARD_AFTER, _WARD_BEFORE):
        match = pattern.search(text)
        if match and match.group(1).strip():
            name = " ".join(match.group(1).split())
            if name == name.lower():
                name = " ".join(part[:1].upper() + part[1:] for part in name.split())
            return name, text[: match.start()] + " " + text[match.end() :]
    return None, text


# --- the index -------------------------------------------------------------------------------

# How much each part of an indicator counts when it explains a word the member typed: its
# title and aliases fully; its cluster's name half (it says where, not which); its
# definition a little (it has the words titles leave out, like "single" assessments).
_CLUSTER_WEIGHT = 0.5
_WEAK_FACTOR = 0.5
_DEFINITION_WEIGHT = 0.25

# Score = how much of the query the indicator explains, how much of the indicator's best
# title/alias the query covers (a short exact title beats a long one that merely contains
# the words), and a little string similarity to break ties.
_QUERY_COVER = 0.6
_FIELD_COVER = 0.3
_FUZZY = 0.1

# A clear winner: at least this score, covering at least this much of its title or an alias,
# with no qualifier the member did not say (so "number of EHCPs" is not answered with "number
# of ceased EHC plans"), and this far ahead of the runner-up.
CONFIDENT_SCORE = 0.72
CONFIDENT_FIELD_COVER = 0.35
CONFIDENT_MARGIN = 0.08
# The measure among its breakdowns (`_headline`): at least this score, no further than this
# behind the best candidate, covering at least this much of its title (LAIT's titles are long:
# "Percentage of re-referrals to children's social care within 12 months" for "re-referrals").
HEADLINE_SCORE = 0.7
HEADLINE_WINDOW = 0.08
HEADLINE_FIELD_COVER = 0.15
# ... and explaining this share of the query's weight. Every word that says what is explained
# (or it is not answered), so what is left unexplained is weak: "young people" in "young people
# NEET", where LAIT's title says "16-17".
HEADLINE_SHARE = 0.45
# A lone candidate (`_dominant`): at least this score, this far ahead of the next, explaining
# this share of the query's weight.
DOMINANT_SCORE = 0.6
DOMINANT_MARGIN = 0.13
DOMINANT_SHARE = 0.6
# Worth offering in a did-you-mean: at least this score, and not far behind the best.
CHOICE_SCORE = 0.35
CHOICE_WINDOW = 0.3


@dataclass(frozen=True, slots=True)
class _Document:
    indicator: Indicator
    fields: tuple[frozenset[str], ...]  # title, then each alias
    primary: frozenset[str]  # union of fields
    cluster: frozenset[str]
    definition: frozenset[str]
    texts: tuple[str, ...]  # the fields' tokens joined, for fuzzy similarity
    # The subgroups it is about: those its title or aliases name, and its cluster's when the
    # cluster is named for a subgroup ("Children in Need"), whatever the title says.
    subgroups: frozenset[frozenset[str]]
    negated: frozenset[str]  # words its title or aliases negate: `known` in "not known"


@dataclass(frozen=True, slots=True)
class _Scored:
    document: _Document
    score: float
    explained: bool  # every meaningful query token is in the title, aliases or cluster
    main_share: float  # share of the query weight explained by title, aliases or cluster
    field_cover: float  # how much of its best title or alias the query covers
    field: frozenset[str]  # that best title or alias
    numbers_explained: bool  # every number the member typed is in the title, aliases or cluster
    subject_share: float  # as main_share, leaving out words about how it is counted ("number")


_WARD = "ward"
_COUNCIL = "council"
_PLACE_BEFORE = r"(?P<prep>\b(?:in|for|at|across|within|around)\s+(?:the\s+)?)?"
# "Leeds City Council", "Durham County Council": the words after a council's name.
_PLACE_AFTER = r"(?:\s+(?:city|county|metropolitan|borough|district|council|ward|area))*"


@dataclass(frozen=True, slots=True)
class _Place:
    words: tuple[str, ...]  # raw words, lower case
    name: str  # as listed
    kind: str  # _WARD or _COUNCIL
    needs_preposition: bool


@lru_cache(maxsize=1024)
def _place_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """Compiled when first needed: most places are never named."""
    body = r"[\s\-,.'’&]+(?:and\s+)?".join(re.escape(w) for w in words)
    return re.compile(rf"{_PLACE_BEFORE}\b{body}\b{_PLACE_AFTER}", re.IGNORECASE)


def _take_places(index: QueryIndex, text: str) -> tuple[str | None, str]:
    """Councils and wards named in `text`: (the ward, if one was named; the text without any
    of them). A council's own name says which council, which the store already knows."""
    if not index.places:
        return None, text
    ward: str | None = None
    for word in dict.fromkeys(_raw_words(text)):
        for place in index.places.get(word, ()):
            match = _place_pattern(place.words).search(text)
            if match is None or (place.needs_preposition and not match.group("prep")):
                continue
            text = text[: match.start()] + " " + text[match.end() :]
            if place.kind == _WARD and ward is None:
                ward = place.name
            break
    return ward, text


@dataclass
class QueryIndex:
    """Everything `resolve` needs about one catalogue, built once (`QueryIndex.build`) and
    kept by the caller while the catalogue is unchanged."""

    normaliser: _Normaliser
    documents: tuple[_Document, ...]
    idf: dict[str, float]
    postings: dict[str, tuple[int, ...]]
    codes: dict[str, int]
    clusters: tuple[str, ...]
    cluster_names: dict[str, str]
    cluster_keys: dict[frozenset[str], str]
    exact: dict[frozenset[str], tuple[int, ...]]
    corrector: _Corrector
    commands: dict[tuple[str, ...], CommandName]
    unknown_weight: float
    qualifiers: frozenset[str]
    measures: dict[str, frozenset[Unit]]  # a word about how something is counted -> units it fits
    # Places a member may name: councils (taken out of the question) and the loaded wards
    # (the question's area), by their first raw word.
    places: dict[str, tuple[_Place, ...]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        catalogue: Sequence[Indicator],
        vocabulary: Vocabulary,
        *,
        councils: Sequence[str] = (),
        wards: Sequence[str] = (),
    ) -> QueryIndex:
        """The index for `catalogue`. `councils` are council names (`parse_places` of
        councils.txt): a question naming one ("CLA rate in Leeds") is about the council, and
        the name is not part of any indicator. `wards` are the loaded wards' names: named
        with or without the word "ward" ("referrals in Marsh End") they are the area."""
        normaliser = _Normaliser(vocabulary)
        measure_tokens = {t for word, _ in vocabulary.measures for t in normaliser.tokens(word)}
        restated = _restatements(catalogue)
        documents: list[_Document] = []
        for indicator in catalogue:
            sequences = [normaliser.tokens(text) for text in (indicator.title, *indicator.aliases)]
            fields = [frozenset(tokens) for tokens in sequences if tokens] or [frozenset()]
            if indicator.code in restated:
                # The definition says what a terse title leaves out ("Total number of cases"
                # is "The number of EHC plans active at January"); how it is counted is the
                # title's to say, so the definition's "number" or "rate" is left out.
                extra = frozenset(normaliser.tokens(restated[indicator.code])) - measure_tokens
                if extra and extra not in fields:
                    fields.append(extra)
            negated = frozenset(
                tokens[i + 1]
                for tokens in sequences
                for i, token in enumerate(tokens[:-1])
                if token in normaliser.negations
            )
            documents.append(
                _Document(
                    indicator=indicator,
                    fields=tuple(fields),
                    primary=frozenset().union(*fields),
                    cluster=frozenset(normaliser.tokens(indicator.cluster)),
                    definition=frozenset(normaliser.tokens(indicator.definition)),
                    texts=tuple(" ".join(sorted(f)) for f in fields),
                    subgroups=_subgroups_in(frozenset().union(*fields), normaliser)
                    | _cluster_subgroups(normaliser.tokens(indicator.cluster), normaliser),
                    negated=negated,
                )
            )
        frequency: dict[str, int] = {}
        postings: dict[str, list[int]] = {}
        for number, document in enumerate(documents):
            for token in document.primary | document.cluster | document.definition:
                postings.setdefault(token, []).append(number)
            for token in document.primary | document.cluster:
                frequency[token] = frequency.get(token, 0) + 1
        total = max(len(documents), 1)
        idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
        for token in postings:
            idf.setdefault(token, math.log(1 + (total - 0.5) / 1.5))
        # Words never seen weigh as a middling word: they count against a confident answer
        # (the member said something no indicator explains) without swamping the rest.
        weights = sorted(idf.values())
        unknown_weight = weights[len(weights) // 2] if weights else 1.0

        clusters: list[str] = []
        for indicator in catalogue:
            if indicator.cluster not in clusters:
                clusters.append(indicator.cluster)
        cluster_keys: dict[frozenset[str], str] = {}
        ambiguous: set[frozenset[str]] = set()
        for name in clusters:
            tokens = frozenset(normaliser.tokens(name))
            for key in {tokens, tokens - normaliser.weak}:
                if not key:
                    continue
                if key in cluster_keys and cluster_keys[key] != name:
                    ambiguous.add(key)
                cluster_keys[key] = name
        for key in ambiguous:
            del cluster_keys[key]

        exact: dict[frozenset[str], list[int]] = {}
        for number, document in enumerate(documents):
            for tokens in document.fields:
                if tokens and number not in exact.get(tokens, []):
                    exact.setdefault(tokens, []).append(number)

        codes: dict[str, int] = {}
        for number, indicator in enumerate(catalogue):
            codes.setdefault(_code_key(indicator.code), number)

        known_raw: set[str] = set()
        texts = [i.title for i in catalogue] + [a for i in catalogue for a in i.aliases] + clusters
        texts += [s for s, _ in vocabulary.rules] + [c for _, c in vocabulary.rules]
        texts += list(vocabulary.stopwords) + list(vocabulary.out_of_scope) + list(vocabulary.weak)
        texts += [p for _, phrases in vocabulary.commands for p in phrases]
        raw_frequency: dict[str, int] = {}
        for text in texts:
            for word in _raw_words(text):
                known_raw.add(word)
                raw_frequency[word] = raw_frequency.get(word, 0) + 1
        known = known_raw | set(postings) | normaliser.stopwords
        corrector = _Corrector(known, raw_frequency, normaliser)

        measures: dict[str, frozenset[Unit]] = {}
        for word, units in vocabulary.measures:
            for token in normaliser.tokens(word):
                measures[token] = measures.get(token, frozenset()) | frozenset(units)

        commands: dict[tuple[str, ...], CommandName] = {}
        for name, phrases in vocabulary.commands:
            for phrase in phrases:
                commands.setdefault(_command_key(phrase, normaliser), name)

        places: dict[str, list[_Place]] = {}
        catalogue_words = set(postings) | known_raw
        for kind, names in ((_WARD, wards), (_COUNCIL, councils)):
            for name in names:
                words = tuple(_raw_words(name))
                if not words:
                    continue
                # A place whose words mean something in the catalogue ("Reading") is a place
                # only after "in", "for" or "at"; others wherever they are.
                meaningful = set(normaliser.tokens(name)) - normaliser.stopwords
                needs_preposition = bool(meaningful & catalogue_words)
                places.setdefault(words[0], []).append(_Place(words, name, kind, needs_preposition))
        for found in places.values():
            found.sort(key=lambda p: (-len(p.words), p.kind))

        return cls(
            places={w: tuple(found) for w, found in places.items()},
            normaliser=normaliser,
            documents=tuple(documents),
            idf=idf,
            postings={t: tuple(n) for t, n in postings.items()},
            codes=codes,
            clusters=tuple(clusters),
            cluster_names={" ".join(sorted(_raw_words(name))): name for name in clusters},
            cluster_keys=cluster_keys,
            exact={t: tuple(n) for t, n in exact.items()},
            corrector=corrector,
            commands=commands,
            unknown_weight=unknown_weight,
            qualifiers=frozenset(
                t for q in vocabulary.qualifiers + vocabulary.negations for t in normaliser.tokens(q)
            ),
            measures=measures,
        )

    def resolve(self, text: str, *, glossary_terms: Sequence[str] = (), today: date) -> Resolution:
        """What the member meant by `text`; see the module docstring and `resolve`."""
        return _resolve(self, text, tuple(glossary_terms), today)


_RESTATEMENT = re.compile(
    r"^(?:the\s+)?(?:total\s+)?(?:number|percentage|proportion|rate)\s+of\s+", re.IGNORECASE
)
_RESTATEMENT_WORDS = 14


def _restatements(catalogue: Sequence[Indicator]) -> dict[str, str]:
    """Per indicator code, its definition's first sentence when that sentence restates the
    measure ("The number of EHC plans active at January each year"): short, saying what is
    counted, and not shared with another indicator (a definition copied across a measure and
    its breakdown says nothing about which is which)."""
    first: dict[str, str] = {}
    for indicator in catalogue:
        text = indicator.definition.strip()
        if not text:
            continue
        sentence = re.split(r"(?<=\.)\s|\n", text, maxsplit=1)[0].strip().rstrip(".")
        if _RESTATEMENT.match(sentence) and len(sentence.split()) <= _RESTATEMENT_WORDS:
            first[indicator.code] = sentence
    counts: dict[str, int] = {}
    for sentence in first.values():
        key = sentence.casefold()
        counts[key] = counts.get(key, 0) + 1
    return {code: s for code, s in first.items() if counts[s.casefold()] == 1}


def _subgroups_in(tokens: frozenset[str], normaliser: _Normaliser) -> frozenset[frozenset[str]]:
    return frozenset(g for g in normaliser.subgroups if g <= tokens)


def _cluster_subgroups(tokens: list[str], normaliser: _Normaliser) -> frozenset[frozenset[str]]:
    """A cluster named for a subgroup and nothing else ("Children in Need", "Children Looked
    After") puts every indicator in it in that subgroup; "All Pupil Absence & Exclusions" none."""
    named = frozenset(t for t in tokens if t not in normaliser.weak)
    found = _subgroups_in(named, normaliser)
    return found if named and named == frozenset().union(*found) else frozenset()


def _initials(name: str) -> str:
    return "".join(word[0] for word in _raw_words(name) if word.isalpha())


def _code_key(code: str) -> str:
    return re.sub(r"[^a-z0-9]", "", code.lower())


def _command_key(text: str, normaliser: _Normaliser) -> tuple[str, ...]:
    words = [normaliser.word(w) for w in _raw_words(text)]
    kept = [w for w in words if w not in normaliser.stopwords and w not in ("list", "all", "show")]
    return tuple(sorted(kept)) if kept else tuple(sorted(words))


@lru_cache(maxsize=8)
def _cached_index(catalogue: tuple[Indicator, ...], vocabulary: Vocabulary) -> QueryIndex:
    return QueryIndex.build(catalogue, vocabulary)


# --- resolving -------------------------------------------------------------------------------

_KPI_PREFIX = re.compile(r"^\s*/?\s*kpi\b[:,]?\s*", re.IGNORECASE)
_GLOSSARY_ASK = re.compile(
    r"^(?:(?:so|ok|okay|sorry|please|and|but)\s*,?\s+)*"
    r"(?:what\s+(?:does|do)\s+(?:the\s+|an?\s+)?(?P<a>.+?)\s+(?:mean|stand\s+for)"
    r"|what\s+(?:is|are)\s+(?:meant\s+by|the\s+meaning\s+of|the\s+definition\s+of)\s+(?:an?\s+|the\s+)?(?P<b>.+)"
    r"|what\s+do\s+you\s+mean\s+by\s+(?:an?\s+|the\s+)?(?P<g>.+)"
    r"|(?:what\s+is|what\s+are|what's|whats|what're)\s+(?:an?\s+|the\s+)?(?P<c>.+)"
    r"|(?:define|definition\s+of|meaning\s+of|explain)\s+(?:an?\s+|the\s+)?(?P<d>.+)"
    r"|(?P<e>.+?)\s+(?:meaning|definition|means))$",
    re.IGNORECASE,
)


def resolve(
    text: str,
    catalogue: Sequence[Indicator],
    *,
    vocabulary: Vocabulary,
    glossary_terms: Sequence[str] = (),
    today: date,
    index: QueryIndex | None = None,
) -> Resolution:
    """What the member meant by `text` (with or without a leading `/kpi`).

    In order: `help`/`clusters`/`reds`/`glossary` and `glossary TERM`; a period anywhere
    (`2023/24`, `Q2`, `Mar 24`, `last month`: see `extract_period`) and a ward (`ward
    Hollins Green`) are taken out; then an indicator code (`SEND-01`); a cluster's name
    (`/kpi SEND` is the SEND cluster); an indicator's title or alias exactly; a cluster's
    acronym (`CLA` in a catalogue with a "Children Looked After" cluster); and finally scoring.
    Out-of-scope subjects (`potholes`, `council tax`) are never answered with an indicator.

    Pass `index` (from `QueryIndex.build`) to reuse it; otherwise one is built and memoised
    for this catalogue and vocabulary.
    """
    if index is None:
        index = _cached_index(tuple(catalogue), vocabulary)
    return index.resolve(text, glossary_terms=glossary_terms, today=today)


def _resolve(index: QueryIndex, text: str, glossary_terms: tuple[str, ...], today: date) -> Resolution:
    message = _KPI_PREFIX.sub("", text or "").strip()
    words = _raw_words(message)
    if not words:
        # `/kpi` alone, or `/kpi ?`: what the bot can do.
        return Command(CommandName.HELP)

    # A command's own words first ("what's red" is the reds), then a question about a term.
    command = index.commands.get(_command_key(message, index.normaliser))
    if command is not None and words[0] != "glossary":
        return Command(command)
    glossary = _glossary(index, message, words, glossary_terms)
    if glossary is not None:
        return glossary

    # --- Scrutiny questions (issue 13; the words are scorecard/scrutiny_words.py's): "what got
    # worse in SEND", "how do we compare on CLA rate", "how are we doing". Their subject is
    # resolved by this same function; anything else goes on to indicator matching below.
    scrutiny = scrutiny_words.recognise(
        message,
        lambda rest: _resolve(index, rest, glossary_terms, today),
        is_cluster=lambda found: isinstance(found, ClusterMatch),
        is_indicator=lambda found: isinstance(found, IndicatorMatch | Choices),
    )
    if scrutiny is not None:
        return scrutiny
    # --- end of scrutiny questions

    # A whole message that is an indicator code with a digit in it is that indicator, before
    # anything in it is read as a period (`MAR01` is not March 2001) - unless it is also a
    # cluster's name or acronym.
    if re.search(r"\d", message) and re.search(r"[a-z]", message.lower()):
        whole = index.codes.get(_code_key(message))
        if (
            whole is not None
            and " ".join(sorted(words)) not in index.cluster_names
            and frozenset(index.normaliser.tokens(message)) not in index.cluster_keys
        ):
            return _indicator(index.documents[whole].indicator, None, None)

    # A whole message that is exactly one indicator's title is that indicator, before any word
    # in it is read as a period ("September guarantee" is not last September's guarantee).
    whole_title = index.exact.get(frozenset(index.normaliser.tokens(message)), ())
    if len(whole_title) == 1 and " ".join(sorted(words)) not in index.cluster_names:
        return _indicator(index.documents[whole_title[0]].indicator, None, None)

    requested, rest = extract_period(message, today)
    if requested is not None and requested.text.lower() in _MONTHS:
        # A month named alone that is a word of some title ("September Guarantee Offers") is
        # that title's word, not a period.
        token = index.normaliser.word(requested.text.lower())
        if any(token in index.documents[n].primary for n in index.postings.get(token, ())):
            requested, rest = None, message
    area, rest = _extract_area(rest)
    ward, rest = _take_places(index, rest)
    area = area or ward
    rest_words = _raw_words(rest)

    # An indicator code: the whole message, or one code-looking word in it.
    code_match = _code(index, rest, rest_words)
    tokens = index.normaliser.tokens(rest, index.corrector)
    if _OUT_OF_SCOPE in tokens or _names_out_of_scope(index.normaliser, rest):
        return NotFound(_out_of_scope_hint())
    key = frozenset(tokens)
    # A cluster's name, in any order ("looked after children").
    cluster_name = index.cluster_names.get(" ".join(sorted(rest_words)))
    if cluster_name is not None:
        return ClusterMatch(cluster_name, requested)
    cluster_by_key = index.cluster_keys.get(key) if key else None
    # An indicator's exact code beats a cluster (`LAC` is the code of the looked-after rate,
    # `CIN` of the children in need rate).
    if code_match is not None:
        return _indicator(index.documents[code_match].indicator, requested, area)

    if not key:
        return NotFound(
            "Say which indicator or cluster, e.g. `/kpi SEND timeliness 2023/24`. " + NOT_FOUND_HINT
        )

    exact = index.exact.get(key, ())
    if len(exact) == 1:
        return _indicator(index.documents[exact[0]].indicator, requested, area)
    # A cluster named by its initials ("CLA") is the cluster; named in other words ("children
    # in care") it is the cluster only when no indicator is about just that (the looked-after
    # rate and number are): then those are what the member means.
    if cluster_by_key is not None and (
        "".join(rest_words) == _initials(cluster_by_key) or not _headlines(index, key)
    ):
        return ClusterMatch(cluster_by_key, requested)
    if len(exact) > 1:
        return Choices(tuple(index.documents[n].indicator for n in exact[:MAX_CHOICES]), requested, area)

    answer = _scored_answer(index, tokens, requested, area)
    if isinstance(answer, NotFound) and requested is None and area is None:
        # Not an indicator, but a term on the card ("polarity"): its glossary entry.
        term = _glossary_term(message, glossary_terms, fuzzy=False)
        if term is not None:
            return GlossaryMatch(term)
    return answer


def _names_out_of_scope(normaliser: _Normaliser, text: str) -> bool:
    """An out-of-scope subject in the words as typed, even where another rule took some of them
    ("EHC planning application": "EHC planning" reads as an EHC plan)."""
    stems = [_stem(w) for w in _raw_words(text)]
    return any(
        tuple(stems[i : i + len(p)]) == p
        for p in normaliser.out_of_scope
        for i in range(len(stems) - len(p) + 1)
    )


def _headlines(index: QueryIndex, key: frozenset[str]) -> bool:
    """Whether some indicator's title or alias says `key` and only how it is counted."""
    plain = index.normaliser.weak | set(index.measures)
    first = min(key, key=lambda t: len(index.postings.get(t, ())))
    return any(
        frozenset(t for t in field if t not in plain and not t[:1].isdigit()) == key
        for number in index.postings.get(first, ())
        for field in index.documents[number].fields
    )


def _field_cover(index: QueryIndex, tokens: frozenset[str], asked: Mapping[str, float]) -> float:
    """How much of one title or alias the query covers, by weight. A word of the title the
    member did not say counts at least as a middling word even when it is common across the
    catalogue: "CLA" in "CLA overall absence" is common in LAIT, but it still narrows the
    indicator to children in care, which "total absence" did not ask about."""
    covered = 0.0
    missing = 0.0
    for token in tokens:
        weight = index.idf.get(token, 0.0)
        if token in asked:
            covered += weight
        elif token in index.normaliser.weak:
            missing += weight
        else:
            missing += max(weight, index.unknown_weight)
    return covered / ((covered + missing) or 1.0)


def _out_of_scope_hint() -> str:
    return (
        "That is not something this bot reports on: it covers children's services indicators. "
        + NOT_FOUND_HINT
    )


def _indicator(indicator: Indicator, requested: RequestedPeriod | None, area: str | None) -> IndicatorMatch:
    period = requested.period_for(indicator) if requested is not None else None
    return IndicatorMatch(indicator, period, area, requested)


def _code(index: QueryIndex, rest: str, words: list[str]) -> int | None:
    whole = index.codes.get(_code_key(rest))
    if whole is not None and _code_key(rest):
        return whole
    found = {
        index.codes[_code_key(part)]
        for part in rest.split()
        if re.search(r"[\d_\-]", part) and len(_code_key(part)) >= 3 and _code_key(part) in index.codes
    }
    return found.pop() if len(found) == 1 else None


def _glossary(index: QueryIndex, message: str, words: list[str], terms: tuple[str, ...]) -> Resolution | None:
    """`glossary TERM`; "what is/does X mean/..." about a term; "X?" about a term that is no
    indicator's word ("amber?", but "CLA?" is the children in care)."""
    if words[0] == "glossary":
        asked = message.split(None, 1)[1].strip(" ?") if len(message.split(None, 1)) > 1 else ""
        if not asked:
            return Command(CommandName.GLOSSARY)
        term = _glossary_term(asked, terms, fuzzy=True)
        if term is not None:
            return GlossaryMatch(term)
        return NotFound(f"No glossary entry for '{asked}': `/kpi glossary` lists the terms.")
    match = _GLOSSARY_ASK.match(message.strip(" ?!."))
    if match:
        asked = next(g for g in match.groups() if g)
        term = _glossary_term(asked, terms, fuzzy=False)
        if term is not None:
            return GlossaryMatch(term)
    if message.rstrip().endswith("?"):
        term = _glossary_term(message.strip(" ?"), terms, fuzzy=False)
        if term is not None and not _catalogue_words(index, message):
            return GlossaryMatch(term)
    return None


def _catalogue_words(index: QueryIndex, text: str) -> bool:
    """Whether any word of `text` means something in the catalogue (a title, alias or cluster)."""
    return any(index.postings.get(t) for t in index.normaliser.tokens(text))


def _glossary_term(asked: str, terms: tuple[str, ...], *, fuzzy: bool) -> str | None:
    """The term `asked` names, ignoring case, spacing, punctuation and plurals
    ("statistical neighbour" is "Statistical neighbours")."""
    wanted = " ".join(_stem(w) for w in _raw_words(asked))
    by_key = {" ".join(_stem(w) for w in _raw_words(t)): t for t in reversed(terms)}
    by_key.pop("", None)
    if wanted in by_key:
        return by_key[wanted]
    if fuzzy and by_key:
        best = process.extractOne(wanted, list(by_key), scorer=fuzz.ratio, score_cutoff=80)
        if best is not None:
            return by_key[best[0]]
    return None


def _scored_answer(
    index: QueryIndex, tokens: list[str], requested: RequestedPeriod | None, area: str | None
) -> Resolution:
    # Sorted: the order the member typed the words in never changes the answer.
    query = sorted(set(tokens))
    scored = _score(index, query)
    if not scored:
        return NotFound()
    return _decide(index, query, scored, requested, area)


def _score(index: QueryIndex, query: list[str]) -> list[_Scored]:
    """Every indicator with some evidence for the query, best first."""
    weak = index.normaliser.weak
    # Weak words ("young people", "number") help tell indicators apart but must not outweigh
    # the word that says which subject ("NEET").
    weights = {
        t: index.idf.get(t, index.unknown_weight) * (_WEAK_FACTOR if t in weak else 1.0) for t in query
    }
    total = sum(weights.values()) or 1.0
    meaningful = [t for t in query if t not in weak and not t[:1].isdigit()]
    numbers = [t for t in query if t[:1].isdigit()]
    # "how many", "percentage", "rate" say how it is counted, not what about.
    subject_total = sum(w for t, w in weights.items() if t not in index.measures) or total

    candidates: set[int] = set()
    for token in query:
        candidates.update(index.postings.get(token, ()))
    if not candidates or not meaningful:
        return []

    query_text = " ".join(sorted(query))
    asked = set(query)
    scored: list[_Scored] = []
    for number in candidates:
        document = index.documents[number]
        explained_weight = 0.0
        main_weight = 0.0
        subject_weight = 0.0
        unexplained_meaningful = False
        evidence = False
        for token in query:
            weight = weights[token]
            if token in document.primary:
                explained_weight += weight
                main_weight += weight
                subject_weight += 0.0 if token in index.measures else weight
                evidence = evidence or token in meaningful
            elif token in document.cluster:
                explained_weight += _CLUSTER_WEIGHT * weight
                main_weight += weight
                subject_weight += 0.0 if token in index.measures else weight
            else:
                # A definition's words lift the score a little, but never make an answer
                # confident: definitions mention much that the indicator is not about.
                if token in document.definition:
                    explained_weight += _DEFINITION_WEIGHT * weight
                if token in meaningful or token not in index.idf:
                    unexplained_meaningful = True
        if not evidence:
            continue
        field_cover, field = max(
            ((_field_cover(index, f, weights), f) for f in document.fields),
            key=lambda pair: (pair[0], not (index.qualifiers & (pair[1] - asked))),
        )
        similarity = max(fuzz.token_set_ratio(query_text, t) for t in document.texts) / 100
        score = _QUERY_COVER * explained_weight / total + _FIELD_COVER * field_cover + _FUZZY * similarity
        if not document.indicator.active:
            score *= 0.9  # a retired indicator only when nothing current fits as well
        scored.append(
            _Scored(
                document,
                score,
                explained=not unexplained_meaningful,
                main_share=main_weight / total,
                field_cover=field_cover,
                field=field,
                numbers_explained=all(n in document.primary or n in document.cluster for n in numbers),
                subject_share=subject_weight / subject_total,
            )
        )
    scored.sort(key=lambda s: (-s.score, s.document.indicator.code))
    return scored


def _decide(
    index: QueryIndex,
    query: list[str],
    scored: list[_Scored],
    requested: RequestedPeriod | None,
    area: str | None,
) -> Resolution:
    best = scored[0]
    runner_up = scored[1].score if len(scored) > 1 else 0.0
    if (
        best.explained
        and best.main_share >= 0.6
        and best.field_cover >= CONFIDENT_FIELD_COVER
        and not _qualified(index, best, query)
        and _counted_as_asked(index, best, query)
        and best.score >= CONFIDENT_SCORE
        and best.score - runner_up >= CONFIDENT_MARGIN
    ):
        return _indicator(best.document.indicator, requested, area)
    headline = _headline(index, query, scored)
    if headline is not None:
        return _indicator(headline.document.indicator, requested, area)
    if _dominant(index, query, scored):
        return _indicator(best.document.indicator, requested, area)
    if best.score < CHOICE_SCORE or best.main_share < 0.35:
        return NotFound()
    offered = [s for s in scored if s.score >= max(CHOICE_SCORE, best.score - CHOICE_WINDOW)]
    return Choices(tuple(s.document.indicator for s in offered[:MAX_CHOICES]), requested, area)


def _counted_as_asked(index: QueryIndex, scored: _Scored, query: list[str]) -> bool:
    """Unless the member said how it is counted ("how many", "rate"), any measure is; if they
    did, one counted that way or whose title says so ("how many EHCPs" is not a percentage)."""
    asked = [t for t in query if t in index.measures]
    if not asked:
        return True
    units = frozenset().union(*(index.measures[t] for t in asked))
    return scored.document.indicator.unit in units or any(t in scored.document.primary for t in asked)


def _dominant(index: QueryIndex, query: list[str], scored: list[_Scored]) -> bool:
    """One candidate far ahead of every other, explaining most of what the member said, with
    no qualifier or number they did not say: "SDQ scores for CLA" is the emotional health of
    children looked after, though "scores" is in no title."""
    best = scored[0]
    runner_up = scored[1].score if len(scored) > 1 else 0.0
    asked = frozenset(query)
    # A subgroup the member named that the candidate is not about ("KS2 results for girls"
    # when only all pupils' results exist) is a question the catalogue cannot answer.
    named = [g for g in index.normaliser.subgroups if g <= asked]
    return (
        not any(not g <= best.document.primary | best.document.cluster for g in named)
        and best.score >= DOMINANT_SCORE
        and best.score - runner_up >= DOMINANT_MARGIN
        and best.main_share >= DOMINANT_SHARE
        and best.numbers_explained
        and not _qualified(index, best, query)
        and _counted_as_asked(index, best, query)
    )


def _qualified(index: QueryIndex, scored: _Scored, query: list[str]) -> bool:
    """Whether the title or alias the query matched best has a qualifier the member did not
    say ("ceased EHC plans" for "EHC plans"). An alias without it is the catalogue saying the
    plain words mean this indicator ("EHCP 20 weeks" for "... (excluding exceptions)")."""
    return bool(index.qualifiers & (scored.field - set(query)))


def _headline(index: QueryIndex, query: list[str], scored: list[_Scored]) -> _Scored | None:
    """The one indicator meant when the close candidates are a measure and its breakdowns.

    "permanent exclusions" is close to total, primary, secondary and special permanent
    exclusions; a member who names no subgroup means the total. So among the close candidates
    (those a did-you-mean would offer), set apart each that:
    - leaves a word the member typed unexplained, a number included (9-5 is not 9-4);
    - has a qualifier the member did not say ("severe", "not known", "non-disadvantaged");
    - is about a subgroup the member did not name ("primary", "disadvantaged", "CLA", a
      "Children in Need" cluster), unless every close candidate is about it;
    - is counted otherwise than asked: "how many"/"number" wants a count, "percentage" a
      percentage, "rate" a rate or percentage (ignored when nothing is counted as asked).
    What remains must be one indicator, or one whose title adds no word that each of the
    others does not add too ("Number of CLA adopted" beside "Number CLA adopted - application
    unopposed"): the others narrow it. That one, the head, is answered only if:
    - it is about no subgroup the member named only in part ("SEN" is not "SEN support");
    - each candidate set apart by a subgroup or by how it is counted is the head's measure for
      that subgroup: apart from the subgroup, its title adds to the query what the head's does,
      or less, or more ("KS2 maths progress" and "... by disadvantaged pupils - Maths"), not
      something else ("care leavers EET" is not a breakdown of "Leaving care support (finance)");
    - no candidate negates what the head's title says and the member did not ("returned home
      not as part of care plan" beside "... as part of care plan": the member asked neither);
    - no candidate explains more of the query, and the query explains the head well.
    """
    best = scored[0]
    asked = set(query)
    close = [s for s in scored if s.score >= max(CHOICE_SCORE, best.score - CHOICE_WINDOW)]
    if not close:
        return None
    measures = [t for t in query if t in index.measures]
    units: set[Unit] = set()
    for token in measures:
        units |= index.measures[token]
    weak = index.normaliser.weak

    def complete(s: _Scored) -> bool:
        return s.explained and s.numbers_explained and not _qualified(index, s, query)

    def counted_as_asked(s: _Scored) -> bool:
        return s.document.indicator.unit in units or any(t in s.document.primary for t in measures)

    if units and not any(counted_as_asked(s) for s in close):
        units = set()  # "how many children are in care", and only a rate to answer with

    def unnamed(s: _Scored) -> frozenset[frozenset[str]]:
        # Subgroups the member said no word of: "CP" touches "CP plan", so CP plans stay. When
        # the member named a subgroup the title names ("care leavers"), its cluster's subgroup
        # ("Children Looked After") is where it is filed, not another subgroup.
        groups = s.document.subgroups
        own = _subgroups_in(s.document.primary, index.normaliser)
        if any(g & asked for g in own):
            groups = own
        return frozenset(g for g in groups if not g & asked)

    def words(s: _Scored) -> frozenset[str]:
        """The words its title adds to the query that say what (not weak ones; numbers too:
        "Leaving Care 2 & 4" is a table of its own)."""
        return frozenset(t for t in s.field - asked if t not in weak)

    def weak_words(s: _Scored) -> frozenset[str]:
        return frozenset(t for t in s.field - asked if t in weak)

    def narrower(other: _Scored, head: _Scored) -> bool:
        # "Total Pupils with one or more suspensions" adds only weak words to "Total Suspensions".
        return words(head) < words(other) or (
            words(head) == words(other) and weak_words(head) < weak_words(other)
        )

    shared = frozenset.intersection(*(unnamed(s) for s in close))
    plain = [
        s for s in close if complete(s) and not (unnamed(s) - shared) and (not units or counted_as_asked(s))
    ]
    heads = [h for h in plain if all(narrower(o, h) for o in plain if o is not h)]
    if len(heads) != 1:
        return None
    head = heads[0]
    if any(g & asked and not g <= asked for g in head.document.subgroups):
        return None
    for other in close:
        if other in plain or not (other.explained and other.numbers_explained):
            continue
        if _qualified(index, other, query):
            # "not eligible for FSM" beside "eligible for FSM" when the member said "FSM": the
            # subgroup they named is the head's, and its negation is the other's.
            named = any(g <= asked for g in head.document.subgroups)
            if (other.document.negated - asked) & head.field and not named:
                return None
            continue
        if not unnamed(other) - shared:
            # Set apart only by how it is counted ("% agency social workers" beside "Number of
            # social workers" for "how many social workers"): the member said how.
            continue
        rest, head_rest = (words(s) - frozenset().union(*unnamed(s)) for s in (other, head))
        # A breakdown sits in its measure's topic ("KS4 Attainment 8 - disadvantaged pupils"
        # beside "Average Attainment 8 score per pupil"); elsewhere it must add what the head adds.
        same_topic = other.document.indicator.cluster == head.document.indicator.cluster
        if not (rest <= head_rest or head_rest <= rest or (same_topic and unnamed(other))):
            return None
    if (
        all(s.main_share <= head.main_share + 1e-9 for s in close)
        and head.score >= HEADLINE_SCORE
        and best.score - head.score <= HEADLINE_WINDOW
        and head.subject_share >= HEADLINE_SHARE
        and head.field_cover >= HEADLINE_FIELD_COVER
    ):
        return head
    return None
