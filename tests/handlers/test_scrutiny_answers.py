"""The scrutiny questions on the sample council, through `kpibot ask --json` (chat-and-workflow.md,
"Scrutiny questions" and "Machine-readable answers"): every kind, its fields, and its lists
checked against the indicator cards the same store gives one cluster at a time."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import build

CLUSTERS = [
    "Demand",
    "Keeping children safe",
    "Looking after children well",
    "Schools",
    "Education",
    "SEND",
    "Workforce",
    "Budgets",
]
SPEC_INDICATOR_FIELDS = {
    "code",
    "title",
    "cluster",
    "period",
    "period_end",
    "value",
    "display",
    "unit",
    "polarity",
    "target",
    "amber_threshold",
    "rag",
    "dot",
    "ytd",
    "last_year",
    "benchmarks",
    "data_notes",
}


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    return build()


def run(cli: typer.Typer, *args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def ask(cli: typer.Typer, url: str, text: str) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(run(cli, "ask", text, "--json", "--database-url", url))
    return answer


def every_card(cli: typer.Typer, url: str) -> list[dict[str, Any]]:
    cards = []
    for cluster in CLUSTERS:
        answer = ask(cli, url, cluster)
        assert answer["kind"] == "cluster"
        cards.extend(answer["indicators"])
    return cards


def movement(card: dict[str, Any]) -> Decimal:
    now, before = Decimal(str(card["value"])), Decimal(str(card["dot"]["compared_value"]))
    return abs(now - before) / abs(before) if before else abs(now - before)


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("what got worse", "declined"),
        ("which indicators declined", "declined"),
        ("what improved", "improved"),
        ("good news", "improved"),
    ],
)
def test_declined_and_improved_are_every_card_so_judged_by_cluster_biggest_move_first(
    cli: typer.Typer, sample_store_url: str, text: str, direction: str
) -> None:
    answer = ask(cli, sample_store_url, text)
    assert answer["kind"] == "changes"
    assert (answer["direction"], answer["since"], answer["cluster"]) == (direction, None, None)
    listed = answer["indicators"]
    assert set(listed[0]) >= SPEC_INDICATOR_FIELDS
    expected = [c for c in every_card(cli, sample_store_url) if c["dot"]["result"] == direction]
    assert sorted(c["code"] for c in listed) == sorted(c["code"] for c in expected)
    # By cluster (catalogue order of first appearance), the biggest relative move first within each.
    clusters = [c["cluster"] for c in listed]
    assert clusters == sorted(clusters, key=CLUSTERS.index)
    for cluster in set(clusters):
        moves = [movement(c) for c in listed if c["cluster"] == cluster]
        assert moves == sorted(moves, reverse=True)


def test_whats_slipping_in_send_is_one_cluster(cli: typer.Typer, sample_store_url: str) -> None:
    answer = ask(cli, sample_store_url, "what's slipping in SEND")
    assert (answer["kind"], answer["direction"], answer["cluster"]) == ("changes", "declined", "SEND")
    assert [c["code"] for c in answer["indicators"]] == ["SEND-01"]
    assert (
        answer["indicators"][0]["dot"]["words"] == "declined: down from 78.9% to 75.0% since September 2026"
    )


def test_the_overview_counts_are_the_cards_counts(cli: typer.Typer, sample_store_url: str) -> None:
    answer = ask(cli, sample_store_url, "how are we doing")
    assert answer["kind"] == "overview"
    cards = [c for c in every_card(cli, sample_store_url)]
    by_cluster: dict[str, dict[str, int]] = {}
    for card in cards:
        counts = by_cluster.setdefault(
            card["cluster"],
            dict.fromkeys(("green", "amber", "red", "not_rated", "improved", "declined", "no_change"), 0),
        )
        counts["not_rated" if card["rag"] == "n/a" else card["rag"]] += 1
        if card["dot"]["result"] in ("improved", "declined", "no_change"):
            counts[card["dot"]["result"]] += 1
    assert [c["cluster"] for c in answer["clusters"]] == CLUSTERS
    for entry in answer["clusters"]:
        expected = by_cluster[entry["cluster"]]
        assert {k: entry[k] for k in expected} == expected
    assert answer["attention"] == [
        c["code"] for c in cards if c["rag"] == "red" and c["dot"]["result"] == "declined"
    ]
    assert len(answer["movers"]) == 5
    # Four are not rated: three context measures, and WF-05 with no 2026/27 target yet.
    assert answer["not_rated_reason"] == (
        "Not rated: 3 context measures (never rated); 1 no target set for 2026/27."
    )
    for text in ("overview", "summary"):
        assert ask(cli, sample_store_url, text)["clusters"] == answer["clusters"]


def test_a_comparison_ranks_us_among_the_sample_councils(cli: typer.Typer, sample_store_url: str) -> None:
    answer = ask(cli, sample_store_url, "how do we compare on CLA rate")
    assert answer["kind"] == "comparison"
    assert set(answer) >= SPEC_INDICATOR_FIELDS
    assert answer["code"] == "CLA-01"
    # Worked from data/sample/peers.csv for March 2025, the latest month other councils have
    # (good is low): ours 92.0 ties with Jessop's, the highest of the 25 councils.
    peers = [
        line.split(",")
        for line in (Path(__file__).parents[2] / "data/sample/peers.csv").read_text().splitlines()
    ]
    march = [
        (council, float(value), flag == "true")
        for code, period, council, value, flag in peers[1:]
        if code == "CLA-01" and period == "2025-03"
    ]
    better = [c for c, v, _ in march if v < 92.0]
    assert answer["rank"] == {"position": len(better) + 1, "of": len(march) + 1, "joint": True}
    neighbours = sorted((v, c) for c, v, n in march if n)
    assert answer["neighbours"] == [{"council": c, "value": v, "display": f"{v:.1f}"} for v, c in neighbours]
    assert answer["neighbour_rank"]["of"] == 11
    assert answer["rank"] == {"position": 24, "of": 25, "joint": True}
    assert answer["band"] == "D"  # 24 > 3 x 25 / 4
    assert answer["neighbour_rank"] == {"position": 10, "of": 11, "joint": True}
    assert answer["rank_words"] == (
        "joint 24th of 25, fourth quarter (band D); joint 10th of 11 among statistical neighbours"
    )
    assert {c["comparator"] for c in answer["comparators"]} == {"statistical_neighbours", "england", "region"}
    assert all(set(c) >= {"comparator", "period", "value", "verdict", "note"} for c in answer["comparators"])
    assert "ranks are for March 2025" in answer["note"]


@pytest.mark.parametrize(
    ("text", "comparator"),
    [
        ("where are we behind England", "england"),
        ("worse than neighbours", "statistical_neighbours"),
        ("how do we compare", "england"),
    ],
)
def test_benchmarks_are_the_worse_verdicts_widest_gap_first(
    cli: typer.Typer, sample_store_url: str, text: str, comparator: str
) -> None:
    answer = ask(cli, sample_store_url, text)
    assert (answer["kind"], answer["comparator"]) == ("benchmarks", comparator)
    expected = set()
    for card in every_card(cli, sample_store_url):
        for b in card["benchmarks"]:
            if b["comparator"] == comparator and b["verdict"] == "worse":
                expected.add(card["code"])
    assert {c["code"] for c in answer["indicators"]} == expected
    gaps = [c["gap"] for c in answer["indicators"]]
    assert gaps == sorted(gaps, reverse=True)
    assert answer["not_compared"]["count"] >= 3  # the three context measures at least


def test_reds_says_how_many_are_not_rated(cli: typer.Typer, sample_store_url: str) -> None:
    answer = ask(cli, sample_store_url, "reds")
    assert answer["kind"] == "reds" and answer["indicators"]
    assert answer["not_rated"] == 4 and "not rated" in answer["note"].lower()


def test_changes_since_the_published_scorecard_new_revised_and_rag_with_before_and_after(
    cli: typer.Typer, sample_store_url: str, tmp_path: Path
) -> None:
    url = sample_store_url
    nothing = ask(cli, url, "what's changed since the last scorecard")
    assert (nothing["kind"], nothing["direction"], nothing["since"], nothing["indicators"]) == (
        "changes",
        "changed",
        None,
        [],
    )
    quarter = "2026/27 Q2"
    run(cli, "scorecard", "prepare", quarter, "--as", "U0DEMOPERF1", "--database-url", url)
    run(cli, "scorecard", "submit", quarter, "--as", "U0DEMOPERF1", "--database-url", url)
    run(cli, "scorecard", "approve", quarter, "--as", "U0DEMOBRD01", "--now", "--database-url", url)
    run(cli, "scorecard", "publish-due", "--database-url", url)
    # After publication: WF-05's Q2 figure is revised, and EDU-01's 2024/25 target is lowered.
    corrected = tmp_path / "corrected"
    corrected.mkdir()
    (corrected / "observations.csv").write_text("code,period,value\nWF-05,2026/27 Q2,10.5\n")
    (corrected / "targets.csv").write_text("code,year,target,amber_threshold\nEDU-01,2024/25,60,55\n")
    run(cli, "load", str(corrected), "--database-url", url)

    answer = ask(cli, url, "since last quarter")
    assert (answer["kind"], answer["direction"], answer["since"], answer["cluster"]) == (
        "changes",
        "changed",
        quarter,
        None,
    )
    changes = {c["code"]: c for c in answer["indicators"]}
    assert changes["WF-05"]["change"] == "revised"
    assert changes["WF-05"]["before"] == {
        "value": 9.8,
        "rag": "n/a",
        "period": "2026/27 Q2",
        "display": "9.8",
    }
    assert changes["WF-05"]["value"] == 10.5
    assert changes["EDU-01"]["change"] == "rag"
    assert (changes["EDU-01"]["before"]["rag"], changes["EDU-01"]["rag"]) == ("amber", "green")
    # Monthly figures for October arrived after the September the scorecard showed.
    assert changes["SEND-01"]["change"] == "new"
    assert changes["SEND-01"]["before"]["period"] == "September 2026"
    assert changes["SEND-01"]["period"] == "October 2026"
    # Quarterly figures with nothing new are not listed.
    assert "SAFE-05" not in changes


def test_the_console_prints_the_same_answers_as_text(cli: typer.Typer, sample_store_url: str) -> None:
    overview = run(cli, "ask", "how are we doing", "--database-url", sample_store_url)
    assert "Overview" in overview and "Not rated: 3 context measures" in overview
    compared = run(cli, "ask", "how do we compare on CLA rate", "--database-url", sample_store_url)
    assert "joint 24th of 25" in compared and "Ashcombe" in compared
    worse = run(cli, "ask", "what got worse", "--database-url", sample_store_url)
    assert "What got worse" in worse and "SEND-01" in worse
