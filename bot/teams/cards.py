"""A handler's Reply as an Adaptive Card 1.5 (what Teams renders), always within Teams' limits.

Plain dicts rather than the Teams SDK's card models (microsoft_teams.cards 2.1): those follow
the newer schema and write `schema` for `$schema` and a Table's `firstRowAsHeaders` for 1.5's
`firstRowAsHeader`, which the 1.5 schema rejects.

Limits, whatever the data (the same discipline as bot/slack/render.py): every text is cut with
"…" at a length a card can carry; a card whose JSON, encoded as UTF-16 as Teams measures it,
would pass 80,000 bytes (Teams refuses about 100 KB with 413 MessageSizeTooBig) loses table
rows first, then trailing sections, and says so in a visible "and N more" note, never a silent
cut. Pictures are inline PNGs of at most 1024x1024 pixels and 1 MB, as Teams asks.

Text from files and people reaches Teams as TextBlock markdown, which has no mentions and no
HTML; the one thing it could forge is a link with a misleading name (`[Council](https://evil)`),
so the `](` of markdown links is broken with a zero-width space.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handlers.reply import Action, Fact, Reply, Table
from scorecard.model import Rag

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"

# Teams' message limit is about 100 KB of the message encoded as UTF-16, base64 images not
# counted; Microsoft advises staying under 80 KB. Measured by `size`.
MAX_CARD_BYTES = 80_000
MAX_HEADING = 300
MAX_TEXT = 5_000
MAX_FACT_TITLE = 200
MAX_FACT_VALUE = 2_000
MAX_CELL = 500
MAX_NOTE = 2_000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2_000
# Teams shows six buttons in a row of actions and hides the rest: so six to an ActionSet.
ACTIONS_PER_SET = 6
MAX_ACTIONS = 30
# Teams' limits for a picture in a card.
MAX_IMAGE_SIDE = 1024
MAX_IMAGE_BYTES = 1_000_000

ELLIPSIS = "…"
ZERO_WIDTH_SPACE = "\u200b"
# How an inline picture's data: URI starts in a card's JSON (see `size`).
_PICTURE = '"data:image/'

RAG_COLOUR = {Rag.GREEN: "good", Rag.AMBER: "warning", Rag.RED: "attention", Rag.NA: "default"}
RAG_NAME = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red", Rag.NA: "No rating"}
# A RAG table cell is coloured by its first word ("Red", "Amber (close to target)").
_CELL_COLOUR = {"green": "good", "amber": "warning", "red": "attention"}


class PictureError(ValueError):
    """The bytes are not a PNG, or cannot be brought within Teams' limits for a picture."""


def safe(text: str) -> str:
    """Text from files and people, with markdown links broken: `[x](y)` shows as typed."""
    return text.replace("](", "]" + ZERO_WIDTH_SPACE + "(")


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def size(card: dict[str, Any]) -> int:
    """The card's size as Teams counts it: its JSON encoded as UTF-16, in bytes, without the
    base64 of inline pictures (Teams leaves those out of the limit)."""
    text = json.dumps(card, ensure_ascii=False, separators=(",", ":"))
    if _PICTURE in text:  # rare (a chart): measured again without the pictures
        text = json.dumps(_without_pictures(card), ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-16-le"))


def _without_pictures(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_pictures(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_pictures(item) for item in value]
    if isinstance(value, str) and value.startswith("data:image/"):
        return "data:"
    return value


def text_block(text: str, limit: int = MAX_TEXT, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": safe(clip(text, limit)), "wrap": True, **style}


def _heading(text: str) -> dict[str, Any]:
    return text_block(text, MAX_HEADING, size="Large", weight="Bolder", style="heading")


def _envelope(body: list[dict[str, Any]], fallback: str) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": VERSION,
        "fallbackText": safe(clip(fallback, MAX_HEADING)),
        # Full width, so a table has room; the 1.5 schema does not know `msteams` (tests strip it).
        "msteams": {"width": "Full"},
        "body": body,
    }


@dataclass(frozen=True, slots=True)
class _Parts:
    """A reply's elements before fitting: what is always shown, and what may be left out."""

    head: list[dict[str, Any]]
    sections: list[dict[str, Any]]  # summary, facts, notes: kept in order, dropped from the end
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]  # TableRows, dropped from the end first
    notes: list[dict[str, Any]]
    actions: list[dict[str, Any]]


def card(reply: Reply, *, alert: str = "", max_bytes: int = MAX_CARD_BYTES) -> dict[str, Any]:
    """The reply as an Adaptive Card: heading, RAG in words and colour, summary, facts, table,
    notes and buttons (Action.Execute, `verb` the ActionId's value, `data` {"value": ...}).

    `alert` is a line shown in red under the heading (a refused button press). Never larger
    than `max_bytes`: table rows that do not fit, then trailing sections, are left out and
    counted in a note that says how to see them.
    """
    parts = _parts(reply, alert)
    n_rows, n_actions = len(parts.rows), len(parts.actions)
    n_sections = len(parts.sections) + len(parts.notes)

    def build(rows: int, sections: int, actions: int) -> dict[str, Any]:
        return _assemble(reply, parts, rows, sections, actions)

    def fits(rows: int, sections: int, actions: int) -> bool:
        return size(build(rows, sections, actions)) <= max_bytes

    whole = build(n_rows, n_sections, n_actions)
    if size(whole) <= max_bytes:  # nearly always: built and measured once
        return whole
    if fits(0, n_sections, n_actions):
        return build(_most(lambda n: fits(n, n_sections, n_actions), n_rows), n_sections, n_actions)
    if fits(0, 0, n_actions):
        return build(0, _most(lambda n: fits(0, n, n_actions), n_sections), n_actions)
    return build(0, 0, _most(lambda n: fits(0, 0, n), n_actions))


def _most(fits: Any, upper: int) -> int:
    """The largest n in [0, upper] with fits(n), given fits(0) and that fits is monotone."""
    low, high = 0, upper
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _parts(reply: Reply, alert: str) -> _Parts:
    head = [_heading(reply.heading or "kpibot")]
    if alert:
        head.append(text_block(alert, MAX_NOTE, color="attention", weight="Bolder"))
    facts = list(reply.facts)
    if reply.rag is not None:
        words = next((fact.value for fact in facts if fact.label == "RAG"), RAG_NAME[reply.rag])
        facts = [fact for fact in facts if fact.label != "RAG"]
        head.append(text_block(f"RAG: {words}", MAX_FACT_VALUE, color=RAG_COLOUR[reply.rag], weight="Bolder"))
    sections: list[dict[str, Any]] = []
    if reply.summary:
        sections.append(text_block(reply.summary))
    if facts:
        sections.append(_fact_set(facts))
    columns: tuple[str, ...] = ()
    rows: list[dict[str, Any]] = []
    if reply.table is not None and reply.table.rows:
        columns, rows = _table_rows(reply.table)
    notes = [text_block(note, MAX_NOTE, size="Small", isSubtle=True) for note in reply.notes]
    actions = [_action(action) for action in reply.actions[:MAX_ACTIONS]]
    return _Parts(head, sections, columns, rows, notes, actions)


def _fact_set(facts: Sequence[Fact]) -> dict[str, Any]:
    return {
        "type": "FactSet",
        "facts": [
            {"title": safe(clip(fact.label, MAX_FACT_TITLE)), "value": safe(clip(fact.value, MAX_FACT_VALUE))}
            for fact in facts
        ],
    }


def _cell(text: str, *, header: bool = False, colour: str | None = None) -> dict[str, Any]:
    style: dict[str, Any] = {"weight": "Bolder"} if header else {}
    if colour:
        style["color"] = colour
    return {"type": "TableCell", "items": [text_block(text, MAX_CELL, **style)]}


def _table_rows(table: Table) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    width = max(len(table.columns), *(len(row) for row in table.rows))
    columns = tuple(table.columns) + ("",) * (width - len(table.columns))
    rag_columns = {n for n, name in enumerate(columns) if name == "RAG"}
    rows = []
    for row in table.rows:
        cells = tuple(row) + ("",) * (width - len(row))
        rows.append({
            "type": "TableRow",
            "cells": [_cell(text, colour=_rag_colour(text) if n in rag_columns else None)
                      for n, text in enumerate(cells)],
        })
    return columns, rows


def _rag_colour(text: str) -> str | None:
    return _CELL_COLOUR.get(text.split(" ", 1)[0].lower())


def _table(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> dict[str, Any]:
    header = {"type": "TableRow", "cells": [_cell(name, header=True) for name in columns]}
    return {
        "type": "Table",
        "columns": [{"width": 1} for _ in columns],
        "firstRowAsHeader": True,
        "rows": [header, *rows],
    }


def _action(action: Action) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "Action.Execute",
        "title": clip(action.label, MAX_BUTTON_TEXT),
        "verb": action.id.value,
        "data": {"value": action.value[:MAX_BUTTON_VALUE]},
    }
    if action.primary:
        button["style"] = "positive"
    return button


def _assemble(reply: Reply, parts: _Parts, rows: int, sections: int, actions: int) -> dict[str, Any]:
    """The card with the first `rows` table rows, the first `sections` of summary, facts and
    notes (the notes after the table), the first `actions` buttons, and a note for the rest."""
    kept = [*parts.sections, *parts.notes][:sections]
    before, after = kept[: len(parts.sections)], kept[len(parts.sections) :]
    body = [*parts.head, *before]
    if rows:
        body.append(_table(parts.columns, parts.rows[:rows]))
    left_rows = len(parts.rows) - rows
    left_sections = len(parts.sections) + len(parts.notes) - sections
    left_actions = len(reply.actions) - actions
    if left_rows or left_sections or left_actions:
        body.append(text_block(_more(left_rows, left_sections, left_actions), MAX_NOTE, isSubtle=True))
    body.extend(after)
    for start in range(0, actions, ACTIONS_PER_SET):
        chunk = parts.actions[start : min(actions, start + ACTIONS_PER_SET)]
        body.append({"type": "ActionSet", "actions": chunk})
    return _envelope(body, reply.heading or "kpibot")


def _more(rows: int, sections: int, actions: int) -> str:
    what = []
    if rows:
        what.append(f"{rows:,} more {'row' if rows == 1 else 'rows'}")
    if sections:
        what.append(f"{sections:,} more {'section' if sections == 1 else 'sections'}")
    if actions:
        what.append(f"{actions:,} more {'button' if actions == 1 else 'buttons'}")
    return (
        f"And {' and '.join(what)} that did not fit in one Teams message. Ask about something "
        "narrower, for example one cluster (kpi SEND) or one indicator."
    )


def notice(text: str, *, max_bytes: int = MAX_CARD_BYTES) -> dict[str, Any]:
    """Plain words (a reminder, a briefing, a confirmation) as a card: one text block per
    paragraph, and a note if the words are too long for one message."""
    paragraphs = [paragraph for paragraph in text.split("\n\n") if paragraph.strip()] or [""]
    blocks = [text_block(paragraph) for paragraph in paragraphs]

    def build(n: int) -> dict[str, Any]:
        left = len(blocks) - n
        more = [text_block(f"And {left:,} more {'paragraph' if left == 1 else 'paragraphs'} that did "
                           "not fit in one Teams message.", isSubtle=True)] if left else []
        return _envelope([*blocks[:n], *more], text)

    return build(_most(lambda n: size(build(n)) <= max_bytes, len(blocks)))


def refusal(text: str, reply: Reply | None = None) -> dict[str, Any]:
    """A refused request or button press, said in the card: on its own, or in red at the top
    of the card the button was on (`reply`), so the card stays as it was with the reason."""
    if reply is not None:
        return card(reply, alert=text)
    return _envelope([text_block(text, MAX_NOTE, color="attention", weight="Bolder")], text)


def image(png: bytes, *, alt_text: str) -> dict[str, Any]:
    """A PNG as an inline Image element (a data: URI), made to fit Teams' limits: a picture
    larger than 1024x1024 pixels is scaled down, one over 1 MB is reduced to a palette and
    then scaled down until it fits. Not a PNG: PictureError."""
    fitted = fit_png(png)
    return {
        "type": "Image",
        "url": "data:image/png;base64," + base64.b64encode(fitted).decode("ascii"),
        "altText": clip(alt_text, MAX_NOTE),
        "size": "Stretch",
    }


def picture(title: str, png: bytes, *, alt_text: str) -> dict[str, Any]:
    """A card showing one picture under a heading (a chart, the scorecard image)."""
    return _envelope(
        [_heading(title), image(png, alt_text=alt_text)],
        title,
    )


def fit_png(png: bytes) -> bytes:
    """The PNG itself when within 1024x1024 and 1 MB; otherwise a smaller PNG of the same picture."""
    from PIL import Image, UnidentifiedImageError

    try:
        picture: Image.Image = Image.open(io.BytesIO(png))
        picture.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise PictureError("That picture could not be read as a PNG.") from error
    if picture.format != "PNG":
        raise PictureError(f"Teams pictures are sent as PNG; this is {picture.format or 'not a picture'}.")
    if max(picture.size) <= MAX_IMAGE_SIDE and len(png) <= MAX_IMAGE_BYTES:
        return png
    picture.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    for _ in range(8):
        encoded = _encode(picture)
        if len(encoded) <= MAX_IMAGE_BYTES:
            return encoded
        if picture.mode != "P":
            picture = picture.convert("RGB").quantize(colors=256)
        else:
            picture = picture.resize((max(1, picture.width * 3 // 4), max(1, picture.height * 3 // 4)))
    raise PictureError("That picture cannot be made small enough for Teams (1 MB).")


def _encode(picture: Any) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()
