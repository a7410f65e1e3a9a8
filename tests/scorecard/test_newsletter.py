"""The newsletter page: well-formed, accessible tables, RAG and DOT in words, notes and glossary."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from html.parser import HTMLParser

from test_charts import small_scorecard

from scorecard.labels import rag_style
from scorecard.newsletter import newsletter_html
from scorecard.quarterly import QuarterlyScorecard

VOID = {"meta", "col", "br", "img", "hr", "link", "input"}


def parse(html: str) -> ET.Element:
    """The page as XML: every tag must be closed (void elements self-closed)."""
    assert html.startswith("<!DOCTYPE html>\n")
    return ET.fromstring(html.removeprefix("<!DOCTYPE html>\n"))


def everything(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(tag))


def text_of(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


class _Balance(HTMLParser):
    """html.parser's view: every opened non-void tag is closed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <meta ... />: opens and closes at once

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def page(scorecard: QuarterlyScorecard | None = None, **options: str) -> str:
    return newsletter_html(scorecard or small_scorecard(), **options)


def test_page_is_well_formed_for_xml_and_html_parsers() -> None:
    html = page(council_name="Brackenford Borough Council")

    root = parse(html)
    balance = _Balance()
    balance.feed(html)
    assert balance.errors == [] and balance.open == []
    assert root.tag == "html" and root.get("lang") == "en-GB"


def test_title_and_heading_name_the_council_and_the_quarter() -> None:
    root = parse(page(council_name="Brackenford Borough Council"))

    assert text_of(everything(root, "h1")[0]) == (
        "Brackenford Borough Council: children's services scorecard, 2024/25 Q2"
    )
    assert "2024/25 Q2" in text_of(everything(root, "title")[0])


def test_one_captioned_table_per_cluster_with_scoped_headers() -> None:
    scorecard = small_scorecard()
    root = parse(page(scorecard))

    tables = everything(root, "table")
    assert [text_of(t.find("caption")).split(",")[0] for t in tables] == [c.name for c in scorecard.clusters]
    for table in tables:
        headers = [text_of(th) for th in table.iter("th") if th.get("scope") == "col"]
        wanted = {"Indicator", "Target", "Amber threshold", "RAG", "Direction of travel", "England"}
        assert wanted <= set(headers)
        assert {"Jul 24", "Aug 24", "Sep 24"} <= set(headers)
        rows = [th for th in table.iter("th") if th.get("scope") == "row"]
        assert len(rows) == len(table.find("tbody"))  # type: ignore[arg-type]


def test_rag_and_direction_of_travel_are_words_not_just_colour() -> None:
    scorecard = small_scorecard()
    root = parse(page(scorecard))

    rag_cells = [text_of(td) for td in root.iter("td") if "rag" in (td.get("class") or "").split()]
    assert rag_cells == [f"{rag_style(row.rag).symbol} {row.rag_label}" for row in scorecard.rows]
    assert rag_cells[0] == "○ Not rated" and rag_cells[-1] == "◆ Amber"
    dot_cells = [text_of(td) for td in root.iter("td") if td.get("class") == "dot"]
    assert dot_cells[0].startswith("▼ Down down: from 130 to 125 since August 2024")
    assert any(cell.startswith(("▲ Improved", "▼ Declined")) for cell in dot_cells[1:])


def test_the_summary_line_counts_are_on_the_page() -> None:
    scorecard = small_scorecard()
    root = parse(page(scorecard))

    summary = next(p for p in root.iter("p") if p.get("id") == "summary")
    assert text_of(summary) == f"Summary: {scorecard.summary.text}."


def test_data_note_markers_link_to_their_notes() -> None:
    root = parse(page())

    targets = {li.get("id") for li in root.iter("li") if (li.get("id") or "").startswith("note-")}
    links = {a.get("href", "")[1:] for a in root.iter("a") if a.get("href", "").startswith("#note-")}
    assert links and links == targets
    first = next(li for li in root.iter("li") if li.get("id") == "note-1")
    assert "Excludes exception cases." in text_of(first)


def test_the_glossary_is_a_definition_list() -> None:
    scorecard = small_scorecard()
    root = parse(page(scorecard))

    glossary = next(dl for dl in root.iter("dl") if dl.get("class") == "glossary")
    terms = [text_of(dt) for dt in glossary.iter("dt")]
    assert terms == [entry.term for entry in scorecard.glossary]
    assert {"RAG", "DOT", "YTD"} <= set(terms)
    assert len(list(glossary.iter("dd"))) == len(terms)


def test_page_has_print_styles_and_no_scripts_or_outside_resources() -> None:
    html = page()
    root = parse(html)

    assert everything(root, "script") == []
    assert "@media print" in html and "size: A4 landscape" in html
    assert "break-inside: avoid" in html
    for element in root.iter():
        for attribute in ("src", "href"):
            value = element.get(attribute) or ""
            assert not value or value.startswith("#"), f"{element.tag} {attribute}={value}"
    assert "url(" not in html and "@import" not in html


def test_text_from_files_is_escaped() -> None:
    scorecard = small_scorecard()
    row = replace(scorecard.clusters[0].rows[0], title='<script>alert("x")</script> & co')
    first = replace(scorecard.clusters[0], rows=(row,))
    hostile = replace(scorecard, clusters=(first, *scorecard.clusters[1:]))

    html = page(hostile, council_name="<b>Council</b>")

    assert "<script>" not in html and "<b>Council" not in html
    assert "&lt;script&gt;" in html
    parse(html)


def test_the_same_scorecard_gives_the_same_page() -> None:
    scorecard = small_scorecard()

    assert page(scorecard) == page(scorecard)
