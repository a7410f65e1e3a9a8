"""What every Slack listener shares: the store, the clock, the messengers, the answer budget,
and how a person's Slack id becomes the platform-neutral request (handlers.reply.Request).

Slack wants an acknowledgement within 3 seconds. A command's answer is computed at once and,
when ready within `ANSWER_BUDGET` seconds (nearly always), goes back in the acknowledgement
itself: one round trip, and it still reaches the member when Slack's Web API is unreachable.
When the store is slow the listener acknowledges empty and answers through the response_url
when ready. Buttons acknowledge first and answer after, as Slack ignores a button ack's body.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_bolt.kwargs_injection import Args
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.messaging import Directory, Messenger
from bot.names import refresh_names
from bot.publisher import deliver_now
from bot.runtime import Runtime, utc_now, viewer_for
from bot.settings import Settings, policy_for, publication_for
from data import handled, people
from handlers.approval import Publication
from handlers.concern_steps import Policy
from handlers.reply import Reply, Request

PLATFORM = "slack"

# Seconds a command may take before it is acknowledged empty and answered later: well inside
# Slack's 3 seconds, leaving room for the network.
ANSWER_BUDGET = 2.0


@dataclass(frozen=True)
class Services:
    """What the listeners need, passed to them by closure (not by bolt's argument injection)."""

    runtime: Runtime
    # This copy's messengers, every platform's (shared with the other platform's listeners when
    # one copy serves both), so a step's messages go at once wherever their people are.
    messengers: Sequence[Messenger] = ()
    directories: tuple[Directory, ...] = ()
    clock: Callable[[], datetime] = utc_now
    answer_budget: float = ANSWER_BUDGET
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="kpibot-answer")
    )
    # People whose names this process has asked for (each once; the store keeps them).
    met: set[str] = field(default_factory=set)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def publication(self) -> Publication:
        return publication_for(self.settings)

    @property
    def policy(self) -> Policy:
        return policy_for(self.settings)

    def request(self, session: Session, user: str, text: str) -> Request:
        """The platform-neutral request: the member's words, who they are (the person behind the
        Slack user, and their roles), and now. Someone this process has not met yet has their
        name looked up, after the answer (bot.names)."""
        person = people.person_of(session, PLATFORM, user)
        self._meet(person)
        return Request(
            text=text,
            viewer=viewer_for(session, person),
            now=self.clock(),
            suppress_below=self.settings.suppress_below,
        )

    def _meet(self, person: str) -> None:
        if not self.directories or person in self.met:
            return
        self.met.add(person)
        self.executor.submit(refresh_names, self.runtime, self.directories, [person], now=self.clock())

    def asker(self, user: str) -> Callable[[Session, str], Request]:
        """Who is asking, for a handler that opens its own sessions (handlers.submissions)."""
        return lambda session, text: self.request(session, user, text)

    def deliver_now(self, keys: Collection[str]) -> None:
        """A step's messages, straight after its commit (the scheduler's round if this fails)."""
        if keys:
            deliver_now(self.runtime, self.messengers, keys, now=self.clock())

    def reply_to(self, user: str, text: str, handler: Callable[[Request, Session], Reply]) -> Reply:
        """Run a handler in one session (committed if it ends well)."""
        with self.runtime.session() as session:
            return handler(self.request(session, user, text), session)

    def answer(self, user: str, text: str, handler: Callable[[Request, Session], Reply]) -> Reply:
        """Run a handler that only reads (a member's question) in a reading session."""
        with self.runtime.reading() as session:
            return handler(self.request(session, user, text), session)

    def first_time(self, key: str) -> bool:
        with self.runtime.session() as session:
            return handled.first_time(session, key, self.clock())

    def answer_soon(
        self,
        args: Args,
        work: Callable[[], dict[str, Any]],
        late: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """Acknowledge with what `work` returns if it is ready within the budget; otherwise
        acknowledge empty now and hand the answer to `late` (default: the response_url).

        An exception from `work` propagates: before the ack, the error handler answers in the
        acknowledgement; after it, through the response_url.
        """
        future = self.executor.submit(work)
        try:
            message = future.result(timeout=self.answer_budget)
        except FutureTimeout:
            args.ack()
            message = future.result()
            if late is not None:
                late(message)
            elif message:
                args.respond(**message)
            return
        args.ack(**message)



def explain_refusal(error: SlackApiError) -> str | None:
    """Slack's refusals a member can fix, in their words; None for our own faults."""
    code = str(error.response.get("error", "")) if error.response is not None else ""
    if code in {"not_in_channel", "channel_not_found"}:
        return (
            "I cannot post in this conversation. Invite me first (type /invite @kpibot here), "
            "or use me in a public channel or a direct message."
        )
    if code == "is_archived":
        return "This channel is archived, so nothing can be posted in it."
    return None




def user_of(args: Args) -> str:
    """Who pressed, submitted or typed (a Slack user id)."""
    return str(args.context.user_id or "")


def value_of(args: Args) -> str:
    """A pressed button's value."""
    return str((args.action or {}).get("value", ""))


def channel_of(args: Args) -> str:
    """Where a button was pressed or a command typed."""
    channel = args.body.get("channel") or {}
    return (
        str(args.context.channel_id or "")
        or str(channel.get("id", ""))
        or str((args.body.get("container") or {}).get("channel_id", ""))
    )


def message_ts_of(args: Args) -> str:
    """The message a button was pressed on."""
    return str((args.body.get("container") or {}).get("message_ts", ""))


def is_private(args: Args) -> bool:
    """Whether a button was pressed on a message only the presser sees (ephemeral)."""
    return bool((args.body.get("container") or {}).get("is_ephemeral", True))
