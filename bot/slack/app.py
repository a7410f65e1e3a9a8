"""The bolt `App`: its Web API client, the one error handler, retried events as no-ops, and
each area's listeners (`/kpi`, `/scorecard`, `/concern`, the forms, App Home). What the
listeners share is bot.slack.services."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_bolt import App, BoltResponse
from slack_bolt.kwargs_injection import Args
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.messaging import Messenger
from bot.runtime import Runtime, utc_now
from bot.settings import Settings
from bot.slack.errors import on_error
from bot.slack.services import Services

log = logging.getLogger("kpibot.slack")


SETUP_HELP = "See docs/slack-setup.md for where to find it in your Slack app's settings."


class SlackSetupError(RuntimeError):
    """The Slack settings are incomplete; the message says which one and where to find it."""


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
    messengers: list[Messenger] | None = None,
) -> App:
    """The bolt App with every listener registered. Bolt checks the bot token with auth.test
    at start, so a wrong token fails here, not at a councillor's first question. `messengers`
    is this copy's list of messengers, shared with the other platform's edge; Slack's is added."""
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
    from bot.slack.directory import SlackDirectory
    from bot.slack.messenger import SlackMessenger

    services = Services(
        runtime=runtime,
        messengers=_with(messengers, SlackMessenger(app.client)),
        directories=(SlackDirectory(app.client),),
        clock=clock,
    )
    app.use(_skip_handled_events(services))
    app.error(on_error)

    from bot.slack import concern_workflow, concerns, home, kpi, scorecard, submissions

    for area in (kpi, scorecard, concerns, concern_workflow, submissions, home):
        area.register(app, services)
    return app


def _with(messengers: list[Messenger] | None, own: Messenger) -> list[Messenger]:
    """The copy's shared list of messengers with this platform's added (a new list if none)."""
    shared = messengers if messengers is not None else []
    shared.append(own)
    return shared


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
