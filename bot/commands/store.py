"""`kpibot db upgrade`, `kpibot load PATH` and `kpibot demo`: the indicator store at the terminal.

Heavy imports (pandas, SQLAlchemy, rich) happen inside the commands so `kpibot --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy import Engine

    from data.load import LoadReport, Progress

db_app = typer.Typer(help="The indicator store's database.", no_args_is_help=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url", help="The store to use (default: the settings' database_url)."
    ),
]


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("load")(load)


def _engine(database_url: str | None) -> Engine:
    from bot import composition
    from data.db import ensure_schema, make_engine

    engine = make_engine(database_url or composition.settings().database_url)
    ensure_schema(engine)
    return engine


@db_app.command("upgrade")
def upgrade(database_url: DatabaseUrl = None) -> None:
    """Create the store, or bring its tables up to this version (safe to run again, and by
    several copies at once)."""
    from rich.console import Console

    from bot.scheduler import ensure_job_table

    engine = _engine(database_url)
    # The scheduler's table too, so that everything the bot needs exists before it starts.
    ensure_job_table(engine)
    Console().print(f"The store at {engine.url.render_as_string()} is up to date.")


def load(
    path: Annotated[
        Path,
        typer.Argument(help="A folder of databook CSV files, or one .xlsx workbook.", exists=True),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything and count, but change nothing.")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Load a council's databook: all of it, or (on any error) none of it."""
    from rich.console import Console

    from data.load import LoadFailed, load_path

    console = Console()
    engine = _engine(database_url)
    try:
        with _progress(console) as progress:
            report = load_path(engine, path, dry_run=dry_run, progress=progress)
    except LoadFailed as failed:
        _print_errors(Console(stderr=True), failed)
        raise typer.Exit(1) from None
    _print_report(console, report)


def _print_errors(console: Console, failed: object) -> None:
    from data.load import LoadFailed

    assert isinstance(failed, LoadFailed)
    count = len(failed.errors) + failed.more
    console.print(
        f"[bold red]Nothing was loaded:[/] {count:,} {'problem' if count == 1 else 'problems'} "
        "to fix first. The store is unchanged.",
        highlight=False,
    )
    for error in failed.errors:
        console.print(f"  {error}", markup=False, highlight=False, soft_wrap=True)
    if failed.more:
        console.print(f"  ... and {failed.more:,} more", highlight=False)


def _print_report(console: Console, report: LoadReport) -> None:
    from rich.table import Table

    table = Table("table", "new", "revised", "unchanged", title=None)
    for name, counts in report.counts.items():
        table.add_row(name, f"{counts.new:,}", f"{counts.revised:,}", f"{counts.unchanged:,}")
    console.print(table)
    console.print(report.summary(), highlight=False, soft_wrap=True)


class _progress:
    """A rich progress bar fed by the loader's (what, done, total) reports; quiet when small."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.bar = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            console=console, transient=True,
        )
        self.tasks: dict[str, object] = {}

    def __enter__(self) -> Progress:
        self.bar.start()
        return self.report

    def report(self, what: str, done: int, total: int) -> None:
        from rich.progress import TaskID

        task = self.tasks.get(what)
        if task is None:
            task = self.tasks[what] = self.bar.add_task(what, total=total)
        assert isinstance(task, int)
        self.bar.update(TaskID(task), completed=done, total=total)

    def __exit__(self, *_: object) -> None:
        self.bar.stop()
