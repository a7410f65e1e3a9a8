"""What an .xlsx databook holds, checked before openpyxl parses it (issue 10).

An .xlsx file is a zip of XML parts. Before any part is parsed, `inspect_workbook` makes sure
that it is a zip at all; that its parts unpack to a sane size (read from the zip's directory, so
a 300 KB file that unpacks to gigabytes is refused without unpacking it: zipfile itself stops
at the sizes the directory declares); that no part carries a DTD (billion laughs, external
entities: openpyxl parses sheets with the standard library, so a DTD is refused here, with
defusedxml, before it gets there); and which formula cells of the databook's sheets have no
value of their own: a value calculated from another workbook, or no value saved at all (a
workbook written by a program and never opened in Excel). The loader then reads the values
with openpyxl and names each of these cells.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers.expat import ExpatError, ParserCreate

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

__all__ = [
    "MAX_UNPACKED_BYTES",
    "FormulaCell",
    "Workbook",
    "WorkbookRefused",
    "inspect_workbook",
]

# Far beyond any databook (a million observations are about 60 MB of sheet XML), far below
# what would exhaust the server.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# `[1]Sheet1!A1`, `'[2]My sheet'!B2`: a reference into the workbook's first, second... link.
_EXTERNAL = re.compile(r"\[\d+\]")


class WorkbookRefused(Exception):
    """The workbook cannot be read safely; `reason` says why, for the person who keeps it."""

    def __init__(self, reason: str, sheet: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sheet = sheet


@dataclass(frozen=True, slots=True)
class FormulaCell:
    """A formula cell whose value cannot be taken as it is."""

    row: int
    column: int
    coordinate: str
    formula: str
    external: bool  # its value comes from another workbook; else no value was saved

    @property
    def reason(self) -> str:
        if self.external:
            return (
                f"cell {self.coordinate} holds a formula whose value comes from another workbook "
                f"(={self.formula}): copy the figures in as values (Paste Special, Values)"
            )
        return (
            f"cell {self.coordinate} holds a formula with no saved value (={self.formula}): "
            "open and save it in Excel, then load it again"
        )


@dataclass(slots=True)
class Workbook:
    """The sheets of a workbook (title -> part in the zip), and the formula cells of the ones
    asked about that need naming."""

    sheets: dict[str, str] = field(default_factory=dict)
    formulas: dict[str, list[FormulaCell]] = field(default_factory=dict)


def inspect_workbook(file: Path, wanted: Callable[[str], bool]) -> Workbook:
    """Check `file` as the module doc says; scan the formulas of the sheets whose title `wanted`
    accepts. Raises `WorkbookRefused`."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError) as error:
        raise WorkbookRefused(
            "this is not a readable .xlsx workbook: it is not a zip archive as .xlsx files are "
            f"({error}); is it an older .xls file, a CSV file renamed, password-protected or damaged? "
            "Open it in Excel and save it as an Excel Workbook (.xlsx)"
        ) from None
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_UNPACKED_BYTES:
            largest = max(members, key=lambda member: member.file_size)
            raise WorkbookRefused(
                f"the workbook unpacks to {_megabytes(unpacked)} (its largest part, {largest.filename}, "
                f"to {_megabytes(largest.file_size)}), more than the {_megabytes(MAX_UNPACKED_BYTES)} "
                "a databook may hold: does a cell hold far more than a figure?"
            )
        book = Workbook(sheets=_sheet_parts(archive))
        titles = {part: title for title, part in book.sheets.items()}
        for member in members:
            if member.filename.endswith((".xml", ".rels")):
                _refuse_dtd(archive, member.filename, titles.get(member.filename))
        for title, part in book.sheets.items():
            if wanted(title):
                book.formulas[title] = _formula_cells(archive, part, title)
    return book


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.0f} KB"


def _parse(archive: zipfile.ZipFile, part: str, sheet: str | None = None) -> Iterator[tuple[str, Any]]:
    """(event, element) of one XML part, with defusedxml: any DTD is refused."""
    try:
        with archive.open(part) as source:
            yield from _events(source)
    except KeyError:
        raise WorkbookRefused(f"the workbook names a part it does not have ({part})", sheet) from None
    except DefusedXmlException:
        raise WorkbookRefused(
            f"the workbook's part {part} declares XML entities (a DTD), which no Excel workbook "
            "does: it may be built to attack the server, so it is not read",
            sheet,
        ) from None
    except (SyntaxError, zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        # xml.etree's ParseError is a SyntaxError; a damaged zip member fails its CRC check.
        raise WorkbookRefused(
            f"the workbook is damaged: its part {part} cannot be read ({error}); open it in Excel "
            "and save it again",
            sheet,
        ) from None


def _events(source: IO[bytes]) -> Iterator[tuple[str, Any]]:
    yield from iterparse(source, events=("start", "end"), forbid_dtd=True)


def _refuse_dtd(archive: zipfile.ZipFile, part: str, sheet: str | None) -> None:
    # A DTD comes before the root element: reading up to the root's start is enough.
    for _event in _parse(archive, part, sheet):
        return


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """{sheet title: its part}, from the package's relationships, as Excel itself finds them."""
    names = set(archive.namelist())
    main = _targets(archive, "_rels/.rels", "").get("officeDocument", [])
    workbook = next((part for part in main if part in names), "xl/workbook.xml")
    folder, name = posixpath.split(workbook)
    relationships = _relationship_ids(archive, posixpath.join(folder, "_rels", f"{name}.rels"), folder)
    sheets: dict[str, str] = {}
    for event, element in _parse(archive, workbook):
        if event == "start" and _local(element.tag) == "sheet":
            part = relationships.get(element.get(_RELATIONSHIP, ""))
            if part is not None and part in names:
                sheets[element.get("name", "")] = part
    return sheets


def _targets(archive: zipfile.ZipFile, rels: str, folder: str) -> dict[str, list[str]]:
    """{relationship type's last word: [target parts]} of one .rels part."""
    found: dict[str, list[str]] = {}
    if rels not in archive.namelist():
        return found
    for event, element in _parse(archive, rels):
        if event == "start" and _local(element.tag) == "Relationship":
            kind = element.get("Type", "").rsplit("/", 1)[-1]
            found.setdefault(kind, []).append(_resolve(folder, element.get("Target", "")))
    return found


def _relationship_ids(archive: zipfile.ZipFile, rels: str, folder: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if rels not in archive.namelist():
        return found
    for event, element in _parse(archive, rels):
        if event == "start" and _local(element.tag) == "Relationship":
            found[element.get("Id", "")] = _resolve(folder, element.get("Target", ""))
    return found


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _formula_cells(archive: zipfile.ZipFile, part: str, title: str) -> list[FormulaCell]:
    """The sheet's formula cells whose value comes from another workbook or was never saved.

    Most databooks hold no formula at all: a scan of the bytes for a formula element comes
    first, and only a sheet that has one is parsed (by expat, element by element, holding one
    cell at a time; the part is known to have no DTD by now, and a DTD would still be refused).
    A shared formula's other cells carry only its group number (`<f t="shared" si="0"/>`): they
    take the first cell's formula.
    """
    try:
        if not _has_formula(archive, part):
            return []
        scan = _FormulaScan()
        with archive.open(part) as source:
            scan.parser.ParseFile(source)
    except (ExpatError, DefusedXmlException, zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise WorkbookRefused(
            f"the workbook is damaged: its part {part} cannot be read ({error}); open it in Excel "
            "and save it again",
            title,
        ) from None
    return scan.found


# `<f>`, `<f t="shared" .../>`, `<x:f>`: a formula element, however the namespace is spelt.
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formula(archive: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with archive.open(part) as source:
        while chunk := source.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


class _FormulaScan:
    """Expat handlers that note each formula cell with an external or no saved value."""

    def __init__(self) -> None:
        self.found: list[FormulaCell] = []
        self.shared: dict[str, str] = {}
        self.row = 0
        self.column = 0
        self.cell: dict[str, str] = {}
        self.formula: list[str] | None = None
        self.formula_attrs: dict[str, str] = {}
        self.value: list[str] | None = None
        self.reading: str = ""
        self.parser = ParserCreate()
        self.parser.buffer_text = True
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text

    def _doctype(self, *_: object) -> None:
        raise DefusedXmlException("a DTD in a worksheet")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rsplit(":", 1)[-1]
        if tag == "row":
            self.row = int(attrs.get("r") or self.row + 1)
            self.column = 0
        elif tag == "c":
            self.cell = attrs
            self.column = _column_number(attrs.get("r", "")) or self.column + 1
            self.formula = self.value = None
        elif tag == "f":
            self.formula, self.formula_attrs, self.reading = [], attrs, "f"
        elif tag == "v":
            self.value, self.reading = [], "v"

    def _text(self, data: str) -> None:
        if self.reading == "f" and self.formula is not None:
            self.formula.append(data)
        elif self.reading == "v" and self.value is not None:
            self.value.append(data)

    def _end(self, name: str) -> None:
        tag = name.rsplit(":", 1)[-1]
        if tag in ("f", "v"):
            self.reading = ""
        elif tag == "c" and self.formula is not None:
            text = "".join(self.formula)
            group = self.formula_attrs.get("si")
            if self.formula_attrs.get("t") == "shared" and group is not None:
                text = self.shared.setdefault(group, text) if text else self.shared.get(group, "")
            saved = self.value is not None and (any(self.value) or self.cell.get("t") == "str")
            external = bool(_EXTERNAL.search(text))
            if external or not saved:
                coordinate = self.cell.get("r") or f"row {self.row}"
                self.found.append(FormulaCell(self.row, self.column, coordinate, text, external))
            self.formula = None


def _column_number(coordinate: str) -> int:
    """`C5` -> 3; `AA10` -> 27; 0 if there is no coordinate."""
    number = 0
    for letter in coordinate:
        if not letter.isalpha():
            break
        number = number * 26 + ord(letter.upper()) - ord("A") + 1
    return number
