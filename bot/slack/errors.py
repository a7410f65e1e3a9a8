"""When a Slack listener fails: the one error handler (the member gets a polite message with a
reference, the log gets the detail), and the guard that keeps an acknowledgement bolt would
otherwise lose."""

from __future__ import annotations

import functools
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.context.respond import Respond
from slack_bolt.kwargs_injection import Args
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.services import explain_refusal

log = logging.getLogger("kpibot.slack")

Listener = Callable[[Args], None]


POLITE_ERROR = (
    "Sorry, something went wrong and I could not do that. Please try again in a minute. "
    "If it keeps happening, tell the performance team and quote reference {reference}."
)


def new_reference() -> str:
    """A short reference a member can quote, found in the log beside the detail."""
    return secrets.token_hex(3).upper()


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
        from bot.slack.forms import message_view

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


def keeping_the_ack(listener: Listener) -> Listener:
    """`listener`, its failures after it acknowledged handled here (`on_error`: logged, the
    member told through the response_url) rather than by bolt.

    Bolt's runner, when a listener fails after `ack()`, resets the acknowledgement it is waiting
    for; if that happens before it next looks (every 10 ms) it waits its full three seconds and
    Slack gets a 404 for a request already answered. A failure before the ack is still bolt's,
    so its error handler answers in the acknowledgement.
    """

    @functools.wraps(listener)
    def run(args: Args) -> None:
        try:
            listener(args)
        except Exception as error:
            if args.ack.response is None:
                raise
            on_error(error, args.body, None, args.respond, args.client)

    return run
