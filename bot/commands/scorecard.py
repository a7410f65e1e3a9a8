"""`kpibot scorecard ...`: the quarterly scorecard at the terminal.

`kpibot scorecard show 2024/25 Q2` shows the quarter's scorecard as it was published (the
snapshot frozen when the Performance Board approved it); `--live --as USER` shows staff the
figures as they stand in the store now. Either prints as a table that fits the terminal's width,
the JSON snapshot (the same shape for both), the newsletter page or the scorecard image. The
`scorecard` sub-app is module level (`scorecard_app`) so the approval workflow can add
`prepare`, `submit` and `approve` beside `show`. Heavy imports happen inside the commands so
`kpibot --help` stays fast.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rich.console import Console

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
    as_json: Annotated[bool, typer.Option("--json", help="The same as --format json.")] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="The figures as they stand now instead of the published scorecard (staff only: give --as).",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write to this file instead of the terminal.", dir_okay=False),
    ] = None,
    as_user: AsUser = "member",
    database_url: DatabaseUrl = None,
) -> None:
    """Show a quarter's scorecard as it was published (frozen when the Performance Board approved
    it); with --live, staff see the figures as they stand now."""
    from rich.console import Console

    from bot import composition
    from bot.runtime import open_runtime, utc_now, viewer_for
    from data import store
    from handlers.scorecard import LiveRefused, NotPublished, scorecard_to_show

    err = Console(stderr=True, soft_wrap=True, highlight=False)
    period = parse_quarter(quarter)
    if as_json:
        if output_format not in (Format.TEXT, Format.JSON):
            raise typer.BadParameter(
                f"--json and --format {output_format.value} ask for two things: give one."
            )
        output_format = Format.JSON
    if output_format is Format.PNG and output is None and sys.stdout.isatty():
        err.print("A PNG is a picture, not text: give --output FILE (or pipe it to a file).")
        raise typer.Exit(2)

    settings = composition.settings(database_url=database_url)
    runtime = open_runtime(settings)
    try:
        with runtime.session() as session:
            if store.is_empty(session):
                err.print(
                    "The store has no indicators yet: load a databook with `kpibot load PATH`, "
                    "or try `kpibot demo`."
                )
                raise typer.Exit(1)
            viewer = viewer_for(session, as_user)
            try:
                shown = scorecard_to_show(session, period, viewer, utc_now(), live=live)
            except LiveRefused as refused:
                err.print(str(refused))
                raise typer.Exit(2) from None
            except NotPublished as missing:
                err.print(str(missing))
                raise typer.Exit(1) from None
    finally:
        runtime.engine.dispose()
    card = shown.scorecard

    if cluster is not None:
        from scorecard.quarterly import only_cluster

        chosen = only_cluster(card, cluster)
        if chosen is None:
            names = ", ".join(section.name for section in card.clusters)
            err.print(f"There is no cluster called '{cluster}'. The clusters are: {names}.")
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
        print_scorecard(Console(), card, shown_as(shown.published_at))
    else:
        with output.open("w", encoding="utf-8") as file:
            console = Console(file=file, width=160, color_system=None, soft_wrap=False)
            print_scorecard(console, card, shown_as(shown.published_at))
    if output is not None:
        which = "live" if shown.live else "published"
        err.print(f"Wrote the {which} {card.quarter_label} scorecard ({output_format.value}) to {output}.")


def shown_as(published_at: datetime | None) -> str:
    """What the figures are, for the line under the title."""
    from scorecard.approval import when_words

    if published_at is None:
        return "Live figures as they stand now (staff only), not the published scorecard: they may change."
    return f"As published on {when_words(published_at)}."


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
# Comparators in the newsletter's order, with the short names the table shows (and explains).
_COMPARATORS = (("statistical_neighbours", "SN"), ("england", "Eng"), ("region", "Reg"))
_LEGEND = "YTD: the year to date. Benchmarks: SN statistical neighbours, Eng England, Reg region."
_MONTHS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
# From this many columns the table has room for every month of the quarter, the year to date's
# span, last year's figure and the benchmarks' periods, each in a column of its own; below it the
# same facts are stacked in fewer, narrower columns.
WIDE = 120
# From this many, the RAG has a column of its own beside the target, and benchmarks their periods
# on one line.
ROOMY = 150


def _short_months(text: str) -> str:
    """ "2024/25 to September 2024" -> "2024/25 to Sep 2024"."""
    return _MONTHS.sub(lambda month: month.group(1)[:3], text)


def print_scorecard(console: Console, scorecard: QuarterlyScorecard, shown_as: str = "") -> None:
    """The scorecard as a terminal table, cluster by cluster, with the summary line and notes.

    It fits the console's width: from 150 columns each fact has a column (the quarter's figures,
    year to date, target, RAG, direction of travel, last year, benchmarks with their periods);
    from 120 the target and RAG share one; narrower (80 columns), the latest figure and the year
    to date share a column too, and the benchmarks lose their periods, so nothing else is dropped.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from scorecard.labels import dot_text, rag_style, short_period

    wide = console.width >= WIDE
    roomy = console.width >= ROOMY
    console.print(Text(f"Children's services scorecard, {scorecard.quarter_label}", style="bold"))
    if shown_as:
        console.print(Text(shown_as))
    console.print(Text(f"Summary: {scorecard.summary.text}."))
    console.print(Text(_LEGEND))
    for section in scorecard.clusters:
        # One table per cluster, titled with it: a cluster row would wrap in a narrow terminal.
        table = Table(
            title=section.name, title_justify="left", title_style="bold", pad_edge=False, expand=True,
            box=box.SQUARE if wide else box.SIMPLE_HEAD, show_lines=True,
        )
        table.add_column("Indicator", overflow="fold", ratio=3, min_width=16)
        if wide:
            # Fixed widths that fit their figures (£48,047,000 included); the indicator's title
            # takes the rest.
            table.add_column("The quarter", width=15)
            table.add_column("YTD", overflow="fold", width=12)
            table.add_column("Target" if roomy else "Target, RAG", overflow="fold", width=19 if roomy else 13)
            if roomy:
                table.add_column("RAG", width=11)
            table.add_column("DOT", width=10)
            table.add_column("Last year", overflow="fold", width=12)
            table.add_column("Benchmarks", overflow="fold", width=21 if roomy else 14)
        else:
            table.add_column("Latest, YTD", overflow="fold", ratio=2)
            table.add_column("Target, RAG", overflow="fold", ratio=2)
            table.add_column("DOT", min_width=10, max_width=10)
            table.add_column("Benchmarks", overflow="fold", ratio=2)
        for row in section.rows:
            marker = f" [{row.note_marker}]" if row.note_marker else ""
            indicator = Text(f"{row.code} {row.title}{marker}")
            target = row.target_display + (f" (amber {row.amber_display})" if row.amber_display else "")
            rag = Text(f"{rag_style(row.rag).symbol} {row.rag_label}", style=_RAG_STYLE[row.rag.value])
            dot = Text(dot_text(row.dot.result, row.dot.arrow), style=_TONE_STYLE.get(row.dot.tone, ""))
            found = {cell.comparator: cell for cell in row.benchmarks}
            if wide:
                shown = row.periods or (row.latest,)
                figures = "\n".join(f"{short_period(cell.period)}: {cell.display}" for cell in shown)
                ytd = row.ytd_display or "-"
                if row.ytd_display and row.ytd_label:
                    ytd += f"\n{_short_months(row.ytd_label)}"
                last_year = row.last_year.display
                if row.last_year.period:
                    last_year += f"\n{short_period(row.last_year.period)}"
                benchmarks = "\n".join(
                    f"{short} {found[key].display} ({short_period(found[key].period)})"
                    for key, short in _COMPARATORS
                    if key in found
                )
                targets = [Text(target), rag] if roomy else [Text(f"{target}\n").append_text(rag)]
                table.add_row(
                    indicator, Text(figures), Text(ytd), *targets, dot, Text(last_year),
                    Text(benchmarks or "-"),
                )
            else:
                latest = row.latest.display
                if row.latest.period:
                    latest = f"{short_period(row.latest.period)}: {latest}"
                target_rag = Text(f"{target}\n")
                target_rag.append_text(rag)
                benchmarks = "\n".join(
                    f"{short} {found[key].display}" for key, short in _COMPARATORS if key in found
                )
                table.add_row(
                    indicator, Text(f"{latest}\nYTD {row.ytd_display or '-'}"), target_rag, dot,
                    Text(benchmarks or "-"),
                )
        console.print(table)
    if scorecard.data_notes:
        console.print(Text("Data notes", style="bold"))
        for note in scorecard.data_notes:
            console.print(Text(f"[{note.marker}] {note.code}: {note.text}"))
