"""`kpibot demo` (`make demo`): the bot on the sample council, in Slack if set up, else the console."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bot.commands.ask import DEFAULT_USER, AsUser, DatabaseUrl


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    as_user: AsUser = DEFAULT_USER,
    database_url: DatabaseUrl = None,
    console_only: Annotated[
        bool, typer.Option("--console", help="Use the console even when Slack is set up.")
    ] = False,
) -> None:
    """Run the bot on the sample council (loaded into an empty store first).

    With SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN) set it serves Slack;
    otherwise it opens the console. Piped input is answered line by line.
    """
    from rich.console import Console

    from bot import composition
    from bot.commands.ask import run_chat
    from bot.runtime import load_sample_if_empty, open_runtime

    settings = composition.settings(database_url=database_url)
    runtime = open_runtime(settings)
    notices = Console(stderr=True)
    if load_sample_if_empty(runtime):
        notices.print("Loaded the sample council (Brackenford Borough Council) into an empty store.")
    slack_ready = settings.slack_bot_token and (settings.slack_signing_secret or settings.slack_app_token)
    if slack_ready and not console_only:
        from bot.commands.serve import serve_forever

        serve_forever(runtime)
        return
    if sys.stdin.isatty():
        notices.print(f"Store: {settings.database_url}")
    run_chat(runtime, as_user)
