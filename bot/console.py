"""The terminal: renders a Reply with rich, or as one line of JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from handlers.reply import Reply
from scorecard.model import Rag

if TYPE_CHECKING:
    # rich is imported only to draw a panel: `kpibot ask --json` never pays for it.
    from rich.console import Console, RenderableType

_RAG_STYLE = {Rag.GREEN: "bold green", Rag.AMBER: "bold yellow", Rag.RED: "bold red", Rag.NA: "dim"}


def as_json_line(reply: Reply) -> str:
    """One JSON object on one line: what `kpibot ask --json` prints."""
    return json.dumps(reply.as_json(), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    return str(value)


def renderable(reply: Reply) -> RenderableType:
    """The reply as a panel: heading, summary, facts, table, notes and the buttons as hints."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table as RichTable
    from rich.text import Text

    parts: list[RenderableType] = []
    if reply.summary:
        parts.append(Text(reply.summary))
    if reply.facts:
        facts = RichTable.grid(padding=(0, 2))
        facts.add_column(style="bold")
        facts.add_column()
        for fact in reply.facts:
            style = _RAG_STYLE.get(reply.rag, "") if fact.label == "RAG" and reply.rag else ""
            facts.add_row(fact.label, Text(fact.value, style=style))
        parts.append(facts)
    if reply.table is not None:
        table = RichTable(*reply.table.columns, show_lines=False, header_style="bold")
        for row in reply.table.rows:
            table.add_row(*row)
        parts.append(table)
    for note in reply.notes:
        parts.append(Text(note, style="italic"))
    if reply.actions:
        parts.append(Text("  ".join(f"[{action.label}]" for action in reply.actions), style="dim"))
    border = _RAG_STYLE.get(reply.rag, "blue") if reply.rag else "blue"
    return Panel(Group(*parts), title=Text(reply.heading, style="bold"), border_style=border)


def print_reply(reply: Reply, console: Console | None = None) -> None:
    from rich.console import Console

    (console or Console()).print(renderable(reply))
