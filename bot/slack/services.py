"""What every Slack listener shares: the store, the clock, the messengers, the answer budget,
and how a person's Slack id becomes the platform-neutral request (handlers.reply.Request).

Slack wants an acknowledgement within 3 seconds. A command's answer is computed at once and,
when ready within `ANSWER_BUDGET` seconds (nearly always), goes back in the acknowledgement
itself: one round trip, and it still reaches the member when Slack's Web API is unreachable.
When the store is slow the listener acknowledges empty and answers through the response_url
when ready. Buttons acknowledge first and answer after, as Slack ignores a button ack's body.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any, ClassVar

from slack_bolt.kwargs_injection import Args
from slack_sdk.errors import SlackApiError

from bot.listening import Listening
from bot.messaging import Directory
from bot.names import refresh_names
from data import handled

PLATFORM = "slack"

# Seconds a command may take before it is acknowledged empty and answered later: well inside
# Slack's 3 seconds, leaving room for the network.
ANSWER_BUDGET = 2.0


@dataclass(frozen=True)
class Services(Listening):
    """What the listeners need, passed to them by closure (not by bolt's argument injection)."""

    platform: ClassVar[str] = PLATFORM

    directories: tuple[Directory, ...] = ()
    answer_budget: float = ANSWER_BUDGET
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="kpibot-answer")
    )
    # People whose names this process has asked for (each once; the store keeps them).
    named: set[str] = field(default_factory=set)

    def met(self, person: str) -> None:
        """Someone this process has not met yet has their name looked up, after the answer."""
        if not self.directories or person in self.named:
            return
        self.named.add(person)
        self.executor.submit(refresh_names, self.runtime, self.directories, [person], now=self.clock())

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
