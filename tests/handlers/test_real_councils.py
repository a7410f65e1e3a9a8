"""real_councils.tsv: questions written without seeing the matcher, over three councils' DfE LAIT
catalogues (Southwark, Devon, Sheffield). Each council is loaded once per session with the real
`kpibot load-lait`; each question goes through the index /kpi builds for that store.

What is asserted: per council, at least 95% right first time and no confident wrong answer
(an indicator, or an indicator at another period, where something else was meant). A row that
is not right first time but not confidently wrong is an xfail saying what happened.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from real_councils import (
    CONFIDENT_WRONG,
    RIGHT,
    TODAY,
    UNSEEN_COUNCIL,
    Council,
    Row,
    describe,
    judge,
    read_rows,
    tally,
)
from sqlalchemy.orm import Session

from handlers import kpi
from handlers.reply import Request
from scorecard.model import Viewer
from scorecard.understanding import IndicatorMatch

ROWS = read_rows()
COUNCILS = sorted({row.council for row in ROWS})
RIGHT_FIRST_TIME = 0.95

pytestmark = pytest.mark.lait


def test_the_set_is_big_enough_and_over_three_councils() -> None:
    assert len(ROWS) >= 300
    assert len(COUNCILS) >= 3
    assert not {"Rotherham", "Wirral", "Leeds"} & set(COUNCILS)


@pytest.fixture(scope="session")
def councils(real_councils: dict[str, Council]) -> dict[str, Council]:
    return real_councils


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.council} | {r.query}" for r in ROWS])
def test_question(row: Row, councils: dict[str, Council]) -> None:
    council = councils[row.council]
    meant = council.resolve(row.query)
    outcome = judge(row, meant, council.glossary)
    if outcome == RIGHT:
        return
    message = f"{row.query!r}: wanted {row.expected} {row.period}".rstrip() + f", got {describe(meant)}"
    if outcome == CONFIDENT_WRONG:
        raise AssertionError(f"confidently wrong: {message}")
    pytest.xfail(f"{outcome}: {message}")


def outcomes(council: Council) -> dict[str, int]:
    rows = [row for row in ROWS if row.council == council.name]
    return dict(tally([judge(row, council.resolve(row.query), council.glossary) for row in rows]))


@pytest.mark.parametrize("name", COUNCILS)
def test_never_confidently_wrong(name: str, councils: dict[str, Council]) -> None:
    counts = outcomes(councils[name])
    assert counts[CONFIDENT_WRONG] == 0, counts


# Every council is at 95% or more right first time (bench/queries.py lists the misses that
# remain). Once 58-64% before issue 12's work, 92-95% before the council's scorecard came to
# settle a count beside its percentage.
@pytest.mark.parametrize("name", COUNCILS)
def test_right_first_time_per_council(name: str, councils: dict[str, Council]) -> None:
    counts = outcomes(councils[name])
    total = sum(counts.values())
    assert counts[RIGHT] / total >= RIGHT_FIRST_TIME, counts


# The unseen council was at 91% when it was added (87% before the last round of tuning on the
# three councils above): a floor, so that tuning for them cannot quietly cost a council nobody
# tuned to. Its misses are listed by bench/queries.py.
UNSEEN_FLOOR = 0.90


def test_a_council_nobody_tuned_to_is_never_confidently_wrong_and_mostly_right(
    unseen_council: Council,
) -> None:
    rows = read_rows(UNSEEN_COUNCIL)
    assert len(rows) >= 100
    counts = tally([judge(row, unseen_council.resolve(row.query), unseen_council.glossary) for row in rows])
    assert counts[CONFIDENT_WRONG] == 0, counts
    assert counts[RIGHT] / len(rows) >= UNSEEN_FLOOR, counts


@pytest.mark.parametrize("name", COUNCILS)
def test_a_period_with_no_figure_yet_answers_with_the_latest_and_a_note(
    name: str, councils: dict[str, Council]
) -> None:
    """Rows naming a period ("last year" is 2025/26; LAIT's latest is mostly 2024/25), through
    the real /kpi handler: a card with a figure, and where it is not the period asked for, a
    note saying which period it is. Never a blank card."""
    council = councils[name]
    asked = 0
    for row in ROWS:
        if row.council != name or not row.period:
            continue
        meant = council.resolve(row.query)
        if not isinstance(meant, IndicatorMatch) or judge(row, meant, council.glossary) != RIGHT:
            continue
        with Session(council.engine) as session:
            request = Request(
                text=row.query,
                viewer=Viewer("member"),
                now=datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=UTC),
            )
            reply = kpi.answer(request, session)
        data = reply.as_json()
        assert data["kind"] == "indicator", (row.query, data)
        assert data["value"] is not None, (row.query, data)
        if data["period"] != row.period:
            assert row.period in data["note"] and data["period"] in data["note"], (row.query, data)
        asked += 1
    assert asked > 0
