"""The `peers` file and the `on_scorecard` column (data-format.md): loaded, read back, reloaded
without change, and every bad row refused with its file, row and column named and the store left
exactly as it was; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from databooks import BASE, changed, dump, write_csv_databook, write_xlsx_databook
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data import store
from data.load import LoadFailed, load_path
from scorecard.periods import Frequency, Period

PEERS = [
    ["code", "period", "council", "value", "statistical_neighbour"],
    ["SEND-01", "2024-04", "Leeds", "71.5", "true"],
    ["SEND-01", "2024-04", "Barnsley", "88", ""],
    ["KS2-01", "2023/24", "Leeds", "58", "false"],
    ["KS2-01", "2023/24", "Barnsley", "63.5", "yes"],
]


def _with_peers(rows: list[list[object]]) -> dict[str, list[list[object]]]:
    book: dict[str, list[list[object]]] = dict(changed(BASE, "peers", rows))  # type: ignore[arg-type]
    return book


def test_peers_load_read_back_and_reload_unchanged(engine: Engine, tmp_path: Path) -> None:
    report = load_path(engine, write_csv_databook(tmp_path / "book", _with_peers(PEERS)))
    assert (report.counts["peers"].new, report.counts["peers"].revised) == (4, 0)
    with Session(engine) as session:
        send = store.peers(session, "SEND-01")
        ranges = store.peer_ranges(session)
    april = Period(date(2024, 4, 30), Frequency.MONTHLY)
    assert [(p.council, p.value, p.statistical_neighbour) for p in send] == [
        ("Barnsley", 88.0, False),
        ("Leeds", 71.5, True),
    ]
    assert send[0].period == april
    assert ranges["SEND-01"][april] == (71.5, 88.0)
    again = load_path(engine, write_csv_databook(tmp_path / "again", _with_peers(PEERS)))
    assert (again.counts["peers"].new, again.counts["peers"].unchanged) == (0, 4)
    revised = [row[:] for row in PEERS]
    revised[1][3] = "72.0"
    third = load_path(engine, write_csv_databook(tmp_path / "third", _with_peers(revised)))
    assert (third.counts["peers"].revised, third.counts["peers"].unchanged) == (1, 3)


def test_peers_load_from_a_workbook_sheet_too(engine: Engine, tmp_path: Path) -> None:
    report = load_path(engine, write_xlsx_databook(tmp_path / "book.xlsx", _with_peers(PEERS)))
    assert report.counts["peers"].new == 4


BAD_PEERS = {
    "unknown indicator code": (["NOPE-99", "2024-04", "Wigan", "1", ""], "code", "no indicator"),
    "period of another frequency": (["SEND-01", "2024/25 Q1", "Wigan", "1", ""], "period", "month"),
    "period that does not parse": (["SEND-01", "April", "Wigan", "1", ""], "period", "not a period"),
    "non-numeric value": (["SEND-01", "2024-04", "Wigan", "lots", ""], "value", "is not a number"),
    "empty council": (["SEND-01", "2024-04", "", "1", ""], "council", "the council is empty"),
    "a flag that is not true or false": (
        ["SEND-01", "2024-04", "Wigan", "1", "maybe"],
        "statistical_neighbour",
        "not true or false",
    ),
    "the same council twice": (["SEND-01", "2024-04", "Barnsley", "90", ""], "council", "appears twice"),
}


@pytest.mark.parametrize("case", sorted(BAD_PEERS))
def test_a_bad_peers_row_is_refused_and_nothing_changes(engine: Engine, tmp_path: Path, case: str) -> None:
    load_path(engine, write_csv_databook(tmp_path / "first", BASE))
    before = dump(engine)
    row, column, reason = BAD_PEERS[case]
    with pytest.raises(LoadFailed) as refused:
        load_path(engine, write_csv_databook(tmp_path / "bad", _with_peers([*PEERS, row])))
    (error,) = [e for e in refused.value.errors if e.file == "peers.csv"]
    assert (error.row, error.column) == (len(PEERS) + 1, column)
    assert reason in str(error)
    assert dump(engine) == before


def test_an_unknown_peers_column_is_refused(engine: Engine, tmp_path: Path) -> None:
    rows = [[*PEERS[0], "region"], *[[*row, ""] for row in PEERS[1:]]]
    with pytest.raises(LoadFailed) as refused:
        load_path(engine, write_csv_databook(tmp_path / "bad", _with_peers(rows)))
    assert any(e.column == "region" and "unknown column" in str(e) for e in refused.value.errors)


def test_on_scorecard_defaults_to_true_and_false_keeps_an_indicator_off_the_scorecard(
    engine: Engine, tmp_path: Path
) -> None:
    indicators = [row[:] for row in BASE["indicators"]]
    indicators[0].append("on_scorecard")
    for row, flag in zip(indicators[1:], ["", "false", "no", "true"], strict=True):
        row.append(flag)
    load_path(engine, write_csv_databook(tmp_path / "book", changed(BASE, "indicators", indicators)))
    with Session(engine) as session:
        flags = {i.code: i.on_scorecard for i in store.catalogue(session)}
    assert flags == {"SEND-01": True, "CIN-01": False, "KS2-01": False, "CLA-01": True}
    indicators[2][-1] = "perhaps"
    with pytest.raises(LoadFailed) as refused:
        load_path(engine, write_csv_databook(tmp_path / "bad", changed(BASE, "indicators", indicators)))
    assert any(e.column == "on_scorecard" and e.row == 3 for e in refused.value.errors)


def test_a_store_with_figures_upgrades_to_peers_and_back(engine: Engine, tmp_path: Path) -> None:
    """Migration 0005 on a store that already holds a council's figures (foreign keys and all)."""
    from alembic import command

    from data.db import alembic_config

    load_path(engine, write_csv_databook(tmp_path / "book", _with_peers(PEERS)))
    config = alembic_config(engine)
    command.downgrade(config, "0004")
    command.upgrade(config, "head")
    with Session(engine) as session:
        assert all(i.on_scorecard for i in store.catalogue(session))
        assert store.peers(session, "SEND-01") == []
    report = load_path(engine, write_csv_databook(tmp_path / "again", _with_peers(PEERS)))
    assert report.counts["peers"].new == 4
