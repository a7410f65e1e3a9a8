"""Which reminders the performance team is due: pure rules, with today's date as an argument.

- In Q3 and Q4 of the financial year (October to March), once a quarter: review next year's
  targets.
- When a quarter's figures are in (the store holds a figure for a period ending on the quarter's
  last day) but its scorecard has not been submitted: prepare and submit it.
Each reminder has a key per quarter and kind, so the outbox sends it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from scorecard.approval import ScorecardStatus
from scorecard.periods import Period, YearBasis, quarter, year_of

__all__ = [
    "Reminder",
    "latest_complete_quarter",
    "quarter_of",
    "targets_review_due",
    "unsubmitted_scorecard_due",
]


@dataclass(frozen=True, slots=True)
class Reminder:
    kind: str
    quarter: str
    text: str

    @property
    def key(self) -> str:
        """Unique per kind and quarter: "reminder:targets_review:2024/25 Q3"."""
        return f"reminder:{self.kind}:{self.quarter}"


def quarter_of(day: date) -> Period:
    """The financial-year quarter holding `day`: 15 November 2024 is in 2024/25 Q3."""
    fy = year_of(day, YearBasis.FINANCIAL)
    return quarter(fy.start_year, ((day.month - 4) % 12) // 3 + 1)


def targets_review_due(today: date) -> Reminder | None:
    """In Q3 and Q4 (October to March) the reminder to review next year's targets, else None:
    on 1 October 2024 it is for 2024/25 Q3, "Please review the targets for 2025/26 ..."."""
    current = quarter_of(today)
    if current.quarter not in (3, 4):
        return None
    label = year_of(today, YearBasis.FINANCIAL).next().label
    return Reminder(
        kind="targets_review",
        quarter=current.label,
        text=(
            f"Reminder for the performance team: it is {current.label}, so please review the targets "
            f"and amber thresholds for {label} and load them before the year starts."
        ),
    )


def latest_complete_quarter(latest_figure_end: date | None) -> Period | None:
    """The latest quarter whose figures are in: a figure for 30 September 2024 completes
    2024/25 Q2; with the latest for 31 October 2024, Q3 is still filling up, so Q2 again."""
    if latest_figure_end is None:
        return None
    latest = quarter_of(latest_figure_end)
    return latest if latest.end == latest_figure_end else latest.previous()


def unsubmitted_scorecard_due(latest: Period | None, status: ScorecardStatus | None) -> Reminder | None:
    """The reminder to prepare and submit `latest`'s scorecard (the latest complete quarter)
    unless it has been submitted (or approved, or published) already."""
    if latest is None or status not in (None, ScorecardStatus.DRAFT):
        return None
    return Reminder(
        kind="unsubmitted_scorecard",
        quarter=latest.label,
        text=(
            f"Reminder for the performance team: the {latest.label} figures are loaded, but the "
            f"{latest.label} scorecard has not been submitted to the Performance Board yet."
        ),
    )
