"""The bolt `App`: its Web API client, the one error handler, retried events as no-ops, and
each area's listeners (`/kpi`, `/scorecard`, `/concern`, App Home).

Slack wants an acknowledgement within 3 seconds. A command's answer is computed at once and,
when ready within `ANSWER_BUDGET` seconds (nearly always), goes back in the acknowledgement
itself: one round trip, and it still reaches the member when Slack's Web API is unreachable.
When the store is slow the listener acknowledges empty and answers through the response_url
when ready. Buttons acknowledge first and answer after, as Slack ignores a button ack's body.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.context.respond import Respond
from slack_bolt.kwargs_injection import Args
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from sqlalchemy.orm import Session

from bot.runtime import Runtime, utc_now, viewer_for
from bot.settings import Settings
from data import handled
from handlers.reply import Reply, Request
from scorecard.model import Role, Viewer

log = logging.getLogger("kpibot.slack")

# Seconds a command may take before it is acknowledged empty and answered later: well inside
# Slack's 3 seconds, leaving room for the network.
ANSWER_BUDGET = 2.0

SETUP_HELP = "See docs/slack-setup.md for where to find it in your Slack app's settings."


class SlackSetupError(RuntimeError):
    """The Slack settings are incomplete; the message says which one and where to find it."""


@dataclass(frozen=True)
class Services:
    """What the listeners need, passed to them by closure (not by bolt's argument injection)."""

    runtime: Runtime
    clock: Callable[[], datetime] = utc_now
    answer_budget: float = ANSWER_BUDGET
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="kpibot-answer")
    )

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    def request(self, session: Session, user: str, text: str) -> Request:
        """The platform-neutral request: the member's words, who they are (roles), and now."""
        return Request(
            text=text,
            viewer=viewer_for(session, user),
            now=self.clock(),
            suppress_below=self.settings.suppress_below,
        )

    def public_request(self, user: str, text: str = "") -> Request:
        """A request as any member makes it: what is posted in a channel for everyone to read
        must never carry figures only staff may see (embargoed ones), whoever pressed Share."""
        return Request(
            text=text,
            viewer=Viewer(user=user, roles=frozenset({Role.MEMBER})),
            now=self.clock(),
            suppress_below=self.settings.suppress_below,
        )

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


def web_client(settings: Settings) -> WebClient:
    """The Web API client: Slack's rate limits (429, waiting Retry-After) and its passing
    server errors (5xx) are retried, and a refused connection once, soon: a form's trigger
    lasts 3 seconds, and slack_sdk's default back-off (up to 1.5 s) would use most of it."""
    return WebClient(
        token=settings.slack_bot_token or None,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(
                max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.2)
            ),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def check_settings(settings: Settings, *, socket_mode: bool) -> None:
    """Refuse to start without the tokens Slack needs, saying which and where to find them."""
    missing = []
    if not settings.slack_bot_token:
        missing.append("SLACK_BOT_TOKEN (the Bot User OAuth Token, xoxb-..., on OAuth & Permissions)")
    if socket_mode and not settings.slack_app_token:
        missing.append("SLACK_APP_TOKEN (an app-level token, xapp-..., with connections:write)")
    if not socket_mode and not settings.slack_signing_secret:
        missing.append("SLACK_SIGNING_SECRET (the Signing Secret, on Basic Information)")
    if missing:
        raise SlackSetupError(f"Slack is not set up: set {' and '.join(missing)}. {SETUP_HELP}")


def create_app(
    settings: Settings,
    runtime: Runtime,
    *,
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utc_now,
    socket_mode: bool = False,
) -> App:
    """The bolt App with every listener registered. Bolt checks the bot token with auth.test
    at start, so a wrong token fails here, not at a councillor's first question."""
    check_settings(settings, socket_mode=socket_mode)
    bolt_log = logging.getLogger("kpibot.slack.bolt")
    # Bolt puts request bodies in some of its messages (an unhandled request, a bad signature,
    # at INFO and WARNING); a body is never logged, so only its errors are kept. The front door
    # (bot.slack.server) logs what happened to a request without its body.
    bolt_log.setLevel(logging.ERROR)
    app = App(
        client=client or web_client(settings),
        signing_secret=settings.slack_signing_secret or None,
        request_verification_enabled=not socket_mode,
        process_before_response=False,
        logger=bolt_log,
    )
    services = Services(runtime=runtime, clock=clock)
    app.use(_skip_handled_events(services))
    app.error(on_error)

    from bot.slack import concern_workflow, concerns, home, kpi, scorecard

    for area in (kpi, scorecard, concerns, concern_workflow, home):
        area.register(app, services)
    return app


def _skip_handled_events(services: Services) -> Callable[..., BoltResponse | None]:
    """Slack retries an event it thinks we missed (X-Slack-Retry-Num): the event id is recorded
    on first sight, so a retry is acknowledged and nothing runs twice."""

    def skip_handled_events(args: Args) -> BoltResponse | None:
        body = args.body
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not services.first_time(f"slack-event:{event_id}"):
            log.info("Slack sent event %s again: already handled, nothing to do", event_id)
            return BoltResponse(status=200, body="")
        args.next()
        return None

    return skip_handled_events


POLITE_ERROR = (
    "Sorry, something went wrong and I could not do that. Please try again in a minute. "
    "If it keeps happening, tell the performance team and quote reference {reference}."
)


def new_reference() -> str:
    """A short reference a member can quote, found in the log beside the detail."""
    return secrets.token_hex(3).upper()


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


def on_error(
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    respond: Respond | None,
    client: WebClient,
) -> BoltResponse | None:
    """The one error handler: the detail goes to the log with a reference, and the member gets
    a polite message quoting it: in the acknowledgement if there has been none yet, else
    through the response_url (or a direct message after a form)."""
    from bot.slack import render

    reference = new_reference()
    kind = body.get("type") or ("slash_command" if "command" in body else "request")
    user = _user_of(body)
    log.error("Slack %s from %s failed [ref %s]: %r", kind, user, reference, error, exc_info=error)
    text = POLITE_ERROR.format(reference=reference)
    if isinstance(error, SlackApiError):
        text = explain_refusal(error) or text
    if response is not None and kind == "view_submission":
        from bot.slack.concerns import message_view

        return _json_response({"response_action": "update", "view": message_view("Sorry", text)})
    if response is not None and kind != "block_actions":
        return _json_response({"response_type": "ephemeral", "text": text})
    try:
        if respond is not None:
            respond(text=render.notification(text), response_type="ephemeral", replace_original=False)
        elif user and kind == "view_submission":
            client.chat_postMessage(channel=user, text=render.notification(text))
    except Exception as unreachable:  # Slack itself may be what failed
        log.warning("Could not tell %s about [ref %s] either: %r", user, reference, unreachable)
    # A button's acknowledgement carries nothing: the member was told through the response_url.
    return BoltResponse(status=200, body="") if response is not None else None


def _json_response(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=200,
        body=json.dumps(payload),
        headers={"content-type": "application/json;charset=utf-8"},
    )


def _user_of(body: dict[str, Any]) -> str:
    user = body.get("user_id") or body.get("user") or body.get("event", {}).get("user") or ""
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str(user)
