"""The `kpibot` command. Each area registers its own commands; heavy imports happen inside them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import typer

app = typer.Typer(
    help="kpibot: children's services performance for councillors, in chat and at the terminal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _kpibot() -> None:
    # Always a group of commands, even when `build` registers only the one a command line names.
    pass


# Modules that each define `register(app)`, with the top-level commands each registers (a test
# checks them). Kept as names so that `kpibot --help` stays fast, and so that `kpibot ask ...`
# imports bot.commands.ask alone rather than every area's module.
COMMANDS: dict[str, tuple[str, ...]] = {
    "bot.commands.store": ("load", "db"),
    "bot.commands.lait": ("load-lait",),
    "bot.commands.ask": ("ask", "chat"),
    "bot.commands.demo": ("demo",),
    "bot.commands.scorecard": ("scorecard",),
    "bot.commands.concerns": ("concerns",),
    "bot.commands.approval": ("scorecard",),
    "bot.commands.serve": ("serve",),
    "bot.commands.teams": ("teams",),
}
COMMAND_MODULES = list(COMMANDS)


def build(argv: Sequence[str] | None = None) -> typer.Typer:
    """The `kpibot` app with every area's commands; given a command line (the words after
    `kpibot`), with only the modules that register the command it names (all of them when it
    names none, as `kpibot --help` does)."""
    for name in modules_for(argv):
        importlib.import_module(name).register(app)
    return app


def modules_for(argv: Sequence[str] | None) -> list[str]:
    """The command modules a command line needs: those registering its first word, else all."""
    if argv:
        named = [module for module, commands in COMMANDS.items() if argv[0] in commands]
        if named:
            return named
    return COMMAND_MODULES


def main() -> None:
    """Run `kpibot`. A setting that stops any command from starting (the database refuses the
    password or cannot be reached, Slack refuses the token) is said in one line on stderr with
    exit status 2; its traceback goes to the log at debug level (bot.startup)."""
    try:
        build(sys.argv[1:])()
    except Exception as error:
        from bot.startup import startup_problem

        problem = startup_problem(error)
        if problem is None:
            raise
        import logging

        logging.getLogger("kpibot").debug("cannot start: %s", problem, exc_info=True)
        print(f"Cannot start: {problem}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
