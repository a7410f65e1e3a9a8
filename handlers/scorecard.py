"""`/scorecard`: a published quarterly scorecard, always as it was frozen on approval.

`/scorecard` is the latest published scorecard, `/scorecard 2024/25 Q1` that quarter's and
`/scorecard 2024/25 Q1 SEND` one of its clusters: each is read back from the snapshot frozen
when the Performance Board approved it, so figures revised since never change what members
were given. Staff (who may see drafts) ask `/scorecard draft 2024/25 Q2` for the quarter as it
stands in the store now, with the approval steps they may take as buttons. Nothing here talks
to a platform: the page link's base URL comes in as an argument.

`scorecard_to_show` is the same rule for `kpibot scorecard show`: the published snapshot by
default, the live figures only for staff who ask for them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from data import people, scorecards, store
from handlers.approval import StepOutcome, build_from_store, page_name
from handlers.outgoing import queue_message
from handlers.reply import Action, ActionId, Fact, Kind, Reply, Request, ScorecardImageRef, Table
from scorecard import approval
from scorecard.approval import ApprovalRefused, ScorecardRecord, ScorecardStatus, Step, when_words
from scorecard.model import Role, Viewer
from scorecard.periods import Frequency, Period, PeriodError, YearBasis, parse_period, quarter, year_of
from scorecard.quarterly import (
    ClusterSection,
    QuarterlyScorecard,
    ScorecardRow,
    only_cluster,
    scorecard_from_snapshot,
    summarise,
    summary_as_dict,
)

__all__ = [
    "DRAFT_REFUSED",
    "LIVE_REFUSED",
    "NOT_PUBLISHED",
    "STEP_ACTIONS",
    "LiveRefused",
    "NotPublished",
    "ScorecardToShow",
    "answer",
    "approvers_to_tell",
    "draft_reply",
    "latest_quarter",
    "page_url",
    "published_scorecard",
    "queue_for_approvers",
    "refusal_for",
    "scorecard_to_show",
]

NOT_PUBLISHED = (
    "No scorecard has been published yet. Once the Performance Board approves a quarter's "
    "scorecard it is published to members here. Meanwhile you can ask about any indicator, "
    "for example /kpi SEND timeliness."
)

DRAFT_REFUSED = (
    "Draft scorecards are only for the performance team, the Performance Board and the "
    "governance advisor: you need the role of performance officer, board approver or "
    "governance advisor. If you should have one, ask the performance team to add you to the "
    "roles table. Published scorecards are in /scorecard."
)

LIVE_REFUSED = (
    "The live figures are only for the performance team, the Performance Board and the "
    "governance advisor: give your user id with --as if you hold one of those roles. Without "
    "--live you get the scorecard as it was published."
)

# The buttons for each step, in the order the life takes them.
STEP_ACTIONS: dict[Step, tuple[ActionId, str]] = {
    Step.PREPARE: (ActionId.PREPARE_SCORECARD, "Prepare"),
    Step.SUBMIT: (ActionId.SUBMIT_SCORECARD, "Submit to the Board"),
    Step.APPROVE: (ActionId.APPROVE_SCORECARD, "Approve"),
    Step.RETURN: (ActionId.RETURN_SCORECARD, "Return with a comment"),
}

_QUARTER_IN_TEXT = re.compile(r"\b(\d{4}\s*[/-]\s*\d{2,4}\s*q\s*[1-4])\b", re.IGNORECASE)


def answer(request: Request, session: Session, *, page_base_url: str = "") -> Reply:
    """What `/scorecard ...` says: a published scorecard (or one cluster of it), or for staff
    who start with "draft" the live draft with their approval buttons."""
    words = request.text.strip()
    draft = False
    if words.casefold() == "draft" or words.casefold().startswith("draft "):
        draft, words = True, words[len("draft") :].strip()
    try:
        wanted, cluster = _quarter_and_cluster(words)
    except PeriodError:
        return _error(
            f"'{words}' is not a quarter I know: write the financial year and the quarter, "
            "for example /scorecard 2024/25 Q1 or /scorecard 2024/25 Q1 SEND."
        )
    if draft:
        return draft_reply(request, session, wanted)
    return _published_reply(request, session, wanted, cluster, page_base_url)


def _quarter_and_cluster(words: str) -> tuple[Period | None, str]:
    """ "2024/25 Q1 SEND" -> (2024/25 Q1, "SEND"); "SEND" -> (None, "SEND")."""
    found = _QUARTER_IN_TEXT.search(words)
    if found is None:
        if re.search(r"\d{4}", words):
            raise PeriodError(words, "no quarter found")
        return None, words
    period = parse_period(found.group(1), Frequency.QUARTERLY)
    rest = (words[: found.start()] + " " + words[found.end() :]).strip()
    return period, " ".join(rest.split())


# --- published --------------------------------------------------------------------------------


def page_url(page_base_url: str, quarter_label: str) -> str:
    """The newsletter page of a published quarter, as `kpibot serve` serves it; "" without a base."""
    if not page_base_url:
        return ""
    return f"{page_base_url.rstrip('/')}/scorecards/{page_name(quarter_label)}"


def published_scorecard(session: Session, quarter_label: str, cluster: str = "") -> QuarterlyScorecard | None:
    """A published scorecard (or one cluster of it) read back from its frozen snapshot."""
    found = scorecards.published(session, quarter_label)
    if found is None:
        return None
    frozen = scorecard_from_snapshot(found.snapshot)
    return only_cluster(frozen, cluster) if cluster else frozen


def _published_reply(
    request: Request, session: Session, wanted: Period | None, cluster: str, page_base_url: str
) -> Reply:
    found = scorecards.published(session, None if wanted is None else wanted.label)
    if found is None:
        if wanted is None:
            return _nothing_published(request, session)
        quarters = scorecards.published_quarters(session)
        listed = (
            f"Published scorecards: {', '.join(quarters)}."
            if quarters
            else "No scorecard has been published yet."
        )
        message = f"The {wanted.label} scorecard has not been published. {listed}"
        return Reply(
            kind=Kind.SCORECARD,
            heading=f"Quarterly scorecard, {wanted.label}",
            summary=message,
            data={"quarter": wanted.label, "status": "not_published", "message": message,
                  "published_quarters": quarters},
        )
    whole = scorecard_from_snapshot(found.snapshot)
    shown = whole
    if cluster:
        chosen = only_cluster(whole, cluster)
        if chosen is None:
            names = ", ".join(section.name for section in whole.clusters)
            message = (
                f"The {whole.quarter_label} scorecard has no cluster called '{cluster}'. "
                f"Its clusters are: {names}."
            )
            return Reply(
                kind=Kind.NOT_FOUND,
                heading=f"Quarterly scorecard, {whole.quarter_label}",
                summary=message,
                data={"message": message, "quarter": whole.quarter_label},
            )
        shown = chosen
    url = page_url(page_base_url, whole.quarter_label)
    return _scorecard_reply(found.record, shown, url, cluster=bool(cluster))


def _scorecard_reply(record: ScorecardRecord, card: QuarterlyScorecard, url: str, *, cluster: bool) -> Reply:
    label = card.quarter_label
    section = card.clusters[0] if cluster and card.clusters else None
    heading = f"Children's services scorecard, {label}"
    if section is not None:
        heading += f": {section.name}"
    when = f"Published on {when_words(record.published_at)}. " if record.published_at else ""
    which = f"{section.name} cluster only. " if section is not None else ""
    summary = f"{when}{which}Summary: {card.summary.text}."
    notes: list[str] = []
    if section is not None:
        notes.extend(f"[{note.marker}] {note.code}: {note.text}" for note in card.data_notes)
    elif card.data_notes:
        count = len(card.data_notes)
        notes.append(
            f"{count} data {'note explains' if count == 1 else 'notes explain'} how some figures are "
            "counted: see the full scorecard."
        )
    if url:
        notes.append(f"The full scorecard, with its data notes and glossary: {url}")
    if section is None and card.clusters:
        notes.append(f"One cluster in detail: /scorecard {label} {card.clusters[0].name}")
    return Reply(
        kind=Kind.SCORECARD,
        heading=heading,
        summary=summary,
        table=_rows_table(section) if section is not None else _clusters_table(card.clusters),
        notes=tuple(notes),
        actions=(
            Action(
                ActionId.SHOW_SCORECARD_IMAGE,
                "Show the scorecard picture",
                f"{label}|{section.name if section is not None else ''}",
            ),
        ),
        image=ScorecardImageRef(label, section.name if section is not None else ""),
        data={
            "quarter": label,
            "status": ScorecardStatus.PUBLISHED.value,
            "published_at": None if record.published_at is None else record.published_at.isoformat(),
            "cluster": None if section is None else section.name,
            "summary": summary_as_dict(card.summary),
            "clusters": [_cluster_dict(s, rows=section is not None) for s in card.clusters],
            "data_notes": len(card.data_notes),
            "page_url": url or None,
        },
    )


def _nothing_published(request: Request, session: Session) -> Reply:
    """No published scorecard yet: say when the next is due if one is approved; staff also see
    the latest quarter as it stands now."""
    message = NOT_PUBLISHED
    waiting = scorecards.awaiting_publication(session)
    data: dict[str, Any] = {"status": "none_published", "published": None}
    if waiting:
        soonest = waiting[0]
        if soonest.publish_at is not None:
            message = (
                f"No scorecard has been published yet. The {soonest.quarter} scorecard has been approved "
                f"and will be published on {when_words(soonest.publish_at)}."
            )
            data["next"] = {"quarter": soonest.quarter, "publish_at": soonest.publish_at.isoformat()}
    data["message"] = message
    facts: tuple[Fact, ...] = ()
    notes: tuple[str, ...] = ()
    if request.viewer.is_staff:
        live = latest_quarter(session)
        if live is not None:
            built = build_from_store(session, live, request.viewer, request.now)
            facts = (
                Fact("Quarter (draft, not published)", built.quarter_label),
                Fact("Summary", built.summary.text),
                *(Fact(section.name, _counts(section.rows)) for section in built.clusters[:8]),
            )
            notes = (
                "Staff only: figures as they stand now, including any under embargo.",
                f"The draft with its approval steps: /scorecard draft {built.quarter_label}",
            )
            data["draft"] = {"quarter": built.quarter_label, "summary": built.summary.text}
    return Reply(
        kind=Kind.SCORECARD,
        heading="Quarterly scorecard",
        summary=message,
        facts=facts,
        notes=notes,
        data=data,
    )


# --- at the terminal -------------------------------------------------------------------------


class LiveRefused(Exception):
    """The live figures were asked for by someone who is not staff."""

    def __init__(self) -> None:
        super().__init__(LIVE_REFUSED)


class NotPublished(Exception):
    """The quarter has no published scorecard: the message says which quarters have one, or when
    this one will be published."""


@dataclass(frozen=True, slots=True)
class ScorecardToShow:
    """The scorecard to show and what it is: `published_at` is None for the live figures."""

    scorecard: QuarterlyScorecard
    published_at: datetime | None

    @property
    def live(self) -> bool:
        return self.published_at is None


def scorecard_to_show(
    session: Session, wanted: Period, viewer: Viewer, now: datetime, *, live: bool = False
) -> ScorecardToShow:
    """What `kpibot scorecard show` shows: the quarter's scorecard as it was frozen on approval
    and published (members and staff alike); with `live`, the figures as they stand in the store
    now as `viewer` may see them, for staff only (LiveRefused for anyone else). NotPublished,
    with a message for the person, when the quarter has no published scorecard."""
    if live:
        if not viewer.is_staff:
            raise LiveRefused()
        return ScorecardToShow(build_from_store(session, wanted, viewer, now), None)
    found = scorecards.published(session, wanted.label)
    if found is not None:
        return ScorecardToShow(scorecard_from_snapshot(found.snapshot), found.record.published_at)
    waiting = next((r for r in scorecards.awaiting_publication(session) if r.quarter == wanted.label), None)
    if waiting is not None and waiting.publish_at is not None:
        message = (
            f"The {wanted.label} scorecard has been approved and will be published on "
            f"{when_words(waiting.publish_at)}."
        )
    else:
        quarters = scorecards.published_quarters(session)
        listed = (
            f"Published scorecards: {', '.join(quarters)}."
            if quarters
            else "No scorecard has been published yet."
        )
        message = f"The {wanted.label} scorecard has not been published. {listed}"
    if viewer.is_staff:
        message += " The figures as they stand now: add --live."
    raise NotPublished(message)


# --- draft ------------------------------------------------------------------------------------


def draft_reply(request: Request, session: Session, wanted: Period | None = None) -> Reply:
    """The quarter's scorecard as it stands now (marked DRAFT), for staff, with the steps this
    person may take as buttons; members are told which role is needed and shown no figure."""
    viewer = request.viewer
    if not viewer.is_staff:
        return Reply(
            kind=Kind.ERROR,
            heading="Draft scorecards are for staff",
            summary=DRAFT_REFUSED,
            data={
                "message": DRAFT_REFUSED,
                "needed_role": [Role.PERFORMANCE_OFFICER.value, Role.BOARD_APPROVER.value,
                                Role.GOVERNANCE_ADVISOR.value],
            },
        )
    period = wanted or latest_quarter(session)
    if period is None:
        return _error("There are no figures in the store yet, so there is no draft: load the figures first.")
    built = build_from_store(session, period, viewer, request.now)
    record = scorecards.by_quarter(session, period.label)
    status = "Not prepared yet" if record is None else approval.STATUS_WORDS[record.status]
    steps = approval.steps_open_to(record, viewer)
    notes = ["Staff only: figures as they stand now, including any under embargo. They may still change."]
    returned = _last_return(session, record)
    if returned:
        notes.append(returned)
    if not steps:
        notes.append(_why_no_buttons(record, viewer))
    return Reply(
        kind=Kind.SCORECARD,
        heading=f"DRAFT scorecard, {period.label}",
        summary=f"DRAFT, not published. {status}.\nSummary: {built.summary.text}.",
        table=_clusters_table(built.clusters),
        notes=tuple(notes),
        actions=tuple(
            Action(STEP_ACTIONS[step][0], STEP_ACTIONS[step][1], period.label,
                   primary=step in (Step.SUBMIT, Step.APPROVE))
            for step in steps
        ),
        data={
            "quarter": period.label,
            "status": "not_prepared" if record is None else record.status.value,
            "draft": True,
            "summary": summary_as_dict(built.summary),
            "clusters": [_cluster_dict(section) for section in built.clusters],
            "data_notes": len(built.data_notes),
            "steps": [step.value for step in steps],
        },
    )


def _last_return(session: Session, record: ScorecardRecord | None) -> str:
    if record is None or record.id is None or record.status is not ScorecardStatus.DRAFT:
        return ""
    returns = [e for e in scorecards.events_of(session, record.id) if e.step is Step.RETURN]
    if not returns:
        return ""
    last = returns[-1]
    return f"Returned by {last.who} on {when_words(last.at)}: “{last.comment}”"


def _why_no_buttons(record: ScorecardRecord | None, viewer: Viewer) -> str:
    if record is not None and record.status in (ScorecardStatus.APPROVED, ScorecardStatus.PUBLISHED):
        return "There is nothing more to do: the Performance Board has approved it."
    if record is not None and record.submitted_by == viewer.user and Role.BOARD_APPROVER in viewer.roles:
        return "You submitted it, so another Performance Board approver approves or returns it."
    return (
        "Performance officers prepare and submit the scorecard; Performance Board approvers "
        "approve or return it."
    )


def refusal_for(session: Session, step: Step, wanted: Period, viewer: Viewer, request: Request) -> str | None:
    """Why `viewer` may not take `step` on the quarter's scorecard now (None: they may), checked
    by the same rules `take_step` applies, without keeping anything. A Return's comment is asked
    for afterwards, so it is not checked here."""
    label = wanted.label
    record = scorecards.by_quarter(session, label)
    now = request.now
    try:
        match step:
            case Step.PREPARE:
                approval.prepare(label, viewer, now=now, existing=record)
            case Step.SUBMIT:
                approval.submit(record, viewer, now=now, quarter=label)
            case Step.APPROVE:
                approval.approve(record, viewer, now=now, publish_at=now, quarter=label)
            case Step.RETURN:
                approval.return_to_draft(record, viewer, now=now, comment="(checked)", quarter=label)
            case _:
                return "Only the bot publishes a scorecard, at its scheduled time."
    except ApprovalRefused as refused:
        return refused.message
    return None


def approvers_to_tell(session: Session, submitted_by: str) -> list[str]:
    """The board approvers who can act on a just-submitted scorecard: all but its submitter."""
    return [user for user in scorecards.users_with_role(session, Role.BOARD_APPROVER) if user != submitted_by]


def queue_for_approvers(request: Request, session: Session, outcome: StepOutcome) -> list[str]:
    """After a submission, in its transaction: each board approver but the submitter is sent
    the draft as they may see it, with Approve and Return, through the outbox (so it goes once,
    even if the bot stops or Slack is down straight after). The keys queued."""
    record = outcome.record
    if outcome.event.step is not Step.SUBMIT or record.id is None or record.submitted_at is None:
        return []
    wanted = parse_period(record.quarter, Frequency.QUARTERLY)
    submitted_by = record.submitted_by or request.viewer.user
    queued = []
    submitter = people.names_of(session, [submitted_by]).get(submitted_by, submitted_by)
    for approver in approvers_to_tell(session, submitted_by):
        roles = frozenset(a.role for a in store.roles_of(session, approver))
        viewer = Viewer(approver, roles | {Role.MEMBER, Role.BOARD_APPROVER})
        draft = draft_reply(Request("", viewer, request.now, request.suppress_below), session, wanted)
        told = replace(
            draft,
            summary=f"{submitter} submitted it to the Performance Board for approval.\n{draft.summary}",
        )
        key = f"scorecard:{record.id}:submitted:{record.submitted_at.isoformat()}:dm:{approver}"
        done = queue_message(session, approver, "scorecard_submitted", key, told, now=request.now)
        if done is not None:
            queued.append(done)
    return queued


# --- shared -----------------------------------------------------------------------------------


def latest_quarter(session: Session) -> Period | None:
    """The financial-year quarter holding the latest figure in the store, if any."""
    ends = [cluster.latest.end for cluster in store.overview(session) if cluster.latest is not None]
    if not ends:
        return None
    return _quarter_of(max(ends))


def _quarter_of(day: date) -> Period:
    fy = year_of(day, YearBasis.FINANCIAL)
    return quarter(fy.start_year, ((day.month - 4) % 12) // 3 + 1)


def _error(message: str) -> Reply:
    return Reply(kind=Kind.ERROR, heading="Quarterly scorecard", summary=message, data={"message": message})


def _counts(rows: Sequence[ScorecardRow]) -> str:
    counted = summarise(rows)
    return f"{counted.green} green, {counted.amber} amber, {counted.red} red, {counted.not_rated} not rated"


def _travel(rows: Sequence[ScorecardRow]) -> str:
    counted = summarise(rows)
    return f"{counted.improved} improved, {counted.declined} declined"


def _clusters_table(clusters: Sequence[ClusterSection]) -> Table:
    return Table(
        columns=("Cluster", "RAG", "Direction of travel"),
        rows=tuple((section.name, _counts(section.rows), _travel(section.rows)) for section in clusters),
    )


def _rows_table(section: ClusterSection) -> Table:
    return Table(
        columns=("Indicator", "Latest", "RAG", "Direction of travel"),
        rows=tuple(
            (
                f"{row.code} {row.title}" + (f" [{row.note_marker}]" if row.note_marker else ""),
                f"{row.latest.display} ({row.latest.period})" if row.latest.period else row.latest.display,
                row.rag_label,
                f"{row.dot.arrow} {row.dot.words}".strip(),
            )
            for row in section.rows
        ),
    )


def _cluster_dict(section: ClusterSection, *, rows: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"name": section.name, **summary_as_dict(summarise(section.rows))}
    if rows:
        out["rows"] = [
            {
                "code": row.code,
                "title": row.title,
                "period": row.latest.period,
                "period_end": row.latest.period_end,
                "value": row.latest.value,
                "display": row.latest.display,
                "rag": row.rag.value,
                "dot": row.dot.result.value,
            }
            for row in section.rows
        ]
    return out
