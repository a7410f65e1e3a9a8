"""The quarterly scorecard's rows as frozen, field by field, and the periods each row shows (issue 16).

The snapshot is what the Performance Board approves and what is published; a field filled from
the wrong place would survive a read-back test (it reads back equally wrong), so rows are
compared whole against the figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_quarterly import MEMBER, NOW, OFFICER, Q2, academic, build, month

from scorecard.card import IndicatorData
from scorecard.glossary import BUILTIN_GLOSSARY
from scorecard.model import (
    Benchmark,
    Comparator,
    Dot,
    Indicator,
    Observation,
    ObservationStatus,
    Polarity,
    Rag,
    Target,
    Unit,
)
from scorecard.periods import Frequency, YearBasis, parse_period, quarter
from scorecard.quarterly import (
    build_scorecard,
    only_cluster,
    published_values,
    scorecard_from_snapshot,
    shown_periods,
    snapshot,
    summary_as_dict,
)


def cell(period: str, end: str, value: float | None, display: str) -> dict[str, object]:
    return {"period": period, "period_end": end, "value": value, "display": display}


def frozen_row(code: str, viewer=OFFICER) -> dict[str, object]:  # type: ignore[no-untyped-def]
    frozen = snapshot(build(viewer))
    return next(row for c in frozen["clusters"] for row in c["rows"] if row["code"] == code)


def test_a_quarterly_row_is_frozen_with_every_figure_and_word() -> None:
    assert frozen_row("SAFE-01") == {
        "code": "SAFE-01",
        "title": "Children on a child protection plan (CPP) for a second time",
        "cluster": "Keeping children safe",
        "unit": "percent",
        "polarity": "low",
        "decimals": 1,
        "frequency": "quarterly",
        "frequency_label": "Quarterly",
        "good_is": "Lower is better",
        "periods": [cell("2024/25 Q2", "2024-09-30", 21.5, "21.5%")],
        "latest": cell("2024/25 Q2", "2024-09-30", 21.5, "21.5%"),
        "status": "final",
        "ytd_method": "none",
        "ytd_label": "",
        "ytd": None,
        "ytd_display": "",
        "target": 20.0,
        "target_display": "20.0%",
        "amber_threshold": 23.0,
        "amber_display": "23.0%",
        "rag": "amber",
        "rag_label": "Amber",
        "dot": {
            "result": "improved",
            "arrow": "▲",
            "tone": "good",
            "basis": "previous_period",
            "compared_period": "2024/25 Q1",
            "compared_value": 24.0,
            "words": "improved: down from 24.0% to 21.5% since 2024/25 Q1",
        },
        "last_year": cell("2023/24 Q2", "2023-09-30", None, "no figure"),
        "benchmarks": [],
        "trend_positions": ["Q1", "Q2", "Q3", "Q4"],
        "trend": [
            {
                "label": "2024/25",
                "points": [
                    cell("2024/25 Q1", "2024-06-30", 24.0, "24.0%"),
                    cell("2024/25 Q2", "2024-09-30", 21.5, "21.5%"),
                    cell("2024/25 Q3", "2024-12-31", None, "no figure"),
                    cell("2024/25 Q4", "2025-03-31", None, "no figure"),
                ],
            },
            {
                "label": "2023/24",
                "points": [
                    cell("2023/24 Q1", "2023-06-30", None, "no figure"),
                    cell("2023/24 Q2", "2023-09-30", None, "no figure"),
                    cell("2023/24 Q3", "2023-12-31", None, "no figure"),
                    cell("2023/24 Q4", "2024-03-31", None, "no figure"),
                ],
            },
        ],
        "data_note": "Counts plans started in the quarter.",
        "note_marker": "1",
        "notes": [],
    }


def test_an_annual_row_is_frozen_with_its_benchmark_and_five_years_of_trend() -> None:
    assert frozen_row("EDU-01") == {
        "code": "EDU-01",
        "title": "Good level of development (GLD)",
        "cluster": "Education",
        "unit": "percent",
        "polarity": "high",
        "decimals": 1,
        "frequency": "annual",
        "frequency_label": "Annual (academic year)",
        "good_is": "Higher is better",
        "periods": [cell("2023/24", "2024-08-31", 68.5, "68.5%")],
        "latest": cell("2023/24", "2024-08-31", 68.5, "68.5%"),
        "status": "final",
        "ytd_method": "none",
        "ytd_label": "",
        "ytd": None,
        "ytd_display": "",
        "target": None,
        "target_display": "no target",
        "amber_threshold": None,
        "amber_display": "",
        "rag": "n/a",
        "rag_label": "No target",
        "dot": {
            "result": "improved",
            "arrow": "▲",
            "tone": "good",
            "basis": "previous_year",
            "compared_period": "2022/23",
            "compared_value": 66.0,
            "words": "improved: up from 66.0% to 68.5% since 2022/23",
        },
        "last_year": cell("2022/23", "2023-08-31", 66.0, "66.0%"),
        "benchmarks": [
            {
                "comparator": "england",
                "label": "England 2023/24",
                "period": "2023/24",
                "period_end": "2024-08-31",
                "value": 67.7,
                "display": "67.7%",
                "verdict": "better",
                "words": "England 2023/24: 67.7% (ours 68.5%: better)",
            }
        ],
        "trend_positions": ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"],
        "trend": [
            {
                "label": "Annual",
                "points": [
                    cell("2019/20", "2020-08-31", None, "no figure"),
                    cell("2020/21", "2021-08-31", None, "no figure"),
                    cell("2021/22", "2022-08-31", None, "no figure"),
                    cell("2022/23", "2023-08-31", 66.0, "66.0%"),
                    cell("2023/24", "2024-08-31", 68.5, "68.5%"),
                ],
            }
        ],
        "data_note": "",
        "note_marker": "",
        "notes": ["No target set for 2023/24, so not rated."],
    }


def test_a_monthly_row_freezes_its_year_to_date() -> None:
    row = frozen_row("SEND-01", MEMBER)
    assert (row["ytd_method"], row["ytd_label"], row["ytd"], row["ytd_display"]) == (
        "ratio",
        "2024/25 to September 2024",
        86.0,  # 258 of 300
        "86.0%",
    )
    assert row["periods"] == [
        cell("July 2024", "2024-07-31", 80.0, "80.0%"),
        cell("August 2024", "2024-08-31", 84.0, "84.0%"),
        cell("September 2024", "2024-09-30", 88.0, "88.0%"),
    ]
    assert row["trend_positions"][:3] == ["Apr", "May", "Jun"]


def test_the_frozen_scorecard_names_its_quarter_summary_and_notes() -> None:
    frozen = snapshot(build(OFFICER))
    assert (frozen["version"], frozen["quarter_label"], frozen["quarter_end"], frozen["prepared_at"]) == (
        1,
        "2024/25 Q2",
        "2024-09-30",
        "2024-10-15T09:00:00+00:00",
    )
    assert frozen["summary"] == {
        "green": 0,
        "amber": 3,
        "red": 0,
        "not_rated": 2,
        "improved": 4,
        "declined": 0,
        "no_change": 0,
        "indicators": 5,
        "text": "0 green, 3 amber, 0 red, 2 not rated; 4 improved, 0 declined, 0 no change",
    }
    assert frozen["data_notes"] == [
        {
            "marker": "1",
            "code": "SAFE-01",
            "title": "Children on a child protection plan (CPP) for a second time",
            "text": "Counts plans started in the quarter.",
        },
        {
            "marker": "2",
            "code": "SEND-01",
            "title": "New EHC plans issued within 20 weeks (EHCP)",
            "text": "Excludes exception cases.",
        },
    ]
    assert [c["name"] for c in frozen["clusters"]] == ["Demand", "Keeping children safe", "SEND", "Education"]
    glossary = {e["term"]: e["definition"] for e in frozen["glossary"]}
    assert glossary["GLD"] == next(e.definition for e in BUILTIN_GLOSSARY if e.term == "GLD")


def test_summary_counts_declines_and_no_change() -> None:
    flat = Indicator("F-01", "Flat", "Flat", Polarity.HIGH, Unit.PERCENT, Frequency.QUARTERLY)
    worse = Indicator("F-02", "Worse", "Flat", Polarity.HIGH, Unit.PERCENT, Frequency.QUARTERLY)
    figures = {
        "F-01": IndicatorData(observations=[Observation("F-01", q, 50.0) for q in (quarter(2024, 1), Q2)]),
        "F-02": IndicatorData(
            observations=[Observation("F-02", quarter(2024, 1), 50.0), Observation("F-02", Q2, 40.0)]
        ),
    }
    summary = build_scorecard(Q2, [flat, worse], figures, (), viewer=MEMBER, now=NOW).summary
    assert summary_as_dict(summary) == {
        "green": 0,
        "amber": 0,
        "red": 0,
        "not_rated": 2,
        "improved": 0,
        "declined": 1,
        "no_change": 1,
        "indicators": 2,
        "text": "0 green, 0 amber, 0 red, 2 not rated; 0 improved, 1 declined, 1 no change",
    }


def test_one_cluster_of_the_scorecard_has_its_own_counts_and_notes() -> None:
    whole = build(OFFICER)
    send = only_cluster(whole, "send")
    assert send is not None
    assert [c.name for c in send.clusters] == ["SEND"]
    assert [(n.marker, n.code) for n in send.data_notes] == [("2", "SEND-01")]
    assert (send.summary.indicators, send.summary.amber, send.summary.improved) == (1, 1, 1)
    assert (send.quarter_label, send.glossary) == (whole.quarter_label, whole.glossary)
    demand = only_cluster(whole, "Demand")
    assert demand is not None
    assert demand.data_notes == ()
    assert (demand.summary.indicators, demand.summary.not_rated) == (2, 1)
    assert only_cluster(whole, "Nothing") is None
    assert whole.cluster("Nothing") is None


def test_the_scorecard_knows_its_quarter_and_every_figure_it_showed() -> None:
    card = build(MEMBER)
    assert card.quarter == Q2
    published = published_values(card)
    assert published[("DEM-02", "2024-09-30")] is None  # under embargo when built for members
    assert published[("DEM-02", "2024-08-31")] == 280.0
    assert published[("SAFE-01", "2024-09-30")] == 21.5
    assert published[("EDU-01", "2024-08-31")] == 68.5
    assert len(published) == 3 + 3 + 1 + 3 + 1


# --- Which periods a row shows -----------------------------------------------------------------


def indicator(frequency: Frequency, basis: YearBasis = YearBasis.FINANCIAL) -> Indicator:
    return Indicator("X-01", "X", "X", Polarity.HIGH, Unit.PERCENT, frequency, year_basis=basis)


def test_a_monthly_row_without_figures_in_the_quarter_judges_its_last_month() -> None:
    shown, judged = shown_periods(indicator(Frequency.MONTHLY), Q2, [], viewer=MEMBER, now=NOW)
    assert [p.label for p in shown] == ["July 2024", "August 2024", "September 2024"]
    assert judged == month("2024-09")


def test_a_monthly_row_judges_the_latest_month_with_a_figure_not_a_blank_row() -> None:
    rows = [
        Observation("X-01", month("2024-07"), 50.0),
        Observation("X-01", month("2024-08"), None),
    ]
    _, judged = shown_periods(indicator(Frequency.MONTHLY), Q2, rows, viewer=MEMBER, now=NOW)
    assert judged == month("2024-07")


def test_an_annual_row_without_published_figures_shows_the_last_year_to_have_ended() -> None:
    _, academic_year = shown_periods(
        indicator(Frequency.ANNUAL, YearBasis.ACADEMIC), Q2, [], viewer=MEMBER, now=NOW
    )
    assert academic_year == academic("2023/24")  # ended 31 August 2024, inside Q2
    _, financial_year = shown_periods(indicator(Frequency.ANNUAL), Q2, [], viewer=MEMBER, now=NOW)
    assert financial_year == parse_period("2023/24", Frequency.ANNUAL)  # 2024/25 ends after Q2
    _, at_year_end = shown_periods(indicator(Frequency.ANNUAL), quarter(2024, 4), [], viewer=MEMBER, now=NOW)
    assert at_year_end == parse_period("2024/25", Frequency.ANNUAL)  # ends with Q4 itself
    _, calendar_year = shown_periods(
        indicator(Frequency.ANNUAL, YearBasis.CALENDAR), quarter(2024, 3), [], viewer=MEMBER, now=NOW
    )
    assert calendar_year == parse_period("2024", Frequency.ANNUAL, YearBasis.CALENDAR)


def test_an_annual_figure_public_on_the_quarters_last_day_counts_for_that_quarter() -> None:
    edu = indicator(Frequency.ANNUAL, YearBasis.ACADEMIC)
    # 23:30 on 30 September, London time (22:30 UTC), is still inside Q2.
    on_the_day = [
        Observation(
            "X-01", academic("2023/24"), 68.5, embargo_until=datetime(2024, 9, 30, 22, 30, tzinfo=UTC)
        )
    ]
    _, judged = shown_periods(edu, Q2, on_the_day, viewer=MEMBER, now=NOW)
    assert judged == academic("2023/24")
    next_day = [
        Observation("X-01", academic("2022/23"), 66.0),
        Observation(
            "X-01", academic("2023/24"), 68.5, embargo_until=datetime(2024, 9, 30, 23, 0, tzinfo=UTC)
        ),
    ]
    _, judged = shown_periods(edu, Q2, next_day, viewer=MEMBER, now=NOW)
    assert judged == academic("2022/23")


def test_an_annual_figure_for_a_year_ending_after_the_quarter_is_not_shown() -> None:
    edu = indicator(Frequency.ANNUAL, YearBasis.ACADEMIC)
    rows = [Observation("X-01", academic("2024/25"), 70.0), Observation("X-01", academic("2022/23"), 66.0)]
    _, judged = shown_periods(edu, Q2, rows, viewer=OFFICER, now=NOW + timedelta(days=400))
    assert judged == academic("2022/23")


def test_a_quarterly_row_shows_the_quarter_itself() -> None:
    shown, judged = shown_periods(indicator(Frequency.QUARTERLY), Q2, [], viewer=MEMBER, now=NOW)
    assert (shown, judged) == ([Q2], Q2)


# --- What the glossary adds for what a row shows -----------------------------------------------


def test_the_glossary_explains_rates_provisional_figures_and_c_when_shown() -> None:
    rate = Indicator("R-01", "Rate", "Safety", Polarity.LOW, Unit.RATE_PER_10K, Frequency.QUARTERLY)
    figures = {
        "R-01": IndicatorData(
            observations=[Observation("R-01", Q2, 40.0, status=ObservationStatus.PROVISIONAL)]
        )
    }
    terms = {
        e.term
        for e in build_scorecard(Q2, [rate], figures, BUILTIN_GLOSSARY, viewer=MEMBER, now=NOW).glossary
    }
    assert {"Rate per 10,000", "Provisional"} <= terms
    assert "c" not in terms
    suppressed = {
        "R-01": IndicatorData(
            observations=[Observation("R-01", Q2, None, status=ObservationStatus.SUPPRESSED)]
        )
    }
    scorecard = build_scorecard(Q2, [rate], suppressed, BUILTIN_GLOSSARY, viewer=MEMBER, now=NOW)
    assert scorecard.rows[0].periods[0].display == "c"
    assert "c" in {e.term for e in scorecard.glossary}
    assert "Provisional" not in {e.term for e in scorecard.glossary}
    plain = {"R-01": IndicatorData(observations=[Observation("R-01", Q2, 40.0)])}
    count = Indicator("R-01", "Count", "Safety", Polarity.LOW, Unit.COUNT, Frequency.QUARTERLY)
    assert "Rate per 10,000" not in {
        e.term for e in build_scorecard(Q2, [count], plain, BUILTIN_GLOSSARY, viewer=MEMBER, now=NOW).glossary
    }


def test_an_indicator_without_data_or_with_blank_notes_gets_no_marker() -> None:
    blank = Indicator("B-01", "Blank", "B", Polarity.HIGH, Unit.PERCENT, Frequency.QUARTERLY, data_notes="  ")
    scorecard = build_scorecard(Q2, [blank], {}, (), viewer=MEMBER, now=NOW)
    assert scorecard.data_notes == ()
    row = scorecard.rows[0]
    assert (row.note_marker, row.latest.display, row.rag, row.dot.result) == ("", "no figure", Rag.NA, Dot.NA)
    assert scorecard_from_snapshot(snapshot(scorecard)) == scorecard


def test_a_snapshot_without_a_version_is_refused() -> None:
    frozen = snapshot(build())
    del frozen["version"]
    with pytest.raises(ValueError, match="unknown scorecard snapshot version None"):
        scorecard_from_snapshot(frozen)


def test_rows_read_back_from_a_snapshot_keep_their_types() -> None:
    frozen = snapshot(build(OFFICER))
    frozen["clusters"][2]["rows"][0]["decimals"] = "1"
    frozen["clusters"][2]["rows"][0]["ytd"] = 86
    row = scorecard_from_snapshot(frozen).cluster("SEND").rows[0]  # type: ignore[union-attr]
    assert row.decimals == 1 and isinstance(row.decimals, int)
    assert row.ytd == 86.0 and isinstance(row.ytd, float)
    assert row.dot.result is Dot.IMPROVED
    assert row.rag is Rag.AMBER


def test_an_annual_figure_for_the_year_ending_with_the_quarter_is_shown_in_it() -> None:
    financial = indicator(Frequency.ANNUAL)
    rows = [
        Observation("X-01", parse_period("2023/24", Frequency.ANNUAL), 60.0),
        Observation("X-01", parse_period("2024/25", Frequency.ANNUAL), 65.0),
    ]
    _, judged = shown_periods(financial, quarter(2024, 4), rows, viewer=MEMBER, now=NOW)
    assert judged == parse_period("2024/25", Frequency.ANNUAL)


def test_shown_periods_index_what_they_are_given_for_the_viewer() -> None:
    rows = [
        Observation("X-01", month("2024-07"), 50.0),
        Observation("X-01", month("2024-08"), 55.0, embargo_until=NOW + timedelta(days=1)),
    ]
    _, member_sees = shown_periods(indicator(Frequency.MONTHLY), Q2, rows, viewer=MEMBER, now=NOW)
    assert member_sees == month("2024-07")
    _, staff_sees = shown_periods(indicator(Frequency.MONTHLY), Q2, rows, viewer=OFFICER, now=NOW)
    assert staff_sees == month("2024-08")
    # An index already made (any mapping of period to observation) is used as it is.
    _, from_mapping = shown_periods(
        indicator(Frequency.MONTHLY), Q2, {row.period: row for row in rows}, viewer=MEMBER, now=NOW
    )
    assert from_mapping == month("2024-08")


def test_summary_counts_greens_and_reds_and_skips_inactive_indicators_anywhere() -> None:
    good = Indicator("G-01", "Good", "G", Polarity.HIGH, Unit.PERCENT, Frequency.QUARTERLY)
    retired = Indicator(
        "G-02", "Retired", "G", Polarity.HIGH, Unit.PERCENT, Frequency.QUARTERLY, active=False
    )
    bad = Indicator("G-03", "Bad", "G", Polarity.HIGH, Unit.PERCENT, Frequency.QUARTERLY)
    year = parse_period("2024/25", Frequency.ANNUAL).year
    figures = {
        code: IndicatorData(observations=[Observation(code, Q2, value)], targets=[Target(code, year, 80, 70)])
        for code, value in (("G-01", 85.0), ("G-02", 85.0), ("G-03", 60.0))
    }
    scorecard = build_scorecard(Q2, [good, retired, bad], figures, (), viewer=MEMBER, now=NOW)
    assert [row.code for row in scorecard.rows] == ["G-01", "G-03"]
    assert (scorecard.summary.green, scorecard.summary.red, scorecard.summary.indicators) == (1, 1, 2)


def test_a_benchmark_without_a_figure_of_ours_is_frozen_without_a_verdict() -> None:
    kpi = Indicator("B-02", "Bench", "B", Polarity.HIGH, Unit.PERCENT, Frequency.QUARTERLY)
    figures = {
        "B-02": IndicatorData(
            observations=[Observation("B-02", Q2, 50.0)],
            benchmarks=[Benchmark("B-02", quarter(2024, 1), Comparator.ENGLAND, 48.0)],
        )
    }
    scorecard = build_scorecard(Q2, [kpi], figures, (), viewer=MEMBER, now=NOW)
    frozen = snapshot(scorecard)
    benchmark = frozen["clusters"][0]["rows"][0]["benchmarks"][0]
    assert (benchmark["verdict"], benchmark["words"]) == (
        None,
        "England 2024/25 Q1: 48.0% (no figure of ours for 2024/25 Q1 to compare)",
    )
    assert scorecard_from_snapshot(frozen) == scorecard
