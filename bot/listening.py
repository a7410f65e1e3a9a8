"""What every platform's listeners share (bot/slack/services.py and bot/teams/services.py build
on it): the store, the clock, this copy's messengers, and how a platform's user becomes the
platform-neutral request (handlers.reply.Request) a handler takes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from sqlalchemy.orm import Session

from bot.messaging import Messenger
from bot.publisher import deliver_now
from bot.runtime import Runtime, utc_now, viewer_for
from bot.settings import Settings, policy_for, publication_for
from data import people
from handlers.approval import Publication
from handlers.concern_steps import Policy
from handlers.kept import keep
from handlers.reply import Reply, Request

__all__ = ["MAX_LINKED_KEPT", "Listening"]

MAX_LINKED_KEPT = 10_000


@dataclass(frozen=True)
class Listening:
    platform: ClassVar[str]

    runtime: Runtime
    # This copy's messengers, every platform's (shared with the other platform's listeners when
    # one copy serves both), so a step's messages go at once wherever their people are.
    messengers: Sequence[Messenger] = ()
    clock: Callable[[], datetime] = utc_now
    # The person behind each account this process has found stored (see `person`).
    linked: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def publication(self) -> Publication:
        return publication_for(self.settings)

    @property
    def policy(self) -> Policy:
        return policy_for(self.settings)

    def met(self, person: str) -> None:
        """A platform's hook for someone asking (Slack looks their name up); nothing by default."""

    def person(self, session: Session, user: str) -> str:
        """The person behind the platform's user. Once their account is stored it is read once
        per process (an account never moves to another person); a user without one is not
        kept, as they may yet be joined to someone by e-mail."""
        known = self.linked.get(user)
        if known is not None:
            return known
        linked = people.linked_person(session, self.platform, user)
        if linked is None:
            return people.default_person(self.platform, user)
        keep(self.linked, user, linked, limit=MAX_LINKED_KEPT)
        return linked

    def request(self, session: Session, user: str, text: str) -> Request:
        """The request: the words, who asks (the person behind the platform's user, and their
        roles), and now."""
        person = self.person(session, user)
        self.met(person)
        return Request(text=text, viewer=viewer_for(session, person), now=self.clock(),
                       suppress_below=self.settings.suppress_below)

    def asker(self, user: str) -> Callable[[Session, str], Request]:
        """Who is asking, for a handler that opens its own sessions (handlers.submissions)."""
        return lambda session, text: self.request(session, user, text)

    def reply_to(self, user: str, text: str, handler: Callable[[Request, Session], Reply]) -> Reply:
        """Run a handler in one session (committed if it ends well)."""
        with self.runtime.session() as session:
            return handler(self.request(session, user, text), session)

    def answer(self, user: str, text: str, handler: Callable[[Request, Session], Reply]) -> Reply:
        """Run a handler that only reads (a member's question) in a reading session."""
        with self.runtime.reading() as session:
            return handler(self.request(session, user, text), session)

    def deliver_now(self, keys: Collection[str]) -> None:
        """A step's messages, straight after its commit (the scheduler's round if this fails)."""
        if keys:
            deliver_now(self.runtime, self.messengers, keys, now=self.clock())
