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
]


def build() -> typer.Typer:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
    return app


def main() -> None:
    from pydantic import ValidationError

    try:
        build()()
    except ValidationError as wrong:
        # A setting the environment gives that cannot be used: one line naming it, no traceback.
        import sys

        for problem in wrong.errors():
            setting = "_".join(str(part) for part in problem["loc"]).upper()
            message = str(problem["msg"]).removeprefix("Value error, ")
            print(f"Cannot start: {setting} {message}", file=sys.stderr)
        raise SystemExit(2) from None
