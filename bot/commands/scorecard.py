"""`kpibot scorecard ...`: the quarterly scorecard at the terminal.

`kpibot scorecard show 2024/25 Q2` builds the scorecard from the store (the whole catalogue in
the store's bulk query) as the viewer may see it now, and prints it as a table, the JSON
snapshot, the newsletter page or the scorecard image. The `scorecard` sub-app is module level
(`scorecard_app`) so the approval workflow can add `prepare`, `submit` and `approve` beside
`show`. Heavy imports happen inside the commands so `kpibot --help` stays fast.
"""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session

    from scorecard.model import Viewer
    from scorecard.periods import Period
    from scorecard.quarterly import QuarterlyScorecard

scorecard_app = typer.Typer(
    help="The quarterly scorecard: show it as a table, JSON, the newsletter page or an image.",
    no_args_is_help=True,
)

Quarter = Annotated[str, typer.Argument(help="The financial-year quarter, written like 2024/25 Q2.")]
AsUser = Annotated[
    str, typer.Option("--as", help="Who is asking (a user id from the roles table); default: a member.")
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="The store to read (default: the settings' database_url)."),
]


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"
    HTML = "html"
    PNG = "png"


def register(app: typer.Typer) -> None:
    # build() may run more than once in one process (tests): add the group once.
    if not any(group.typer_instance is scorecard_app for group in app.registered_groups):
        app.add_typer(scorecard_app, name="scorecard")


def parse_quarter(text: str) -> Period:
    """A financial-year quarter as written by a person ("2024/25 Q2", "2024-25 q2"), or typer.BadParameter."""
    from scorecard.periods import Frequency, PeriodError, parse_period

    try:
        return parse_period(text, Frequency.QUARTERLY)
    except PeriodError as error:
        raise typer.BadParameter(
            f"'{text}' is not a quarter: write the financial year and the quarter, like 2024/25 Q2."
        ) from error


def scorecard_from_store(
    session: Session, quarter: Period, viewer: Viewer, now: datetime
) -> QuarterlyScorecard:
    """The quarter's scorecard from the store as `viewer` may see it at `now`: every indicator's
    figures in the store's one bulk fetch, the council's glossary merged over the built-in one."""
    from data import store
    from scorecard.card import IndicatorData
    from scorecard.glossary import BUILTIN_GLOSSARY, merge_glossary
    from scorecard.quarterly import build_scorecard

    figures = store.figures(session)
    catalogue = [item.indicator for item in figures.values()]
    data = {
        code: IndicatorData(item.observations, item.targets, item.benchmarks)
        for code, item in figures.items()
    }
    glossary = merge_glossary(BUILTIN_GLOSSARY, store.glossary(session))
    return build_scorecard(quarter, catalogue, data, glossary, viewer=viewer, now=now)


@scorecard_app.command("show")
def show(
    quarter: Quarter,
    cluster: Annotated[
        str | None, typer.Option("--cluster", help="Only this cluster, e.g. SEND or 'Keeping children safe'.")
    ] = None,
    output_format: Annotated[
        Format,
        typer.Option(
            "--format", help="text (a table), json (the snapshot), html (the newsletter page) or png."
        ),
    ] = Format.TEXT,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write to this file instead of the terminal.", dir_okay=False),
    ] = None,
    as_user: AsUser = "member",
    database_url: DatabaseUrl = None,
) -> None:
    """Show a quarter's scorecard as it stands now, with the figures you may see."""
    from rich.console import Console

    from bot import composition
    from bot.runtime import open_runtime, utc_now, viewer_for
    from data import store

    err = Console(stderr=True, soft_wrap=True)
    period = parse_quarter(quarter)
    if output_format is Format.PNG and output is None and sys.stdout.isatty():
        err.print("A PNG is a picture, not text: give --output FILE (or pipe it to a file).", highlight=False)
        raise typer.Exit(2)

    settings = composition.settings(database_url=database_url)
    runtime = open_runtime(settings)
    try:
        with runtime.session() as session:
            if store.is_empty(session):
                err.print(
                    "The store has no indicators yet: load a databook with `kpibot load PATH`, "
                    "or try `kpibot demo`.",
                    highlight=False,
                )
                raise typer.Exit(1)
            viewer = viewer_for(session, as_user)
            card = scorecard_from_store(session, period, viewer, utc_now())
    finally:
        runtime.engine.dispose()

    if cluster is not None:
        from scorecard.quarterly import only_cluster

        chosen = only_cluster(card, cluster)
        if chosen is None:
            names = ", ".join(section.name for section in card.clusters)
            err.print(f"There is no cluster called '{cluster}'. The clusters are: {names}.", highlight=False)
            raise typer.Exit(2)
        card = chosen

    if output_format is Format.PNG:
        from scorecard.charts import scorecard_image

        _write_bytes(scorecard_image(card), output)
    elif output_format is Format.HTML:
        from scorecard.newsletter import newsletter_html

        _write_text(newsletter_html(card), output)
    elif output_format is Format.JSON:
        import json

        from scorecard.quarterly import snapshot

        _write_text(json.dumps(snapshot(card), ensure_ascii=False, indent=2) + "\n", output)
    elif output is None:
        print_scorecard(Console(), card)
    else:
        with output.open("w", encoding="utf-8") as file:
            print_scorecard(Console(file=file, width=160, color_system=None, soft_wrap=False), card)
    if output is not None:
        err.print(
            f"Wrote the {card.quarter_label} scorecard ({output_format.value}) to {output}.", highlight=False
        )


def _write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")


def _write_bytes(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)


_RAG_STYLE = {"green": "bold green", "amber": "bold yellow", "red": "bold red", "n/a": "dim"}
_TONE_STYLE = {"good": "green", "bad": "red", "neutral": "blue", "none": "dim"}


def print_scorecard(console: Console, scorecard: QuarterlyScorecard) -> None:
    """The scorecard as a terminal table, cluster by cluster, with the summary line and notes."""
    from rich.table import Table
    from rich.text import Text

    from scorecard.labels import dot_text, rag_style, short_period

    console.print(Text(f"Children's services scorecard, {scorecard.quarter_label}", style="bold"))
    console.print(Text(f"Summary: {scorecard.summary.text}."))
    # A narrow terminal gets the latest figure only: seven columns of pounds do not fit in 80.
    wide = console.width >= 110
    for section in scorecard.clusters:
        # One table per cluster, titled with it: a cluster row would wrap in a narrow terminal.
        table = Table(title=section.name, title_justify="left", title_style="bold", pad_edge=False)
        table.add_column("Indicator", overflow="fold", min_width=18)
        table.add_column("Figures in the quarter" if wide else "Latest", overflow="fold")
        if wide:
            table.add_column("YTD", justify="right")
        table.add_column("Target", justify="right", overflow="fold")
        table.add_column("RAG")
        table.add_column("Direction of travel" if wide else "DOT")
        if wide:
            table.add_column("Last year", justify="right")
        for row in section.rows:
            shown = row.periods if wide and row.periods else (row.latest,)
            figures = "\n".join(f"{short_period(cell.period)}: {cell.display}" for cell in shown)
            marker = f" [{row.note_marker}]" if row.note_marker else ""
            target = row.target_display
            if row.amber_display:
                target += f" (amber {row.amber_display})"
            cells = [
                Text(f"{row.code} {row.title}{marker}"),
                Text(figures),
                *([Text(row.ytd_display or "-")] if wide else []),
                Text(target),
                Text(f"{rag_style(row.rag).symbol} {row.rag_label}", style=_RAG_STYLE[row.rag.value]),
                Text(dot_text(row.dot.result, row.dot.arrow), style=_TONE_STYLE.get(row.dot.tone, "")),
                *([Text(row.last_year.display)] if wide else []),
            ]
            table.add_row(*cells)
        console.print(table)
    if scorecard.data_notes:
        console.print(Text("Data notes", style="bold"))
        for note in scorecard.data_notes:
            console.print(Text(f"[{note.marker}] {note.code}: {note.text}"))
