"""`kpibot load-lait`: load one council's DfE LAIT figures into the indicator store.

The conversion is `data.lait.lait_frames`; validation and writing are the loader's
(`data.load.load_frames`), in one transaction, exactly as for a council's own databook.
Heavy imports (pandas, SQLAlchemy) happen inside the command so `kpibot --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


# Loads are recorded under this name plus "<parquet>: <council>", so a later import can tell
# which council's figures a store already holds.
SOURCE_PREFIX = "DfE LAIT "


def register(app: typer.Typer) -> None:
    app.command("load-lait")(load_lait)


def load_lait(
    parquet: Annotated[
        Path,
        typer.Argument(
            help="LAIT's long table, bds_long_0.parquet (the dictionary and the statistical "
            "neighbours are read from beside it).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    la: Annotated[
        str,
        typer.Option("--la", help="The council: its name as LAIT spells it (any case) or LA number."),
    ],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Convert and validate everything, but change nothing."),
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="The store to load into (default: the settings' database_url).",
        ),
    ] = None,
    dictionary: Annotated[
        Path | None,
        typer.Option(help="LAIT's data dictionary CSV, if not beside the parquet."),
    ] = None,
    neighbours: Annotated[
        Path | None,
        typer.Option(help="The statistical neighbours workbook, if not sn_may_2025.xlsx beside the parquet."),
    ] = None,
    scorecard: Annotated[
        str | None,
        typer.Option(
            "--scorecard",
            help="The measures on the members' quarterly scorecard, as comma-separated LAIT codes "
            "(default: the headline set in data/lait_scorecard.toml).",
        ),
    ] = None,
) -> None:
    """Load one council's DfE LAIT figures: indicators, yearly values, benchmarks, and every
    other council's figures (for ranks and the statistical neighbours' own figures).

    A store holds one council's figures: loading a second council into it is refused.
    """
    from rich.console import Console

    from data.lait import LaitError, lait_frames

    # soft_wrap: long lines stay whole, so messages can be copied and searched as printed.
    console = Console(soft_wrap=True)
    err = Console(stderr=True, soft_wrap=True)
    try:
        chosen = None if scorecard is None else [c.strip() for c in scorecard.split(",") if c.strip()]
        converted = lait_frames(
            parquet, la=la, dictionary=dictionary, neighbours=neighbours, scorecard=chosen
        )
    except LaitError as exc:
        err.print(f"[red]Cannot load LAIT:[/red] {exc}", highlight=False)
        raise typer.Exit(code=2) from None

    for line in converted.summary_lines():
        console.print(line, highlight=False)

    from data.db import ensure_schema, make_engine, session_factory
    from data.load import LoadFailed, load_frames

    if database_url is None:
        from bot import composition

        database_url = composition.settings().database_url
    engine = make_engine(database_url)
    try:
        ensure_schema(engine)
        source = f"{SOURCE_PREFIX}{parquet.name}: {converted.council}"
        # One transaction: the loader validates everything first; on any error nothing
        # changes, and the with-block rolls back. A dry run validates and writes nothing.
        with session_factory(engine)() as session, session.begin():
            other = _other_council(session, str(converted.council))
            if other is not None:
                err.print(
                    f"[red]Nothing was loaded:[/red] this store already holds {other}'s LAIT "
                    f"figures. A store is one council's: loading {converted.council}'s would "
                    "revise some of them and leave the rest, mixing two councils. Give another "
                    "--database-url.",
                    highlight=False,
                )
                raise typer.Exit(code=1)
            report = load_frames(session, converted.frames, source, dry_run=dry_run)
    except LoadFailed as exc:
        # The loader's refusal names file, row, column and reason: print it as it is.
        err.print(f"[red]Nothing was loaded:[/red]\n{exc}", highlight=False)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()

    console.print(report.summary(), highlight=False)
    console.print(
        f"Not loaded: {converted.skipped_values:,} of {converted.council}'s LAIT values (reasons above).",
        highlight=False,
    )


def _other_council(session: Session, council: str) -> str | None:
    """The council of an earlier LAIT load into this store, if it is not `council`."""
    from data.store import load_sources

    for name in load_sources(session, SOURCE_PREFIX):
        _, _, earlier = name.rpartition(": ")
        if earlier and earlier != council:
            return earlier
    return None
