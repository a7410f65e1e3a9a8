"""Publishing approved scorecards and delivering the outbox, exactly once, on any platform.

`run_publication` is one tick of the clock: publish every approved scorecard whose time has
come (handlers.approval.publish_due), then deliver the due outbox messages. Delivery claims
each message first (committed), sends it, then marks it sent. A copy that crashes after
sending but before marking sent leaves a stale claim; whoever takes the message over first
asks the destination's platform whether it already has a message carrying the key and marks
it sent without sending again. A message's first attempt skips the look-up: no one can have
sent it before its first claim, so a step's direct messages go at once (`deliver_now`,
straight after the step's commit) at the cost of one call.

The sender knows no platform: a message's destination is a person or a platform's channel
(data.outbox), routed to a `Messenger` (bot.messaging) of this copy's, one per platform
(bot.composition builds them from the settings). A person is reached on their most recently
seen account on a platform this copy has (data.people). A sender only claims what its
messengers can deliver, so a message for Slack is only ever marked sent by Slack: at a terminal
with no platform token, `kpibot scorecard publish-due` publishes (the newsletter page is served
from the store by every copy: bot.pages) and leaves the messages waiting for the running bot.

While a sender delivers, a heartbeat renews its claims (data.outbox: a claim is a 30-second
lease), so a slow send is never taken over, and a sender that died is replaced within a minute.
"""

from __future__ import annotations

import logging
import os
import threading
import time as clock
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.messaging import Address, Image, Messenger, Outgoing
from bot.observability import record_delivery
from bot.runtime import Runtime
from data import outbox, people, scorecards
from data.outbox import OutboxItem
from handlers.approval import NEWSLETTER, page_name, publish_due
from handlers.outgoing import reply_of

log = logging.getLogger("kpibot.publisher")

__all__ = [
    "Messengers",
    "PublicationReport",
    "deliver_due",
    "deliver_now",
    "run_publication",
]

# How far back before a message was queued to look for it at the destination.
HISTORY_MARGIN = timedelta(minutes=5)

# What a sender delivers with: one messenger, several (one a platform), or none (a terminal with
# no platform token: it publishes and leaves the messages waiting).
Messengers = Messenger | Sequence[Messenger] | None


def _by_platform(messengers: Messengers) -> dict[str, Messenger]:
    if messengers is None:
        return {}
    if isinstance(messengers, Sequence):
        return {messenger.platform: messenger for messenger in messengers}
    return {messengers.platform: messengers}


def _deliverable(platforms: Mapping[str, Messenger]) -> tuple[str, ...]:
    """The destinations a sender with these messengers claims (data.outbox.claim_due)."""
    if not platforms:
        return (NEWSLETTER,)
    return (NEWSLETTER, outbox.PERSON, *(f"{outbox.CHANNEL}{platform}:" for platform in platforms))


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


def _route(
    runtime: Runtime, platforms: Mapping[str, Messenger], destination: str
) -> tuple[Messenger, Address]:
    """The messenger and address that reach `destination` from this copy (RuntimeError when none
    does: the message waits, its error saying why)."""
    where = outbox.destination_of(destination)
    if where is None:
        raise RuntimeError(f"not a destination this version knows: {destination}")
    if where.kind == "channel":
        messenger = platforms.get(where.platform or "")
        if messenger is None:
            raise RuntimeError(f"no messenger for {where.platform} here")
        return messenger, Address("channel", where.address)
    with runtime.reading() as session:
        accounts = people.accounts_of(session, where.address)
    for account in accounts:
        if account.platform in platforms:
            return platforms[account.platform], Address("person", account.user_id, account.reference)
    raise RuntimeError(f"{where.address} has no account on a platform this copy reaches")


def _picture(runtime: Runtime, item: OutboxItem) -> Image | None:
    """The published scorecard's picture, for the members' channel message."""
    if item.message.kind != "scorecard_summary":
        return None
    from scorecard.charts import scorecard_image

    card = _frozen(runtime, item)
    return Image(
        png=scorecard_image(card),
        filename=f"scorecard-{page_name(card.quarter_label).removesuffix('.html')}.png",
        title=f"Children's services scorecard, {card.quarter_label}",
        alt_text=f"The {card.quarter_label} scorecard. Summary: {card.summary.text}.",
    )


def _deliver(runtime: Runtime, platforms: Mapping[str, Messenger], item: OutboxItem) -> tuple[str, bool]:
    """Deliver one message; (its id at the destination, whether it was found already there)."""
    message = item.message
    if message.destination == NEWSLETTER:
        # Queued by versions that wrote pages to disk: the page is now served from the store.
        return "served from the store", False
    messenger, address = _route(runtime, platforms, message.destination)
    replaces = str(message.payload.get("replaces") or "")
    if replaces:
        return _replace(runtime, messenger, address, item, replaces)
    if item.attempts > 1:
        # Claimed before (a sender that died or failed, perhaps after the platform took the
        # message): look for it first. A first claim cannot follow a send: no look-up.
        since = item.created_at - HISTORY_MARGIN
        already = messenger.find(address, message.idempotency_key, since=since)
        if already is not None:
            return already, True
    outgoing = Outgoing(str(message.payload["text"]), reply_of(message.payload), _picture(runtime, item))
    return messenger.send(address, outgoing, key=message.idempotency_key), False


def _replace(
    runtime: Runtime, messenger: Messenger, address: Address, item: OutboxItem, replaces: str
) -> tuple[str, bool]:
    """A message that changes an earlier one in place (an approver's Approve message once the
    scorecard has moved on). If the earlier one never went, it never will: nothing to change."""
    with runtime.session() as session:
        original = outbox.by_key(session, replaces)
        if original is None or (original.status is outbox.OutboxStatus.PENDING and outbox.supersede(
            session, original.id, now=item.created_at
        )):
            return "nothing to change", False
    if original.status is not outbox.OutboxStatus.SENT:
        raise RuntimeError(f"{replaces}, which this changes, is being sent: trying again next round")
    if not original.external_id or original.external_id == outbox.SUPERSEDED:
        return "nothing to change", False
    outgoing = Outgoing(str(item.message.payload["text"]), reply_of(item.message.payload))
    return messenger.update(address, original.external_id, outgoing, key=item.message.idempotency_key), False


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
    messengers: Messengers,
    *,
    now: datetime,
    holder: str,
    after_send: Callable[[OutboxItem], None] | None = None,
    report: PublicationReport | None = None,
    keys: Collection[str] | None = None,
) -> PublicationReport:
    """Claim, send and mark sent every due outbox message (only those with `keys`, if given)
    that `messengers` can deliver.
    `after_send` is a test's hook for a crash between sending and marking sent."""
    report = report or PublicationReport()
    platforms = _by_platform(messengers)
    destinations = _deliverable(platforms)
    with runtime.session() as session:
        claimed = outbox.claim_due(session, holder, now=now, keys=keys, destinations=destinations)
        if keys is None:
            report.waiting = outbox.count_waiting(session, now=now, excluding=destinations)
    if not claimed:
        return report
    tokens = {item.claimed_by for item in claimed if item.claimed_by}
    with _claims_kept(runtime, tokens, now=now):
        for item in claimed:
            _deliver_one(runtime, platforms, item, now=now, holder=holder, after_send=after_send,
                         report=report)
    return report


def _deliver_one(
    runtime: Runtime,
    platforms: Mapping[str, Messenger],
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
        external_id, found = _deliver(runtime, platforms, item)
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
    messengers: Messengers,
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
            runtime, messengers, now=now, holder=f"{holder}/{os.getpid()}", after_send=after_send, keys=keys,
        )
    except Exception:
        log.warning("could not deliver %s now: the outbox keeps them for the next round", list(keys),
                    exc_info=True)
        return PublicationReport(failed=list(keys))


def run_publication(
    runtime: Runtime,
    messengers: Messengers,
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
        runtime, messengers, now=now, holder=holder, after_send=after_send, report=report,
    )
