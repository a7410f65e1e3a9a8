"""People: one identity across chat platforms, their accounts, and their names.

A person's id is what concerns, roles and the outbox name them by. Someone first seen in Slack
keeps their Slack user id as their id (so the records made before there were other platforms
need no rewriting); someone first seen elsewhere gets "<platform>:<their id there>". An e-mail
address joins accounts: a Teams user whose e-mail is a known person's is that person, and the
roles table may name a person by e-mail, so one line gives a person the same roles on every
platform.

Reading who someone is never writes (a member's question runs in a read-only session); the
platforms `remember` what they learn (an e-mail, a name, how to reach the person unprompted) in
a session of their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from data.schema import AccountRow, ConcernRow, PersonRow, RoleRow

__all__ = [
    "NAME_KEPT_FOR",
    "Account",
    "Person",
    "accounts_of",
    "choose_concern_notices",
    "known_people",
    "names_of",
    "needing_names",
    "person_of",
    "remember",
    "wants_daily_digest",
]

# Where no account row says otherwise, a person id without a platform prefix is a Slack id.
DEFAULT_PLATFORM = "slack"
NEVER = datetime.min.replace(tzinfo=UTC)
# A name looked up in a platform's directory is looked up again after this long.
NAME_KEPT_FOR = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Account:
    """A person's account on one platform, with what reaching them unprompted needs."""

    platform: str
    user_id: str
    reference: Mapping[str, Any]
    seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    email: str | None
    display_name: str | None
    name_checked_at: datetime | None


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def default_person(platform: str, user_id: str) -> str:
    """The person id of an account with no stored person yet (a Slack id is its own)."""
    return user_id if platform == DEFAULT_PLATFORM else f"{platform}:{user_id}"


# Built once: every request asks it, and composing the select costs more than running it.
_PERSON_OF = select(AccountRow.person_id).where(
    AccountRow.platform == bindparam("platform"), AccountRow.user_id == bindparam("user_id")
)


def person_of(session: Session, platform: str, user_id: str) -> str:
    """The id of the person behind `user_id` on `platform` (read only)."""
    return linked_person(session, platform, user_id) or default_person(platform, user_id)


def linked_person(session: Session, platform: str, user_id: str) -> str | None:
    """The person the stored account `user_id` on `platform` belongs to; None when there is no
    such account yet. An account never moves to another person, so this may be kept."""
    # Core, not the ORM: a plain column read, asked on every request.
    linked = session.connection().scalar(_PERSON_OF, {"platform": platform, "user_id": user_id})
    return str(linked) if linked else None


def _by_email(session: Session, email: str) -> PersonRow | None:
    return session.scalar(select(PersonRow).where(func.lower(PersonRow.email) == email.strip().lower()))


def accounts_of(session: Session, person_id: str) -> list[Account]:
    """The person's accounts, most recently seen first; a person with no account row but an id
    without a prefix has their implied Slack account. The roles table may name a person by
    e-mail: then they are whoever has that e-mail."""
    if "@" in person_id:
        owner = _by_email(session, person_id)
        if owner is None:
            return []
        person_id = owner.id
    rows = session.scalars(
        select(AccountRow).where(AccountRow.person_id == person_id)
    ).all()
    accounts = [
        Account(
            row.platform,
            row.user_id,
            json.loads(row.reference) if row.reference else {},
            row.seen_at.replace(tzinfo=UTC) if row.seen_at else None,
        )
        for row in rows
    ]
    implied_slack = ":" not in person_id and "@" not in person_id
    if implied_slack and not any(a.platform == DEFAULT_PLATFORM for a in accounts):
        accounts.append(Account(DEFAULT_PLATFORM, person_id, {}, None))
    return sorted(accounts, key=lambda a: a.seen_at or NEVER, reverse=True)


def remember(
    session: Session,
    platform: str,
    user_id: str,
    *,
    now: datetime,
    email: str | None = None,
    display_name: str | None = None,
    reference: Mapping[str, Any] | None = None,
) -> str:
    """Record what a platform told us about a user (in the caller's transaction); their person
    id. A new account with the e-mail of a known person joins that person."""
    email = email.strip().lower() if email and email.strip() else None
    account = session.get(AccountRow, (platform, user_id))
    if account is None:
        owner = _by_email(session, email) if email else None
        person_id = owner.id if owner is not None else default_person(platform, user_id)
        if session.get(PersonRow, person_id) is None:
            session.add(PersonRow(id=person_id))
            session.flush()  # the person first: the account refers to them
        account = AccountRow(platform=platform, user_id=user_id, person_id=person_id)
        session.add(account)
        session.flush()
    person = session.get(PersonRow, account.person_id)
    assert person is not None  # an account's person exists (foreign key)
    if email and person.email is None:
        taken = session.scalar(select(PersonRow.id).where(func.lower(PersonRow.email) == email))
        if taken is None:
            person.email = email
    if display_name:
        person.display_name = display_name[:200]
        person.name_checked_at = _naive(now)
    if reference is not None:
        account.reference = json.dumps(dict(reference), sort_keys=True)
    account.seen_at = _naive(now)
    session.flush()
    return account.person_id


def needing_names(session: Session, person_ids: Iterable[str], *, now: datetime) -> list[str]:
    """Which of `person_ids` have no name, or one older than NAME_KEPT_FOR (look them up)."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return []
    fresh_since = _naive(now - NAME_KEPT_FOR)
    fresh = set(
        session.scalars(
            select(PersonRow.id).where(
                PersonRow.id.in_(wanted),
                PersonRow.display_name.is_not(None),
                PersonRow.name_checked_at >= fresh_since,
            )
        )
    )
    return [person for person in wanted if person not in fresh]


def known_people(session: Session) -> set[str]:
    """Everyone the store names: people, the roles table's people, concerns' members."""
    found = set(session.scalars(select(PersonRow.id)))
    found.update(session.scalars(select(RoleRow.user)))
    found.update(session.scalars(select(ConcernRow.member)))
    return {person for person in found if person}


def names_of(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    """The display names known for `person_ids` (those with none are left out)."""
    person_ids = set(person_ids)
    if not person_ids:
        return {}
    rows = session.execute(
        select(PersonRow.id, PersonRow.display_name).where(
            PersonRow.id.in_(person_ids), PersonRow.display_name.is_not(None)
        )
    )
    return {person_id: str(name) for person_id, name in rows}


DAILY = "daily"


def wants_daily_digest(session: Session, person_id: str) -> bool:
    """Whether the person chose one daily message about new concerns instead of one each."""
    return session.scalar(select(PersonRow.concern_notices).where(PersonRow.id == person_id)) == DAILY


def choose_concern_notices(session: Session, person_id: str, *, daily: bool) -> None:
    """Keep the person's choice (in the caller's transaction)."""
    person = session.get(PersonRow, person_id)
    if person is None:
        person = PersonRow(id=person_id)
        session.add(person)
    person.concern_notices = DAILY if daily else None
    session.flush()
