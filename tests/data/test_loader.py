"""Loading a databook: what is new, what is revised (keeping the old figure), what is unchanged;
CSV folders and workbooks alike; a dry run changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from databooks import BASE, changed, dump, write_csv_databook, write_xlsx_databook
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data import store
from data.load import load_path
from data.schema import ObservationRevision


def _figures(engine: Engine) -> dict[str, object]:
    with Session(engine) as session:
        return {
            code: (item.observations, item.targets, item.benchmarks)
            for code, item in store.figures(session, area=store.EVERY_AREA).items()
        }


def test_loading_the_same_folder_twice_adds_and_revises_nothing(
    engine: Engine, tmp_path: Path
) -> None:
    folder = write_csv_databook(tmp_path / "book", BASE)

    first = load_path(engine, folder)
    second = load_path(engine, folder)

    assert first.counts["observations"].new == 6
    assert first.counts["indicators"].new == 4
    for table, counts in second.counts.items():
        assert (table, counts.new, counts.revised) == (table, 0, 0)
    assert second.counts["observations"].unchanged == 6
    assert "observations 6 unchanged" in second.summary()


def test_one_changed_figure_is_one_revision_and_the_old_value_is_kept(
    engine: Engine, tmp_path: Path
) -> None:
    load_path(engine, write_csv_databook(tmp_path / "first", BASE), now=datetime(
        2024, 6, 1, 9, tzinfo=UTC))
    rows = [list(row) for row in BASE["observations"]]
    rows[2][2] = "91.5"  # SEND-01 May 2024, provisional 90.0 -> 91.5
    folder = write_csv_databook(tmp_path / "second", changed(BASE, "observations", rows))

    report = load_path(engine, folder, now=datetime(2024, 7, 1, 9, tzinfo=UTC))

    counts = report.counts["observations"]
    assert (counts.new, counts.revised, counts.unchanged) == (0, 1, 5)
    with Session(engine) as session:
        history = session.scalars(select(ObservationRevision)).all()
        may = next(o for o in store.observations(session, "SEND-01") if o.period.end.month == 5)
    assert len(history) == 1
    assert history[0].old_value == 90.0
    assert history[0].old_status == "provisional"
    assert history[0].replaced_at == datetime(2024, 7, 1, 9)
    assert history[0].source_file == "observations.csv"
    assert may.value == 91.5
    assert may.revised_at == datetime(2024, 7, 1, 9, tzinfo=UTC)


def test_a_workbook_loads_the_same_figures_as_a_csv_folder(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    load_path(engine, write_csv_databook(tmp_path / "book", BASE))
    from_csv = _figures(engine)
    other = tmp_path / "other"
    other.mkdir()
    from data.db import ensure_schema, make_engine

    second_url = (
        f"sqlite:///{other / 'x.sqlite'}" if engine.dialect.name == "sqlite" else database_url
    )
    if engine.dialect.name != "sqlite":
        # Same server: reload over the CSV figures; the workbook must change nothing.
        report = load_path(engine, write_xlsx_databook(tmp_path / "book.xlsx", BASE))
        assert all(c.new == 0 and c.revised == 0 for c in report.counts.values())
        return
    second = make_engine(second_url)
    ensure_schema(second)
    report = load_path(second, write_xlsx_databook(tmp_path / "book.xlsx", BASE))

    assert report.counts["observations"].new == 6
    assert _figures(second) == from_csv


def test_a_workbook_with_real_numbers_and_dates_in_its_cells_loads(
    engine: Engine, tmp_path: Path
) -> None:
    book = {
        "indicators": BASE["indicators"],
        "observations": [
            BASE["observations"][0],
            ["SEND-01", datetime(2024, 6, 1), 88.25, None, None, None, None],
            ["SEND-01", date(2024, 7, 31), 0.5, 1, 200, None, "final"],
        ],
        "Notes": [["anything"], ["at all"]],
    }

    report = load_path(engine, write_xlsx_databook(tmp_path / "book.xlsx", book))

    assert report.counts["observations"].new == 2
    with Session(engine) as session:
        found = store.observations(session, "SEND-01")
    assert [(o.period.label, o.value) for o in found] == [("June 2024", 88.25), ("July 2024", 0.5)]


def test_a_dry_run_counts_but_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    folder = write_csv_databook(tmp_path / "book", BASE)
    before = dump(engine)

    report = load_path(engine, folder, dry_run=True)

    assert report.counts["observations"].new == 6
    assert report.summary().startswith("Checked (dry run, nothing saved)")
    assert dump(engine) == before


def test_column_names_ignore_case_and_spaces_and_cells_are_trimmed(
    engine: Engine, tmp_path: Path
) -> None:
    shouty = [[f"  {name.upper()} " for name in BASE["indicators"][0]]] + [
        [f" {cell} " if cell else cell for cell in row] for row in BASE["indicators"][1:]
    ]
    folder = write_csv_databook(
        tmp_path / "book", {"indicators": shouty, "observations": BASE["observations"]}
    )

    load_path(engine, folder)

    with Session(engine) as session:
        send = store.indicator(session, "SEND-01")
    assert send is not None
    assert send.cluster == "SEND"
    assert send.aliases == ("SEND timeliness", "EHCP 20 weeks")


def test_embargo_without_a_zone_is_london_time(engine: Engine, tmp_path: Path) -> None:
    rows = [
        [*BASE["observations"][0], "embargo_until"],
        ["SEND-01", "2024-06", "88", "", "", "", "", "2024-07-15T09:30"],
        ["SEND-01", "2024-07", "89", "", "", "", "", "2024-08-15T09:30:00+00:00"],
    ]
    folder = write_csv_databook(
        tmp_path / "book", {"indicators": BASE["indicators"], "observations": rows}
    )

    load_path(engine, folder)

    with Session(engine) as session:
        embargoes = [o.embargo_until for o in store.observations(session, "SEND-01")]
    assert embargoes == [
        datetime(2024, 7, 15, 8, 30, tzinfo=UTC),  # BST
        datetime(2024, 8, 15, 9, 30, tzinfo=UTC),
    ]
    assert load_path(engine, folder).counts["observations"].unchanged == 2
