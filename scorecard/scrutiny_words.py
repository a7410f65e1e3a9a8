"""The words of the scrutiny questions: "what got worse", "how do we compare on CLA rate",
"what's changed since the last scorecard", "how are we doing".

chat-and-workflow.md "Scrutiny questions". The phrases are data (`scrutiny_words.toml`,
shipped beside this module and read once, like a constant); `recognise` finds the question's
phrase, the comparator named and the subject left over, and hands the subject back to the
query resolver (an indicator or a cluster). `scorecard.understanding.resolve` calls it at one
point, before any indicator matching. Pure apart from reading its own package data.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from scorecard.model import Comparator

__all__ = [
    "PHRASES_FILE",
    "Scrutiny",
    "ScrutinyKind",
    "ScrutinyPhrases",
    "default_phrases",
    "recognise",
]

PHRASES_FILE = "scrutiny_words.toml"


class ScrutinyKind(StrEnum):
    """Which scrutiny answer: `changes` (declined, improved or changed), `compare` (a
    `comparison` of one indicator, or the `benchmarks` list), `overview`."""

    CHANGES = "changes"
    COMPARE = "compare"
    OVERVIEW = "overview"


@dataclass(frozen=True, slots=True)
class Scrutiny:
    """A scrutiny question understood. `subject` is what the rest of the message resolved to
    (an `IndicatorMatch`, `ClusterMatch` or `Choices` of `scorecard.understanding`), None when
    nothing is left ("what got worse"). `direction` is `declined`, `improved` or `changed` for CHANGES."""

    kind: ScrutinyKind
    direction: str | None = None
    comparator: Comparator | None = None
    subject: object | None = None
    # The words the subject was read from ("SEND timeliness"), for "did you mean" lists.
    subject_text: str = ""


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower().replace("'", "").replace("’", "")))


@dataclass(frozen=True, slots=True)
class _Group:
    kind: ScrutinyKind
    direction: str | None
    phrases: tuple[tuple[str, ...], ...]  # longest first
    needs_comparator: frozenset[tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class ScrutinyPhrases:
    """The phrase groups in the order tried, the comparators' names, and the filler words."""

    groups: tuple[_Group, ...]
    comparators: tuple[tuple[tuple[str, ...], Comparator], ...]  # longest first
    filler: frozenset[str]

    @classmethod
    def from_toml(cls, text: str) -> ScrutinyPhrases:
        """Read `scrutiny_words.toml`'s shape: [compare], [comparators], [changes.changed],
        [changes.declined], [changes.improved], [overview], [filler]."""
        data: Mapping[str, Any] = tomllib.loads(text)

        def phrases(values: Sequence[str]) -> list[tuple[str, ...]]:
            return [w for w in (_words(v) for v in values) if w]

        def group(kind: ScrutinyKind, direction: str | None, table: Mapping[str, Any]) -> _Group:
            plain = phrases(table.get("phrases", []))
            guarded = phrases(table.get("with_comparator", []))
            every = sorted({*plain, *guarded}, key=lambda p: (-len(p), p))
            return _Group(kind, direction, tuple(every), frozenset(guarded) - frozenset(plain))

        changes = data.get("changes", {})
        groups = (
            group(ScrutinyKind.COMPARE, None, data.get("compare", {})),
            group(ScrutinyKind.CHANGES, "changed", changes.get("changed", {})),
            group(ScrutinyKind.CHANGES, "declined", changes.get("declined", {})),
            group(ScrutinyKind.CHANGES, "improved", changes.get("improved", {})),
            group(ScrutinyKind.OVERVIEW, None, data.get("overview", {})),
        )
        named = [
            (words, Comparator(name))
            for name, values in data.get("comparators", {}).items()
            for words in phrases(values)
        ]
        named.sort(key=lambda item: (-len(item[0]), item[0]))
        filler = frozenset(w for v in data.get("filler", {}).get("words", []) for w in _words(v))
        return cls(groups, tuple(named), filler)


@cache
def default_phrases() -> ScrutinyPhrases:
    """The phrases shipped with the package (read once)."""
    text = resources.files("scorecard").joinpath(PHRASES_FILE).read_text("utf-8")
    return ScrutinyPhrases.from_toml(text)


def _find(words: tuple[str, ...], phrase: tuple[str, ...]) -> int:
    size = len(phrase)
    for start in range(len(words) - size + 1):
        if words[start : start + size] == phrase:
            return start
    return -1


def _cut(words: tuple[str, ...], start: int, size: int) -> tuple[str, ...]:
    return words[:start] + words[start + size :]


def _comparator(
    words: tuple[str, ...], phrases: ScrutinyPhrases
) -> tuple[Comparator | None, tuple[str, ...]]:
    for named, comparator in phrases.comparators:
        at = _find(words, named)
        if at >= 0:
            return comparator, _cut(words, at, len(named))
    return None, words


def recognise(
    message: str,
    resolve_subject: Callable[[str], object],
    *,
    is_cluster: Callable[[object], bool],
    is_indicator: Callable[[object], bool],
    phrases: ScrutinyPhrases | None = None,
) -> Scrutiny | None:
    """The scrutiny question in `message`, or None to let the resolver read it as usual.

    "what got worse" -> changes/declined; "what's slipping in SEND" -> changes/declined with
    the SEND cluster; "since last quarter" -> changes/changed; "how do we compare on CLA
    rate" -> compare with the indicator; "where are we behind England" -> compare/England
    with no subject (the benchmarks list); "how are we doing" -> overview.
    What is left after the phrase, a comparator and filler words is resolved with
    `resolve_subject`. A question whose subject is not understood is not a scrutiny question
    (None): "placement changes" is an indicator, not "what changed". Changes and the overview
    take a cluster as subject, comparisons an indicator (or a did-you-mean) or a cluster.
    """
    known = phrases or default_phrases()
    words = _words(message)
    if not words:
        return None
    # Most phrases share no word with the message: checked against its words first, cheaply.
    present = frozenset(words)
    for group in known.groups:
        for phrase in group.phrases:
            if phrase and phrase[0] not in present:
                continue
            at = _find(words, phrase)
            if at < 0:
                continue
            rest = _cut(words, at, len(phrase))
            comparator, rest = _comparator(rest, known)
            if phrase in group.needs_comparator and comparator is None:
                continue
            subject_words = [w for w in rest if w not in known.filler]
            subject_text = " ".join(subject_words)
            subject: object | None = None
            if subject_text:
                subject = resolve_subject(subject_text)
                wanted = is_cluster(subject) or (group.kind is ScrutinyKind.COMPARE and is_indicator(subject))
                if not wanted:
                    return None
            return Scrutiny(group.kind, group.direction, comparator, subject, subject_text)
    return None
