"""What every Teams listener shares: the store, the clock, the messenger, and how the sender of
an activity becomes a person (data.people.remember: their e-mail, name and how to reach them
unprompted, in its own write session) and a platform-neutral request (handlers.reply.Request).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from bot.listening import Listening
from bot.teams.roster import Member
from data import people

PLATFORM = "teams"


@dataclass(frozen=True)
class Services(Listening):
    platform: ClassVar[str] = PLATFORM

    # Users whose e-mail this process has asked Teams for (each once; the store keeps it).
    asked: set[str] = field(default_factory=set)

    def remember(self, user: str, *, email: str | None, name: str | None,
                 reference: Mapping[str, Any]) -> dict[str, Any]:
        """Record who wrote, in its own write session; the reference now stored. A reference
        without a 1:1 chat (a channel message) keeps the chat remembered before."""
        with self.runtime.session() as session:
            return self._remember(session, user, email=email, name=name, reference=reference)

    def remember_all(self, members: Iterable[Member]) -> None:
        """Record a page of a team's roster (bot.teams.roster) in one write session."""
        with self.runtime.session() as session:
            for member in members:
                self._remember(session, member.user, email=member.email, name=member.name,
                               reference=member.reference)

    def _remember(self, session: Session, user: str, *, email: str | None, name: str | None,
                  reference: Mapping[str, Any]) -> dict[str, Any]:
        kept = dict(reference)
        if not kept.get("conversation"):
            kept["conversation"] = self._known_chat(session, user)
        people.remember(session, PLATFORM, user, now=self.clock(), email=email, display_name=name,
                        reference={key: value for key, value in kept.items() if value})
        return kept

    @staticmethod
    def _known_chat(session: Session, user: str) -> str:
        person = people.person_of(session, PLATFORM, user)
        for account in people.accounts_of(session, person):
            if account.platform == PLATFORM and account.user_id == user:
                return str(account.reference.get("conversation") or "")
        return ""
