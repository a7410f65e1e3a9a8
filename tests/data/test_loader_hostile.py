"""Hostile and broken databook files (issue 10): a character the store cannot keep, cells and
workbooks beyond sane sizes, a stale workbook dimension, formulas whose value comes from another
workbook or was never saved, XML bombs, corrupt zips. Each is refused with its file, sheet, row
and cell named, the same on SQLite and PostgreSQL, and the store stays exactly as it was."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from databooks import BASE, changed, dump, loaded_dump, refusals, write_csv_databook, write_xlsx_databook
from sqlalchemy import Engine

from data.load import MAX_CELL, LoadError, load_path
from data.workbook import MAX_UNPACKED_BYTES


def _one(errors: list[LoadError], file: str, row: int | None, column: str | None) -> LoadError:
    for error in errors:
        if (error.file, error.row, error.column) == (file, row, column):
            return error
    raise AssertionError(f"no error at {file} row {row} column {column}: {errors}")


# --------------------------------------------------------------------------------------------
# Characters the store cannot keep, and cells too long to be data


def test_nul_in_a_csv_cell_is_refused_naming_file_row_and_column_on_every_store(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [*BASE["glossary"], ["CIN", "Child\x00 in need"]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "glossary", rows))

    error = _one(refusals(engine, folder), "glossary.csv", 3, "definition")

    assert "the text contains a character that cannot be stored (a NUL, character code 0)" in error.reason
    assert "\x00" not in str(error)
    assert dump(engine) == before


def test_nul_in_an_observation_code_is_refused_not_reported_as_an_unknown_code(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [*BASE["observations"], ["SEND-01\x00", "2024-06", "88", "", "", "", ""]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "observations", rows))

    errors = refusals(engine, folder)

    assert "cannot be stored" in _one(errors, "observations.csv", 8, "code").reason
    assert all("\x00" not in str(error) for error in errors)
    assert dump(engine) == before


def test_cell_longer_than_the_limit_is_refused_with_its_length(engine: Engine, tmp_path: Path) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [*BASE["glossary"], ["CIN", "x" * (MAX_CELL + 1)]]
    folder = write_csv_databook(tmp_path / "bad", changed(BASE, "glossary", rows))

    error = _one(refusals(engine, folder), "glossary.csv", 3, "definition")

    assert f"this cell holds {MAX_CELL + 1:,} characters: a cell may hold at most {MAX_CELL:,}" in (
        error.reason
    )
    assert dump(engine) == before


def test_cell_at_the_limit_loads(engine: Engine, tmp_path: Path) -> None:
    rows = [*BASE["glossary"], ["CIN", "x" * MAX_CELL]]
    folder = write_csv_databook(tmp_path / "long", changed(BASE, "glossary", rows))

    report = load_path(engine, folder)

    assert report.counts["glossary"].new == 2


# --------------------------------------------------------------------------------------------
# Workbooks: built by openpyxl, then one part rewritten by hand where openpyxl cannot make it


def _workbook(tmp_path: Path, observations: list[list[object]], name: str = "book.xlsx") -> Path:
    return write_xlsx_databook(tmp_path / name, changed(BASE, "observations", observations))


def _part_of(book: Path, sheet: str) -> str:
    """The zip part holding `sheet` (openpyxl numbers them in order of creation)."""
    return f"xl/worksheets/sheet{list(BASE).index(sheet) + 1}.xml"


def _rewrite(book: Path, part: str, change: Callable[[str], str]) -> Path:
    """The workbook with one XML part changed (text in, text out); every other part as it was."""
    with zipfile.ZipFile(book) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    changed_text = change(parts[part].decode("utf-8"))
    assert changed_text != parts[part].decode("utf-8"), "the change must change something"
    parts[part] = changed_text.encode("utf-8")
    book.unlink()
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return book


def _cell(xml: str, coordinate: str, replacement: str) -> str:
    """The sheet XML with the cell at `coordinate` replaced by `replacement` (a whole <c> element)."""
    return re.sub(rf'<c r="{coordinate}"[^>]*?(/>|>.*?</c>)', replacement, xml, count=1)


def test_rows_and_columns_beyond_a_stale_dimension_are_all_read(engine: Engine, tmp_path: Path) -> None:
    rows = [*BASE["observations"], ["SEND-01", "2024-06", "88", "", "", "", ""]]
    book = _rewrite(
        _workbook(tmp_path, rows), _part_of(tmp_path, "observations"),
        lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:C3"', xml),
    )

    report = load_path(engine, book)

    assert report.counts["observations"].new == len(rows) - 1
    assert report.counts["indicators"].new == 4


def test_a_value_beyond_the_named_columns_and_a_stale_dimension_is_an_unknown_column(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [*BASE["observations"], ["SEND-01", "2024-06", "88", "", "", "", "", "stray"]]
    book = _rewrite(
        _workbook(tmp_path, rows), _part_of(tmp_path, "observations"),
        lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:G7"', xml),
    )

    errors = refusals(engine, book)

    assert "unknown column" in _one(errors, "book.xlsx [observations]", 1, "Unnamed: 7").reason
    assert dump(engine) == before


def test_a_formula_whose_value_comes_from_another_workbook_is_named_and_refused(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [*BASE["observations"], ["SEND-01", "2024-06", "88", "", "", "", ""]]
    book = _rewrite(
        _workbook(tmp_path, rows), _part_of(tmp_path, "observations"),
        lambda xml: _cell(xml, "C8", '<c r="C8"><f>[1]Returns!$C$8</f><v>88</v></c>'),
    )

    error = _one(refusals(engine, book), "book.xlsx [observations]", 8, "value")

    assert error.reason.startswith(
        "cell C8 holds a formula whose value comes from another workbook (=[1]Returns!$C$8)"
    )
    assert dump(engine) == before


def test_a_shared_formula_from_another_workbook_is_named_in_every_cell_that_shares_it(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    rows = [*BASE["observations"], ["SEND-01", "2024-06", "88", "", "", "", ""],
            ["SEND-01", "2024-07", "89", "", "", "", ""]]
    book = _rewrite(
        _workbook(tmp_path, rows), _part_of(tmp_path, "observations"),
        lambda xml: _cell(
            _cell(xml, "C8", '<c r="C8"><f t="shared" ref="C8:C9" si="0">[1]Returns!C8</f><v>88</v></c>'),
            "C9", '<c r="C9"><f t="shared" si="0"/><v>89</v></c>',
        ),
    )

    errors = refusals(engine, book)

    assert "cell C8 " in _one(errors, "book.xlsx [observations]", 8, "value").reason
    assert "another workbook" in _one(errors, "book.xlsx [observations]", 9, "value").reason
    assert dump(engine) == before


def test_a_formula_with_a_saved_value_of_this_workbook_loads(engine: Engine, tmp_path: Path) -> None:
    rows = [*BASE["observations"], ["SEND-01", "2024-06", "88", "", "", "", ""]]
    book = _rewrite(
        _workbook(tmp_path, rows), _part_of(tmp_path, "observations"),
        lambda xml: _cell(xml, "C8", '<c r="C8"><f>40+48</f><v>88</v></c>'),
    )

    report = load_path(engine, book)

    assert report.counts["observations"].new == 7


def test_a_formula_with_no_saved_value_says_to_open_and_save_it_in_excel(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    # openpyxl writes a formula without calculating it, as any program but Excel does.
    book = _workbook(tmp_path, [*BASE["observations"], ["SEND-01", "2024-06", "=40+48", "", "", "", ""]])

    error = _one(refusals(engine, book), "book.xlsx [observations]", 8, "value")

    assert error.reason == (
        "cell C8 holds a formula with no saved value (=40+48): open and save it in Excel, then load it again"
    )
    assert dump(engine) == before


def test_a_workbook_cell_longer_than_the_limit_is_refused_naming_the_cell(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    glossary = [*BASE["glossary"], ["CIN", "x" * (MAX_CELL * 3)]]
    book = write_xlsx_databook(tmp_path / "book.xlsx", changed(BASE, "glossary", glossary))

    error = _one(refusals(engine, book), "book.xlsx [glossary]", 3, "definition")

    assert f"holds {MAX_CELL * 3:,} characters" in error.reason
    assert dump(engine) == before


def test_a_small_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_parsed(
    engine: Engine, tmp_path: Path
) -> None:
    before = loaded_dump(engine, tmp_path)
    book = _workbook(tmp_path, BASE["observations"])
    # A shared-strings part of one enormous string: it compresses to a few hundred KB.
    with (
        zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part,
    ):
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        chunk = b"x" * (1024 * 1024)
        for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 1):
            part.write(chunk)
        part.write(b"</t></si></sst>")
    assert book.stat().st_size < 2 * 1024 * 1024

    error = _one(refusals(engine, book), "book.xlsx", None, None)

    assert error.reason.startswith(
        "the workbook unpacks to 201 MB (its largest part, xl/sharedStrings.xml, to 201 MB)"
    )
    assert "more than the 200 MB a databook may hold" in error.reason
    assert dump(engine) == before


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
              for n in range(1, 10))
    + "]>\n"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


@pytest.mark.parametrize("doctype", [LAUGHS, XXE], ids=["billion-laughs", "xxe"])
@pytest.mark.parametrize("part", ["observations", "xl/workbook.xml", "[Content_Types].xml"])
def test_a_workbook_declaring_xml_entities_is_refused_without_parsing_them(
    engine: Engine, tmp_path: Path, doctype: str, part: str
) -> None:
    before = loaded_dump(engine, tmp_path)
    name = _part_of(tmp_path, part) if part == "observations" else part
    entity = "&lol9;" if doctype == LAUGHS else "&xxe;"

    def attack(xml: str) -> str:
        body = re.sub(r"^<\?xml[^>]*\?>\s*", "", xml)
        if part == "observations":
            body = _cell(body, "A2", f'<c r="A2" t="inlineStr"><is><t>{entity}</t></is></c>')
        return doctype + body

    book = _rewrite(_workbook(tmp_path, BASE["observations"]), name, attack)

    errors = refusals(engine, book)

    assert len(errors) == 1
    assert f"the workbook's part {name} declares XML entities (a DTD)" in errors[0].reason
    assert errors[0].file == ("book.xlsx [observations]" if part == "observations" else "book.xlsx")
    assert dump(engine) == before


def test_a_damaged_sheet_is_refused_naming_the_sheet(engine: Engine, tmp_path: Path) -> None:
    before = loaded_dump(engine, tmp_path)
    book = _rewrite(
        _workbook(tmp_path, BASE["observations"]), _part_of(tmp_path, "observations"),
        lambda xml: xml.replace("</row>", "</rows>", 3),
    )

    errors = refusals(engine, book)

    assert [(error.file, error.row) for error in errors] == [("book.xlsx [observations]", 1)]
    assert "the sheet is damaged from this row on" in errors[0].reason and "save it again" in errors[0].reason
    assert dump(engine) == before


@pytest.mark.parametrize("content", ["truncated", "csv", "empty"])
def test_a_file_that_is_not_a_workbook_is_refused(engine: Engine, tmp_path: Path, content: str) -> None:
    before = loaded_dump(engine, tmp_path)
    book = _workbook(tmp_path, BASE["observations"])
    whole = book.read_bytes()
    contents = {
        "truncated": whole[: len(whole) // 2],
        "csv": b"code,period,value\nSEND-01,2024-06,88\n",
        "empty": b"",
    }
    book.write_bytes(contents[content])

    error = _one(refusals(engine, book), "book.xlsx", None, None)

    assert error.reason.startswith("this is not a readable .xlsx workbook: it is not a zip archive")
    assert dump(engine) == before


def test_kpibot_load_of_a_billion_laughs_workbook_says_so_in_one_place_and_exits_1(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from bot.cli import build

    before = loaded_dump(engine, tmp_path)
    book = _rewrite(
        _workbook(tmp_path, BASE["observations"]), _part_of(tmp_path, "observations"),
        lambda xml: LAUGHS + _cell(re.sub(r"^<\?xml[^>]*\?>\s*", "", xml), "A2",
                                   '<c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c>'),
    )

    result = CliRunner().invoke(build(), ["load", str(book), "--database-url", database_url])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Nothing was loaded: 1 problem" in result.output
    assert "book.xlsx [observations]: the workbook's part xl/worksheets/sheet2.xml declares XML entities" in (
        result.output.replace("\n", " ").replace("  ", " ")
    )
    assert dump(engine) == before
