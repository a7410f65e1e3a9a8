"""Messages to people, as the outbox keeps them: platform-neutral, drawn by the platform.

A step that tells someone something (the service officer when a concern is sent to them, the
member when it is answered, escalated or closed, the member's confirmation when it is raised)
queues the message in the outbox in the step's own transaction, so it is sent exactly once
however the bot fails afterwards. What is kept is a description, not Slack's blocks:

    {"text": "the message as plain text (the terminal, and notifications)",
     "reply": {"kind": "concern", "heading": ..., "summary": ..., "facts": [{"label": ...,
               "value": ...}], "table": {"columns": [...], "rows": [[...]]} or null,
               "notes": [...], "actions": [{"id": "concern_answer", "label": "Answer",
               "value": "3", "primary": true}]}}

(pydantic reads and writes it from the Reply dataclass itself.)

The platform (bot.publisher) turns "reply" back into a Reply and draws it with its buttons;
anything it cannot read falls back to "text".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from data import outbox
from data.outbox import OutboxMessage
from handlers.reply import Reply

__all__ = ["payload_of", "plain_text", "queue_message", "reply_of"]


def plain_text(reply: Reply) -> str:
    """A reply as plain text for a direct message (heading, summary, facts, table, notes)."""
    lines = [reply.heading]
    if reply.summary:
        lines.append(reply.summary)
    lines.extend(f"{fact.label}: {fact.value}" for fact in reply.facts)
    if reply.table is not None:
        lines.extend(" | ".join(row) for row in reply.table.rows)
    lines.extend(reply.notes)
    return "\n".join(lines)


# What a queued message keeps of a reply: what a person reads and the buttons. The rest (the
# machine-readable answer, RAG, chart and picture references) is for the asker's own answer.
_KEPT = {"kind", "heading", "summary", "facts", "table", "notes", "actions"}
_REPLY = TypeAdapter(Reply)


def payload_of(reply: Reply) -> dict[str, Any]:
    """The outbox payload for `reply`: its plain text and its description (JSON-ready)."""
    return {"text": plain_text(reply), "reply": _REPLY.dump_python(reply, mode="json", include=_KEPT)}


def reply_of(payload: dict[str, Any]) -> Reply | None:
    """The Reply a payload describes, or None when it has no description (text only) or one
    this version cannot read (a button it does not know): the caller sends the text then."""
    described = payload.get("reply")
    if not isinstance(described, dict):
        return None
    try:
        return _REPLY.validate_python({key: value for key, value in described.items() if key in _KEPT})
    except ValidationError:
        return None


def queue_message(
    session: Session, to: str, kind: str, key: str, reply: Reply, *, now: datetime, replaces: str = ""
) -> str | None:
    """Queue `reply` for person `to` (a direct message) under `key`, in the caller's transaction;
    the key if this call queued it, None if it was queued before (a retry). With `replaces` (an
    earlier message's key) the earlier message is changed in place instead, or, if it has not
    gone yet, never goes."""
    payload = payload_of(reply)
    if replaces:
        payload["replaces"] = replaces
    message = OutboxMessage(
        destination=outbox.to_person(to),
        kind=kind[:64],
        payload=payload,
        idempotency_key=key[:200],
        not_before=now,
    )
    return message.idempotency_key if outbox.enqueue(session, message, now=now) else None
