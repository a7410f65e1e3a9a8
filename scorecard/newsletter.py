"""The scorecard as an accessible HTML page for the members' newsletter.

`newsletter_html` renders `templates/newsletter.html.j2` (jinja2, autoescaped): one real table
per cluster with a caption and scoped headers, RAG and DOT in words as well as colour, the
summary counts, numbered data notes linked from the table, the glossary as a definition list,
and a print stylesheet (A4 landscape, rows never split, readable without colour). No scripts,
no external resources: the page is one self-contained file. Pure: same scorecard, same page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from scorecard.labels import DOT_WORDS, TONE_COLOURS, rag_style, short_period
from scorecard.model import Comparator, Rag
from scorecard.periods import months_of
from scorecard.quarterly import BenchmarkCell, QuarterlyScorecard, ScorecardRow

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["newsletter_html"]

_GOOD_IS = {"high": "Higher", "low": "Lower", "none": "Neither"}
_COMPARATORS = (Comparator.STATISTICAL_NEIGHBOURS, Comparator.ENGLAND, Comparator.REGION)


@dataclass(frozen=True, slots=True)
class _RowView:
    """What the template needs for one row, worked out here so the template stays simple."""

    row: ScorecardRow
    monthly: bool
    good_is: str
    rag_class: str
    rag_symbol: str
    dot_word: str
    benchmarks: tuple[BenchmarkCell | None, ...]


def _row_view(row: ScorecardRow) -> _RowView:
    found = {cell.comparator: cell for cell in row.benchmarks}
    return _RowView(
        row=row,
        monthly=row.frequency == "monthly" and len(row.periods) == 3,
        good_is=_GOOD_IS.get(row.polarity, ""),
        rag_class="na" if row.rag is Rag.NA else row.rag.value,
        rag_symbol=rag_style(row.rag).symbol,
        dot_word=DOT_WORDS[row.dot.result],
        benchmarks=tuple(found.get(comparator.value) for comparator in _COMPARATORS),
    )


def _long_date(iso: str) -> str:
    day = date.fromisoformat(iso[:10])
    return f"{day.day} {day:%B %Y}"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    # autoescape=True, not select_autoescape(): the template's name ends in .j2, which
    # select_autoescape would not escape. Every title, note and glossary entry came from a file.
    environment = Environment(
        loader=PackageLoader("scorecard", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["short_period"] = short_period
    return environment


def newsletter_html(scorecard: QuarterlyScorecard, *, council_name: str = "") -> str:
    """The scorecard as one self-contained, accessible HTML page (see the module docstring).

    `council_name` heads the page ("Brackenford Borough Council"); without it the page is
    headed by the scorecard alone. Well-formed (every tag closed) so it parses as XML too.
    """
    months = [m.short_label for m in months_of(scorecard.quarter)]
    colours = {rag.value if rag is not Rag.NA else "na": rag_style(rag) for rag in Rag}
    template = _environment().get_template("newsletter.html.j2")
    return template.render(
        scorecard=scorecard,
        council_name=council_name,
        quarter_end=_long_date(scorecard.quarter_end),
        prepared=_long_date(scorecard.prepared_at) if scorecard.prepared_at else "",
        months=months,
        month_names=[m.label for m in months_of(scorecard.quarter)],
        clusters=[
            (section, [_row_view(row) for row in section.rows], _counts(section.rows))
            for section in scorecard.clusters
        ],
        rag_colours=colours,
        tone_colours=TONE_COLOURS,
        symbols={key: style.symbol for key, style in colours.items()},
        comparators=["Statistical neighbours", "England", "Region"],
    )


def _counts(rows: tuple[ScorecardRow, ...]) -> dict[str, int]:
    return {
        "green": sum(1 for row in rows if row.rag is Rag.GREEN),
        "amber": sum(1 for row in rows if row.rag is Rag.AMBER),
        "red": sum(1 for row in rows if row.rag is Rag.RED),
        "na": sum(1 for row in rows if row.rag is Rag.NA),
    }
