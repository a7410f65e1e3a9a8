"""`kpibot scorecard show`: the sample council's 2024/25 Q2 scorecard in every format, from a real store."""

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

from bot.commands.scorecard import register
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


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample council loaded into a SQLite file, as `kpibot load data/sample` would."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sample')}/store.db"
    engine = make_engine(url)
    load_path(engine, SAMPLE)
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
    assert "Wrote the 2024/25 Q2 scorecard (png)" in result.stderr


def test_a_staff_viewer_from_the_roles_table_is_accepted(cli: typer.Typer, database_url: str) -> None:
    roles = (SAMPLE / "roles.csv").read_text().splitlines()
    officer = next(line.split(",")[0] for line in roles[1:] if "performance_officer" in line)

    result = show(cli, database_url, "--as", officer, "--format", "json")

    assert result.exit_code == 0, result.output


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
