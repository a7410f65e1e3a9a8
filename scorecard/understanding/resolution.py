"""What a question can resolve to: an indicator (with period and ward), a cluster, a command,
a glossary term, a scrutiny question, a short did-you-mean list, or "not found"."""

from __future__ import annotations

from dataclasses import dataclass

from scorecard.model import Indicator
from scorecard.periods import Period
from scorecard.scrutiny_words import Scrutiny
from scorecard.understanding.periods_asked import RequestedPeriod
from scorecard.understanding.vocabulary import CommandName

__all__ = [
    "MAX_CHOICES",
    "NOT_FOUND_HINT",
    "Choices",
    "ClusterMatch",
    "Command",
    "GlossaryMatch",
    "IndicatorMatch",
    "NotFound",
    "Resolution",
    "indicator_match",
]

MAX_CHOICES = 5

NOT_FOUND_HINT = "Try `/kpi clusters` to see what there is, or `/kpi help` for examples."


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


def indicator_match(
    indicator: Indicator, requested: RequestedPeriod | None, area: str | None
) -> IndicatorMatch:
    """`indicator` for the period the member asked for, in its own frequency and year basis."""
    period = requested.period_for(indicator) if requested is not None else None
    return IndicatorMatch(indicator, period, area, requested)

