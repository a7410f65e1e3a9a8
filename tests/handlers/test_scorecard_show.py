"""`kpibot scorecard show`: the sample council's 2024/25 Q2 scorecard in every format, from a real
store where it was prepared, approved and published at the terminal and one figure revised after:
members and staff get the published snapshot, staff the live figures with --live, and the text
table fits 80 columns without dropping a fact and uses the room at 160."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bot.commands.approval import register
from data.db import make_engine
from data.load import load_path

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "sample"
QUARTER = "2024/25 Q2"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CLUSTERS = [
    "Demand", "Keeping children safe", "Looking after children well", "Schools", "Education", "SEND",
    "Workforce", "Budgets",
]


OFFICER, APPROVER, MEMBER = "U0DEMOPERF1", "U0DEMOBRD01", "U0DEMOMEMB1"
# DEM-01's September 2024 figure as published, and as revised in the store after publication.
PUBLISHED_DEM_01, REVISED_DEM_01 = 1473.0, 1500.0


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample council loaded into a SQLite file, as `kpibot load data/sample` would; its
    2024/25 Q2 scorecard prepared, submitted, approved and published at the terminal; then
    DEM-01's September figure revised (1,473 to 1,500) by loading the databook again."""
    folder = tmp_path_factory.mktemp("sample")
    url = f"sqlite:///{folder}/store.db"
    engine = make_engine(url)
    load_path(engine, SAMPLE)
    app = typer.Typer()
    register(app)
    for step, user, *more in (
        ("prepare", OFFICER), ("submit", OFFICER), ("approve", APPROVER, "--now"), ("publish-due", None),
    ):
        who = ["--as", user] if user else []
        quarter = [QUARTER] if user else []
        done = CliRunner().invoke(app, ["scorecard", step, *quarter, *who, *more, "--database-url", url])
        assert done.exit_code == 0, done.output
    revised = folder / "revised"
    shutil.copytree(SAMPLE, revised)
    observations = revised / "observations.csv"
    text = observations.read_text()
    assert "DEM-01,2024-09,1473,,,,," in text
    observations.write_text(text.replace("DEM-01,2024-09,1473,,,,,", "DEM-01,2024-09,1500,,,,,"))
    load_path(engine, revised)
    engine.dispose()
    return url


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    register(app)  # registering twice (build() run again) must not add a second group
    return app


def show(cli: typer.Typer, database_url: str, *args: str) -> Any:
    return CliRunner().invoke(cli, ["scorecard", "show", QUARTER, "--database-url", database_url, *args])


@pytest.fixture(scope="module")
def snapshot(database_url: str) -> dict[str, Any]:
    app = typer.Typer()
    register(app)
    result = show(app, database_url, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_json_is_the_snapshot_of_every_active_indicator_by_cluster(snapshot: dict[str, Any]) -> None:
    assert snapshot["quarter_label"] == QUARTER
    assert snapshot["quarter_end"] == "2024-09-30"
    assert [c["name"] for c in snapshot["clusters"]] == CLUSTERS
    rows = [row for cluster in snapshot["clusters"] for row in cluster["rows"]]
    assert len(rows) == 38  # 39 in the catalogue, DEM-05 inactive
    summary = snapshot["summary"]
    assert summary["green"] + summary["amber"] + summary["red"] + summary["not_rated"] == 38
    # The sample is built to show a spread on this scorecard.
    assert min(summary["green"], summary["amber"], summary["red"]) >= 8


def test_text_is_a_table_by_cluster_with_the_summary_line(
    cli: typer.Typer, database_url: str, snapshot: dict[str, Any]
) -> None:
    result = show(cli, database_url)

    assert result.exit_code == 0, result.output
    assert f"Summary: {snapshot['summary']['text']}." in " ".join(result.stdout.split())
    for name in CLUSTERS:
        assert name in result.stdout
    assert "SEND-01" in result.stdout and "Improved" in result.stdout


def test_one_cluster_only(cli: typer.Typer, database_url: str) -> None:
    result = show(cli, database_url, "--cluster", "send", "--format", "json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [c["name"] for c in data["clusters"]] == ["SEND"]
    assert data["summary"]["indicators"] == 3
    assert {note["code"] for note in data["data_notes"]} <= {"SEND-01", "SEND-02", "SEND-03"}


def test_an_unknown_cluster_is_refused_with_the_clusters_named(cli: typer.Typer, database_url: str) -> None:
    result = show(cli, database_url, "--cluster", "Parks")

    assert result.exit_code == 2
    assert "There is no cluster called 'Parks'" in result.output
    assert "Looking after children well" in result.output


def test_a_bad_quarter_says_how_to_write_one(cli: typer.Typer, database_url: str) -> None:
    result = CliRunner().invoke(cli, ["scorecard", "show", "2024 Q7", "--database-url", database_url])

    assert result.exit_code == 2
    assert "like 2024/25 Q2" in " ".join(result.output.replace("│", " ").split())


def test_html_is_the_newsletter_page(cli: typer.Typer, database_url: str, snapshot: dict[str, Any]) -> None:
    result = show(cli, database_url, "--format", "html")

    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout.removeprefix("<!DOCTYPE html>\n"))
    assert len(list(root.iter("table"))) == len(CLUSTERS)
    assert snapshot["summary"]["text"] in result.stdout


def test_png_goes_to_stdout_when_it_is_not_a_terminal(cli: typer.Typer, database_url: str) -> None:
    result = show(cli, database_url, "--format", "png")

    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(PNG_SIGNATURE)


def test_png_to_a_file(cli: typer.Typer, database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "q2.png"

    result = show(cli, database_url, "--format", "png", "--output", str(target))

    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(PNG_SIGNATURE)
    assert "Wrote the published 2024/25 Q2 scorecard (png)" in result.stderr


def _dem_01(snapshot: dict[str, Any]) -> float:
    row = next(row for cluster in snapshot["clusters"] for row in cluster["rows"] if row["code"] == "DEM-01")
    return float(row["latest"]["value"])


def _shape(value: Any, path: str = "") -> set[str]:
    """Every key's path in a JSON document ("clusters[].rows[].latest.display"), without values."""
    if isinstance(value, dict):
        return {f"{path}.{key}" for key in value} | {
            found for key, item in value.items() for found in _shape(item, f"{path}.{key}")
        }
    if isinstance(value, list):
        return {found for item in value for found in _shape(item, f"{path}[]")}
    return set()


def test_the_published_scorecard_is_shown_by_default_not_the_revised_figures(
    snapshot: dict[str, Any],
) -> None:
    assert _dem_01(snapshot) == PUBLISHED_DEM_01


def test_staff_get_the_live_figures_with_live_in_the_same_json_shape(
    cli: typer.Typer, database_url: str, snapshot: dict[str, Any]
) -> None:
    result = show(cli, database_url, "--live", "--as", OFFICER, "--json")

    assert result.exit_code == 0, result.output
    live = json.loads(result.stdout)
    assert _dem_01(live) == REVISED_DEM_01
    assert _shape(live) == _shape(snapshot)


@pytest.mark.parametrize("who", [[], ["--as", MEMBER]], ids=["nobody given", "a member"])
def test_the_live_figures_are_refused_to_anyone_but_staff(
    cli: typer.Typer, database_url: str, who: list[str]
) -> None:
    result = show(cli, database_url, "--live", "--json", *who)

    assert result.exit_code == 2
    assert result.stdout == ""
    message = " ".join(result.stderr.split())
    assert message.startswith("The live figures are only for the performance team, the Performance Board")
    assert "give your user id with --as" in message
    assert "Without --live you get the scorecard as it was published." in message


def test_json_is_the_same_as_format_json_and_not_with_another_format(
    cli: typer.Typer, database_url: str, snapshot: dict[str, Any]
) -> None:
    assert json.loads(show(cli, database_url, "--json").stdout) == snapshot
    both = show(cli, database_url, "--json", "--format", "html")
    assert both.exit_code == 2
    assert "--json and --format html ask for two things" in " ".join(both.output.split())


def test_a_quarter_never_published_says_which_are(cli: typer.Typer, database_url: str) -> None:
    member = CliRunner().invoke(cli, ["scorecard", "show", "2024/25 Q1", "--database-url", database_url])
    officer = CliRunner().invoke(
        cli, ["scorecard", "show", "2024/25 Q1", "--as", OFFICER, "--database-url", database_url]
    )

    assert member.exit_code == 1 and member.stdout == ""
    said = " ".join(member.stderr.split())
    assert said == "The 2024/25 Q1 scorecard has not been published. Published scorecards: 2024/25 Q2."
    assert officer.exit_code == 1 and "The figures as they stand now: add --live." in officer.stderr


def _row_blocks(text: str, codes: list[str]) -> dict[str, str]:
    """Each indicator's row of the text table: the lines from the one its code starts to the
    row's end (a blank line, or a rule between rows)."""
    lines = text.splitlines()
    blocks = {}
    for code in codes:
        start = next(i for i, line in enumerate(lines) if line.lstrip(" │").startswith(f"{code} "))
        end = start + 1
        while end < len(lines) and lines[end].strip() and not lines[end].startswith(("├", "└")):
            end += 1
        blocks[code] = "\n".join(lines[start:end])
    return blocks


def _facts(row: dict[str, Any]) -> list[str]:
    """What must be on every row however narrow the terminal: the latest figure, the year to
    date, the target, the RAG, the direction of travel and every benchmark's figure."""
    dot = {"improved": "Improved", "declined": "Declined", "no_change": "No", "up": "Up", "down": "Down",
           "n/a": "Not"}[row["dot"]["result"]]
    return [
        row["latest"]["display"],
        row["ytd_display"] or "-",
        *row["target_display"].split(),
        *row["rag_label"].split(),
        dot,
        *(benchmark["display"] for benchmark in row["benchmarks"]),
    ]


def test_at_80_columns_the_table_fits_and_keeps_every_fact(
    cli: typer.Typer, database_url: str, snapshot: dict[str, Any]
) -> None:
    result = CliRunner().invoke(
        cli, ["scorecard", "show", QUARTER, "--database-url", database_url], env={"COLUMNS": "80"}
    )

    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "As published on " in result.stdout
    said = " ".join(result.stdout.split())
    assert "Benchmarks: SN statistical neighbours, Eng England, Reg region." in said
    rows = [row for cluster in snapshot["clusters"] for row in cluster["rows"]]
    blocks = _row_blocks(result.stdout, [row["code"] for row in rows])
    for row in rows:
        block = blocks[row["code"]]
        for fact in _facts(row):
            assert fact in block, f"{row['code']}: {fact!r} not in\n{block}"
        assert "YTD" in block
    # SN, Eng and Reg stand for the comparators (named once, above).
    assert any("Eng " in block for block in blocks.values())


def test_at_160_columns_the_table_uses_the_room(
    cli: typer.Typer, database_url: str, snapshot: dict[str, Any]
) -> None:
    result = CliRunner().invoke(
        cli, ["scorecard", "show", QUARTER, "--database-url", database_url], env={"COLUMNS": "160"}
    )

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) == 160
    header = next(line for line in lines if line.startswith("│Indicator"))
    assert [cell.strip() for cell in header.strip("│").split("│")] == [
        "Indicator", "The quarter", "YTD", "Target", "RAG", "DOT", "Last year", "Benchmarks",
    ]
    rows = [row for cluster in snapshot["clusters"] for row in cluster["rows"]]
    blocks = _row_blocks(result.stdout, [row["code"] for row in rows])
    for row in rows:
        block = blocks[row["code"]]
        # Every month of the quarter, the year to date's span, last year and the benchmarks' periods.
        for cell in row["periods"]:
            assert cell["display"] in block
        for fact in _facts(row):
            assert fact in block, f"{row['code']}: {fact!r} not in\n{block}"
        assert row["last_year"]["display"] in block
    dem_03 = blocks["DEM-03"]
    assert "│ 2024/25 to   │" in dem_03  # the year to date's span, under its figure
    assert "SN 23.7% (Mar 2024)" in dem_03 and "Eng 22.3% (Mar 2024)" in dem_03
    # The title has room: DEM-01's is on one line beside its code.
    assert "DEM-01 Contacts received by the" in blocks["DEM-01"]


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def test_the_newsletter_reads_in_a_real_browser(
    cli: typer.Typer, database_url: str, snapshot: dict[str, Any], tmp_path: Path
) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium not found (/usr/bin/chromium or on PATH): run `bash scripts/test-setup.sh`")
    page = tmp_path / "newsletter.html"
    result = show(cli, database_url, "--format", "html", "--output", str(page))
    assert result.exit_code == 0, result.output

    dumped = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )

    dom = dumped.stdout
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    assert dom.count("<table") == len(CLUSTERS)
    assert dom.count("<caption>") == len(CLUSTERS)
    assert f"Summary: {snapshot['summary']['text']}." in dom
    summary = snapshot["summary"]
    for count, word in ((summary["green"], "Green"), (summary["amber"], "Amber"), (summary["red"], "Red")):
        assert f"{count} {word}" in dom
    assert dom.count('scope="row"') == 38
