"""The scorecard rules at their edges: where a wrong number would expose a child or mislead a
committee, and where mutation testing found the earlier tests blind (issue 16)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard.card import build_card
from scorecard.model import (
    Benchmark,
    Comparator,
    Dot,
    Observation,
    ObservationStatus,
    Polarity,
    Rag,
    Target,
    Unit,
    Verdict,
    YtdMethod,
)
from scorecard.periods import Frequency, Period, Year, YearBasis, parse_period
from scorecard.rules import (
    NO_FIGURE,
    DotResult,
    VisibleIndex,
    benchmark_verdict,
    comparator_label,
    direction_of_travel,
    disclose,
    disclosure,
    dot_arrow,
    dot_of,
    format_rounded,
    format_value,
    frequency_label,
    index_observations,
    latest_benchmarks,
    polarity_words,
    rag,
    rag_label,
    round_half_up,
    rounded,
    target_is_consistent,
    verdict_of,
    visible,
    year_to_date,
)
from tests.scorecard.test_rules import MEMBER, NOW, OFFICER, indicator, month

WARD = "Birkenhead"
YEAR_2024 = Year(YearBasis.FINANCIAL, 2024)


def obs(period: Period, value: float | None, **extra: object) -> Observation:
    return Observation("T-01", period, value, **extra)  # type: ignore[arg-type]


JUNE = month("2024-06")
COUNT = indicator(Polarity.NONE, Unit.COUNT)
PERCENT = indicator()


# --- Disclosure control: no ward figure may identify a child ---------------------------------


@pytest.mark.parametrize("count", [1, 2, 4])
def test_a_ward_count_of_one_to_four_is_shown_as_less_than_five(count: int) -> None:
    figure = disclosure(obs(JUNE, count, area=WARD), COUNT)
    assert figure.display == "<5"
    assert figure.value is None
    assert figure.suppressed
    assert not figure.chartable


def test_a_ward_count_of_zero_identifies_no_one_and_is_shown_unsuppressed() -> None:
    figure = disclosure(obs(JUNE, 0, area=WARD), COUNT)
    assert (figure.display, figure.value, figure.suppressed) == ("0", Decimal(0), False)
    assert figure.chartable


def test_a_ward_count_at_the_threshold_is_shown_unsuppressed() -> None:
    figure = disclosure(obs(JUNE, 5, area=WARD), COUNT)
    assert (figure.display, figure.value, figure.suppressed) == ("5", Decimal(5), False)
    assert disclosure(obs(JUNE, 9, area=WARD), COUNT, suppress_below=10).display == "<10"
    assert disclosure(obs(JUNE, 10, area=WARD), COUNT, suppress_below=10).display == "10"


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [
        (0, 3),  # "0 of 3": no child counted, but the three are few enough to identify
        (10, 4),  # a rate with a small denominator and a larger numerator
        (1, 100),  # one child in a hundred
        (4, 100),
        (100, 1),
    ],
)
def test_a_ward_rate_with_a_small_numerator_or_denominator_is_confidential(
    numerator: int, denominator: int
) -> None:
    value = 100 * numerator / denominator
    figure = disclosure(obs(JUNE, value, numerator=numerator, denominator=denominator, area=WARD), PERCENT)
    assert (figure.display, figure.value, figure.suppressed) == ("c", None, True)
    assert not figure.chartable


def test_a_ward_rate_with_zero_of_many_or_many_of_many_is_shown() -> None:
    none_of_many = disclosure(obs(JUNE, 0.0, numerator=0, denominator=40, area=WARD), PERCENT)
    assert (none_of_many.display, none_of_many.suppressed) == ("0.0%", False)
    assert none_of_many.chartable
    at_threshold = disclosure(obs(JUNE, 50.0, numerator=5, denominator=10, area=WARD), PERCENT)
    assert (at_threshold.display, at_threshold.value, at_threshold.suppressed) == (
        "50.0%",
        Decimal("50.0"),
        False,
    )


@pytest.mark.parametrize(("numerator", "denominator"), [(40, None), (None, 100), (None, None)])
def test_a_ward_rate_missing_its_numerator_or_denominator_is_confidential(
    numerator: int | None, denominator: int | None
) -> None:
    # We cannot tell how few children it is about, so it is not shown.
    figure = disclosure(obs(JUNE, 40.0, numerator=numerator, denominator=denominator, area=WARD), PERCENT)
    assert (figure.display, figure.value, figure.suppressed) == ("c", None, True)


def test_a_whole_authority_figure_is_never_suppressed_however_small() -> None:
    figure = disclosure(obs(JUNE, 1), COUNT)
    assert (figure.display, figure.value, figure.suppressed) == ("1", Decimal(1), False)
    rate = disclosure(obs(JUNE, 50.0, numerator=1, denominator=2), PERCENT)
    assert (rate.display, rate.suppressed) == ("50.0%", False)
    unknown = disclosure(obs(JUNE, 50.0), PERCENT)
    assert (unknown.display, unknown.suppressed) == ("50.0%", False)


def test_a_figure_suppressed_at_source_is_c_and_flagged_even_when_loaded_with_a_value() -> None:
    for area in (None, WARD):
        figure = disclosure(obs(JUNE, 75.0, status=ObservationStatus.SUPPRESSED, area=area), PERCENT)
        assert (figure.display, figure.value, figure.suppressed) == ("c", None, True)
        assert disclose(obs(JUNE, 12, status=ObservationStatus.SUPPRESSED, area=area), COUNT) == "c"


def test_no_figure_is_shown_as_no_figure_and_is_not_a_suppression() -> None:
    figure = disclosure(obs(JUNE, None, area=WARD), PERCENT)
    assert (figure.display, figure.value, figure.suppressed) == (NO_FIGURE, None, False)
    assert not figure.chartable


def test_a_ward_figure_is_shown_at_the_indicators_precision() -> None:
    figure = disclosure(obs(JUNE, 83.96, numerator=8396, denominator=10000, area=WARD), PERCENT)
    assert (figure.display, figure.value) == ("84.0%", Decimal("84.0"))


# --- A value loaded with a suppressed status is never shown, rated, compared or summed -------


def test_a_suppressed_row_loaded_with_a_value_is_indexed_without_it() -> None:
    row = obs(JUNE, 75.0, numerator=3, denominator=4, status=ObservationStatus.SUPPRESSED)
    index = index_observations([row])
    kept = index[JUNE]
    assert (kept.value, kept.numerator, kept.denominator) == (None, None, None)
    assert kept.status is ObservationStatus.SUPPRESSED
    only_numerator = obs(JUNE, None, numerator=3, denominator=4, status=ObservationStatus.SUPPRESSED)
    assert index_observations([only_numerator])[JUNE].numerator is None
    assert index_observations([only_numerator])[JUNE].denominator is None


def test_a_suppressed_row_with_a_value_takes_no_part_in_dot_or_ytd() -> None:
    kpi = indicator(ytd=YtdMethod.RATIO)
    rows = [
        obs(month("2024-04"), 90.0, numerator=90, denominator=100),
        obs(month("2024-05"), 75.0, numerator=3, denominator=4, status=ObservationStatus.SUPPRESSED),
        obs(JUNE, 80.0, numerator=80, denominator=100),
    ]
    assert year_to_date(kpi, rows, JUNE) is None
    assert direction_of_travel(kpi, rows, JUNE).words == "not available: no figure for May 2024"
    sums = indicator(Polarity.NONE, Unit.COUNT, ytd=YtdMethod.SUM)
    counted = [obs(month("2024-04"), 7, status=ObservationStatus.SUPPRESSED), obs(month("2024-05"), 9)]
    assert year_to_date(sums, counted, month("2024-05")) is None


def test_a_final_row_keeps_its_value_numerator_and_denominator_when_indexed() -> None:
    row = obs(JUNE, 75.0, numerator=75, denominator=100)
    assert index_observations([row])[JUNE] == row


def test_the_index_holds_one_area_only() -> None:
    rows = [obs(JUNE, 75.0), obs(JUNE, 10.0, area=WARD)]
    assert index_observations(rows)[JUNE].value == 75.0
    assert index_observations(rows, area=WARD)[JUNE].value == 10.0
    reindexed = index_observations(index_observations(rows, area=WARD), area=WARD)
    assert reindexed[JUNE].value == 10.0


# --- Embargo: a figure under embargo never reaches a member --------------------------------


def embargoed_june() -> list[Observation]:
    return [
        obs(month("2024-05"), 88.0),
        obs(JUNE, 60.0, embargo_until=NOW + timedelta(hours=1)),
    ]


def test_an_index_remembers_whom_it_was_made_for() -> None:
    index = index_observations(embargoed_june(), viewer=OFFICER, now=NOW)
    assert isinstance(index, VisibleIndex)
    assert (index.viewer, index.now, index.area) == (OFFICER, NOW, None)
    assert index.made_for(OFFICER, NOW)
    assert index.made_for(OFFICER, NOW, None)


def test_an_index_made_for_staff_is_not_made_for_a_member() -> None:
    index = index_observations(embargoed_june(), viewer=OFFICER, now=NOW)
    assert JUNE in index  # staff see the embargoed month
    assert not index.made_for(MEMBER, NOW)


def test_an_index_made_earlier_or_for_another_area_is_not_reused() -> None:
    index = index_observations(embargoed_june(), viewer=MEMBER, now=NOW)
    assert JUNE not in index
    assert not index.made_for(MEMBER, NOW + timedelta(hours=2))
    assert not index.made_for(MEMBER, NOW, WARD)
    ward = index_observations(embargoed_june(), viewer=MEMBER, now=NOW, area=WARD)
    assert ward.made_for(MEMBER, NOW, WARD)
    assert not ward.made_for(MEMBER, NOW)


def test_a_members_card_built_from_a_staff_index_shows_no_embargoed_figure() -> None:
    staff_index = index_observations(embargoed_june(), viewer=OFFICER, now=NOW)
    card = build_card(PERCENT, staff_index, [], [], viewer=MEMBER, now=NOW)
    assert card.period == month("2024-05")
    assert card.display == "88.0%"
    staff_card = build_card(PERCENT, staff_index, [], [], viewer=OFFICER, now=NOW)
    assert staff_card.period == JUNE
    assert staff_card.display == "60.0%"


def test_an_index_without_a_viewer_applies_no_embargo_and_a_naive_now_is_refused() -> None:
    assert JUNE in index_observations(embargoed_june())
    assert JUNE in index_observations(embargoed_june(), now=NOW)
    assert JUNE not in index_observations(embargoed_june(), viewer=MEMBER, now=NOW)
    assert JUNE in index_observations(embargoed_june(), viewer=MEMBER, now=NOW + timedelta(hours=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        index_observations(embargoed_june(), viewer=MEMBER, now=datetime(2024, 11, 1, 9, 0))


def test_an_embargo_in_another_zone_is_compared_as_an_instant() -> None:
    figure = obs(JUNE, 80.0, embargo_until=datetime(2024, 11, 1, 10, 0, tzinfo=UTC))
    assert not visible(figure, MEMBER, NOW)
    assert visible(figure, MEMBER, datetime(2024, 11, 1, 10, 0, tzinfo=UTC))
    assert visible(obs(JUNE, 80.0), MEMBER, NOW)


# --- Year to date as a ratio of sums, in the indicator's unit --------------------------------


def test_ytd_ratio_of_days_per_case_is_not_scaled() -> None:
    kpi = indicator(Polarity.LOW, Unit.DAYS, ytd=YtdMethod.RATIO)
    rows = [
        obs(month("2024-04"), 20.0, numerator=200, denominator=10),
        obs(month("2024-05"), 30.0, numerator=900, denominator=30),
    ]
    assert year_to_date(kpi, rows, month("2024-05")) == Decimal(1100) / Decimal(40)  # 27.5 days


def test_ytd_ratio_of_a_rate_is_per_ten_thousand_children() -> None:
    kpi = indicator(Polarity.LOW, Unit.RATE_PER_10K, ytd=YtdMethod.RATIO)
    rows = [
        obs(month("2024-04"), 50.0, numerator=5, denominator=1000),
        obs(month("2024-05"), 100.0, numerator=30, denominator=3000),
    ]
    assert year_to_date(kpi, rows, month("2024-05")) == Decimal(10000) * 35 / 4000  # 87.5


def test_ytd_ratio_with_no_children_in_the_denominator_is_no_figure() -> None:
    kpi = indicator(ytd=YtdMethod.RATIO)
    rows = [obs(month("2024-04"), 0.0, numerator=0, denominator=0)]
    assert year_to_date(kpi, rows, month("2024-04")) is None


def test_ytd_ratio_needs_a_denominator_as_well_as_a_numerator() -> None:
    kpi = indicator(ytd=YtdMethod.RATIO)
    rows = [
        obs(month("2024-04"), 90.0, numerator=9),
        obs(month("2024-05"), 40.0, numerator=4, denominator=10),
    ]
    assert year_to_date(kpi, rows, month("2024-05")) is None
    rows = [obs(month("2024-04"), 90.0, denominator=10)]
    assert year_to_date(kpi, rows, month("2024-04")) is None


def test_ytd_is_exact_and_unrounded() -> None:
    kpi = indicator(ytd=YtdMethod.RATIO)
    rows = [obs(month("2024-04"), 33.3, numerator=1, denominator=3)]
    assert year_to_date(kpi, rows, month("2024-04")) == Decimal(100) / Decimal(3)
    mean = indicator(ytd=YtdMethod.MEAN)
    assert year_to_date(mean, [obs(month("2024-04"), 0.1), obs(month("2024-05"), 0.2)], month("2024-05")) == (
        Decimal("0.15")
    )
    latest = indicator(ytd=YtdMethod.LATEST)
    assert year_to_date(latest, [obs(month("2024-04"), 0.1)], month("2024-04")) == Decimal("0.1")
    assert year_to_date(latest, [obs(month("2024-04"), 0.1)], month("2024-05")) is None
    assert year_to_date(latest, [obs(month("2024-05"), None)], month("2024-05")) is None


def test_ytd_mean_with_a_missing_month_is_no_figure() -> None:
    mean = indicator(ytd=YtdMethod.MEAN)
    assert (
        year_to_date(mean, [obs(month("2024-04"), None), obs(month("2024-05"), 2)], month("2024-05")) is None
    )


# --- Targets and RAG -----------------------------------------------------------------------


def test_a_threshold_equal_to_the_target_is_consistent_either_way() -> None:
    level = Target("T-01", YEAR_2024, 90, 90)
    assert target_is_consistent(level, Polarity.HIGH)
    assert target_is_consistent(level, Polarity.LOW)


def test_a_missing_threshold_or_a_context_measure_is_always_consistent() -> None:
    no_band = Target("T-01", YEAR_2024, 90)
    assert target_is_consistent(no_band, Polarity.HIGH)
    assert target_is_consistent(no_band, Polarity.LOW)
    wrong_side_for_high = Target("T-01", YEAR_2024, 10, 12)
    assert target_is_consistent(wrong_side_for_high, Polarity.NONE)
    assert not target_is_consistent(wrong_side_for_high, Polarity.HIGH)
    assert target_is_consistent(wrong_side_for_high, Polarity.LOW)


def test_good_is_low_without_a_threshold_is_red_above_target() -> None:
    target = Target("T-01", YEAR_2024, 10)
    assert rag(10.04, target, Polarity.LOW, decimals=1) is Rag.GREEN  # shown as 10.0
    assert rag(10.06, target, Polarity.LOW, decimals=1) is Rag.RED


def test_rag_rounds_target_and_threshold_at_the_given_precision() -> None:
    target = Target("T-01", YEAR_2024, 9.5, 8.5)
    # At 0 dp the target 9.5 is shown as 10 and the threshold 8.5 as 9.
    assert rag(9.5, target, Polarity.HIGH, decimals=0) is Rag.GREEN
    assert rag(9.4, target, Polarity.HIGH, decimals=0) is Rag.AMBER
    assert rag(8.5, target, Polarity.HIGH, decimals=0) is Rag.AMBER
    assert rag(8.4, target, Polarity.HIGH, decimals=0) is Rag.RED


def test_rag_label_words() -> None:
    target = Target("T-01", YEAR_2024, 90, 84)
    assert rag_label(Rag.GREEN, target, Polarity.HIGH) == "Green"
    assert rag_label(Rag.RED, target, Polarity.LOW) == "Red"
    assert rag_label(Rag.NA, None, Polarity.LOW) == "No target"
    assert rag_label(Rag.NA, target, Polarity.NONE) == "Not rated"


# --- Direction of travel words --------------------------------------------------------------


def test_dot_names_the_current_period_when_it_has_no_figure() -> None:
    rows = [obs(month("2024-05"), 88.0)]
    result = direction_of_travel(PERCENT, rows, JUNE)
    assert result.result is Dot.NA
    assert result.words == "not available: no figure for June 2024"
    assert (result.value, result.compared_value) == (None, Decimal("88.0"))
    assert result.tone == "none"
    nothing = direction_of_travel(PERCENT, [], JUNE)
    assert nothing.words == "not available: no figure for June 2024"


def test_dot_of_a_context_measure_going_down() -> None:
    rows = [obs(month("2024-05"), 134), obs(JUNE, 120)]
    result = direction_of_travel(COUNT, rows, JUNE)
    assert result.result is Dot.DOWN
    assert result.arrow == "▼"
    assert result.tone == "neutral"
    assert result.words == "down: from 134 to 120 since May 2024"


def test_dot_good_is_high_improving_and_good_is_low_declining() -> None:
    up = direction_of_travel(PERCENT, [obs(month("2024-05"), 80.0), obs(JUNE, 85.0)], JUNE)
    assert (up.result, up.arrow, up.tone) == (Dot.IMPROVED, "▲", "good")
    assert up.words == "improved: up from 80.0% to 85.0% since May 2024"
    low = indicator(Polarity.LOW, Unit.DAYS)
    worse = direction_of_travel(low, [obs(month("2024-05"), 10), obs(JUNE, 12)], JUNE)
    assert (worse.result, worse.arrow, worse.tone) == (Dot.DECLINED, "▼", "bad")
    assert worse.words == "declined: up from 10 to 12 since May 2024"


def test_dot_results_and_arrows() -> None:
    assert dot_of(Decimal(1), Decimal(1), Polarity.NONE) is Dot.NO_CHANGE
    assert dot_of(Decimal(2), Decimal(1), Polarity.NONE) is Dot.UP
    assert dot_of(None, Decimal(1), Polarity.HIGH) is Dot.NA
    assert dot_of(Decimal(1), None, Polarity.HIGH) is Dot.NA
    assert dot_of(Decimal(1), Decimal(2), Polarity.LOW) is Dot.IMPROVED
    assert dot_of(Decimal(2), Decimal(1), Polarity.LOW) is Dot.DECLINED
    assert [dot_arrow(d) for d in Dot] == ["▲", "▼", "►", "▲", "▼", ""]
    same = DotResult(Dot.NO_CHANGE, direction_of_travel(PERCENT, [], JUNE).basis, JUNE, None, JUNE, None, "")
    assert same.tone == "neutral"


# --- Benchmarks -----------------------------------------------------------------------------


def test_a_context_measure_below_the_benchmark_is_lower() -> None:
    kpi = indicator(Polarity.NONE, Unit.RATE_PER_10K)
    data = [obs(month("2024-03"), 60.0)]
    result = benchmark_verdict(kpi, Benchmark("T-01", month("2024-03"), Comparator.ENGLAND, 67.0), data)
    assert result.verdict is Verdict.LOWER
    assert result.words == "England March 2024: 67.0 (ours 60.0: lower)"
    assert verdict_of(Decimal(1), Decimal(1), Polarity.NONE) is Verdict.IN_LINE


def test_verdicts_by_polarity() -> None:
    assert verdict_of(Decimal(2), Decimal(1), Polarity.HIGH) is Verdict.BETTER
    assert verdict_of(Decimal(1), Decimal(2), Polarity.HIGH) is Verdict.WORSE
    assert verdict_of(Decimal(1), Decimal(2), Polarity.LOW) is Verdict.BETTER
    assert verdict_of(Decimal(2), Decimal(1), Polarity.LOW) is Verdict.WORSE


def test_benchmark_result_carries_both_figures() -> None:
    data = [obs(month("2024-03"), 86.04)]
    result = benchmark_verdict(PERCENT, Benchmark("T-01", month("2024-03"), Comparator.REGION, 85.0), data)
    assert (result.comparator, result.period) == (Comparator.REGION, month("2024-03"))
    assert (result.value, result.display) == (Decimal("85.0"), "85.0%")
    assert (result.authority_value, result.authority_display) == (Decimal("86.0"), "86.0%")
    assert result.label == "Region March 2024"
    assert result.words == "Region March 2024: 85.0% (ours 86.0%: better)"
    missing = benchmark_verdict(PERCENT, Benchmark("T-01", JUNE, Comparator.REGION, 85.0), data)
    assert (missing.authority_value, missing.authority_display, missing.verdict) == (None, NO_FIGURE, None)


def test_latest_benchmarks_skip_another_indicators_and_embargoed_ones_listed_first() -> None:
    kpi = indicator(frequency=Frequency.ANNUAL)
    fy23 = parse_period("2023/24", Frequency.ANNUAL)
    fy22 = parse_period("2022/23", Frequency.ANNUAL)
    benchmarks = [
        Benchmark("OTHER", fy23, Comparator.ENGLAND, 10.0),
        Benchmark("T-01", fy23, Comparator.REGION, 99.0, embargo_until=NOW + timedelta(days=1)),
        Benchmark("T-01", fy22, Comparator.ENGLAND, 80.0),
        Benchmark("T-01", fy22, Comparator.REGION, 81.0),
    ]
    results = latest_benchmarks(kpi, benchmarks, [], viewer=MEMBER, now=NOW)
    assert [(r.label, r.display) for r in results] == [
        ("England 2022/23", "80.0%"),
        ("Region 2022/23", "81.0%"),
    ]
    staff = latest_benchmarks(kpi, benchmarks, [], viewer=OFFICER, now=NOW)
    assert [(r.label, r.display) for r in staff] == [
        ("England 2022/23", "80.0%"),
        ("Region 2023/24", "99.0%"),
    ]


def test_latest_benchmarks_keep_the_latest_whatever_the_order_and_as_of_is_inclusive() -> None:
    kpi = indicator(frequency=Frequency.ANNUAL)
    fy23 = parse_period("2023/24", Frequency.ANNUAL)
    fy22 = parse_period("2022/23", Frequency.ANNUAL)
    benchmarks = [
        Benchmark("T-01", fy23, Comparator.ENGLAND, 85.0),
        Benchmark("T-01", fy22, Comparator.ENGLAND, 80.0),
    ]
    assert [r.label for r in latest_benchmarks(kpi, benchmarks, [], viewer=MEMBER, now=NOW)] == [
        "England 2023/24"
    ]
    as_of = latest_benchmarks(kpi, benchmarks, [], viewer=MEMBER, now=NOW, as_of=fy23)
    assert [r.label for r in as_of] == ["England 2023/24"]
    with pytest.raises(ValueError, match="timezone-aware"):
        latest_benchmarks(kpi, benchmarks, [], viewer=MEMBER, now=datetime(2024, 11, 1))


def test_comparator_labels() -> None:
    assert [comparator_label(c) for c in Comparator] == ["Statistical neighbours", "England", "Region"]


# --- Rounding and display -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(-2.5, 0, "-3"), (-0.05, 1, "-0.1"), (-83.96, 1, "-84.0"), (-0.15, 1, "-0.2"), (-1.4, 0, "-1")],
)
def test_negative_values_round_half_away_from_zero(value: float, places: int, expected: str) -> None:
    assert round_half_up(value, places) == Decimal(expected)


@given(
    st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=3),
)
def test_rounding_is_symmetric_about_zero(value: Decimal, places: int) -> None:
    """Half away from zero, as the rules say: -x rounds to minus what x rounds to."""
    assert round_half_up(-value, places) == -round_half_up(value, places)


@given(
    st.floats(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=3),
)
def test_rounding_moves_a_value_by_at_most_half_a_step(value: float, places: int) -> None:
    step = Decimal(1).scaleb(-places)
    shown = round_half_up(value, places)
    assert abs(shown - Decimal(str(value))) <= step / 2
    assert shown == shown.quantize(step)


def test_rounding_beyond_the_precomputed_places() -> None:
    assert round_half_up(1.234567891, 8) == Decimal("1.23456789")
    assert round_half_up(Decimal("2.45"), 1) == Decimal("2.5")


def test_rounded_keeps_none_and_uses_the_indicators_precision() -> None:
    assert rounded(None, PERCENT) is None
    assert rounded(12.35, indicator(unit=Unit.DAYS)) == Decimal(12)
    assert rounded(12.35, indicator(unit=Unit.DAYS, decimals=1)) == Decimal("12.4")


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("-12.5"), Unit.PERCENT, "-12.5%"),
        (Decimal("-3"), Unit.COUNT, "-3"),
        (Decimal("1234567"), Unit.COUNT, "1,234,567"),
        (Decimal("1234.50"), Unit.GBP, "£1,234.50"),
        (Decimal("0"), Unit.GBP, "£0"),
        (Decimal("12"), Unit.DAYS, "12"),
    ],
)
def test_format_rounded_keeps_decimals_and_sign(value: Decimal, unit: Unit, shown: str) -> None:
    assert format_rounded(value, unit) == shown


def test_format_value_of_a_negative_figure() -> None:
    assert format_value(-0.05, PERCENT) == "-0.1%"
    assert format_value(-1234.5, indicator(unit=Unit.GBP)) == "-£1,235"


def test_words_for_polarity_and_frequency() -> None:
    assert polarity_words(Polarity.NONE) == "Neither: a measure of demand or context"
    assert frequency_label(PERCENT) == "Monthly"
    assert frequency_label(indicator(frequency=Frequency.QUARTERLY)) == "Quarterly"
    annual = indicator(frequency=Frequency.ANNUAL, year_basis=YearBasis.ACADEMIC)
    assert frequency_label(annual) == "Annual (academic year)"


# --- Survivors of the first full mutation run ------------------------------------------------


class _NoOffset(tzinfo):
    """A time zone that does not know its offset: such a time is as naive as one without a zone."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def test_a_now_whose_zone_has_no_offset_is_refused_as_naive() -> None:
    vague = datetime(2024, 11, 1, 9, 0, tzinfo=_NoOffset())
    with pytest.raises(ValueError) as refused:
        visible(obs(JUNE, 1.0), MEMBER, vague)
    assert str(refused.value) == "now must be timezone-aware"
    with pytest.raises(ValueError) as naive:
        visible(obs(JUNE, 1.0), MEMBER, datetime(2024, 11, 1, 9, 0))
    assert str(naive.value) == "now must be timezone-aware"


def test_an_embargo_whose_zone_has_no_offset_is_london_time() -> None:
    # 09:30 on 1 July, London (BST), is 08:30 UTC.
    figure = obs(JUNE, 80.0, embargo_until=datetime(2024, 7, 1, 9, 30, tzinfo=_NoOffset()))
    assert not visible(figure, MEMBER, datetime(2024, 7, 1, 8, 29, tzinfo=UTC))
    assert visible(figure, MEMBER, datetime(2024, 7, 1, 8, 30, tzinfo=UTC))


def test_a_dot_result_names_the_period_and_value_it_judged() -> None:
    result = direction_of_travel(PERCENT, [obs(month("2024-05"), 80.04), obs(JUNE, 85.04)], JUNE)
    assert (result.period, result.value) == (JUNE, Decimal("85.0"))
    assert (result.compared_period, result.compared_value) == (month("2024-05"), Decimal("80.0"))


def test_a_hidden_or_other_area_row_listed_first_does_not_hide_the_rows_after_it() -> None:
    rows = [
        obs(JUNE, 60.0, embargo_until=NOW + timedelta(hours=1)),
        obs(month("2024-04"), 10.0, area=WARD),
        obs(month("2024-05"), 88.0),
    ]
    index = index_observations(rows, viewer=MEMBER, now=NOW)
    assert list(index) == [month("2024-05")]
    assert list(index_observations(list(reversed(rows)), viewer=MEMBER, now=NOW)) == [month("2024-05")]
