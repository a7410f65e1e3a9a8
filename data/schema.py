"""The indicator store's tables: SQLAlchemy 2 typed ORM, one module, the same on SQLite and PostgreSQL.

Conventions that keep the two databases alike:
- `area` is '' (never NULL) for the whole authority, so the unique key (code, period_end, area)
  holds on both (NULLs are distinct in a unique constraint).
- Date-times are stored as naive UTC (`loaded_at`, `embargo_until`); `data.store` hands them
  out as aware UTC date-times.
- Enumerated values (polarity, unit, status ...) are stored as their spec spelling in plain
  strings; the loader has already refused anything else.

Room is left for later tables (scorecards and their snapshots, concerns and their events, the
outbox): they get their own migrations and classes here when they are built.
"""

from __future__ import annotations

import datetime as dt
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints so that Alembic can alter them later on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Observations may run to millions of rows on PostgreSQL; SQLite only autoincrements INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")

CODE = 64


class JsonText(TypeDecorator[Any]):
    """A JSON document in a text column (the same on SQLite and PostgreSQL): Python values in
    and out, written with non-ASCII characters as themselves and, unless told otherwise, keys
    sorted (so that the same document is always the same text)."""

    impl = Text
    cache_ok = True

    def __init__(self, *, sort_keys: bool = True) -> None:
        super().__init__()
        self.sort_keys = sort_keys

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=self.sort_keys)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Cluster(Base):
    """A group of indicators (Demand, SEND ...), listed in the order first seen."""

    __tablename__ = "clusters"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class IndicatorRow(Base):
    __tablename__ = "indicators"

    code: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    cluster: Mapped[str] = mapped_column(ForeignKey("clusters.name"))
    polarity: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(16))
    year_basis: Mapped[str] = mapped_column(String(16))
    ytd: Mapped[str] = mapped_column(String(16))
    dot_basis: Mapped[str | None] = mapped_column(String(16))
    decimals: Mapped[int | None] = mapped_column(Integer)
    # `;`-separated, as in the file: members' other names for the indicator.
    aliases: Mapped[str] = mapped_column(Text)
    definition: Mapped[str] = mapped_column(Text)
    data_notes: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    service_area: Mapped[str] = mapped_column(String(200))
    council_plan: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    # On the members' quarterly scorecard and in the overview (data-format.md); every active
    # indicator can be asked about either way.
    on_scorecard: Mapped[bool] = mapped_column(Boolean, server_default=true(), default=True)
    # Order in the file it was first loaded from: the catalogue's order within a cluster.
    position: Mapped[int] = mapped_column(Integer)
    source_file: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    revised_at: Mapped[datetime | None] = mapped_column(DateTime)


class ObservationRow(Base):
    __tablename__ = "observations"
    __table_args__ = (UniqueConstraint("code", "period_end", "area"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    period_end: Mapped[date] = mapped_column(Date)
    area: Mapped[str] = mapped_column(String(200))
    value: Mapped[float | None] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    embargo_until: Mapped[datetime | None] = mapped_column(DateTime)
    source_file: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    revised_at: Mapped[datetime | None] = mapped_column(DateTime)


class ObservationRevision(Base):
    """The figure a reload replaced: what it was, when it was replaced, and by which file."""

    __tablename__ = "observation_revisions"
    __table_args__ = (Index("ix_observation_revisions_code_period", "code", "period_end"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    observation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("observations.id"), index=True
    )
    code: Mapped[str] = mapped_column(String(CODE))
    period_end: Mapped[date] = mapped_column(Date)
    area: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[float | None] = mapped_column(Float)
    old_numerator: Mapped[float | None] = mapped_column(Float)
    old_denominator: Mapped[float | None] = mapped_column(Float)
    old_status: Mapped[str] = mapped_column(String(16))
    old_source_file: Mapped[str] = mapped_column(String(500))
    replaced_at: Mapped[datetime] = mapped_column(DateTime)
    # The file whose load replaced the figure.
    source_file: Mapped[str] = mapped_column(String(500))


class TargetRow(Base):
    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("code", "year_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    # The year of the indicator's basis, by the calendar year it starts in (2024 is 2024/25).
    year_start: Mapped[int] = mapped_column(Integer)
    year_label: Mapped[str] = mapped_column(String(16))
    target: Mapped[float] = mapped_column(Float)
    amber_threshold: Mapped[float | None] = mapped_column(Float)
    source_file: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)


class BenchmarkRow(Base):
    __tablename__ = "benchmarks"
    __table_args__ = (UniqueConstraint("code", "period_end", "comparator"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    period_end: Mapped[date] = mapped_column(Date)
    comparator: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    embargo_until: Mapped[datetime | None] = mapped_column(DateTime)
    source_file: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)


class PeerRow(Base):
    """Another council's figure for one of our indicators (data-format.md `peers`): for ranks,
    quartile bands and our statistical neighbours' own figures."""

    __tablename__ = "peers"
    __table_args__ = (UniqueConstraint("code", "period_end", "council"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    period_end: Mapped[date] = mapped_column(Date)
    council: Mapped[str] = mapped_column(String(200))
    value: Mapped[float] = mapped_column(Float)
    statistical_neighbour: Mapped[bool] = mapped_column(Boolean)
    source_file: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)


class GlossaryRow(Base):
    __tablename__ = "glossary"

    term: Mapped[str] = mapped_column(String(200), primary_key=True)
    definition: Mapped[str] = mapped_column(Text)
    source_file: Mapped[str] = mapped_column(String(500))


class MeetingRow(Base):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("committee", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    committee: Mapped[str] = mapped_column(String(200))
    # dt.date: inside this class `date` is the column, not the type.
    date: Mapped[dt.date] = mapped_column(Date)
    # `;`-separated cluster names, as in the file.
    focus_clusters: Mapped[str] = mapped_column(Text)
    agenda_deadline: Mapped[dt.date | None] = mapped_column(Date)
    source_file: Mapped[str] = mapped_column(String(500))


class RoleRow(Base):
    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("user", "role", "service_area"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(32))
    service_area: Mapped[str] = mapped_column(String(200))
    source_file: Mapped[str] = mapped_column(String(500))


class PersonRow(Base):
    """Someone the bot knows: one identity across chat platforms (data.people). People first
    seen in Slack keep their Slack user id as their id, so records made before there were other
    platforms need no rewriting; the e-mail, where known, joins a person's accounts."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    # When the name was last looked up in the platform's directory (names expire).
    name_checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # How the governance advisor hears of new concerns: None (at once) or "daily" (a digest).
    concern_notices: Mapped[str | None] = mapped_column(String(16))


class AccountRow(Base):
    """A person's account on one chat platform, with what sending to it later needs (Teams: the
    conversation reference of their 1:1 chat with the bot)."""

    __tablename__ = "accounts"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    # JSON: what the platform needs to reach the person unprompted.
    reference: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)


class LoadRow(Base):
    """One successful load: what came from where, and what it changed (a readable summary)."""

    __tablename__ = "loads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_name: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    rows: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)


class ConcernRow(Base):
    """A member's concern. Never deleted: its life is the `concern_events` rows."""

    __tablename__ = "concerns"
    __table_args__ = (Index("ix_concerns_member", "member"), Index("ix_concerns_status", "status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member: Mapped[str] = mapped_column(String(320))
    # None for "the scorecard in general". Not a foreign key: a concern outlives a catalogue
    # change.
    indicator_code: Mapped[str | None] = mapped_column(String(CODE))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # What the platform sent (e.g. a Slack view id and its values): a retried or double-clicked
    # submission finds the concern already raised instead of raising a second one.
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    # The indicator's card when the concern was raised (JSON, `card_as_dict`): what the member
    # saw, for the meeting's agenda pack. Written once, with the concern.
    card: Mapped[dict[str, Any] | None] = mapped_column(JsonText(sort_keys=False))
    # Where the concern stands: `status` and these are the latest event's, written in the same
    # transaction as that event (and only if the status is still the one the step started
    # from), so the queue is one indexed query; the events remain the record.
    service_area: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    meeting_committee: Mapped[str | None] = mapped_column(String(200))
    meeting_date: Mapped[date | None] = mapped_column(Date, index=True)


class ConcernEventRow(Base):
    """One step in a concern's life: who, when, from which status to which, what was said."""

    __tablename__ = "concern_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(320))
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    # raise, send, answer, escalate or close; and what the step set (the service area and the
    # answer's due date, the meeting), so a concern's state can be read again from its events.
    step: Mapped[str] = mapped_column(String(16), server_default="raise")
    service_area: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    meeting_committee: Mapped[str | None] = mapped_column(String(200))
    meeting_date: Mapped[date | None] = mapped_column(Date)


class HandledRequestRow(Base):
    """A request already acted on (a chat platform's event id, a shared card): retries are no-ops."""

    __tablename__ = "handled_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)


class ScorecardRecordRow(Base):
    """A quarter's scorecard in its life (draft, submitted, approved, published). Never deleted:
    each step is a `scorecard_events` row. `snapshot` is the scorecard frozen at approval (JSON,
    `scorecard.quarterly.snapshot`): what members see as the published scorecard, for ever."""

    __tablename__ = "scorecards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # "2024/25 Q2": one scorecard per financial-year quarter.
    quarter: Mapped[str] = mapped_column(String(16), unique=True)
    quarter_end: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    prepared_by: Mapped[str] = mapped_column(String(320))
    prepared_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_by: Mapped[str | None] = mapped_column(String(320))
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_by: Mapped[str | None] = mapped_column(String(320))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    publish_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JsonText())


class ScorecardEventRow(Base):
    """One step in a scorecard's life: who, when, which step, from which status to which, and
    what was said."""

    __tablename__ = "scorecard_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    who: Mapped[str] = mapped_column(String(320))
    step: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)


class ScorecardFigureRow(Base):
    """Each figure an approved scorecard shows (from its snapshot), so the live card can say
    "revised since publication" with one indexed query instead of reading every snapshot."""

    __tablename__ = "scorecard_figures"
    __table_args__ = (
        UniqueConstraint("scorecard_id", "code", "period_end"),
        Index("ix_scorecard_figures_code_period", "code", "period_end"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"))
    code: Mapped[str] = mapped_column(String(CODE))
    period_end: Mapped[date] = mapped_column(Date)
    value: Mapped[float | None] = mapped_column(Float)


class OutboxRow(Base):
    """A message to deliver exactly once (the published scorecard to members' channel, the
    newsletter page, a direct message, a reminder). Written in the same transaction as the step
    that causes it; `idempotency_key` is unique, and a sender claims a row (`pending` ->
    `sending`) before delivering it and marks it `sent` after."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scorecard_id: Mapped[int | None] = mapped_column(ForeignKey("scorecards.id"), index=True)
    # "person:<person id>", "channel:<platform>:<channel id>", "newsletter" (data.outbox).
    destination: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonText())
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Not delivered before this moment (a scorecard's publication time).
    not_before: Mapped[datetime] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # What the destination calls it: a Slack message's ts, the newsletter page's path.
    external_id: Mapped[str | None] = mapped_column(String(500))
    last_error: Mapped[str | None] = mapped_column(Text)


class LeaderLeaseRow(Base):
    """On SQLite, which running copy of the bot runs scheduled work, until when (a lease it
    renews). PostgreSQL uses an advisory lock instead."""

    __tablename__ = "leader_leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
