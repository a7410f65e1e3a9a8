"""What every Teams listener shares: the store, the clock, the messenger, and how the sender of
an activity becomes a person (data.people.remember: their e-mail, name and how to reach them
unprompted, in its own write session) and a platform-neutral request (handlers.reply.Request).

Every activity says who sent it and how to reach them, but that rarely changes: each process
keeps what it last stored for an account (`Stored`) and writes again only when something
differs or the stored copy is older than `REFRESH` (so the account's last-seen, which routes a
person's messages to the platform they used last, stays within it). A first activity from
someone, or one that changes what is stored, is written before anything is answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from bot.listening import MAX_LINKED_KEPT, Listening
from bot.teams.roster import Member
from data import people
from handlers.kept import keep

PLATFORM = "teams"
# How long what was stored for an account is taken as still stored, unchanged, without writing.
REFRESH = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Stored:
    """What this process last stored for an account, and when."""

    person: str
    email: str | None  # as last given (a lower-cased address), or None if never given
    name: str | None
    reference: Mapping[str, Any]  # as stored: empty values left out
    at: datetime


def _stored_form(reference: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in reference.items() if value}


def _email(email: str | None) -> str | None:
    return email.strip().lower() if email and email.strip() else None


@dataclass(frozen=True)
class Services(Listening):
    platform: ClassVar[str] = PLATFORM

    # Users whose e-mail this process has asked Teams for (each once; the store keeps it).
    asked: set[str] = field(default_factory=set)
    # What this process last stored for each account (by the user's id, at most MAX_LINKED_KEPT),
    # see `remembered`.
    stored: dict[str, Stored] = field(default_factory=dict)

    def remembered(self, user: str, *, email: str | None, name: str | None,
                   reference: Mapping[str, Any]) -> dict[str, Any] | None:
        """The reference `remember` would return, when remembering would store nothing new (what
        this process stored for the account less than REFRESH ago, with the same reference, and
        the same e-mail and name where given): no session is opened. None when it must be
        written. Reads no store, so the loop may call it."""
        last = self.stored.get(user)
        if last is None or not timedelta(0) <= self.clock() - last.at < REFRESH:
            return None
        if (_email(email) or last.email) != last.email or (name[:200] if name else last.name) != last.name:
            return None
        kept = dict(reference)
        if not kept.get("conversation"):
            kept["conversation"] = str(last.reference.get("conversation") or "")
        return kept if _stored_form(kept) == last.reference else None

    def remember(self, user: str, *, email: str | None, name: str | None,
                 reference: Mapping[str, Any]) -> dict[str, Any]:
        """Record who wrote, in its own write session (unless `remembered` says it is stored
        already); the reference now stored. A reference without a 1:1 chat (a channel message)
        keeps the chat remembered before."""
        known = self.remembered(user, email=email, name=name, reference=reference)
        if known is not None:
            return known
        now = self.clock()
        with self.runtime.session() as session:
            kept, person = self._remember(session, user, email=email, name=name, reference=reference, now=now)
        self._keep(user, person, email=email, name=name, kept=kept, now=now)  # once committed
        return kept

    def _remember(self, session: Session, user: str, *, email: str | None, name: str | None,
                  reference: Mapping[str, Any], now: datetime) -> tuple[dict[str, Any], str]:
        """Store it in `session`: the reference kept, and the person."""
        kept = dict(reference)
        if not kept.get("conversation"):
            kept["conversation"] = self._known_chat(session, user)
        person = people.remember(session, PLATFORM, user, now=now, email=email, display_name=name,
                                 reference=_stored_form(kept))
        return kept, person

    def _keep(self, user: str, person: str, *, email: str | None, name: str | None,
              kept: Mapping[str, Any], now: datetime) -> None:
        """What was just stored for the account (call once committed), for `remembered`."""
        last = self.stored.get(user)
        stored = Stored(
            person=person,
            email=_email(email) or (last.email if last else None),
            name=name[:200] if name else (last.name if last else None),
            reference=_stored_form(kept),
            at=now,
        )
        keep(self.stored, user, stored, limit=MAX_LINKED_KEPT)

    def remember_all(self, members: Iterable[Member]) -> None:
        """Record a page of a team's roster (bot.teams.roster) in one write session; what this
        process kept for those accounts is forgotten (the next activity from one stores it)."""
        members = list(members)
        now = self.clock()
        with self.runtime.session() as session:
            for member in members:
                self._remember(session, member.user, email=member.email, name=member.name,
                               reference=member.reference, now=now)
        for member in members:
            self.stored.pop(member.user, None)

    def person(self, session: Session, user: str) -> str:
        """The person behind the account: known without asking the store once this process has
        stored the account (an account never changes person)."""
        last = self.stored.get(user)
        return last.person if last is not None else super().person(session, user)

    @staticmethod
    def _known_chat(session: Session, user: str) -> str:
        person = people.person_of(session, PLATFORM, user)
        for account in people.accounts_of(session, person):
            if account.platform == PLATFORM and account.user_id == user:
                return str(account.reference.get("conversation") or "")
        return ""
