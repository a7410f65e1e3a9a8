"""The vocabulary of the scorecard rules: indicators, observations, targets, benchmarks, verdicts.

Spelled as shared/spec/scorecard-rules.md and data-format.md spell them. Frozen dataclasses
and StrEnums only; the rules that use them live in `rules.py`, periods in `periods.py`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from scorecard.periods import Frequency, Period, Year, YearBasis

__all__ = [
    "DEFAULT_DECIMALS",
    "DEFAULT_SUPPRESS_BELOW",
    "Benchmark",
    "Comparator",
    "Dot",
    "DotBasis",
    "Frequency",
    "GlossaryEntry",
    "Indicator",
    "Meeting",
    "Observation",
    "ObservationStatus",
    "Period",
    "Polarity",
    "Rag",
    "Role",
    "RoleAssignment",
    "Target",
    "Unit",
    "Verdict",
    "Viewer",
    "Year",
    "YearBasis",
    "YtdMethod",
]


class Polarity(StrEnum):
    """Which way is good: `high` (more is better), `low` (less is better), `none` (context only)."""

    HIGH = "high"
    LOW = "low"
    NONE = "none"


class Unit(StrEnum):
    PERCENT = "percent"
    COUNT = "count"
    RATE_PER_10K = "rate_per_10k"
    DAYS = "days"
    GBP = "gbp"
    SCORE = "score"


class YtdMethod(StrEnum):
    SUM = "sum"
    RATIO = "ratio"
    MEAN = "mean"
    LATEST = "latest"
    NONE = "none"


class DotBasis(StrEnum):
    PREVIOUS_PERIOD = "previous_period"
    PREVIOUS_YEAR = "previous_year"


class ObservationStatus(StrEnum):
    FINAL = "final"
    PROVISIONAL = "provisional"
    SUPPRESSED = "suppressed"


class Comparator(StrEnum):
    STATISTICAL_NEIGHBOURS = "statistical_neighbours"
    ENGLAND = "england"
    REGION = "region"


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NA = "n/a"


class Dot(StrEnum):
    """Direction of travel: improved/declined for rated polarities, up/down for `none`."""

    IMPROVED = "improved"
    DECLINED = "declined"
    NO_CHANGE = "no_change"
    UP = "up"
    DOWN = "down"
    NA = "n/a"


class Verdict(StrEnum):
    """Against a benchmark: better/worse for rated polarities, higher/lower for `none`."""

    BETTER = "better"
    WORSE = "worse"
    IN_LINE = "in_line"
    HIGHER = "higher"
    LOWER = "lower"


class Role(StrEnum):
    MEMBER = "member"
    GOVERNANCE_ADVISOR = "governance_advisor"
    SERVICE_OFFICER = "service_officer"
    PERFORMANCE_OFFICER = "performance_officer"
    BOARD_APPROVER = "board_approver"
    ADMIN = "admin"


DEFAULT_DECIMALS: dict[Unit, int] = {
    Unit.PERCENT: 1,
    Unit.RATE_PER_10K: 1,
    Unit.DAYS: 0,
    Unit.COUNT: 0,
    Unit.GBP: 0,
    Unit.SCORE: 1,
}

DEFAULT_SUPPRESS_BELOW = 5


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    title: str
    cluster: str
    polarity: Polarity
    unit: Unit
    frequency: Frequency
    year_basis: YearBasis = YearBasis.FINANCIAL
    ytd: YtdMethod = YtdMethod.NONE
    dot_basis: DotBasis | None = None
    decimals: int | None = None
    aliases: tuple[str, ...] = ()
    definition: str = ""
    data_notes: str = ""
    source: str = ""
    service_area: str = ""
    council_plan: str = ""
    active: bool = True
    # On the members' quarterly scorecard and in the overview (data-format.md `on_scorecard`).
    on_scorecard: bool = True

    @property
    def effective_decimals(self) -> int:
        """`decimals` if set, else the unit's default (percent 1, days 0, ...)."""
        return self.decimals if self.decimals is not None else DEFAULT_DECIMALS[self.unit]

    @property
    def effective_dot_basis(self) -> DotBasis:
        """`dot_basis` if set; else previous period for monthly/quarterly, previous year for annual."""
        if self.dot_basis is not None:
            return self.dot_basis
        if self.frequency is Frequency.ANNUAL:
            return DotBasis.PREVIOUS_YEAR
        return DotBasis.PREVIOUS_PERIOD


@dataclass(frozen=True, slots=True)
class Observation:
    """One figure for one period. `area` is None for the whole authority, else a ward."""

    code: str
    period: Period
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    area: str | None = None
    status: ObservationStatus = ObservationStatus.FINAL
    embargo_until: datetime | None = None
    # When the figure last changed after first being loaded (a revision), if ever.
    revised_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """The target and amber threshold for one year of the indicator's basis."""

    code: str
    year: Year
    target: float
    amber_threshold: float | None = None


@dataclass(frozen=True, slots=True)
class Benchmark:
    code: str
    period: Period
    comparator: Comparator
    value: float
    embargo_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    term: str
    definition: str


@dataclass(frozen=True, slots=True)
class Meeting:
    committee: str
    # `_dt.date`: a field named `date` would otherwise shadow the type for mypy.
    date: _dt.date
    focus_clusters: tuple[str, ...] = ()
    agenda_deadline: _dt.date | None = None


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    user: str
    role: Role
    service_area: str = ""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking, and so what they may see (embargoed figures, drafts)."""

    user: str
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.MEMBER}))
    service_areas: frozenset[str] = frozenset()

    @property
    def is_staff(self) -> bool:
        """Staff see embargoed figures and draft scorecards (spec: 'Who may do what')."""
        return bool(
            self.roles
            & {Role.GOVERNANCE_ADVISOR, Role.PERFORMANCE_OFFICER, Role.BOARD_APPROVER, Role.ADMIN}
        )
