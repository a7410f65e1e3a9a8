"""The quarterly scorecard on a small hand-made catalogue, and its frozen snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from scorecard.card import IndicatorData, build_card
from scorecard.glossary import BUILTIN_GLOSSARY
from scorecard.model import (
    Benchmark,
    Comparator,
    Dot,
    Indicator,
    Observation,
    Polarity,
    Rag,
    Role,
    Target,
    Unit,
    Verdict,
    Viewer,
    YtdMethod,
)
from scorecard.periods import Frequency, Period, Year, YearBasis, parse_period, quarter
from scorecard.quarterly import (
    build_scorecard,
    published_values,
    scorecard_from_snapshot,
    snapshot,
)

NOW = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)
MEMBER = Viewer("U-member")
OFFICER = Viewer("U-officer", frozenset({Role.PERFORMANCE_OFFICER}))
Q2 = quarter(2024, 2)  # July to September 2024


def month(text: str) -> Period:
    return parse_period(text, Frequency.MONTHLY)


def academic(text: str) -> Period:
    return parse_period(text, Frequency.ANNUAL, YearBasis.ACADEMIC)


CATALOGUE = [
    Indicator(
        "DEM-01",
        "Contacts to the front door",
        "Demand",
        Polarity.NONE,
        Unit.COUNT,
        Frequency.MONTHLY,
        ytd=YtdMethod.SUM,
    ),
    Indicator(
        "SAFE-01",
        "Children on a child protection plan (CPP) for a second time",
        "Keeping children safe",
        Polarity.LOW,
        Unit.PERCENT,
        Frequency.QUARTERLY,
        data_notes="Counts plans started in the quarter.",
    ),
    Indicator(
        "SEND-01",
        "New EHC plans issued within 20 weeks (EHCP)",
        "SEND",
        Polarity.HIGH,
        Unit.PERCENT,
        Frequency.MONTHLY,
        ytd=YtdMethod.RATIO,
        data_notes="Excludes exception cases.",
    ),
    Indicator("DEM-02", "Referrals", "Demand", Polarity.LOW, Unit.COUNT, Frequency.MONTHLY),
    Indicator(
        "EDU-01",
        "Good level of development (GLD)",
        "Education",
        Polarity.HIGH,
        Unit.PERCENT,
        Frequency.ANNUAL,
        year_basis=YearBasis.ACADEMIC,
    ),
    Indicator(
        "OLD-01", "Retired measure", "Demand", Polarity.HIGH, Unit.PERCENT, Frequency.MONTHLY, active=False
    ),
]


def data() -> dict[str, IndicatorData]:
    send_counts = {
        "2024-04": (45, 50),
        "2024-05": (44, 50),
        "2024-06": (43, 50),
        "2024-07": (40, 50),
        "2024-08": (42, 50),
        "2024-09": (44, 50),
        "2023-09": (46, 50),
    }
    return {
        "DEM-01": IndicatorData(
            observations=[
                Observation("DEM-01", month(m), v)
                for m, v in {
                    "2024-04": 100,
                    "2024-05": 120,
                    "2024-06": 90,
                    "2024-07": 110,
                    "2024-08": 130,
                    "2024-09": 125,
                }.items()
            ],
        ),
        "SAFE-01": IndicatorData(
            observations=[
                Observation("SAFE-01", quarter(2024, 1), 24.0),
                Observation("SAFE-01", quarter(2024, 2), 21.5),
            ],
            targets=[Target("SAFE-01", Year(YearBasis.FINANCIAL, 2024), 20, 23)],
        ),
        "SEND-01": IndicatorData(
            observations=[
                Observation("SEND-01", month(m), 100 * n / d, numerator=n, denominator=d)
                for m, (n, d) in send_counts.items()
            ],
            targets=[Target("SEND-01", Year(YearBasis.FINANCIAL, 2024), 90, 84)],
            benchmarks=[Benchmark("SEND-01", month("2023-09"), Comparator.ENGLAND, 50.3)],
        ),
        "DEM-02": IndicatorData(
            observations=[
                Observation("DEM-02", month("2024-07"), 300),
                Observation("DEM-02", month("2024-08"), 280),
                # September is not in yet for members: under embargo.
                Observation("DEM-02", month("2024-09"), 260, embargo_until=NOW + timedelta(days=3)),
            ],
            targets=[Target("DEM-02", Year(YearBasis.FINANCIAL, 2024), 250, 290)],
        ),
        "EDU-01": IndicatorData(
            observations=[
                Observation("EDU-01", academic("2022/23"), 66.0),
                Observation("EDU-01", academic("2023/24"), 68.5),
                # Published in November: after Q2 ended, so not on the Q2 scorecard.
                Observation(
                    "EDU-01", academic("2024/25"), 70.0, embargo_until=datetime(2025, 11, 1, tzinfo=UTC)
                ),
            ],
            benchmarks=[Benchmark("EDU-01", academic("2023/24"), Comparator.ENGLAND, 67.7)],
        ),
    }


def build(viewer: Viewer = MEMBER):  # type: ignore[no-untyped-def]
    return build_scorecard(Q2, CATALOGUE, data(), BUILTIN_GLOSSARY, viewer=viewer, now=NOW)


def test_scorecard_lists_active_indicators_by_cluster_in_catalogue_order() -> None:
    card = build()
    assert card.quarter_label == "2024/25 Q2"
    assert [c.name for c in card.clusters] == ["Demand", "Keeping children safe", "SEND", "Education"]
    assert [r.code for r in card.clusters[0].rows] == ["DEM-01", "DEM-02"]
    assert "OLD-01" not in {r.code for r in card.rows}


def test_monthly_indicator_shows_the_three_months_and_judges_the_latest() -> None:
    row = build().cluster("SEND").rows[0]  # type: ignore[union-attr]
    assert [c.period for c in row.periods] == ["July 2024", "August 2024", "September 2024"]
    assert [c.display for c in row.periods] == ["80.0%", "84.0%", "88.0%"]
    assert row.latest.period == "September 2024"
    assert (row.rag, row.rag_label) == (Rag.AMBER, "Amber")
    assert row.dot.result is Dot.IMPROVED
    assert row.dot.words == "improved: up from 84.0% to 88.0% since August 2024"
    assert row.ytd_display == "86.0%"  # 100 * 258 / 300
    assert (row.target_display, row.amber_display) == ("90.0%", "84.0%")
    assert (row.last_year.period, row.last_year.display) == ("September 2023", "92.0%")
    assert row.good_is == "Higher is better"
    assert row.frequency_label == "Monthly"
    assert row.benchmarks[0].label == "England September 2023"
    assert row.benchmarks[0].verdict is Verdict.BETTER
    assert row.note_marker != ""


def test_month_still_under_embargo_is_not_on_a_members_scorecard_but_is_on_the_draft() -> None:
    member_row = next(r for r in build(MEMBER).rows if r.code == "DEM-02")
    assert [c.display for c in member_row.periods] == ["300", "280", "no figure"]
    assert member_row.latest.period == "August 2024"
    assert member_row.rag is Rag.AMBER
    draft_row = next(r for r in build(OFFICER).rows if r.code == "DEM-02")
    assert draft_row.latest.period == "September 2024"
    assert draft_row.rag is Rag.AMBER  # 260 <= 290


def test_quarterly_indicator_shows_the_quarter() -> None:
    row = next(r for r in build().rows if r.code == "SAFE-01")
    assert [c.period for c in row.periods] == ["2024/25 Q2"]
    assert row.rag is Rag.AMBER
    assert row.dot.words == "improved: down from 24.0% to 21.5% since 2024/25 Q1"


def test_annual_indicator_shows_the_latest_year_published_by_the_quarters_end() -> None:
    row = next(r for r in build(OFFICER).rows if r.code == "EDU-01")
    assert [c.period for c in row.periods] == ["2023/24"]
    assert row.latest.display == "68.5%"
    assert row.dot.words == "improved: up from 66.0% to 68.5% since 2022/23"
    assert row.rag_label == "No target"
    assert row.benchmarks[0].words == "England 2023/24: 67.7% (ours 68.5%: better)"
    assert row.frequency_label == "Annual (academic year)"


def test_summary_counts_rags_and_directions() -> None:
    summary = build().summary
    assert (summary.green, summary.amber, summary.red, summary.not_rated) == (0, 3, 0, 2)
    assert summary.indicators == 5
    assert summary.text.startswith("0 green, 3 amber, 0 red, 2 not rated; ")


def test_data_notes_are_numbered_and_marked() -> None:
    card = build()
    assert [(n.marker, n.code) for n in card.data_notes] == [("1", "SAFE-01"), ("2", "SEND-01")]
    assert next(r for r in card.rows if r.code == "SEND-01").note_marker == "2"
    assert next(r for r in card.rows if r.code == "DEM-01").note_marker == ""


def test_glossary_lists_the_scorecards_columns_and_the_abbreviations_used() -> None:
    terms = {e.term for e in build().glossary}
    assert {"RAG", "DOT", "YTD", "Statistical neighbours", "CPP", "EHCP", "GLD", "SEND"} <= terms
    assert "NEET" not in terms


def test_scorecard_is_only_for_a_quarter() -> None:
    with pytest.raises(ValueError, match="quarter"):
        build_scorecard(month("2024-06"), CATALOGUE, data(), BUILTIN_GLOSSARY, viewer=MEMBER, now=NOW)


def test_snapshot_is_plain_json_and_reads_back_equal_without_a_store() -> None:
    card = build(OFFICER)
    frozen = snapshot(card)
    text = json.dumps(frozen, ensure_ascii=False)
    assert scorecard_from_snapshot(json.loads(text)) == card


def test_snapshot_holds_only_plain_types() -> None:
    def check(value: object) -> None:
        assert type(value) in (str, int, float, type(None), list, dict, bool), type(value)
        if isinstance(value, list):
            for item in value:
                check(item)
        if isinstance(value, dict):
            for key, item in value.items():
                assert type(key) is str
                check(item)

    check(snapshot(build()))


def test_snapshot_does_not_change_when_the_data_are_revised_later() -> None:
    frozen = json.dumps(snapshot(build()))
    revised = data()
    revised["SEND-01"] = IndicatorData(
        observations=[Observation("SEND-01", month("2024-09"), 50.0, numerator=25, denominator=50)],
        targets=revised["SEND-01"].targets,
    )
    rebuilt = build_scorecard(Q2, CATALOGUE, revised, BUILTIN_GLOSSARY, viewer=MEMBER, now=NOW)
    assert rebuilt != scorecard_from_snapshot(json.loads(frozen))
    row = scorecard_from_snapshot(json.loads(frozen)).cluster("send").rows[0]  # type: ignore[union-attr]
    assert row.latest.display == "88.0%"


def test_unknown_snapshot_version_is_refused() -> None:
    frozen = snapshot(build())
    frozen["version"] = 99
    with pytest.raises(ValueError, match="version"):
        scorecard_from_snapshot(frozen)


def test_annual_figure_published_after_the_quarter_ended_waits_for_the_next_scorecard() -> None:
    late = data()
    late["EDU-01"] = IndicatorData(
        observations=[
            Observation("EDU-01", academic("2022/23"), 66.0),
            # 2023/24 ended in August but was embargoed until 10 October, after Q2 ended.
            Observation(
                "EDU-01", academic("2023/24"), 68.5, embargo_until=datetime(2024, 10, 10, 9, 30, tzinfo=UTC)
            ),
        ],
    )
    q2 = build_scorecard(Q2, CATALOGUE, late, BUILTIN_GLOSSARY, viewer=MEMBER, now=NOW)
    assert next(r for r in q2.rows if r.code == "EDU-01").latest.period == "2022/23"
    q3 = build_scorecard(quarter(2024, 3), CATALOGUE, late, BUILTIN_GLOSSARY, viewer=MEMBER, now=NOW)
    assert next(r for r in q3.rows if r.code == "EDU-01").latest.period == "2023/24"


def test_published_values_let_the_live_card_say_a_figure_was_revised() -> None:
    published = published_values(scorecard_from_snapshot(snapshot(build())))
    assert published[("SEND-01", "2024-09-30")] == 88.0
    revised = [Observation("SEND-01", month("2024-09"), 86.0, numerator=43, denominator=50)]
    card = build_card(
        CATALOGUE[2], revised, (), (), viewer=MEMBER, now=NOW, published=published[("SEND-01", "2024-09-30")]
    )
    assert card.revised
    assert "Revised since publication: the published scorecard showed 88.0%." in card.notes
