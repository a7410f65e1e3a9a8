"""The store's queries hand out domain objects in the orders the scorecard needs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from databooks import BASE, write_csv_databook
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from data import store
from data.load import load_path
from scorecard.model import Comparator, Indicator, Observation, Role
from scorecard.periods import Frequency, Period, Year, YearBasis


@pytest.fixture
def session(engine: Engine, tmp_path: Path) -> Iterator[Session]:
    load_path(engine, write_csv_databook(tmp_path / "book", BASE))
    with Session(engine) as opened:
        yield opened


def test_catalogue_is_in_cluster_order_then_file_order(session: Session) -> None:
    codes = [item.code for item in store.catalogue(session)]

    assert store.clusters(session) == ["SEND", "Demand", "Education"]
    assert codes == ["SEND-01", "CIN-01", "CLA-01", "KS2-01"]
    assert all(isinstance(item, Indicator) for item in store.catalogue(session))


def test_observations_of_the_whole_authority_by_default(session: Session) -> None:
    found = store.observations(session, "SEND-01")

    assert found[0] == Observation(
        code="SEND-01", period=Period(date(2024, 4, 30), Frequency.MONTHLY), value=84.5,
        numerator=169.0, denominator=200.0,
    )
    assert [o.area for o in found] == [None, None]
    assert [o.area for o in store.observations(session, "SEND-01", "Ward A")] == ["Ward A"]
    assert len(store.observations(session, "SEND-01", store.EVERY_AREA)) == 3


def test_annual_periods_and_targets_follow_the_indicators_year_basis(session: Session) -> None:
    (ks2,) = store.observations(session, "KS2-01")
    (target,) = store.targets(session, "SEND-01")
    benchmarks = store.benchmarks(session, "KS2-01")

    assert ks2.period == Period(date(2024, 8, 31), Frequency.ANNUAL, YearBasis.ACADEMIC)
    assert target.year == Year(YearBasis.FINANCIAL, 2024)
    assert (target.target, target.amber_threshold) == (90.0, 84.0)
    assert [b.comparator for b in benchmarks] == [
        Comparator.ENGLAND, Comparator.STATISTICAL_NEIGHBOURS
    ]


def test_glossary_meetings_and_roles(session: Session) -> None:
    assert [entry.term for entry in store.glossary(session)] == ["EHC plan"]
    (meeting,) = store.meetings(session)
    assert meeting.focus_clusters == ("SEND", "Demand")
    assert meeting.agenda_deadline == date(2025, 3, 4)
    (role,) = store.roles_of(session, "SEND.Lead@council.example")
    assert (role.role, role.service_area) == (Role.SERVICE_OFFICER, "SEND")


def test_overview_counts_indicators_and_finds_latest_periods(session: Session) -> None:
    by_name = {item.name: item for item in store.overview(session)}

    assert by_name["Demand"].indicators == 2
    assert by_name["SEND"].latest is not None and by_name["SEND"].latest.label == "May 2024"


def test_figures_for_the_whole_catalogue_take_a_few_queries(
    session: Session, engine: Engine
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        if str(args[2]).lstrip().upper().startswith("SELECT"):
            statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        everything = store.figures(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert list(everything) == ["SEND-01", "CIN-01", "CLA-01", "KS2-01"]
    assert len(everything["SEND-01"].observations) == 2
    assert len(everything["KS2-01"].benchmarks) == 2
    assert len(statements) <= 4
