"""What every Teams listener shares: the store, the clock, the messenger, and how the sender of
an activity becomes a person (data.people.remember: their e-mail, name and how to reach them
unprompted, in its own write session) and a platform-neutral request (handlers.reply.Request).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.messaging import Messenger
from bot.publisher import deliver_now
from bot.runtime import Runtime, utc_now, viewer_for
from bot.settings import Settings, policy_for, publication_for
from data import people
from handlers.approval import Publication
from handlers.concern_steps import Policy
from handlers.reply import Reply, Request

PLATFORM = "teams"


@dataclass(frozen=True)
class Services:
    runtime: Runtime
    # This copy's messengers, every platform's (shared with the other platform's listeners when
    # one copy serves both), so a step's messages go at once wherever their people are.
    messengers: Sequence[Messenger] = ()
    clock: Callable[[], datetime] = utc_now
    # Users whose e-mail this process has asked Teams for (each once; the store keeps it).
    asked: set[str] = field(default_factory=set)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def publication(self) -> Publication:
        return publication_for(self.settings)

    @property
    def policy(self) -> Policy:
        return policy_for(self.settings)

    def remember(self, user: str, *, email: str | None, name: str | None,
                 reference: Mapping[str, Any]) -> dict[str, Any]:
        """Record who wrote, in its own write session; the reference now stored. A reference
        without a 1:1 chat (a channel message) keeps the chat remembered before."""
        with self.runtime.session() as session:
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

    def request(self, session: Session, user: str, text: str) -> Request:
        person = people.person_of(session, PLATFORM, user)
        return Request(text=text, viewer=viewer_for(session, person), now=self.clock(),
                       suppress_below=self.settings.suppress_below)

    def asker(self, user: str) -> Callable[[Session, str], Request]:
        return lambda session, text: self.request(session, user, text)

    def reply_to(self, user: str, text: str, handler: Callable[[Request, Session], Reply]) -> Reply:
        with self.runtime.session() as session:
            return handler(self.request(session, user, text), session)

    def answer(self, user: str, text: str, handler: Callable[[Request, Session], Reply]) -> Reply:
        with self.runtime.reading() as session:
            return handler(self.request(session, user, text), session)

    def deliver_now(self, keys: Collection[str]) -> None:
        if keys:
            deliver_now(self.runtime, self.messengers, keys, now=self.clock())
