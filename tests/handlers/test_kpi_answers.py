"""/kpi answers through the real handler and a real store holding the sample council.

Expected figures are worked out by hand from data/sample/*.csv and written here as numbers,
so a change in the rules or the sample shows up as a failure, not as a new expectation.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.console import as_json_line
from bot.runtime import Runtime, open_runtime, viewer_for
from bot.settings import Settings
from handlers import kpi
from handlers.reply import Kind, Reply, Request

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
SPEC_INDICATOR_FIELDS = {
    "code", "title", "cluster", "period", "period_end", "value", "display", "unit", "polarity",
    "target", "amber_threshold", "rag", "dot", "ytd", "last_year", "benchmarks", "data_notes",
}


@pytest.fixture
def runtime(sample_store_url: str) -> Iterator[Runtime]:
    runtime = open_runtime(Settings(database_url=sample_store_url))
    yield runtime
    runtime.engine.dispose()


def ask(runtime: Runtime, text: str, user: str = "U-someone") -> Reply:
    with runtime.session() as session:
        request = Request(text=text, viewer=viewer_for(session, user), now=NOW)
        return kpi.answer(request, session)


def as_json(reply: Reply) -> dict[str, Any]:
    """What `kpibot ask --json` prints, parsed back: proves the answer is real JSON."""
    parsed: dict[str, Any] = json.loads(as_json_line(reply))
    return parsed


def benchmark(answer: dict[str, Any], comparator: str) -> dict[str, Any]:
    found: dict[str, Any] = next(b for b in answer["benchmarks"] if b["comparator"] == comparator)
    return found


def test_send_timeliness_for_september_2024_matches_the_hand_computation(runtime: Runtime) -> None:
    answer = as_json(ask(runtime, "SEND timeliness September 2024"))

    assert answer["kind"] == "indicator"
    assert answer.keys() >= SPEC_INDICATOR_FIELDS
    assert answer["code"] == "SEND-01"
    assert answer["period"] == "September 2024"
    assert answer["period_end"] == "2024-09-30"
    assert answer["value"] == 78.9
    assert answer["display"] == "78.9%"
    # 2024/25 target 82.0, amber from 79.0: 78.9 is below the amber threshold.
    assert (answer["target"], answer["amber_threshold"], answer["rag"]) == (82.0, 79.0, "red")
    # Against August 2024 (77.1): up, and up is good for this indicator.
    assert answer["dot"]["result"] == "improved"
    assert answer["dot"]["basis"] == "previous_period"
    assert answer["dot"]["compared_period"] == "August 2024"
    assert answer["dot"]["compared_value"] == 77.1
    # April-September 2024: 100 * (30+31+25+32+27+30) / (37+40+33+41+35+38) = 100 * 175/224 = 78.125.
    assert answer["ytd"] == 78.1
    assert answer["last_year"] == {"period": "September 2023", "value": 65.1, "display": "65.1%"}
    # England's latest by then is March 2024 (50.0), judged against our March 2024 (73.0).
    england = benchmark(answer, "england")
    assert (england["period"], england["value"], england["verdict"]) == ("March 2024", 50.0, "better")


def test_a_demand_measure_has_no_rag_and_says_up_or_down(runtime: Runtime) -> None:
    answer = as_json(ask(runtime, "referrals september 2024"))

    assert answer["code"] == "DEM-02"
    assert answer["value"] == 286
    assert answer["rag"] == "n/a"
    assert answer["target"] is None
    # 297 in August to 286: the number went down; no judgement for a demand measure.
    assert answer["dot"]["result"] == "down"
    # April-September 2024 referrals: 323+341+334+318+297+286.
    assert answer["ytd"] == 1899


def test_an_academic_year_result_compares_with_last_year_and_england(runtime: Runtime) -> None:
    answer = as_json(ask(runtime, "KS2 2024/25"))

    assert answer["code"] == "EDU-02"
    assert answer["period"] == "2024/25"
    assert answer["period_end"] == "2025-08-31"
    # 58.3 against a 2024/25 target of 58.0: green.
    assert (answer["value"], answer["rag"]) == (58.3, "green")
    assert answer["dot"]["basis"] == "previous_year"
    assert (answer["dot"]["result"], answer["dot"]["compared_value"]) == ("improved", 57.8)
    assert answer["ytd"] is None
    # England 2024/25 62.0 against our 58.3: worse.
    assert benchmark(answer, "england")["verdict"] == "worse"


def test_the_card_offers_chart_concern_and_share_buttons(runtime: Runtime) -> None:
    reply = ask(runtime, "/kpi SEND timeliness")

    assert [action.label for action in reply.actions] == ["Show chart", "Raise a concern", "Share in channel"]
    assert reply.chart is not None and reply.chart.code == "SEND-01"


def test_a_cluster_lists_each_of_its_indicators(runtime: Runtime) -> None:
    answer = as_json(ask(runtime, "/kpi SEND"))

    assert answer["kind"] == "cluster"
    assert answer["cluster"] == "SEND"
    assert [item["code"] for item in answer["indicators"]] == ["SEND-01", "SEND-02", "SEND-03"]
    assert all(item.keys() >= SPEC_INDICATOR_FIELDS for item in answer["indicators"])


def test_a_vague_question_gets_a_short_list_not_a_guess(runtime: Runtime) -> None:
    answer = as_json(ask(runtime, "social worker"))

    assert answer["kind"] == "choices"
    assert 2 <= len(answer["choices"]) <= 5
    assert all(choice["code"].startswith("WF-") for choice in answer["choices"])


@pytest.mark.parametrize("question", ["potholes", "council tax", "bin collections"])
def test_out_of_scope_questions_are_never_answered_with_an_indicator(runtime: Runtime, question: str) -> None:
    answer = as_json(ask(runtime, question))

    assert answer["kind"] == "not_found"
    assert "/kpi clusters" in answer["message"]


def test_glossary_help_clusters_and_reds(runtime: Runtime) -> None:
    assert as_json(ask(runtime, "glossary DOT"))["kind"] == "glossary"
    assert as_json(ask(runtime, "help"))["kind"] == "help"
    clusters = as_json(ask(runtime, "clusters"))["clusters"]
    assert [c["cluster"] for c in clusters][:2] == ["Demand", "Keeping children safe"]
    reds = as_json(ask(runtime, "reds"))
    assert reds["indicators"] and all(item["rag"] == "red" for item in reds["indicators"])


def test_a_ward_figure_below_five_is_hidden(runtime: Runtime) -> None:
    # The sample's ward referral counts include months with fewer than five children.
    with runtime.session() as session:
        from data import store

        small = [
            o for o in store.observations(session, "DEM-02", area=store.EVERY_AREA)
            if o.area and o.value is not None and 0 < o.value < 5
        ]
    assert small, "the sample council should have a small ward count to hide"
    chosen = small[-1]
    month = chosen.period.label
    answer = as_json(ask(runtime, f"referrals ward {chosen.area} {month}"))

    assert answer["area"] == chosen.area
    assert answer["display"] == "<5"
    assert answer["value"] is None


def test_an_embargoed_figure_is_seen_by_staff_only(runtime: Runtime) -> None:
    # BUD-03's newest quarter (2026/27 Q2) is embargoed until January 2027.
    member = as_json(ask(runtime, "BUD-03", user="U0DEMOMEMB1"))
    officer = as_json(ask(runtime, "BUD-03", user="U0DEMOPERF1"))

    assert member["period"] == "2026/27 Q1"
    assert officer["period"] == "2026/27 Q2"


def test_kpibot_ask_json_reads_questions_line_by_line(sample_store_url: str) -> None:
    questions = "SEND timeliness\npotholes\n/kpi SEND\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "-", "--json", "--database-url", sample_store_url],
        input=questions, capture_output=True, text=True, timeout=60, check=True,
    )
    kinds = [json.loads(line)["kind"] for line in result.stdout.splitlines()]
    assert kinds == [Kind.INDICATOR, Kind.NOT_FOUND, Kind.CLUSTER]


def test_a_new_alias_loaded_while_the_bot_runs_is_understood_at_once(
    runtime: Runtime, tmp_path: Path
) -> None:
    from data.load import load_path

    asked = "ehcp deadline watch"
    assert as_json(ask(runtime, asked))["kind"] != "indicator"
    book = tmp_path / "book"
    book.mkdir()
    with (SAMPLE / "indicators.csv").open(newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    for row in rows:
        if row["code"] == "SEND-01":
            row["aliases"] += ";EHCP deadline watch"
    with (book / "indicators.csv").open("w", newline="", encoding="utf-8") as target:
        writer = csv.DictWriter(target, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    load_path(runtime.engine, book)

    assert as_json(ask(runtime, asked))["code"] == "SEND-01"
