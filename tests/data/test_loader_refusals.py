"""Every bad databook of data-format.md is refused with its file, row and column named, and
the store stays exactly as it was (compared as a full dump, not as row counts)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from databooks import BASE, changed, dump, loaded_dump, refusals, write_csv_databook, write_xlsx_databook
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from data.load import LoadError, LoadFailed, load_frames, load_path
from data.store import observations

OBSERVATIONS_HEADER = ["code", "period", "value", "numerator", "denominator", "area", "status"]


def _named(errors: list[LoadError], file: str, row: int | None, column: str | None) -> LoadError:
    for error in errors:
        if error.file == file and error.row == row and error.column == column:
            text = str(error)
            assert file in text
            if row is not None:
                assert f"row {row}" in text
            if column is not None:
                assert f"column {column}" in text
            return error
    raise AssertionError(f"no error at {file} row {row} column {column}: {errors}")


BAD_OBSERVATIONS = {
    "unknown indicator code": (
        ["NOPE-99", "2024-06", "10", "", "", "", ""], "code", "no indicator with the code 'NOPE-99'"
    ),
    "period that does not parse": (
        ["SEND-01", "June 2024", "10", "", "", "", ""], "period", "not a period"
    ),
    "month that does not exist": (
        ["SEND-01", "2024-13", "10", "", "", "", ""], "period", "01 to 12"
    ),
    "period of another frequency": (
        ["CIN-01", "2024-06", "10", "", "", "", ""], "period", "this indicator is quarterly"
    ),
    "end date that ends no period": (
        ["CIN-01", "2024-05-31", "10", "", "", "", ""], "period", "a quarter ends on"
    ),
    "non-numeric value": (
        ["SEND-01", "2024-06", "about ninety", "", "", "", ""], "value",
        "'about ninety' is not a number",
    ),
    "numerator and denominator that do not match the value": (
        ["SEND-01", "2024-06", "84.7", "169", "200", "", ""], "value",
        "does not match numerator / denominator",
    ),
    "missing value that is not suppressed": (
        ["SEND-01", "2024-06", "", "", "", "", ""], "value", "the value is empty"
    ),
    "bad status": (
        ["SEND-01", "2024-06", "10", "", "", "", "draft"], "status", "'draft' is not a status"
    ),
    "empty code": (["", "2024-06", "10", "", "", "", ""], "code", "the code is empty"),
}


@pytest.mark.parametrize("case", list(BAD_OBSERVATIONS))
def test_bad_observation_row_is_refused_with_its_place_and_nothing_changes(
    engine: Engine, tmp_path: Path, case: str
) -> None:
    before = loaded_dump(engine, tmp_path)
    row, column, words = BAD_OBSERVATIONS[case]
    rows = [*BASE["observations"], ["SEND-01", "2024-06", "88", "", "", "", ""], row]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "observations", rows))

    errors = refusals(engine, folder)

    error = _named(errors, "observations.csv", len(rows), column)
    assert words in error.reason
    assert dump(engine) == before


def test_duplicate_code_period_and_area_is_refused_naming_both_rows(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [*BASE["observations"], ["SEND-01", "2024-04-30", "84.5", "", "", "", ""]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "observations", rows))

    error = _named(refusals(engine, folder), "observations.csv", 8, "period")

    assert "appears twice" in error.reason and "row 2" in error.reason
    assert dump(engine) == before


def test_unknown_column_is_refused_so_a_typo_never_drops_data(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [[*OBSERVATIONS_HEADER[:-1], "stauts"], *BASE["observations"][1:]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "observations", rows))

    error = _named(refusals(engine, folder), "observations.csv", 1, "stauts")

    assert "unknown column 'stauts'" in error.reason
    assert dump(engine) == before


def test_missing_required_column_is_refused(engine: Engine, tmp_path: Path) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [[cell for cell in row[:1] + row[2:]] for row in BASE["observations"]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "observations", rows))

    error = _named(refusals(engine, folder), "observations.csv", 1, "period")

    assert "required column 'period' is missing" in error.reason
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("polarity_code", "target", "amber", "words"),
    [
        ("SEND-01", "90", "95", "must be at or below the target"),
        ("CLA-01", "70", "65", "must be at or above the target"),
    ],
)
def test_target_on_the_wrong_side_of_its_threshold_is_refused(
    engine: Engine, tmp_path: Path, polarity_code: str, target: str, amber: str, words: str
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [*BASE["targets"], [polarity_code, "2025/26", target, amber]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "targets", rows))

    error = _named(refusals(engine, folder), "targets.csv", 4, "amber_threshold")

    assert words in error.reason
    assert dump(engine) == before


def test_empty_file_is_refused(engine: Engine, tmp_path: Path) -> None:
    before = loaded_dump(engine, tmp_path)
    folder = write_csv_databook(tmp_path / "bad", BASE)
    (folder / "targets.csv").write_text("")

    error = _named(refusals(engine, folder), "targets.csv", 1, None)

    assert "empty" in error.reason
    assert dump(engine) == before


def test_file_with_column_names_but_no_rows_is_refused(engine: Engine, tmp_path: Path) -> None:
    before = loaded_dump(engine, tmp_path)
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "targets", BASE["targets"][:1]))

    error = _named(refusals(engine, folder), "targets.csv", 2, None)

    assert "no rows" in error.reason
    assert dump(engine) == before


def test_file_not_saved_as_utf8_is_refused_at_the_row_and_column_of_the_bad_byte(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    folder = write_csv_databook(tmp_path / "bad", BASE)
    (folder / "glossary.csv").write_bytes(
        b"term,definition\nCIN,Child in need\n" + "Café,A place\n".encode("cp1252")
    )

    error = _named(refusals(engine, folder), "glossary.csv", 3, "term")

    assert "UTF-8" in error.reason
    assert dump(engine) == before


def test_workbook_with_no_known_sheet_is_refused(engine: Engine, tmp_path: Path) -> None:
    before = loaded_dump(engine, tmp_path)
    book = write_xlsx_databook(tmp_path / "figures.xlsx", {"Sheet1": BASE["observations"]})

    errors = refusals(engine, book)

    assert errors[0].file == "figures.xlsx"
    assert "no sheet" in errors[0].reason and "Sheet1" in errors[0].reason
    assert dump(engine) == before


def test_bad_row_in_a_workbook_names_the_sheet_and_spreadsheet_row(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [*BASE["observations"], [], ["SEND-01", "2024-06", "n/a", "", "", "", ""]]
    book = write_xlsx_databook(tmp_path / "book.xlsx", changed(BASE, "observations", rows))

    # The blank row 8 is skipped but still counted, as Excel numbers rows.
    error = _named(refusals(engine, book), "book.xlsx [observations]", 9, "value")

    assert "'n/a' is not a number" in error.reason
    assert dump(engine) == before


def test_several_errors_are_reported_together_up_to_a_limit(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    bad_rows = [["SEND-01", f"2030-{m:02d}", "lots", "", "", "", ""] for m in range(1, 13)]
    bad_rows += [["NOPE", "2024-06", str(n), "", "", f"Ward {n}", ""] for n in range(60)]
    folder = write_csv_databook(
        tmp_path / "bad", changed(BASE, "observations", [OBSERVATIONS_HEADER, *bad_rows])
    )

    with pytest.raises(LoadFailed) as refused:
        load_path(engine, folder)

    assert len(refused.value.errors) == 50
    assert refused.value.more == 72 - 50
    assert "22 more problems" in str(refused.value)
    assert [error.row for error in refused.value.errors][:3] == [2, 3, 4]
    assert dump(engine) == before


def test_first_load_needs_indicators(engine: Engine, tmp_path: Path) -> None:
    before = dump(engine)
    folder = write_csv_databook(tmp_path / "bad", {"glossary": BASE["glossary"]})

    errors = refusals(engine, folder)

    assert errors[0].file == "indicators.csv"
    assert dump(engine) == before


def test_bad_indicator_enums_and_decimals_are_refused(engine: Engine, tmp_path: Path) -> None:
    before = loaded_dump(engine, tmp_path)
    header = BASE["indicators"][0] + ["decimals"]
    rows = [header, ["X-1", "X", "SEND", "up", "percentage", "weekly", "", "", "", "5"]]
    folder = write_csv_databook(tmp_path / "bad", {"indicators": rows})

    errors = refusals(engine, folder)

    for column, words in [
        ("polarity", "'up' is not a polarity: use high, low or none"),
        ("unit", "'percentage' is not a unit"),
        ("frequency", "'weekly' is not a frequency"),
        ("decimals", "'5' is not 0, 1, 2 or 3"),
    ]:
        assert words in _named(errors, "indicators.csv", 2, column).reason
    assert dump(engine) == before


def test_load_that_fails_while_writing_the_last_table_leaves_the_store_as_it_was(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [
        *BASE["observations"][:1],
        ["SEND-01", "2024-04", "85", "", "", "", ""],  # a revision
        *BASE["observations"][2:],
        ["SEND-01", "2024-06", "91", "", "", "", ""],  # new
    ]
    glossary = [*BASE["glossary"], ["CIN", "Child in need"]]
    folder = write_csv_databook(
        tmp_path / "second", changed(changed(BASE, "observations", rows), "glossary", glossary)
    )

    def fail_on_the_loads_log(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith("INSERT INTO loads"):
            raise RuntimeError("the database went away")

    event.listen(engine, "before_cursor_execute", fail_on_the_loads_log)
    try:
        with pytest.raises(RuntimeError, match="went away"):
            load_path(engine, folder)
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_the_loads_log)

    assert dump(engine) == before
    report = load_path(engine, folder)
    assert (report.counts["observations"].new, report.counts["observations"].revised) == (1, 1)


def test_frames_not_from_files_get_rows_from_their_position(engine: Engine, tmp_path: Path) -> None:
    before = loaded_dump(engine, tmp_path)
    frame = pd.DataFrame(
        {"code": ["SEND-01", "SEND-01"], "period": ["2024-07", "2024-7x"], "value": [80.0, 81.5]}
    )

    with Session(engine) as session, pytest.raises(LoadFailed) as refused:
        load_frames(session, {"observations": frame}, "lait")

    assert [str(error) for error in refused.value.errors] == [
        "observations.csv row 3, column period: not a period: write 2024-06, 2024/25 Q2, 2024/25, "
        "2024 or an end date 2024-06-30 (got '2024-7x')"
    ]
    assert dump(engine) == before


def test_frames_with_numbers_load_like_a_csv(engine: Engine, tmp_path: Path) -> None:
    loaded_dump(engine, tmp_path)
    frame = pd.DataFrame(
        {"Code ": ["SEND-01", "SEND-01"], "PERIOD": ["2024-07", "2024-08"],
         "value": [80.0, None], "status": ["", "suppressed"], "area": [None, "E09000001"]}
    )
    frame.attrs["file"] = "lait"

    with Session(engine) as session, session.begin():
        report = load_frames(session, {"observations": frame}, "lait")

    assert report.counts["observations"].new == 2
    with Session(engine) as session:
        july = [o for o in observations(session, "SEND-01") if o.period.label == "July 2024"]
        assert july[0].value == 80.0
