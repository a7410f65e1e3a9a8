"""Slack's side of the outbox (bot.messaging.Messenger): posting, and finding an earlier post.

Every message carries its outbox key in Slack message metadata, so after a crash between
Slack taking a message and the store recording it, the next sender reads the conversation's
history and finds it instead of posting again.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from slack_sdk.errors import SlackApiError

from bot.messaging import Address, Outgoing
from bot.slack import render

log = logging.getLogger("kpibot.slack.messenger")

__all__ = ["KEY_EVENT", "SlackMessenger"]

# The Slack message metadata event type that carries a message's outbox key.
KEY_EVENT = "kpibot_scorecard_published"
HISTORY_PAGES = 5
# How long to wait, at most, for Slack to finish processing an uploaded picture before the
# message showing it is accepted (Slack processes uploads asynchronously and refuses
# "invalid slack file" until then).
FILE_READY_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0)


@dataclass
class SlackMessenger:
    """Posts with slack_sdk's WebClient (retrying 429s and 5xx, see bot.slack.app.web_client).

    A message carries its key in Slack message metadata (`event_type` kpibot_scorecard_published,
    `event_payload` {"key": ...}); `find` reads the conversation's history with
    include_all_metadata to see it. Reading a channel's history needs the bot to be a member, so
    the bot joins a public channel before it first reads or posts there (`channels:join`;
    chat:write.public alone would let it post but not look back). A picture is uploaded first
    (files_upload_v2, not shared to any channel) and shown by an image block in the one message,
    so the post is a single message: either it is there, with its key, or it is not. Every piece
    of text is escaped by bot.slack.render, in one place.
    """

    platform: ClassVar[str] = "slack"

    client: Any
    wait: Callable[[float], None] = clock.sleep
    _dm_channels: dict[str, str] = field(default_factory=dict)
    _joined: set[str] = field(default_factory=set)

    def _channel(self, to: Address) -> str:
        if to.kind == "person":
            if to.id not in self._dm_channels:
                opened = self.client.conversations_open(users=to.id)
                self._dm_channels[to.id] = str(opened["channel"]["id"])
            return self._dm_channels[to.id]
        self._join(to.id)
        return to.id

    def _join(self, channel: str) -> None:
        if channel in self._joined:
            return
        try:
            self.client.conversations_join(channel=channel)
        except SlackApiError as refused:
            # A private channel cannot be joined (the bot must be invited: docs/slack-setup.md);
            # an app installed before it asked for channels:join lacks the scope. Either way the
            # post itself says whether the bot may write there.
            log.warning("could not join %s (%s): invite the bot to the channel", channel,
                        _error_code(refused))
        self._joined.add(channel)

    def find(self, to: Address, key: str, *, since: datetime) -> str | None:
        channel = self._channel(to)
        cursor: str | None = None
        for _page in range(HISTORY_PAGES):
            try:
                response = self.client.conversations_history(
                    channel=channel,
                    oldest=f"{since.timestamp():.6f}",
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
            except SlackApiError as refused:
                if _error_code(refused) != "not_in_channel":
                    raise
                # The bot may not read here (a public channel it could not join): it cannot look
                # back, so it sends. A duplicate is possible only if an earlier copy died in the
                # instant between Slack taking the message and the store recording it; never
                # sending would lose the message for good.
                log.warning("cannot read %s's history to look for %s (not_in_channel): sending; add the "
                            "channels:join scope or invite the bot", channel, key)
                return None
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == KEY_EVENT and payload.get("key") == key:
                    return str(message.get("ts", "found"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    def send(self, to: Address, message: Outgoing, *, key: str) -> str:
        channel = self._channel(to)
        # The reply drawn with its buttons, or the plain text as sections; `text` is the
        # notification's (and a screen reader's) version.
        text, image = message.text, message.image
        blocks = _blocks(message)
        if image is not None:
            uploaded = self.client.files_upload_v2(
                content=image.png, filename=image.filename, title=image.title, alt_txt=image.alt_text[:1000]
            )
            file_id = (uploaded.get("file") or {}).get("id") or uploaded["files"][0]["id"]
            blocks.append(render.image_block(file_id, title=image.title, alt_text=image.alt_text))
        return self._post(channel, render.notification(text), blocks, key=key, picture=image is not None)

    def update(self, to: Address, message_id: str, message: Outgoing, *, key: str) -> str:
        """chat.update on the conversation and ts the message was posted with."""
        channel = self._channel(to)
        self.client.chat_update(
            channel=channel,
            ts=message_id,
            text=render.notification(message.text),
            blocks=_blocks(message),
            metadata={"event_type": KEY_EVENT, "event_payload": {"key": key}},
        )
        return message_id

    def _post(self, channel: str, text: str, blocks: list[dict[str, Any]], *, key: str, picture: bool) -> str:
        for pause in (*FILE_READY_WAITS, None):
            try:
                posted = self.client.chat_postMessage(
                    channel=channel,
                    text=text,
                    blocks=blocks,
                    metadata={"event_type": KEY_EVENT, "event_payload": {"key": key}},
                    unfurl_links=False,
                    unfurl_media=False,
                )
                return str(posted["ts"])
            except SlackApiError as refused:
                if not picture or pause is None or not _file_not_ready(refused):
                    raise
                log.info("Slack is still processing the picture for %s; waiting %.1f s", key, pause)
                self.wait(pause)
        raise AssertionError("unreachable")


def _error_code(error: Any) -> str:
    response = getattr(error, "response", None)
    return str(response.get("error", "")) if response is not None else ""


def _file_not_ready(error: Any) -> bool:
    """Slack's refusal of an image block whose uploaded file it has not finished processing."""
    if _error_code(error) != "invalid_blocks":
        return False
    details = " ".join(str(item) for item in (error.response.get("errors") or []))
    return "slack_file" in details or "invalid slack file" in details


def _blocks(message: Outgoing) -> list[dict[str, Any]]:
    """The reply drawn with its buttons, or the plain text as sections."""
    drawn = render.message(message.reply) if message.reply is not None else render.plain_message(message.text)
    return list(drawn["blocks"])
