"""The `kpibot` command. Each area registers its own commands; heavy imports happen inside them."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    help="kpibot: children's services performance for councillors, in chat and at the terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that each define `register(app)`. Kept as names so that `kpibot --help` stays fast.
COMMAND_MODULES = [
    "bot.commands.store",
    "bot.commands.lait",
    "bot.commands.ask",
    "bot.commands.demo",
    "bot.commands.scorecard",
    "bot.commands.concerns",
    "bot.commands.approval",
    "bot.commands.serve",
    "bot.commands.teams",
]


def build() -> typer.Typer:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


def main() -> None:
    """Run `kpibot`. A setting that stops any command from starting (the database refuses the
    password or cannot be reached, Slack refuses the token) is said in one line on stderr with
    exit status 2; its traceback goes to the log at debug level (bot.startup)."""
    try:
        build()()
    except Exception as error:
        from bot.startup import startup_problem

        problem = startup_problem(error)
        if problem is None:
            raise
        import logging
        import sys

        logging.getLogger("kpibot").debug("cannot start: %s", problem, exc_info=True)
        print(f"Cannot start: {problem}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
