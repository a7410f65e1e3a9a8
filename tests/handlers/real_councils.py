"""real_councils.tsv: reading it, loading its councils the real way, and judging each answer.

Shared by tests/handlers/test_real_councils.py and bench/queries.py, so the test and the bench
count the same way. A council is loaded with `kpibot load-lait` itself (typer's runner on the
registered command) into a SQLite file; questions then go through the query index /kpi builds
(handlers.kpi.build_index: the shipped vocabulary, every council's name, the store's wards).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from data import store
from data.db import make_engine
from handlers import kpi
from scorecard.glossary import BUILTIN_GLOSSARY, GLOSSARY_ALIASES, lookup, merge_glossary
from scorecard.model import GlossaryEntry
from scorecard.understanding import (
    Choices,
    Command,
    GlossaryMatch,
    IndicatorMatch,
    NotFound,
    QueryIndex,
    Resolution,
)

REAL_COUNCILS = Path(__file__).with_name("real_councils.tsv")
# One council nobody tuned the matcher to, written the same way (its header says how and when).
UNSEEN_COUNCIL = Path(__file__).with_name("unseen_council.tsv")
# The file's relative periods ("last year") are read as on this day (its header says so).
TODAY = date(2026, 12, 1)

RIGHT = "right"
ASKED_BACK = "asked back"
NOT_FOUND = "not found"
CONFIDENT_WRONG = "confident wrong"
OTHER_WRONG = "other wrong"  # a glossary entry, command or cluster where something else was meant
OUTCOMES = (RIGHT, ASKED_BACK, NOT_FOUND, CONFIDENT_WRONG, OTHER_WRONG)


class Row(NamedTuple):
    council: str
    query: str
    expected: str
    period: str


def read_rows(path: Path = REAL_COUNCILS) -> list[Row]:
    lines = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    rows = []
    for line in lines[1:]:  # the header
        cells = line.split("\t")
        cells += [""] * (4 - len(cells))
        rows.append(Row(*cells[:4]))
    return rows


@dataclass(frozen=True)
class Council:
    """One council's store, loaded by `kpibot load-lait`, and the index /kpi would use."""

    name: str
    engine: Engine
    index: QueryIndex
    glossary: tuple[GlossaryEntry, ...]
    load_output: str

    @property
    def terms(self) -> list[str]:
        return [entry.term for entry in self.glossary] + list(GLOSSARY_ALIASES)

    def resolve(self, text: str) -> Resolution:
        return self.index.resolve(text, glossary_terms=self.terms, today=TODAY)


def _cli() -> typer.Typer:
    from bot.commands import lait as command

    app = typer.Typer()
    command.register(app)

    @app.callback()
    def _root() -> None:
        """kpibot"""

    return app


def load_council(lait: Path, council: str, folder: Path) -> Council:
    """`kpibot load-lait <parquet> --la <council>` into a new SQLite store, then its index."""
    url = f"sqlite:///{folder / 'store.sqlite'}"
    result = CliRunner().invoke(
        _cli(), ["load-lait", str(lait / "bds_long_0.parquet"), "--la", council, "--database-url", url]
    )
    if result.exit_code != 0:
        raise RuntimeError(f"kpibot load-lait --la {council} failed:\n{result.output}")
    engine = make_engine(url)
    with Session(engine) as session:
        index = kpi.build_index(store.catalogue(session), store.areas(session))
        glossary = tuple(merge_glossary(BUILTIN_GLOSSARY, store.glossary(session)))
    return Council(council, engine, index, glossary, result.output)


def judge(row: Row, meant: Resolution, glossary: tuple[GlossaryEntry, ...]) -> str:
    """How the answer stands against the row (see real_councils.tsv's header):
    right | asked back | not found | confident wrong | other wrong."""
    expected = row.expected
    if expected == "out_of_scope":
        if isinstance(meant, NotFound):
            return RIGHT
        if isinstance(meant, IndicatorMatch):
            return CONFIDENT_WRONG
        return ASKED_BACK if isinstance(meant, Choices) else OTHER_WRONG
    if expected.startswith("glossary:"):
        wanted = lookup(glossary, expected.partition(":")[2])
        if isinstance(meant, GlossaryMatch):
            found = lookup(glossary, meant.term)
            return RIGHT if found is not None and found == wanted else OTHER_WRONG
        return _missed(meant)
    if expected.startswith("command:"):
        if isinstance(meant, Command) and meant.name == expected.partition(":")[2]:
            return RIGHT
        return _missed(meant)
    codes = expected.split("|")
    if isinstance(meant, IndicatorMatch):
        period = meant.period.label if meant.period else ""
        return RIGHT if meant.indicator.code in codes and period == row.period else CONFIDENT_WRONG
    if isinstance(meant, Choices):
        offered = {i.code for i in meant.candidates}
        if len(codes) > 1 and set(codes) <= offered:
            return RIGHT  # a fair either-or, asked back with both
        return ASKED_BACK
    return _missed(meant)


def _missed(meant: Resolution) -> str:
    if isinstance(meant, NotFound):
        return NOT_FOUND
    if isinstance(meant, IndicatorMatch):
        return CONFIDENT_WRONG
    if isinstance(meant, Choices):
        return ASKED_BACK
    return OTHER_WRONG


def describe(meant: Resolution) -> str:
    match meant:
        case IndicatorMatch():
            period = f" {meant.period.label}" if meant.period else ""
            return f"indicator {meant.indicator.code}{period}"
        case Choices():
            return "choices " + ", ".join(i.code for i in meant.candidates)
        case GlossaryMatch():
            return f"glossary {meant.term}"
        case Command():
            return f"command {meant.name.value}"
        case NotFound():
            return "not found"
        case _:
            return repr(meant)


def tally(outcomes: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter({outcome: 0 for outcome in OUTCOMES})
    counts.update(outcomes)
    return counts
