"""The concerns store: each step appended as an event, the concern moved with it once, never rewritten."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from data import concerns as concern_store
from data.concerns import ConcernMoved
from data.schema import ConcernEventRow, MeetingRow, RoleRow
from scorecard.concerns import (
    Concern,
    ConcernStatus,
    answer_concern,
    close_concern,
    escalate_concern,
    raise_concern,
    send_to_service,
)
from scorecard.model import Meeting, Role, Viewer

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
ADVISOR = Viewer("U0DEMOGOV01", frozenset({Role.MEMBER, Role.GOVERNANCE_ADVISOR}))
SEND_OFFICER = Viewer("U0DEMOSVC01", frozenset({Role.MEMBER, Role.SERVICE_OFFICER}), frozenset({"SEND"}))
COMMISSION = "Children and Young People Scrutiny Commission"
DECEMBER = Meeting(COMMISSION, date(2026, 12, 8), ("SEND", "Budgets"), date(2026, 11, 27))
CARD = {"code": "SEND01", "title": "EHC plans issued within 20 weeks", "display": "48.0%", "rag": "red"}


def _session(engine: Engine) -> Session:
    return Session(engine)


def _raised(session: Session, key: str = "k1", text: str = "SEND timeliness keeps slipping") -> Concern:
    concern, event = raise_concern("U0DEMOMEMB1", text, "SEND01", now=NOW)
    kept, new = concern_store.add_concern_once(session, replace(concern, card=CARD), event, key)
    assert new
    return kept


def test_a_concern_keeps_the_card_the_member_saw_when_raising_it(engine: Engine) -> None:
    with _session(engine) as session, session.begin():
        kept = _raised(session)
    with _session(engine) as session:
        again = concern_store.concern(session, kept.id or 0)
    assert again is not None and again.card == CARD and again.status is ConcernStatus.OPEN


def test_each_step_is_an_event_and_the_concern_moves_with_it(engine: Engine) -> None:
    with _session(engine) as session, session.begin():
        session.add(
            MeetingRow(
                committee=COMMISSION, date=DECEMBER.date, focus_clusters="SEND;Budgets",
                agenda_deadline=DECEMBER.agenda_deadline, source_file="meetings.csv",
            )
        )
        kept = _raised(session)
    with _session(engine) as session, session.begin():
        before = concern_store.concern(session, kept.id or 0)
        assert before is not None
        sent, event = send_to_service(before, ADVISOR, "SEND", "Please answer", now=NOW)
        concern_store.record_step(session, before, sent, event)
    with _session(engine) as session, session.begin():
        before = concern_store.concern(session, kept.id or 0)
        assert before is not None and before.service_area == "SEND" and before.due_on == date(2026, 11, 16)
        answered, event = answer_concern(before, SEND_OFFICER, "Two more caseworkers", now=NOW)
        concern_store.record_step(session, before, answered, event)
    with _session(engine) as session, session.begin():
        before = concern_store.concern(session, kept.id or 0)
        assert before is not None
        escalated, event = escalate_concern(before, ADVISOR, [DECEMBER], "Officer to attend", now=NOW)
        concern_store.record_step(session, before, escalated, event)
    with _session(engine) as session:
        now_stands = concern_store.concern(session, kept.id or 0)
        assert now_stands is not None and now_stands.status is ConcernStatus.ESCALATED
        assert now_stands.meeting == DECEMBER  # with its focus clusters, from the meetings table
        assert concern_store.escalated_to(session, DECEMBER) == [now_stands]
        events = concern_store.events_of(session, kept.id or 0)
    assert [(e.step, e.from_status, e.to_status) for e in events] == [
        ("raise", None, ConcernStatus.OPEN),
        ("send", ConcernStatus.OPEN, ConcernStatus.WITH_SERVICE),
        ("answer", ConcernStatus.WITH_SERVICE, ConcernStatus.ANSWERED),
        ("escalate", ConcernStatus.ANSWERED, ConcernStatus.ESCALATED),
    ]
    assert events[1].service_area == "SEND" and events[1].due_on == date(2026, 11, 16)
    assert events[1].who == "U0DEMOGOV01" and events[1].text == "Please answer"
    assert events[2].text == "Two more caseworkers"
    assert events[3].meeting is not None and events[3].meeting.date == DECEMBER.date


def test_two_steps_from_the_same_state_keep_only_the_first(engine: Engine) -> None:
    with _session(engine) as session, session.begin():
        kept = _raised(session)
    with _session(engine) as session, session.begin():
        before = concern_store.concern(session, kept.id or 0)
        assert before is not None
        concern_store.record_step(session, before, *send_to_service(before, ADVISOR, "SEND", now=NOW))
        # A second advisor's step, decided on the concern as it was a moment ago:
        closed, event = close_concern(before, ADVISOR, "Duplicate", now=NOW)
        with pytest.raises(ConcernMoved, match="changed a moment ago"):
            concern_store.record_step(session, before, closed, event)
    with _session(engine) as session:
        count = session.scalar(select(func.count()).select_from(ConcernEventRow))
        stands = concern_store.concern(session, kept.id or 0)
    assert count == 2 and stands is not None and stands.status is ConcernStatus.WITH_SERVICE


def test_queues_by_status_and_by_service_area(engine: Engine) -> None:
    with _session(engine) as session, session.begin():
        first = _raised(session, "k1")
        second = _raised(session, "k2", "Another worry")
        before = concern_store.concern(session, first.id or 0)
        assert before is not None
        concern_store.record_step(session, before, *send_to_service(before, ADVISOR, "SEND", now=NOW))
    with _session(engine) as session:
        open_ones = concern_store.concerns_with_status(session, {ConcernStatus.OPEN})
        everything = concern_store.concerns_with_status(session)
        send = concern_store.concerns_for_areas(session, ["SEND"])
        care = concern_store.concerns_for_areas(session, ["Children's social care"])
    assert [c.id for c in open_ones] == [second.id]
    assert [c.id for c in everything] == [first.id, second.id]
    assert [c.id for c in send] == [first.id] and care == []


def test_service_officers_and_advisors_come_from_the_roles_table(engine: Engine) -> None:
    with _session(engine) as session, session.begin():
        for user, role, area in [
            ("U0DEMOGOV01", "governance_advisor", ""),
            ("U0DEMOSVC01", "service_officer", "SEND"),
            ("U0DEMOSVC02", "service_officer", "Children's social care"),
            ("U0DEMOMEMB1", "member", ""),
        ]:
            session.add(RoleRow(user=user, role=role, service_area=area, source_file="roles.csv"))
    with _session(engine) as session:
        assert concern_store.service_officers(session) == {
            "Children's social care": ["U0DEMOSVC02"],
            "SEND": ["U0DEMOSVC01"],
        }
        assert concern_store.users_with_role(session, Role.GOVERNANCE_ADVISOR) == ["U0DEMOGOV01"]
