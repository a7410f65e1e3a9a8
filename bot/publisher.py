"""Publishing approved scorecards and delivering the outbox, exactly once.

`run_publication` is one tick of the clock: publish every approved scorecard whose time has
come (handlers.approval.publish_due), then deliver the due outbox messages. Delivery claims
each message first (committed), sends it, then marks it sent. A copy that crashes after
sending but before marking sent leaves a stale claim; whoever takes the message over first
asks the destination whether it already has a message carrying the key (Slack: the channel's
history, where each of our messages carries its key in its metadata) and marks it sent
without sending again. A message's first attempt skips the look-up: no one can have sent it
before its first claim, so a step's direct messages go at once (`deliver_now`, straight after
the step's commit) at the cost of one Slack call.

A message to a person may carry a platform-neutral description of a reply (handlers.outgoing:
heading, summary, facts, table, notes and buttons); Slack draws it with its buttons
(bot.slack.render), the terminal prints its text.

Where messages go is a `Messenger`: Slack (`SlackMessenger`, the real WebClient, which tests
point at a local stub) or the terminal (`ConsoleMessenger`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol, TextIO

from platformdirs import user_data_dir
from sqlalchemy.engine import make_url

from bot.runtime import Runtime
from bot.settings import Settings
from data import outbox, scorecards
from data.outbox import OutboxItem
from handlers.approval import NEWSLETTER, SUMMARY_EVENT, Publication, page_name, publish_due
from handlers.outgoing import reply_of
from handlers.reply import Reply

log = logging.getLogger("kpibot.publisher")

__all__ = [
    "ConsoleMessenger",
    "Image",
    "Messenger",
    "PublicationReport",
    "SlackMessenger",
    "deliver_due",
    "deliver_now",
    "messenger_for",
    "newsletter_path",
    "pages_dir",
    "publication_for",
    "run_publication",
]

# How far back before a message was queued to look for it at the destination.
HISTORY_MARGIN = timedelta(minutes=5)
HISTORY_PAGES = 5


@dataclass(frozen=True, slots=True)
class Image:
    """A picture to go with a message: PNG bytes, a file name, a title and alt text."""

    png: bytes
    filename: str
    title: str
    alt_text: str


class Messenger(Protocol):
    """Where messages go. `destination` is "slack:C0123" (a channel) or "dm:U0123" (a person)."""

    def find(self, destination: str, key: str, *, since: datetime) -> str | None:
        """The id of a message already sent there carrying `key` (since `since`), if any."""
        ...

    def send(
        self, destination: str, text: str, *, key: str, image: Image | None = None, reply: Reply | None = None
    ) -> str:
        """Send, carrying `key` so that `find` can see it later; the message's id. `reply`, when
        given, is the message drawn in full (with its buttons); `text` is it in plain words."""
        ...


@dataclass
class ConsoleMessenger:
    """Prints what would be posted; it cannot look back, so `find` never finds."""

    out: TextIO | None = None
    sent: int = 0

    def find(self, destination: str, key: str, *, since: datetime) -> str | None:
        return None

    def send(
        self, destination: str, text: str, *, key: str, image: Image | None = None, reply: Reply | None = None
    ) -> str:
        import sys

        out = self.out or sys.stdout
        self.sent += 1
        picture = f"\n[picture: {image.title}, {len(image.png):,} bytes]" if image is not None else ""
        out.write(f"--- to {destination} ---\n{text}{picture}\n")
        out.flush()
        return f"console:{self.sent}"


def _mrkdwn_escape(text: str) -> str:
    # Slack's three control characters; our texts carry no links written as <url|text>.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class SlackMessenger:
    """Posts with slack_sdk's WebClient (retrying 429s and 5xx, see bot.slack.app.web_client).

    A message carries its key in Slack message metadata (`event_type` kpibot_scorecard_published,
    `event_payload` {"key": ...}); `find` reads the conversation's history with
    include_all_metadata to see it. A picture is uploaded first (files_upload_v2, not shared to
    any channel) and shown by an image block in the one message, so the post is a single
    message: either it is there, with its key, or it is not.
    """

    client: Any
    _dm_channels: dict[str, str] = field(default_factory=dict)

    def _channel(self, destination: str) -> str:
        kind, _, address = destination.partition(":")
        if kind == "dm":
            if address not in self._dm_channels:
                opened = self.client.conversations_open(users=address)
                self._dm_channels[address] = str(opened["channel"]["id"])
            return self._dm_channels[address]
        if kind == "slack":
            return address
        raise ValueError(f"not a Slack destination: {destination}")

    def find(self, destination: str, key: str, *, since: datetime) -> str | None:
        channel = self._channel(destination)
        cursor: str | None = None
        for _page in range(HISTORY_PAGES):
            response = self.client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == SUMMARY_EVENT and payload.get("key") == key:
                    return str(message.get("ts", "found"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    def send(
        self, destination: str, text: str, *, key: str, image: Image | None = None, reply: Reply | None = None
    ) -> str:
        channel = self._channel(destination)
        if reply is not None:
            from bot.slack import render

            # The reply drawn with its buttons; the plain text is the notification's.
            posted = self.client.chat_postMessage(
                channel=channel,
                text=render.escaped(text, render.MAX_FALLBACK),
                blocks=render.message(reply)["blocks"],
                metadata={"event_type": SUMMARY_EVENT, "event_payload": {"key": key}},
                unfurl_links=False,
                unfurl_media=False,
            )
            return str(posted["ts"])
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": _mrkdwn_escape(text)[:3000]}}
        ]
        if image is not None:
            uploaded = self.client.files_upload_v2(
                content=image.png, filename=image.filename, title=image.title, alt_txt=image.alt_text[:1000]
            )
            file_id = (uploaded.get("file") or {}).get("id") or uploaded["files"][0]["id"]
            blocks.append(
                {
                    "type": "image",
                    "slack_file": {"id": file_id},
                    "alt_text": image.alt_text[:2000],
                    "title": {"type": "plain_text", "text": image.title[:2000]},
                }
            )
        posted = self.client.chat_postMessage(
            channel=channel,
            text=text[:3000],
            blocks=blocks,
            metadata={"event_type": SUMMARY_EVENT, "event_payload": {"key": key}},
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(posted["ts"])


def messenger_for(settings: Settings) -> Messenger:
    """Slack when a bot token is set, else the terminal."""
    if settings.slack_bot_token:
        from bot.slack.app import web_client

        return SlackMessenger(web_client(settings))
    return ConsoleMessenger()


def publication_for(settings: Settings) -> Publication:
    """The members' destination, page links and publication time from the settings."""
    hours, _, minutes = settings.publish_time.partition(":")
    members = settings.slack_members_channel or "#members"
    return Publication(
        members=f"slack:{members}",
        page_base_url=settings.public_base_url,
        publish_time=time(int(hours), int(minutes or 0)),
        timezone=settings.timezone,
    )


def pages_dir(settings: Settings) -> Path:
    """Where newsletter pages are written: the setting, else `scorecards` beside a SQLite
    store, else the user data folder."""
    if settings.scorecards_dir:
        return Path(settings.scorecards_dir)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).expanduser().resolve().parent / "scorecards"
    return Path(user_data_dir("kpibot", appauthor=False)) / "scorecards"


def newsletter_path(settings: Settings, quarter: str) -> Path:
    """The published newsletter page of `quarter` ("2024/25 Q2" -> .../scorecards/2024-25-Q2.html);
    `kpibot serve` serves the folder at /scorecards/."""
    return pages_dir(settings) / page_name(quarter)


@dataclass
class PublicationReport:
    published: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(temporary, path)


def _frozen(runtime: Runtime, item: OutboxItem) -> Any:
    from scorecard.quarterly import scorecard_from_snapshot

    assert item.message.scorecard_id is not None
    with runtime.session() as session:
        data = scorecards.snapshot_of(session, item.message.scorecard_id)
    if data is None:
        raise RuntimeError(f"scorecard {item.message.scorecard_id} has no snapshot")
    return scorecard_from_snapshot(data)


def _deliver(runtime: Runtime, messenger: Messenger, item: OutboxItem, pages: Path) -> tuple[str, bool]:
    """Deliver one message; (its id at the destination, whether it was found already there)."""
    message = item.message
    if message.destination == NEWSLETTER:
        from scorecard.newsletter import newsletter_html

        path = pages / str(message.payload["page"])
        # Writing the same page again is harmless, so a crash here needs no look-up.
        _write_atomically(path, newsletter_html(_frozen(runtime, item)))
        return str(path), False
    if item.attempts > 1:
        # Claimed before (a sender that died or failed, perhaps after Slack took the message):
        # look for it first. A first claim cannot follow a send, so it needs no look-up.
        since = item.created_at - HISTORY_MARGIN
        already = messenger.find(message.destination, message.idempotency_key, since=since)
        if already is not None:
            return already, True
    image = None
    if message.kind == "scorecard_summary":
        from scorecard.charts import scorecard_image

        card = _frozen(runtime, item)
        image = Image(
            png=scorecard_image(card),
            filename=f"scorecard-{page_name(card.quarter_label).removesuffix('.html')}.png",
            title=f"Children's services scorecard, {card.quarter_label}",
            alt_text=f"The {card.quarter_label} scorecard. Summary: {card.summary.text}.",
        )
    reply = reply_of(message.payload)
    text = str(message.payload["text"])
    if reply is None:
        sent = messenger.send(message.destination, text, key=message.idempotency_key, image=image)
    else:
        sent = messenger.send(
            message.destination, text, key=message.idempotency_key, image=image, reply=reply
        )
    return sent, False


def deliver_due(
    runtime: Runtime,
    messenger: Messenger,
    *,
    now: datetime,
    holder: str,
    pages: Path,
    after_send: Callable[[OutboxItem], None] | None = None,
    report: PublicationReport | None = None,
    keys: Collection[str] | None = None,
) -> PublicationReport:
    """Claim, send and mark sent every due outbox message (only those with `keys`, if given).
    `after_send` is a test's hook for a crash between sending and marking sent."""
    report = report or PublicationReport()
    with runtime.session() as session:
        claimed = outbox.claim_due(session, holder, now=now, keys=keys)
    for item in claimed:
        key = item.message.idempotency_key
        try:
            external_id, found = _deliver(runtime, messenger, item, pages)
        except Exception as error:
            log.exception("could not deliver %s (attempt %d)", key, item.attempts)
            with runtime.session() as session:
                outbox.release(session, item.id, item.claimed_by or holder, error=repr(error))
            report.failed.append(key)
            continue
        if after_send is not None:
            after_send(item)
        with runtime.session() as session:
            outbox.mark_sent(session, item.id, item.claimed_by or holder, now=now, external_id=external_id)
        (report.found if found else report.sent).append(key)
        log.info("%s %s to %s", "found already sent" if found else "sent", key, item.message.destination)
    return report


def deliver_now(
    runtime: Runtime,
    messenger: Messenger,
    keys: Collection[str],
    *,
    now: datetime,
    holder: str = "prompt",
    after_send: Callable[[OutboxItem], None] | None = None,
) -> PublicationReport:
    """Deliver the messages a step has just queued (and committed), straight away, for the
    person to have them at once. Never raises (bar a test's crash): what could not go now stays
    in the outbox, and the scheduler's round (`publish_due`, every minute) or `kpibot scorecard
    publish-due` sends it later; a message another sender has claimed meanwhile is its to send."""
    if not keys:
        return PublicationReport()
    try:
        return deliver_due(
            runtime, messenger, now=now, holder=f"{holder}/{os.getpid()}", pages=pages_dir(runtime.settings),
            after_send=after_send, keys=keys,
        )
    except Exception:
        log.warning("could not deliver %s now: the outbox keeps them for the next round", list(keys),
                    exc_info=True)
        return PublicationReport(failed=list(keys))


def run_publication(
    runtime: Runtime,
    messenger: Messenger,
    *,
    now: datetime,
    holder: str,
    pages: Path | None = None,
    after_send: Callable[[OutboxItem], None] | None = None,
) -> PublicationReport:
    """One tick: publish what is due, then deliver the outbox."""
    report = PublicationReport()
    with runtime.session() as session:
        report.published = [record.quarter for record in publish_due(session, now)]
    return deliver_due(
        runtime, messenger, now=now, holder=holder, pages=pages or pages_dir(runtime.settings),
        after_send=after_send, report=report,
    )
