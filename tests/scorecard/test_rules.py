"""The scorecard rules: every example of scorecard-rules.md and the first seed paper, verbatim."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from scorecard.model import (
    Benchmark,
    Comparator,
    Dot,
    DotBasis,
    Indicator,
    Observation,
    ObservationStatus,
    Polarity,
    Rag,
    Role,
    Target,
    Unit,
    Verdict,
    Viewer,
    YtdMethod,
)
from scorecard.periods import Frequency, Period, Year, YearBasis, parse_period
from scorecard.rules import (
    benchmark_verdict,
    direction_of_travel,
    disclose,
    disclosure,
    format_value,
    latest_benchmarks,
    polarity_words,
    rag,
    rag_label,
    round_half_up,
    target_for,
    target_is_consistent,
    visible,
    year_to_date,
    ytd_periods,
)

NOW = datetime(2024, 11, 1, 9, 0, tzinfo=UTC)
MEMBER = Viewer("U-member")
OFFICER = Viewer("U-officer", frozenset({Role.PERFORMANCE_OFFICER}))


def indicator(
    polarity: Polarity = Polarity.HIGH,
    unit: Unit = Unit.PERCENT,
    frequency: Frequency = Frequency.MONTHLY,
    **extra: object,
) -> Indicator:
    return Indicator(
        code="T-01",
        title="Test indicator",
        cluster="Test",
        polarity=polarity,
        unit=unit,
        frequency=frequency,
        **extra,  # type: ignore[arg-type]
    )


def month(text: str) -> Period:
    return parse_period(text, Frequency.MONTHLY)


def fy(text: str) -> Period:
    return parse_period(text, Frequency.ANNUAL, YearBasis.FINANCIAL)


def obs(period: Period, value: float | None, **extra: object) -> Observation:
    return Observation("T-01", period, value, **extra)  # type: ignore[arg-type]


TARGET_90_AMBER_84 = Target("T-01", Year(YearBasis.FINANCIAL, 2024), 90, 84)


# --- Rounding and display ------------------------------------------------------------------


def test_rounding_is_half_up_on_the_shown_decimal() -> None:
    assert round_half_up(83.96, 1) == Decimal("84.0")
    assert round_half_up(0.05, 1) == Decimal("0.1")
    assert round_half_up(2.5, 0) == Decimal("3")
    assert round_half_up(0.15, 1) == Decimal("0.2")  # float 0.15 is 0.1499999...


def test_rounding_ignores_float_noise() -> None:
    assert round_half_up(64.900000000000006, 1) == Decimal("64.9")
    assert round_half_up(0.1 + 0.2, 1) == Decimal("0.3")


@pytest.mark.parametrize(
    ("unit", "value", "shown"),
    [
        (Unit.PERCENT, 83.96, "84.0%"),
        (Unit.RATE_PER_10K, 64.900000000000006, "64.9"),
        (Unit.DAYS, 12.4, "12"),
        (Unit.COUNT, 1234, "1,234"),
        (Unit.GBP, 1234.4, "£1,234"),
        (Unit.GBP, -1500, "-£1,500"),
        (Unit.SCORE, 101.25, "101.3"),
        (Unit.PERCENT, 0, "0.0%"),
    ],
)
def test_values_are_shown_at_the_unit_precision(unit: Unit, value: float, shown: str) -> None:
    assert format_value(value, indicator(unit=unit)) == shown


def test_indicator_decimals_override_the_unit_default() -> None:
    assert format_value(12.345, indicator(unit=Unit.DAYS, decimals=2)) == "12.35"


def test_no_value_is_shown_as_no_figure() -> None:
    assert format_value(None, indicator()) == "no figure"


# --- RAG -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(86.0, Rag.AMBER), (90.0, Rag.GREEN), (83.9, Rag.RED)])
def test_spec_example_good_is_high_target_90_amber_84(value: float, expected: Rag) -> None:
    assert rag(value, TARGET_90_AMBER_84, Polarity.HIGH, decimals=1) is expected


def test_value_shown_as_84_0_is_judged_as_84_0_and_is_amber_not_red() -> None:
    assert format_value(83.96, indicator()) == "84.0%"
    assert rag(83.96, TARGET_90_AMBER_84, Polarity.HIGH, decimals=1) is Rag.AMBER


def test_value_just_below_amber_when_rounded_is_red() -> None:
    assert rag(83.94, TARGET_90_AMBER_84, Polarity.HIGH, decimals=1) is Rag.RED


def test_high_polarity_value_at_threshold_is_amber() -> None:
    assert rag(84.0, TARGET_90_AMBER_84, Polarity.HIGH, decimals=1) is Rag.AMBER


def test_low_polarity_value_at_threshold_is_amber() -> None:
    target = Target("T-01", Year(YearBasis.FINANCIAL, 2024), 10, 12)
    assert rag(12.0, target, Polarity.LOW, decimals=1) is Rag.AMBER
    assert rag(10.0, target, Polarity.LOW, decimals=1) is Rag.GREEN
    assert rag(12.1, target, Polarity.LOW, decimals=1) is Rag.RED


def test_target_and_threshold_are_rounded_like_the_value() -> None:
    # A target of 89.96 is shown as 90.0, so a value shown as 90.0 meets it.
    target = Target("T-01", Year(YearBasis.FINANCIAL, 2024), 89.96, 83.96)
    assert rag(90.0, target, Polarity.HIGH, decimals=1) is Rag.GREEN
    assert rag(84.0, target, Polarity.HIGH, decimals=1) is Rag.AMBER


def test_none_polarity_no_target_or_no_value_is_not_rated() -> None:
    assert rag(95.0, TARGET_90_AMBER_84, Polarity.NONE, decimals=1) is Rag.NA
    assert rag(95.0, None, Polarity.HIGH, decimals=1) is Rag.NA
    assert rag(None, TARGET_90_AMBER_84, Polarity.HIGH, decimals=1) is Rag.NA


def test_missing_amber_threshold_means_short_of_target_is_red() -> None:
    target = Target("T-01", Year(YearBasis.FINANCIAL, 2024), 90)
    assert rag(89.9, target, Polarity.HIGH, decimals=1) is Rag.RED


def test_rag_label_never_shows_not_applicable_as_a_colour() -> None:
    assert rag_label(Rag.NA, None, Polarity.HIGH) == "No target"
    assert rag_label(Rag.NA, None, Polarity.NONE) == "Not rated"
    assert rag_label(Rag.NA, TARGET_90_AMBER_84, Polarity.HIGH) == "Not rated"
    assert rag_label(Rag.AMBER, TARGET_90_AMBER_84, Polarity.HIGH) == "Amber"


def test_threshold_on_the_wrong_side_is_inconsistent() -> None:
    assert target_is_consistent(TARGET_90_AMBER_84, Polarity.HIGH)
    assert not target_is_consistent(TARGET_90_AMBER_84, Polarity.LOW)


# --- Targets by year -----------------------------------------------------------------------


def test_target_applies_to_every_period_ending_inside_its_year() -> None:
    targets = [TARGET_90_AMBER_84]
    assert target_for(month("2024-04"), targets, YearBasis.FINANCIAL) == TARGET_90_AMBER_84
    assert target_for(month("2025-03"), targets, YearBasis.FINANCIAL) == TARGET_90_AMBER_84
    assert target_for(month("2024-03"), targets, YearBasis.FINANCIAL) is None


def test_year_without_a_target_row_is_not_rated_and_never_borrows_another_year() -> None:
    targets = [TARGET_90_AMBER_84]
    period = month("2025-04")  # 2025/26 has no target row
    found = target_for(period, targets, YearBasis.FINANCIAL)
    assert found is None
    assert rag(95.0, found, Polarity.HIGH, decimals=1) is Rag.NA


def test_academic_target_applies_september_to_august() -> None:
    target = Target("T-01", Year(YearBasis.ACADEMIC, 2023), 70, 65)
    assert target_for(month("2023-09"), [target], YearBasis.ACADEMIC) == target
    assert target_for(month("2024-08"), [target], YearBasis.ACADEMIC) == target
    assert target_for(month("2024-09"), [target], YearBasis.ACADEMIC) is None


# --- Direction of travel -------------------------------------------------------------------


def test_spec_example_dot_words_good_is_low() -> None:
    kpi = indicator(Polarity.LOW, Unit.RATE_PER_10K)
    data = [obs(month("2024-05"), 12.1), obs(month("2024-06"), 10.4)]
    result = direction_of_travel(kpi, data, month("2024-06"))
    assert result.result is Dot.IMPROVED
    assert result.arrow == "▲"
    assert result.words == "improved: down from 12.1 to 10.4 since May 2024"
    assert result.basis is DotBasis.PREVIOUS_PERIOD
    assert result.compared_period == month("2024-05")
    assert result.compared_value == Decimal("12.1")


def test_annual_dot_compares_with_the_previous_year_and_says_so() -> None:
    kpi = indicator(frequency=Frequency.ANNUAL)
    data = [obs(fy("2023/24"), 88.0), obs(fy("2024/25"), 86.0)]
    result = direction_of_travel(kpi, data, fy("2024/25"))
    assert result.basis is DotBasis.PREVIOUS_YEAR
    assert result.result is Dot.DECLINED
    assert result.arrow == "▼"
    assert result.words == "declined: down from 88.0% to 86.0% since 2023/24"


def test_monthly_dot_with_previous_year_basis_compares_the_same_month_last_year() -> None:
    kpi = indicator(dot_basis=DotBasis.PREVIOUS_YEAR)
    data = [obs(month("2023-06"), 80.0), obs(month("2024-05"), 99.0), obs(month("2024-06"), 85.0)]
    result = direction_of_travel(kpi, data, month("2024-06"))
    assert result.compared_period == month("2023-06")
    assert result.words == "improved: up from 80.0% to 85.0% since June 2023"


def test_dot_compares_rounded_values() -> None:
    kpi = indicator()
    data = [obs(month("2024-05"), 83.96), obs(month("2024-06"), 84.04)]
    result = direction_of_travel(kpi, data, month("2024-06"))
    assert result.result is Dot.NO_CHANGE
    assert result.arrow == "►"
    assert result.words == "no change: 84.0% in both May 2024 and June 2024"


def test_none_polarity_dot_says_up_or_down_in_a_neutral_tone() -> None:
    kpi = indicator(Polarity.NONE, Unit.COUNT)
    data = [obs(month("2024-05"), 120), obs(month("2024-06"), 134)]
    result = direction_of_travel(kpi, data, month("2024-06"))
    assert result.result is Dot.UP
    assert result.arrow == "▲"
    assert result.tone == "neutral"
    assert result.words == "up: from 120 to 134 since May 2024"


def test_dot_without_a_compared_figure_is_not_available() -> None:
    kpi = indicator()
    result = direction_of_travel(kpi, [obs(month("2024-06"), 85.0)], month("2024-06"))
    assert result.result is Dot.NA
    assert result.arrow == ""
    assert result.words == "not available: no figure for May 2024"


# --- The two worked examples of the first seed paper ---------------------------------------


def test_seed_example_one_good_is_high_amber_at_84_and_declined_on_last_year() -> None:
    # "Good performance for this indicator would be high. The DOT indicated that when compared
    # with the previous year performance had decreased. [...] in-line with the amber tolerance
    # target (84%+)." Consistently in line with statistical neighbours and national averages.
    kpi = indicator(Polarity.HIGH, Unit.PERCENT, Frequency.ANNUAL)
    data = [obs(fy("2023/24"), 88.0), obs(fy("2024/25"), 86.0)]
    period = fy("2024/25")
    assert polarity_words(kpi.polarity) == "Higher is better"
    assert (
        rag(86.0, target_for(period, [TARGET_90_AMBER_84], kpi.year_basis), kpi.polarity, decimals=1)
        is Rag.AMBER
    )
    dot = direction_of_travel(kpi, data, period)
    assert (dot.result, dot.arrow) == (Dot.DECLINED, "▼")
    assert dot.words == "declined: down from 88.0% to 86.0% since 2023/24"
    england = benchmark_verdict(kpi, Benchmark("T-01", period, Comparator.ENGLAND, 86.0), data)
    assert england.verdict is Verdict.IN_LINE


def test_seed_example_two_good_is_low_improved_because_the_number_fell_but_red() -> None:
    # "Good performance for this indicator would be low. DOT indicated that when compared with
    # the previous month performance had increased (e.g., the number had reduced). RAG indicated
    # [...] red [...] still above benchmarking for both statistical neighbours and national."
    kpi = indicator(Polarity.LOW, Unit.RATE_PER_10K)
    target = Target("T-01", Year(YearBasis.FINANCIAL, 2024), 8.0, 9.0)
    data = [obs(month("2024-05"), 12.1), obs(month("2024-06"), 10.4)]
    period = month("2024-06")
    assert polarity_words(kpi.polarity) == "Lower is better"
    dot = direction_of_travel(kpi, data, period)
    assert (dot.result, dot.arrow) == (Dot.IMPROVED, "▲")
    assert dot.words.startswith("improved: down from 12.1 to 10.4")
    assert rag(10.4, target_for(period, [target], kpi.year_basis), kpi.polarity, decimals=1) is Rag.RED
    for comparator in (Comparator.STATISTICAL_NEIGHBOURS, Comparator.ENGLAND):
        verdict = benchmark_verdict(kpi, Benchmark("T-01", period, comparator, 9.2), data)
        assert verdict.verdict is Verdict.WORSE


# --- Year to date --------------------------------------------------------------------------


def test_ytd_ratio_is_the_ratio_of_sums_not_the_mean_of_percentages() -> None:
    kpi = indicator(ytd=YtdMethod.RATIO)
    data = [
        obs(month("2024-04"), 90.0, numerator=9, denominator=10),
        obs(month("2024-05"), 40.0, numerator=40, denominator=100),
    ]
    ytd = year_to_date(kpi, data, month("2024-05"))
    assert ytd is not None
    assert round_half_up(ytd, 1) == Decimal("44.5")  # 100 * 49 / 110
    assert round_half_up(ytd, 1) != Decimal("65.0")  # the wrong mean of 90% and 40%


def test_ytd_ratio_needs_every_period_to_have_numerator_and_denominator() -> None:
    kpi = indicator(ytd=YtdMethod.RATIO)
    data = [
        obs(month("2024-04"), 90.0),
        obs(month("2024-05"), 40.0, numerator=40, denominator=100),
    ]
    assert year_to_date(kpi, data, month("2024-05")) is None


def test_ytd_sum_adds_the_year_so_far_and_starts_again_in_april() -> None:
    kpi = indicator(Polarity.NONE, Unit.COUNT, ytd=YtdMethod.SUM)
    data = [
        obs(month("2024-03"), 500),
        obs(month("2024-04"), 100),
        obs(month("2024-05"), 120),
        obs(month("2024-06"), 90),
        obs(month("2024-07"), 1000),
    ]
    assert year_to_date(kpi, data, month("2024-06")) == Decimal(310)
    assert year_to_date(kpi, data, month("2024-04")) == Decimal(100)


def test_ytd_with_a_missing_month_is_not_given() -> None:
    kpi = indicator(Polarity.NONE, Unit.COUNT, ytd=YtdMethod.SUM)
    data = [obs(month("2024-04"), 100), obs(month("2024-06"), 90)]
    assert year_to_date(kpi, data, month("2024-06")) is None


def test_ytd_mean_latest_and_none() -> None:
    data = [obs(month("2024-04"), 10), obs(month("2024-05"), 20)]
    assert year_to_date(indicator(ytd=YtdMethod.MEAN), data, month("2024-05")) == Decimal(15)
    assert year_to_date(indicator(ytd=YtdMethod.LATEST), data, month("2024-05")) == Decimal(20)
    assert year_to_date(indicator(ytd=YtdMethod.NONE), data, month("2024-05")) is None


def test_ytd_follows_the_academic_year_for_academic_indicators() -> None:
    kpi = indicator(year_basis=YearBasis.ACADEMIC)
    assert [p.label for p in ytd_periods(kpi, month("2024-10"))] == [
        "September 2024",
        "October 2024",
    ]


def test_ytd_of_quarters_follows_the_financial_year() -> None:
    kpi = indicator(frequency=Frequency.QUARTERLY)
    q3 = parse_period("2024/25 Q3", Frequency.QUARTERLY)
    assert [p.label for p in ytd_periods(kpi, q3)] == ["2024/25 Q1", "2024/25 Q2", "2024/25 Q3"]


# --- Benchmarks ----------------------------------------------------------------------------


def test_benchmark_verdict_compares_the_same_period_only() -> None:
    kpi = indicator()
    ours = [obs(fy_month, v) for fy_month, v in [(month("2024-06"), 95.0)]]
    england = Benchmark("T-01", month("2024-03"), Comparator.ENGLAND, 85.0)
    result = benchmark_verdict(kpi, england, ours)
    assert result.verdict is None  # we have June 2024, the benchmark is March 2024
    assert result.display == "85.0%"
    assert result.words == "England March 2024: 85.0% (no figure of ours for March 2024 to compare)"


def test_benchmark_verdict_on_rounded_values() -> None:
    kpi = indicator()
    data = [obs(month("2024-03"), 85.04)]
    england = Benchmark("T-01", month("2024-03"), Comparator.ENGLAND, 84.96)
    result = benchmark_verdict(kpi, england, data)
    assert result.verdict is Verdict.IN_LINE
    assert result.words == "England March 2024: 85.0% (ours 85.0%: in line)"


def test_none_polarity_benchmark_verdict_is_higher_or_lower() -> None:
    kpi = indicator(Polarity.NONE, Unit.RATE_PER_10K)
    data = [obs(month("2024-03"), 70.0)]
    result = benchmark_verdict(kpi, Benchmark("T-01", month("2024-03"), Comparator.ENGLAND, 67.0), data)
    assert result.verdict is Verdict.HIGHER


def test_latest_benchmark_per_comparator_labelled_with_its_period() -> None:
    kpi = indicator(frequency=Frequency.ANNUAL)
    data = [obs(fy("2023/24"), 86.0)]
    benchmarks = [
        Benchmark("T-01", fy("2022/23"), Comparator.ENGLAND, 80.0),
        Benchmark("T-01", fy("2023/24"), Comparator.ENGLAND, 85.0),
        Benchmark("T-01", fy("2022/23"), Comparator.STATISTICAL_NEIGHBOURS, 84.0),
        Benchmark("T-01", fy("2024/25"), Comparator.REGION, 90.0, embargo_until=NOW + timedelta(days=1)),
    ]
    results = latest_benchmarks(kpi, benchmarks, data, viewer=MEMBER, now=NOW)
    assert [r.label for r in results] == ["Statistical neighbours 2022/23", "England 2023/24"]
    assert [r.verdict for r in results] == [None, Verdict.BETTER]
    staff = latest_benchmarks(kpi, benchmarks, data, viewer=OFFICER, now=NOW)
    assert [r.label for r in staff][-1] == "Region 2024/25"
    as_of = latest_benchmarks(kpi, benchmarks, data, viewer=OFFICER, now=NOW, as_of=fy("2022/23"))
    assert [r.label for r in as_of] == ["Statistical neighbours 2022/23", "England 2022/23"]


# --- Embargo -------------------------------------------------------------------------------


def test_embargoed_figure_is_visible_only_to_staff_until_it_passes() -> None:
    figure = obs(month("2024-09"), 80.0, embargo_until=NOW + timedelta(hours=1))
    assert not visible(figure, MEMBER, NOW)
    assert visible(figure, OFFICER, NOW)
    assert visible(figure, MEMBER, NOW + timedelta(hours=1))
    for role in (Role.GOVERNANCE_ADVISOR, Role.BOARD_APPROVER):
        assert visible(figure, Viewer("U", frozenset({role})), NOW)
    assert not visible(figure, Viewer("U", frozenset({Role.SERVICE_OFFICER})), NOW)


def test_embargo_without_a_zone_is_london_time() -> None:
    # 09:30 London in summer is 08:30 UTC.
    figure = obs(month("2024-06"), 80.0, embargo_until=datetime(2024, 7, 1, 9, 30))
    assert not visible(figure, MEMBER, datetime(2024, 7, 1, 8, 29, tzinfo=UTC))
    assert visible(figure, MEMBER, datetime(2024, 7, 1, 8, 30, tzinfo=UTC))


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        visible(obs(month("2024-06"), 1.0), MEMBER, datetime(2024, 7, 1))


# --- Disclosure control --------------------------------------------------------------------


def test_ward_count_below_five_is_shown_as_less_than_five_and_not_charted() -> None:
    kpi = indicator(Polarity.NONE, Unit.COUNT)
    small = obs(month("2024-06"), 3, area="Birkenhead")
    assert disclose(small, kpi) == "<5"
    assert not disclosure(small, kpi).chartable
    assert disclosure(small, kpi).value is None
    assert disclose(small, kpi, suppress_below=10) == "<10"


def test_ward_count_of_zero_or_five_is_shown() -> None:
    kpi = indicator(Polarity.NONE, Unit.COUNT)
    assert disclose(obs(month("2024-06"), 0, area="Birkenhead"), kpi) == "0"
    assert disclose(obs(month("2024-06"), 5, area="Birkenhead"), kpi) == "5"
    assert disclosure(obs(month("2024-06"), 5, area="Birkenhead"), kpi).chartable


def test_ward_percentage_with_a_small_numerator_or_denominator_is_confidential() -> None:
    kpi = indicator()
    few = obs(month("2024-06"), 75.0, numerator=3, denominator=4, area="Birkenhead")
    small_num = obs(month("2024-06"), 4.0, numerator=4, denominator=100, area="Birkenhead")
    fine = obs(month("2024-06"), 40.0, numerator=40, denominator=100, area="Birkenhead")
    unknown = obs(month("2024-06"), 40.0, area="Birkenhead")
    assert disclose(few, kpi) == "c"
    assert disclose(small_num, kpi) == "c"
    assert not disclosure(small_num, kpi).chartable
    assert disclose(fine, kpi) == "40.0%"
    assert disclose(unknown, kpi) == "c"


def test_whole_authority_figures_are_never_suppressed() -> None:
    assert disclose(obs(month("2024-06"), 3), indicator(Polarity.NONE, Unit.COUNT)) == "3"
    whole = obs(month("2024-06"), 75.0, numerator=3, denominator=4)
    assert disclose(whole, indicator()) == "75.0%"


def test_figure_suppressed_at_source_is_confidential() -> None:
    figure = obs(month("2024-06"), None, status=ObservationStatus.SUPPRESSED)
    assert disclose(figure, indicator()) == "c"


def test_periods_in_tests_are_real_period_ends() -> None:
    assert month("2024-06").end == date(2024, 6, 30)
