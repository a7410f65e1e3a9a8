"""`kpibot ask` and `kpibot chat`: the same conversations as Slack, at the terminal."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.runtime import Runtime
    from handlers.reply import Reply, Request

DEFAULT_USER = "console-member"

EXAMPLES = (
    "SEND timeliness",
    "children in care rate 2023/24",
    "SEND",
    "reds",
    "CLA rate ward Hollins Green",
    "glossary DOT",
)

AsUser = Annotated[
    str, typer.Option("--as", help="Who is asking (a user id from the roles table); default: a member.")
]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="The store to read (default: DATABASE_URL).")
]


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.command("chat")(chat)


def ask(
    text: Annotated[str, typer.Argument(help="What you want to know; '-' reads one question a line.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as one JSON object.")] = False,
    as_user: AsUser = DEFAULT_USER,
    database_url: DatabaseUrl = None,
) -> None:
    """Answer one question (or, with '-', one per line of standard input) and exit."""
    runtime = _runtime(database_url)
    if text == "-":
        for line in sys.stdin:
            if line.strip():
                _show(answer_text(runtime, line, as_user), as_json)
        return
    _show(answer_text(runtime, text, as_user), as_json)


def chat(
    as_user: AsUser = DEFAULT_USER,
    database_url: DatabaseUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print answers as JSON lines.")] = False,
) -> None:
    """An interactive console: ask as many questions as you like (Ctrl-D or 'quit' to leave)."""
    run_chat(_runtime(database_url), as_user, as_json=as_json)


def run_chat(runtime: Runtime, as_user: str, *, as_json: bool = False) -> None:
    """Questions from the keyboard with history, or from piped input answered line by line."""
    from rich.console import Console

    console = Console()
    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (gives input() line editing and history)

        console.print("[bold]kpibot[/bold]: ask about children's services performance. Try:")
        for example in EXAMPLES:
            console.print(f"  {example}")
        console.print("Type help for more, quit to leave.\n")
    while True:
        try:
            line = input("kpi> " if interactive else "")
        except EOFError:
            break
        if line.strip().lower() in {"quit", "exit", "/quit"}:
            break
        if line.strip():
            _show(answer_text(runtime, line, as_user), as_json, console)


# The slash commands Slack has, typed at the console: `/scorecard 2024/25 Q1`, `/concern list`.
_SLASH = re.compile(r"^\s*/(kpi|scorecard|concerns?)\b\s*(.*)$", re.IGNORECASE | re.DOTALL)


def answer_text(runtime: Runtime, text: str, as_user: str) -> Reply:
    """One question through the same handler every platform uses: `/scorecard ...` and
    `/concern ...` as Slack's commands, anything else (with or without `/kpi`) as `/kpi`."""
    from bot.runtime import utc_now, viewer_for
    from handlers.reply import Request

    command, words = "kpi", text.strip()
    slash = _SLASH.match(words)
    if slash:
        command, words = slash.group(1).lower(), slash.group(2).strip()
        if command == "kpi":
            words = text.strip()  # the /kpi handler reads its own prefix
    with runtime.session() as session:
        request = Request(
            text=words,
            viewer=viewer_for(session, as_user),
            now=utc_now(),
            suppress_below=runtime.settings.suppress_below,
        )
        if command == "scorecard":
            from handlers import scorecard

            return scorecard.answer(request, session, page_base_url=runtime.settings.public_base_url)
        if command in ("concern", "concerns"):
            return _concern(request, session)
        from handlers import kpi

        return kpi.answer(request, session)


def _concern(request: Request, session: Session) -> Reply:
    """`/concern list` is the member's list; `/concern <words>` cannot open Slack's form at a
    terminal, so it says which indicator the form would start at and how to raise it here."""
    from handlers import concern_views as views
    from handlers import concerns
    from handlers.reply import Fact, Kind
    from handlers.reply import Reply as ReplyType

    if concerns.is_list(request.text):
        return views.list_reply(request, session)
    form = concerns.form(request, session)
    code = form.guess.code if form.guess is not None else None
    about = f"{form.guess.title} ({code})" if form.guess is not None else views.GENERAL
    option = f" --indicator {code}" if code else ""
    words = form.text or "your concern"
    command = f'kpibot concerns raise --as {request.viewer.user}{option} "{words}"'
    return ReplyType(
        kind=Kind.CONCERN,
        heading="Raise a concern",
        summary=f"In Slack, /concern opens the concern form. Here, raise it with: {command}",
        facts=(Fact("About", about),),
        data={"code": code, "about": about, "command": command},
    )


def _runtime(database_url: str | None) -> Runtime:
    """The store, as it is: a store already at the newest migration is not migrated (that
    would import Alembic and check every migration, for every question; data.db.at_head). An
    empty or older store is brought up to date first."""
    from bot import composition
    from bot.runtime import open_runtime

    return open_runtime(composition.settings(database_url=database_url))


def _show(reply: Reply, as_json: bool, console: object | None = None) -> None:
    from bot.console import as_json_line, print_reply

    if as_json:
        print(as_json_line(reply), flush=True)
    else:
        print_reply(reply, console)  # type: ignore[arg-type]
