"""A handler's Reply as Slack Block Kit (slack_sdk's block models), always within Slack's limits.

Every piece of text that reaches Slack goes through `escape`, so a figure's note, a member's
words or a glossary file can never ping @channel, mention someone or forge a link. Limits are
enforced here, whatever the data: a section's text is cut with "…", long tables are split over
several sections, and what does not fit in a message's 50 blocks is counted in a "more" note.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.kept import keep
from handlers.reply import Action, ActionId, Fact, Reply, Table
from scorecard.model import Rag

# Slack's limits (https://api.slack.com/reference/block-kit/blocks).
MAX_BLOCKS = 50  # in a message; a modal or App Home may have 100
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER = 150
MAX_ACTIONS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 2000
# A message's `text` (the notification and the fallback) is cut by Slack at 40,000; a few
# thousand characters is plenty for a notification.
MAX_FALLBACK = 3000

ELLIPSIS = "…"

RAG_EMOJI = {
    Rag.GREEN: ":large_green_circle:",
    Rag.AMBER: ":large_orange_circle:",
    Rag.RED: ":red_circle:",
    Rag.NA: ":white_circle:",
}

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def escape(text: str) -> str:
    """Slack's escaping: `&`, `<` and `>` become entities, so `<!channel>`, `<@U123>` and
    `<https://evil|bank>` arrive as words, not as a ping, a mention or a link."""
    return text.translate(_ENTITIES)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def escaped(text: str, limit: int) -> str:
    """Escaped, then cut to the limit without splitting an entity (`&amp;` is five characters)."""
    safe = escape(text)
    if len(safe) <= limit:
        return safe
    cut = safe[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + ELLIPSIS


def mention(user_id: str) -> str:
    """A mention of the Slack user who pressed a button: only a well-formed user id becomes one."""
    if not _USER_ID.match(user_id):
        return escape(user_id)
    return f"<@{user_id}>"


def action_id(action: ActionId, n: int) -> str:
    """Slack wants action ids unique within a message: the first is the enum value, later ones
    get `#n`. Listeners match with `action_pattern`."""
    return action.value if n == 0 else f"{action.value}#{n}"


def action_pattern(action: ActionId) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(action.value)}(#\d+)?$")


@dataclass(frozen=True, slots=True)
class _Piece:
    """A rendered block and how many table rows it carries (to count what did not fit)."""

    block: Block
    rows: int = 0


def render(
    reply: Reply,
    *,
    shared_by: str | None = None,
    max_blocks: int = MAX_BLOCKS,
    with_actions: bool = True,
) -> list[Block]:
    """The reply as blocks: heading, summary, facts, table, notes, buttons (and who shared it).

    Never more than `max_blocks`: content that does not fit is replaced by a note saying how
    much was left out and how to see it.
    """
    head = [HeaderBlock(text=PlainTextObject(text=escaped(reply.heading or "kpibot", MAX_HEADER)))]
    body: list[_Piece] = []
    if reply.summary:
        body.extend(_Piece(block) for block in _sections(reply.summary))
    if reply.facts:
        body.extend(_Piece(block) for block in _facts(reply.facts, reply.rag))
    if reply.table is not None and reply.table.rows:
        body.extend(_table(reply.table))
    body.extend(_Piece(block) for block in _notes(reply.notes))
    tail: list[Block] = []
    if with_actions and reply.actions:
        tail.extend(_actions(reply.actions))
    if shared_by:
        tail.append(ContextBlock(elements=[MarkdownTextObject(text=f"Shared by {mention(shared_by)}")]))

    room = max_blocks - len(head) - len(tail)
    if len(body) > room:
        # Keep as much as fits beside the heading, the buttons and one note about the rest.
        if room - 1 < 1 and tail:
            tail = tail[: max(0, len(tail) - 1)]
            room = max_blocks - len(head) - len(tail)
        kept, left = body[: room - 1], body[room - 1 :]
        body = [*kept, _Piece(_more_note(left))]
    return [*head, *(piece.block for piece in body), *tail]


def _more_note(left: Sequence[_Piece]) -> Block:
    rows = sum(piece.rows for piece in left)
    what = f"{rows:,} more {'line' if rows == 1 else 'lines'}" if rows else "More detail"
    return ContextBlock(
        elements=[
            MarkdownTextObject(
                text=escape(
                    f"{what} did not fit in one Slack message. Ask about something narrower, "
                    "for example one cluster (/kpi SEND) or one indicator."
                )
            )
        ]
    )


def _sections(text: str) -> list[Block]:
    """Plain text as one section, or several when longer than a section may hold."""
    safe = escape(text)
    if len(safe) <= MAX_SECTION_TEXT:
        return [SectionBlock(text=MarkdownTextObject(text=safe))]
    blocks: list[Block] = []
    for chunk in _chunks(text.splitlines() or [text], MAX_SECTION_TEXT):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
    return blocks


def _chunks(lines: Iterable[str], limit: int) -> list[str]:
    """Escaped lines packed into texts of at most `limit` characters; a line too long is cut."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        safe = escaped(line, limit)
        extra = len(safe) + (1 if current else 0)
        if current and size + extra > limit:
            chunks.append("\n".join(current))
            current, size = [], 0
            extra = len(safe)
        current.append(safe)
        size += extra
    if current:
        chunks.append("\n".join(current))
    return chunks


def _fact_text(fact: Fact, rag: Rag | None) -> str:
    label = escaped(fact.label, 200)
    value = escape(fact.value)
    if fact.label == "RAG" and rag is not None:
        value = f"{RAG_EMOJI[rag]} {value}"
    return clip(f"*{label}*\n{value}", MAX_FIELD_TEXT)


def _facts(facts: Sequence[Fact], rag: Rag | None) -> list[Block]:
    blocks: list[Block] = []
    for start in range(0, len(facts), MAX_FIELDS):
        chunk = facts[start : start + MAX_FIELDS]
        blocks.append(SectionBlock(fields=[MarkdownTextObject(text=_fact_text(fact, rag)) for fact in chunk]))
    return blocks


def _row_line(row: Sequence[str]) -> str:
    """One table row as a line: the first cell in bold, the rest after dots."""
    if not row:
        return ""
    first, *rest = row
    parts = [f"*{escape(first)}*" if first else "", *(escape(cell) for cell in rest if cell)]
    return " · ".join(part for part in parts if part)


def _table(table: Table) -> list[_Piece]:
    """Block Kit has no table for every client: the column names as a note, then one line per
    row, as many rows to a section as its 3,000 characters allow."""
    columns = escaped(" · ".join(table.columns), MAX_CONTEXT_TEXT)
    pieces = [_Piece(ContextBlock(elements=[MarkdownTextObject(text=columns)]))]
    current: list[str] = []
    size = 0
    for row in table.rows:
        line = clip(_row_line(row), MAX_SECTION_TEXT)
        extra = len(line) + (1 if current else 0)
        if current and size + extra > MAX_SECTION_TEXT:
            pieces.append(_lines(current))
            current, size = [], 0
            extra = len(line)
        current.append(line)
        size += extra
    if current:
        pieces.append(_lines(current))
    return pieces


def _lines(lines: Sequence[str]) -> _Piece:
    return _Piece(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))), len(lines))


def _notes(notes: Sequence[str]) -> list[Block]:
    blocks: list[Block] = []
    for start in range(0, len(notes), MAX_CONTEXT_ELEMENTS):
        elements = [
            MarkdownTextObject(text=escaped(note, MAX_CONTEXT_TEXT))
            for note in notes[start : start + MAX_CONTEXT_ELEMENTS]
        ]
        blocks.append(ContextBlock(elements=elements))
    return blocks


def _actions(actions: Sequence[Action]) -> list[Block]:
    seen: dict[ActionId, int] = {}
    buttons: list[ButtonElement] = []
    for action in actions:
        n = seen.get(action.id, 0)
        seen[action.id] = n + 1
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text=escaped(action.label, MAX_BUTTON_TEXT)),
                action_id=action_id(action.id, n),
                value=action.value[:MAX_BUTTON_VALUE] or action.id.value,
                style="primary" if action.primary else None,
            )
        )
    return [
        ActionsBlock(elements=buttons[start : start + MAX_ACTIONS])
        for start in range(0, len(buttons), MAX_ACTIONS)
    ]


def notification(text: str) -> str:
    """A message's top-level `text` (the notification, and what a screen reader reads): escaped
    and within its limit. Every `text` the bot sends to Slack goes through here."""
    return escaped(text, MAX_FALLBACK)


def fallback_text(reply: Reply) -> str:
    """The message's `text`: what notifications, screen readers and old clients show. A list
    says what is in it, row by row, as far as the limit allows, and how many rows are left."""
    lines = [reply.heading]
    if reply.summary:
        lines.append(reply.summary)
    lines.extend(f"{fact.label}: {fact.value}" for fact in reply.facts)
    head = "\n".join(line for line in lines if line)
    if reply.table is None or not reply.table.rows:
        return notification(head)
    rows = [", ".join(cell for cell in row if cell) for row in reply.table.rows]
    kept: list[str] = []
    size = len(escape(head))
    for n, row in enumerate(rows):
        left = len(rows) - n - 1
        more = f"\nand {left:,} more" if left else ""
        line = "\n" + row
        if size + len(escape(line)) + len(more) > MAX_FALLBACK:
            kept.append(f"\nand {len(rows) - n:,} more")
            break
        kept.append(line)
        size += len(escape(line))
    return notification(head + "".join(kept))


def private_note(text: str) -> dict[str, Any]:
    """A short private answer through the response_url (respond()), escaped."""
    return {"text": notification(text), "response_type": "ephemeral", "replace_original": False}


def plain_message(text: str) -> dict[str, Any]:
    """Plain words (a reminder, a briefing, the scorecard's summary) as `text` and sections."""
    return {"text": notification(text), "blocks": [block.to_dict() for block in _sections(text)]}


def image_block(file_id: str, *, title: str, alt_text: str) -> dict[str, Any]:
    """An uploaded picture (by its Slack file id) shown in a message, with its alt text."""
    return {
        "type": "image",
        "slack_file": {"id": file_id},
        "alt_text": clip(alt_text, MAX_FIELD_TEXT),
        "title": {"type": "plain_text", "text": clip(title, MAX_FIELD_TEXT)},
    }


# What a reply rendered to, by the reply's identity (handlers give the very same Reply for the
# same kept card): slack_sdk checks every element against Slack's limits as it renders, which
# costs more than the rest of a card's answer. Kept as JSON, so each caller gets its own copy.
_rendered: dict[tuple[int, str | None, bool], tuple[Reply, str]] = {}
MAX_RENDERED_KEPT = 1024


def message(reply: Reply, *, shared_by: str | None = None, with_actions: bool = True) -> dict[str, Any]:
    """`text` and `blocks` (as JSON, checked against Slack's limits by slack_sdk) for
    chat.postMessage, respond() or an ack."""
    key = (id(reply), shared_by, with_actions)
    found = _rendered.get(key)
    if found is not None and found[0] is reply:
        drawn: dict[str, Any] = json.loads(found[1])
        return drawn
    blocks = render(reply, shared_by=shared_by, with_actions=with_actions)
    drawn = {"text": fallback_text(reply), "blocks": [block.to_dict() for block in blocks]}
    keep(_rendered, key, (reply, json.dumps(drawn)), limit=MAX_RENDERED_KEPT)
    return drawn


def divider() -> Block:
    return DividerBlock()


def view_blocks(replies: Sequence[Reply], *, max_blocks: int = MAX_VIEW_BLOCKS) -> list[dict[str, Any]]:
    """Several replies one after another (App Home), divided, within a view's 100 blocks."""
    blocks: list[Block] = []
    share = max(3, (max_blocks - len(replies)) // max(1, len(replies)))
    for n, reply in enumerate(replies):
        if n:
            blocks.append(DividerBlock())
        room = min(share, max_blocks - len(blocks))
        if room < 2:
            break
        blocks.extend(render(reply, max_blocks=room))
    return [block.to_dict() for block in blocks[:max_blocks]]
