"""Messages to people, as the outbox keeps them: platform-neutral, drawn by the platform.

A step that tells someone something (the service officer when a concern is sent to them, the
member when it is answered, escalated or closed, the member's confirmation when it is raised)
queues the message in the outbox in the step's own transaction, so it is sent exactly once
however the bot fails afterwards. What is kept is a description, not Slack's blocks:

    {"text": "the message as plain text (the terminal, and notifications)",
     "reply": {"heading": ..., "summary": ..., "facts": [[label, value]], "table":
               {"columns": [...], "rows": [[...]]}, "notes": [...],
               "actions": [{"id": "concern_answer", "label": "Answer", "value": "3",
                            "primary": true}]}}

The platform (bot.publisher) turns "reply" back into a Reply and draws it with its buttons;
anything it cannot read falls back to "text".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from data import outbox
from data.outbox import OutboxMessage
from handlers.reply import Action, ActionId, Fact, Kind, Reply, Table

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


def payload_of(reply: Reply) -> dict[str, Any]:
    """The outbox payload for `reply`: its plain text and its description (JSON-ready)."""
    described: dict[str, Any] = {
        "kind": reply.kind.value,
        "heading": reply.heading,
        "summary": reply.summary,
        "facts": [[fact.label, fact.value] for fact in reply.facts],
        "notes": list(reply.notes),
        "actions": [
            {"id": action.id.value, "label": action.label, "value": action.value, "primary": action.primary}
            for action in reply.actions
        ],
    }
    if reply.table is not None:
        described["table"] = {
            "columns": list(reply.table.columns),
            "rows": [list(row) for row in reply.table.rows],
        }
    return {"text": plain_text(reply), "reply": described}


def reply_of(payload: dict[str, Any]) -> Reply | None:
    """The Reply a payload describes, or None when it has no description (text only) or one
    this version cannot read (a button it does not know): the caller sends the text then."""
    described = payload.get("reply")
    if not isinstance(described, dict):
        return None
    try:
        table = described.get("table")
        return Reply(
            kind=Kind(described.get("kind", Kind.CONCERN.value)),
            heading=str(described["heading"]),
            summary=str(described.get("summary", "")),
            facts=tuple(Fact(str(label), str(value)) for label, value in described.get("facts", [])),
            table=None
            if not table
            else Table(
                tuple(str(c) for c in table["columns"]),
                tuple(tuple(str(cell) for cell in row) for row in table["rows"]),
            ),
            notes=tuple(str(note) for note in described.get("notes", [])),
            actions=tuple(
                Action(
                    ActionId(action["id"]),
                    str(action["label"]),
                    str(action.get("value", "")),
                    bool(action.get("primary", False)),
                )
                for action in described.get("actions", [])
            ),
        )
    except (KeyError, TypeError, ValueError):
        return None


def queue_message(
    session: Session, to: str, kind: str, key: str, reply: Reply, *, now: datetime
) -> str | None:
    """Queue `reply` for user `to` (a direct message) under `key`, in the caller's transaction;
    the key if this call queued it, None if it was queued before (a retry)."""
    message = OutboxMessage(
        destination=outbox.to_person(to),
        kind=kind[:64],
        payload=payload_of(reply),
        idempotency_key=key[:200],
        not_before=now,
    )
    return message.idempotency_key if outbox.enqueue(session, message, now=now) else None
