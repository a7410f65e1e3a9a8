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
point at a local stub). A sender only claims the messages its messenger can deliver, so a
message addressed to Slack is only ever marked sent by Slack: at a terminal with no Slack token,
`kpibot scorecard publish-due` publishes (the newsletter page is then served from the store by
every copy: bot.pages) and leaves Slack's messages waiting for the running bot.

While a sender delivers, a heartbeat renews its claims (data.outbox: a claim is a 30-second
lease), so a slow send is never taken over, and a sender that died is replaced within a minute.
"""

from __future__ import annotations

import logging
import os
import threading
import time as clock
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, ClassVar, Protocol

from bot.observability import record_delivery
from bot.runtime import Runtime
from bot.settings import Settings
from data import outbox, scorecards
from data.outbox import OutboxItem
from handlers.approval import NEWSLETTER, SUMMARY_EVENT, Publication, page_name, publish_due
from handlers.outgoing import reply_of
from handlers.reply import Reply

log = logging.getLogger("kpibot.publisher")

__all__ = [
    "Image",
    "Messenger",
    "PublicationReport",
    "SlackMessenger",
    "deliver_due",
    "deliver_now",
    "messenger_for",
    "publication_for",
    "run_publication",
]

# How far back before a message was queued to look for it at the destination.
HISTORY_MARGIN = timedelta(minutes=5)
HISTORY_PAGES = 5
# How long to wait, at most, for Slack to finish processing an uploaded picture before the
# message showing it is accepted (Slack processes uploads asynchronously and refuses
# "invalid slack file" until then).
FILE_READY_WAITS = (0.5, 1.0, 2.0, 4.0, 8.0)


@dataclass(frozen=True, slots=True)
class Image:
    """A picture to go with a message: PNG bytes, a file name, a title and alt text."""

    png: bytes
    filename: str
    title: str
    alt_text: str


class Messenger(Protocol):
    """Where messages go. `destination` is "slack:C0123" (a channel) or "dm:U0123" (a person).
    `destinations` are the prefixes this messenger delivers: a sender claims nothing else."""

    destinations: ClassVar[tuple[str, ...]]

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

    destinations: ClassVar[tuple[str, ...]] = ("slack:", "dm:")

    client: Any
    wait: Callable[[float], None] = clock.sleep
    _dm_channels: dict[str, str] = field(default_factory=dict)
    _joined: set[str] = field(default_factory=set)

    def _channel(self, destination: str) -> str:
        kind, _, address = destination.partition(":")
        if kind == "dm":
            if address not in self._dm_channels:
                opened = self.client.conversations_open(users=address)
                self._dm_channels[address] = str(opened["channel"]["id"])
            return self._dm_channels[address]
        if kind == "slack":
            self._join(address)
            return address
        raise ValueError(f"not a Slack destination: {destination}")

    def _join(self, channel: str) -> None:
        if channel in self._joined:
            return
        from slack_sdk.errors import SlackApiError

        try:
            self.client.conversations_join(channel=channel)
        except SlackApiError as refused:
            # A private channel cannot be joined (the bot must be invited: docs/slack-setup.md);
            # an app installed before it asked for channels:join lacks the scope. Either way the
            # post itself says whether the bot may write there.
            log.warning("could not join %s (%s): invite the bot to the channel", channel,
                        _error_code(refused))
        self._joined.add(channel)

    def find(self, destination: str, key: str, *, since: datetime) -> str | None:
        from slack_sdk.errors import SlackApiError

        channel = self._channel(destination)
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
                if metadata.get("event_type") == SUMMARY_EVENT and payload.get("key") == key:
                    return str(message.get("ts", "found"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    def send(
        self, destination: str, text: str, *, key: str, image: Image | None = None, reply: Reply | None = None
    ) -> str:
        from bot.slack import render

        channel = self._channel(destination)
        # The reply drawn with its buttons, or the plain text as sections; `text` is the
        # notification's (and a screen reader's) version.
        drawn = render.message(reply) if reply is not None else render.plain_message(text)
        blocks: list[dict[str, Any]] = list(drawn["blocks"])
        if image is not None:
            uploaded = self.client.files_upload_v2(
                content=image.png, filename=image.filename, title=image.title, alt_txt=image.alt_text[:1000]
            )
            file_id = (uploaded.get("file") or {}).get("id") or uploaded["files"][0]["id"]
            blocks.append(render.image_block(file_id, title=image.title, alt_text=image.alt_text))
        return self._post(channel, render.notification(text), blocks, key=key, picture=image is not None)

    def _post(self, channel: str, text: str, blocks: list[dict[str, Any]], *, key: str, picture: bool) -> str:
        from slack_sdk.errors import SlackApiError

        for pause in (*FILE_READY_WAITS, None):
            try:
                posted = self.client.chat_postMessage(
                    channel=channel,
                    text=text,
                    blocks=blocks,
                    metadata={"event_type": SUMMARY_EVENT, "event_payload": {"key": key}},
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


def messenger_for(settings: Settings) -> Messenger | None:
    """Slack when a bot token is set; else None: nothing but the newsletter pages is delivered,
    and Slack's messages wait for a copy that has the token."""
    if settings.slack_bot_token:
        from bot.slack.app import web_client

        return SlackMessenger(web_client(settings))
    return None


def publication_for(settings: Settings) -> Publication:
    """The members' destination, page links and publication time from the settings."""
    hours, _, minutes = settings.publish_time.partition(":")
    members = settings.slack_members_channel
    return Publication(
        members=f"slack:{members}" if members else None,
        page_base_url=settings.public_base_url,
        publish_time=time(int(hours), int(minutes or 0)),
        timezone=settings.timezone,
    )


@dataclass
class PublicationReport:
    published: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # Due messages this sender could not deliver (no messenger for their platform), by kind.
    waiting: dict[str, int] = field(default_factory=dict)


def _frozen(runtime: Runtime, item: OutboxItem) -> Any:
    from scorecard.quarterly import scorecard_from_snapshot

    assert item.message.scorecard_id is not None
    with runtime.session() as session:
        data = scorecards.snapshot_of(session, item.message.scorecard_id)
    if data is None:
        raise RuntimeError(f"scorecard {item.message.scorecard_id} has no snapshot")
    return scorecard_from_snapshot(data)


def _deliver(runtime: Runtime, messenger: Messenger | None, item: OutboxItem) -> tuple[str, bool]:
    """Deliver one message; (its id at the destination, whether it was found already there)."""
    message = item.message
    if message.destination == NEWSLETTER:
        # Queued by versions that wrote pages to disk: the page is now served from the store.
        return "served from the store", False
    if messenger is None:  # never claimed: claims are limited to what the messenger delivers
        raise RuntimeError(f"no messenger for {message.destination}")
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


@contextmanager
def _claims_kept(runtime: Runtime, tokens: set[str], *, now: datetime) -> Iterator[None]:
    """Renew `tokens`' claims every third of a lease while the block runs, on the caller's clock
    (`now` plus the time elapsed), so no other sender takes over a message being sent."""
    started = clock.monotonic()
    done = threading.Event()
    every = outbox.STALE_CLAIM.total_seconds() / 3

    def renew() -> None:
        while not done.wait(every):
            try:
                with runtime.session() as session:
                    outbox.renew(session, tokens, now=now + timedelta(seconds=clock.monotonic() - started))
            except Exception as failed:  # the store is down: the next beat tries again
                log.warning("could not renew the outbox claims (%s); retrying", type(failed).__name__)

    keeper = threading.Thread(target=renew, name="kpibot-outbox-claims", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        done.set()
        keeper.join()


def deliver_due(
    runtime: Runtime,
    messenger: Messenger | None,
    *,
    now: datetime,
    holder: str,
    after_send: Callable[[OutboxItem], None] | None = None,
    report: PublicationReport | None = None,
    keys: Collection[str] | None = None,
) -> PublicationReport:
    """Claim, send and mark sent every due outbox message (only those with `keys`, if given)
    that `messenger` can deliver.
    `after_send` is a test's hook for a crash between sending and marking sent."""
    report = report or PublicationReport()
    destinations = (NEWSLETTER, *(messenger.destinations if messenger is not None else ()))
    with runtime.session() as session:
        claimed = outbox.claim_due(session, holder, now=now, keys=keys, destinations=destinations)
        if keys is None:
            report.waiting = outbox.count_waiting(session, now=now, excluding=destinations)
    if not claimed:
        return report
    tokens = {item.claimed_by for item in claimed if item.claimed_by}
    with _claims_kept(runtime, tokens, now=now):
        for item in claimed:
            _deliver_one(runtime, messenger, item, now=now, holder=holder, after_send=after_send,
                         report=report)
    return report


def _deliver_one(
    runtime: Runtime,
    messenger: Messenger | None,
    item: OutboxItem,
    *,
    now: datetime,
    holder: str,
    after_send: Callable[[OutboxItem], None] | None,
    report: PublicationReport,
) -> None:
    key = item.message.idempotency_key
    token = item.claimed_by or holder
    with runtime.session() as session:
        # A claim another sender took over (this one was too slow to renew) is theirs to send.
        if token not in outbox.renew(session, {token}, now=now):
            log.warning("%s was taken over by another sender; leaving it to them", key)
            return
    try:
        external_id, found = _deliver(runtime, messenger, item)
    except Exception as error:
        log.exception("could not deliver %s (attempt %d)", key, item.attempts)
        with runtime.session() as session:
            outbox.release(session, item.id, token, error=repr(error))
        report.failed.append(key)
        record_delivery("failed")
        return
    if after_send is not None:
        after_send(item)
    with runtime.session() as session:
        outbox.mark_sent(session, item.id, token, now=now, external_id=external_id)
    (report.found if found else report.sent).append(key)
    record_delivery("found" if found else "sent")
    log.info("%s %s to %s", "found already sent" if found else "sent", key, item.message.destination)


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
            runtime, messenger, now=now, holder=f"{holder}/{os.getpid()}", after_send=after_send, keys=keys,
        )
    except Exception:
        log.warning("could not deliver %s now: the outbox keeps them for the next round", list(keys),
                    exc_info=True)
        return PublicationReport(failed=list(keys))


def run_publication(
    runtime: Runtime,
    messenger: Messenger | None,
    *,
    now: datetime,
    holder: str,
    after_send: Callable[[OutboxItem], None] | None = None,
) -> PublicationReport:
    """One tick: publish what is due, then deliver the outbox."""
    report = PublicationReport()
    with runtime.session() as session:
        report.published = [record.quarter for record in publish_due(session, now)]
    return deliver_due(
        runtime, messenger, now=now, holder=holder, after_send=after_send, report=report,
    )
