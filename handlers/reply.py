"""What every conversation returns: a platform-neutral reply for Slack, Teams and the console.

Modelled on errbot's Card: a heading, a summary, key/value facts, an optional table, notes,
a chart reference and buttons. `data` carries the machine-readable answer (`--json`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from scorecard.model import Rag, Viewer


class Visibility(StrEnum):
    PRIVATE = "private"  # only the asker sees it (Slack: ephemeral)
    SHARED = "shared"  # posted in the channel


class Kind(StrEnum):
    """The `kind` of the JSON answer (chat-and-workflow.md, machine-readable answers)."""

    INDICATOR = "indicator"
    CLUSTER = "cluster"
    CLUSTERS = "clusters"
    REDS = "reds"
    CHANGES = "changes"
    COMPARISON = "comparison"
    BENCHMARKS = "benchmarks"
    OVERVIEW = "overview"
    CHOICES = "choices"
    GLOSSARY = "glossary"
    HELP = "help"
    SCORECARD = "scorecard"
    CONCERN = "concern"
    NOT_FOUND = "not_found"
    ERROR = "error"


class ActionId(StrEnum):
    """Every button the bot shows; platforms route presses back by these ids."""

    SHOW_CHART = "show_chart"
    RAISE_CONCERN = "raise_concern"
    SHARE = "share_in_channel"
    CHOOSE = "choose_indicator"
    SHOW_CLUSTER = "show_cluster"
    # A concern's steps (the button's value is the concern's id).
    SEND_CONCERN = "concern_send"
    ESCALATE_CONCERN = "concern_escalate"
    CLOSE_CONCERN = "concern_close"
    ANSWER_CONCERN = "concern_answer"
    # The quarterly scorecard's steps (the button's value is the quarter, "2024/25 Q2") and
    # its picture (the value is the quarter and, after "|", the cluster if only one is shown).
    PREPARE_SCORECARD = "scorecard_prepare"
    SUBMIT_SCORECARD = "scorecard_submit"
    APPROVE_SCORECARD = "scorecard_approve"
    RETURN_SCORECARD = "scorecard_return"
    SHOW_SCORECARD_IMAGE = "scorecard_image"


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Action:
    id: ActionId
    label: str
    value: str = ""
    primary: bool = False


@dataclass(frozen=True, slots=True)
class ChartRef:
    """Which picture to draw on demand: the trend of an indicator at a period."""

    code: str
    period_end: str
    # "trend" (the card's trend, with comparators across the years) or "comparison" (our
    # council against each statistical neighbour for the period, England marked).
    view: str = "trend"


@dataclass(frozen=True, slots=True)
class ScorecardImageRef:
    """Which picture to draw on demand: a published scorecard (or one of its clusters)."""

    quarter: str
    cluster: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    kind: Kind
    heading: str
    summary: str = ""
    facts: tuple[Fact, ...] = ()
    table: Table | None = None
    notes: tuple[str, ...] = ()
    chart: ChartRef | None = None
    actions: tuple[Action, ...] = ()
    visibility: Visibility = Visibility.PRIVATE
    rag: Rag | None = None
    data: dict[str, Any] = field(default_factory=dict)
    image: ScorecardImageRef | None = None

    def as_json(self) -> dict[str, Any]:
        """The machine-readable answer: `kind` plus the fields the spec lists for it."""
        return {"kind": self.kind.value, **self.data}


@dataclass(frozen=True, slots=True)
class Request:
    """A member's words, who they are, and when: everything a handler needs but the store."""

    text: str
    viewer: Viewer
    now: datetime
    suppress_below: int = 5
