"""Periods: every accepted spelling of scorecard-rules.md (Periods), the labels a councillor reads,
and the arithmetic that DOT, YTD and targets rely on."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard.periods import (
    Frequency,
    Period,
    PeriodError,
    Year,
    YearBasis,
    is_period_end,
    months_of,
    parse_period,
    parse_year,
    quarter,
    year_of,
    year_of_period,
)

FIN = YearBasis.FINANCIAL
ACA = YearBasis.ACADEMIC
CAL = YearBasis.CALENDAR
MONTHLY = Frequency.MONTHLY
QUARTERLY = Frequency.QUARTERLY
ANNUAL = Frequency.ANNUAL


# --- Financial-year quarters: Q1 Apr-Jun ... Q4 Jan-Mar ------------------------------------


@pytest.mark.parametrize(
    ("number", "end", "start"),
    [
        (1, date(2024, 6, 30), date(2024, 4, 1)),
        (2, date(2024, 9, 30), date(2024, 7, 1)),
        (3, date(2024, 12, 31), date(2024, 10, 1)),
        (4, date(2025, 3, 31), date(2025, 1, 1)),
    ],
)
def test_financial_quarters_run_april_to_march_and_q4_ends_in_the_next_calendar_year(
    number: int, end: date, start: date
) -> None:
    built = quarter(2024, number)
    assert built.end == end
    assert built.start == start
    assert built.quarter == number
    assert built.label == f"2024/25 Q{number}"
    assert built.year == Year(FIN, 2024)
    assert parse_period(f"2024/25 Q{number}", QUARTERLY) == built


def test_q4_is_parsed_from_every_spelling_of_its_year() -> None:
    q4 = Period(date(2025, 3, 31), QUARTERLY)
    for text in ("2024/25 Q4", "2024-25 Q4", "2024/2025 Q4", "2024 / 25 q4", "  2024/25   Q4 "):
        assert parse_period(text, QUARTERLY) == q4, text
    assert q4.label == "2024/25 Q4"
    assert q4.short_label == "2024/25 Q4"


@pytest.mark.parametrize("number", [0, 5, -1])
def test_there_is_no_quarter_outside_q1_to_q4(number: int) -> None:
    with pytest.raises(PeriodError) as raised:
        quarter(2024, number)
    assert (raised.value.value, raised.value.reason) == (f"Q{number}", "a quarter is Q1, Q2, Q3 or Q4")


def test_quarters_are_financial_whatever_the_indicators_year_basis() -> None:
    assert parse_period("2024/25 Q1", QUARTERLY, ACA).end == date(2024, 6, 30)
    assert parse_period("2024/25 Q4", QUARTERLY, CAL).end == date(2025, 3, 31)


def test_months_and_quarters_of_an_academic_or_calendar_indicator_equal_the_financial_ones() -> None:
    # One June is one June: a figure stored under one basis must be found under the other.
    for basis in (ACA, CAL):
        june = Period(date(2024, 6, 30), MONTHLY, basis)
        assert june == Period(date(2024, 6, 30), MONTHLY)
        assert hash(june) == hash(Period(date(2024, 6, 30), MONTHLY))
        assert june.year_basis is FIN
        assert parse_period("2024-06", MONTHLY, basis) == Period(date(2024, 6, 30), MONTHLY)
        q1 = Period(date(2024, 6, 30), QUARTERLY, basis)
        assert q1 == quarter(2024, 1)
        assert q1.year_basis is FIN
    # Annual periods keep their basis: the academic year 2023/24 is not the financial one.
    academic = Period(date(2024, 8, 31), ANNUAL, ACA)
    assert academic.year_basis is ACA
    assert parse_period("2023/24", ANNUAL, ACA) == academic
    assert parse_period("2023/24", ANNUAL, FIN) != academic


# --- Period ends: a period is identified by its end date ----------------------------------


@pytest.mark.parametrize(
    ("text", "frequency", "basis", "end"),
    [
        ("2024-06-30", MONTHLY, FIN, date(2024, 6, 30)),
        ("2024-02-29", MONTHLY, FIN, date(2024, 2, 29)),
        ("2023-02-28", MONTHLY, FIN, date(2023, 2, 28)),
        ("2024-06-30", QUARTERLY, FIN, date(2024, 6, 30)),
        ("2025-03-31", QUARTERLY, FIN, date(2025, 3, 31)),
        ("2025-03-31", ANNUAL, FIN, date(2025, 3, 31)),
        ("2024-08-31", ANNUAL, ACA, date(2024, 8, 31)),
        ("2024-12-31", ANNUAL, CAL, date(2024, 12, 31)),
    ],
)
def test_an_iso_end_date_is_accepted_for_its_period(
    text: str, frequency: Frequency, basis: YearBasis, end: date
) -> None:
    period = parse_period(text, frequency, basis)
    assert period == Period(end, frequency, basis)
    assert period.end == end
    assert period.frequency is frequency


@pytest.mark.parametrize(
    ("text", "frequency", "basis", "reason"),
    [
        ("2024-06-29", MONTHLY, FIN, "a monthly period ends on the last day of a month"),
        ("2024-02-28", MONTHLY, FIN, "a monthly period ends on the last day of a month"),
        ("2024-05-31", QUARTERLY, FIN, "a quarter ends on 30 June, 30 September, 31 December or 31 March"),
        ("2024-06-15", QUARTERLY, FIN, "a quarter ends on 30 June, 30 September, 31 December or 31 March"),
        ("2024-12-31", ANNUAL, FIN, "a financial year ends on 31 March"),
        ("2024-03-31", ANNUAL, ACA, "a academic year ends on 31 August"),
        ("2024-08-31", ANNUAL, CAL, "a calendar year ends on 31 December"),
    ],
)
def test_a_date_that_is_not_the_periods_end_is_refused_with_the_rule(
    text: str, frequency: Frequency, basis: YearBasis, reason: str
) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(text, frequency, basis)
    assert raised.value.reason == reason
    assert raised.value.value == text
    assert str(raised.value) == f"{reason} (got '{text}')"


def test_an_impossible_date_is_refused_as_not_a_real_date() -> None:
    for text in ("2024-02-30", "2024-13-31", "2023-02-29"):
        with pytest.raises(PeriodError, match=r"^not a real date \(got '"):
            parse_period(text, MONTHLY)


def test_a_monthly_period_ending_mid_month_cannot_be_built() -> None:
    with pytest.raises(PeriodError) as raised:
        Period(date(2024, 6, 15), MONTHLY)
    assert raised.value.reason == "a monthly period ends on the last day of a month"
    assert raised.value.value == "2024-06-15"


def test_a_quarter_or_year_cannot_be_built_on_another_month_end() -> None:
    with pytest.raises(
        PeriodError, match=r"^a quarter ends on 30 June, 30 September, 31 December or 31 March \(got '"
    ):
        Period(date(2024, 5, 31), QUARTERLY)
    with pytest.raises(PeriodError, match=r"^a financial year ends on 31 March \(got '"):
        Period(date(2024, 6, 30), ANNUAL, FIN)
    with pytest.raises(PeriodError, match=r"^a academic year ends on 31 August \(got '"):
        Period(date(2024, 6, 30), ANNUAL, ACA)
    with pytest.raises(PeriodError, match=r"^a calendar year ends on 31 December \(got '"):
        Period(date(2024, 6, 30), ANNUAL, CAL)


def test_is_period_end_follows_frequency_and_basis() -> None:
    assert is_period_end(date(2024, 6, 30), MONTHLY)
    assert not is_period_end(date(2024, 6, 29), MONTHLY)
    for month_end in (date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31)):
        assert is_period_end(month_end, QUARTERLY)
    for month_end in (date(2024, 1, 31), date(2024, 2, 29), date(2024, 4, 30), date(2024, 11, 30)):
        assert not is_period_end(month_end, QUARTERLY)
    assert not is_period_end(date(2024, 9, 29), QUARTERLY)
    assert is_period_end(date(2025, 3, 31), ANNUAL)  # financial by default
    assert not is_period_end(date(2024, 12, 31), ANNUAL)
    assert is_period_end(date(2024, 8, 31), ANNUAL, ACA)
    assert is_period_end(date(2024, 12, 31), ANNUAL, CAL)
    assert not is_period_end(date(2024, 12, 30), ANNUAL, CAL)


# --- Months ---------------------------------------------------------------------------------


def test_a_month_is_written_year_dash_month_and_ends_on_its_last_day() -> None:
    assert parse_period("2024-06", MONTHLY) == Period(date(2024, 6, 30), MONTHLY)
    assert parse_period("2024-6", MONTHLY) == Period(date(2024, 6, 30), MONTHLY)
    assert parse_period("2024-02", MONTHLY).end == date(2024, 2, 29)
    assert parse_period("2023-02", MONTHLY).end == date(2023, 2, 28)
    assert parse_period("2100-02", MONTHLY).end == date(2100, 2, 28)  # not a leap year
    assert parse_period("2024-12", MONTHLY).end == date(2024, 12, 31)
    assert parse_period("2024-01", MONTHLY).end == date(2024, 1, 31)


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-99"])
def test_a_month_outside_01_to_12_is_a_period_error(text: str) -> None:
    with pytest.raises(PeriodError, match=r"^the month must be 01 to 12 \(got '"):
        parse_period(text, MONTHLY)


def test_for_a_monthly_indicator_2011_12_is_december_2011_not_a_year() -> None:
    assert parse_period("2011-12", MONTHLY) == Period(date(2011, 12, 31), MONTHLY)
    assert parse_period("2011-12", ANNUAL) == Period(date(2012, 3, 31), ANNUAL)


def test_month_labels_name_the_month_in_english() -> None:
    may = parse_period("2024-05", MONTHLY)
    assert may.label == "May 2024"
    assert may.short_label == "May 24"
    assert str(may) == "May 2024"
    january = parse_period("2005-01", MONTHLY)
    assert (january.label, january.short_label) == ("January 2005", "Jan 05")
    december = parse_period("2024-12", MONTHLY)
    assert (december.label, december.short_label) == ("December 2024", "Dec 24")


def test_a_month_belongs_to_the_financial_year_it_ends_in() -> None:
    assert parse_period("2025-03", MONTHLY).year == Year(FIN, 2024)
    assert parse_period("2025-04", MONTHLY).year == Year(FIN, 2025)
    assert parse_period("2024-06", MONTHLY).quarter == 1
    assert parse_period("2025-01", MONTHLY).quarter == 4
    assert parse_period("2024-12", MONTHLY).quarter == 3


# --- Years ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2024/25", "2024-25", "2024/2025", "2024-2025", "2024 / 25"])
def test_a_financial_year_has_every_spelling_of_2024_25(text: str) -> None:
    assert parse_year(text, FIN) == Year(FIN, 2024)
    assert parse_period(text, ANNUAL, FIN) == Period(date(2025, 3, 31), ANNUAL, FIN)


def test_the_century_rolls_over_in_1999_00() -> None:
    year = parse_year("1999/00", FIN)
    assert year == Year(FIN, 1999)
    assert year.label == "1999/00"
    assert year.end == date(2000, 3, 31)
    assert parse_year("1999/2000", FIN) == year
    assert parse_period("1999/00", ANNUAL, ACA).end == date(2000, 8, 31)
    assert parse_period("1999/00 Q4", QUARTERLY).end == date(2000, 3, 31)


@pytest.mark.parametrize("text", ["2024/26", "2024/24", "2024/23", "2024/2026", "2024/1925"])
def test_the_second_year_must_follow_the_first(text: str) -> None:
    with pytest.raises(PeriodError, match=r"^the second year must follow the first, as in 2024/25 \(got '"):
        parse_year(text, FIN)


def test_a_calendar_year_is_written_as_four_digits() -> None:
    assert parse_year("2024", CAL) == Year(CAL, 2024)
    assert parse_year(" 2024 ", CAL) == Year(CAL, 2024)
    calendar_year = parse_period("2024", ANNUAL, CAL)
    assert calendar_year == Period(date(2024, 12, 31), ANNUAL, CAL)
    assert calendar_year.start == date(2024, 1, 1)
    assert calendar_year.label == "2024"
    assert calendar_year.short_label == "2024"
    for wrong in ("2024/25", "24", "20245"):
        with pytest.raises(PeriodError) as raised:
            parse_year(wrong, CAL)
        assert (raised.value.value, raised.value.reason) == (wrong, "a calendar year is written like 2024")


def test_a_year_error_names_what_was_written() -> None:
    for text, basis, reason in [
        ("2024", FIN, "a financial year is written like 2024/25"),
        ("24/25", ACA, "a academic year is written like 2024/25"),
        ("2024/26", FIN, "the second year must follow the first, as in 2024/25"),
    ]:
        with pytest.raises(PeriodError) as raised:
            parse_year(text, basis)
        assert (raised.value.value, raised.value.reason) == (text, reason)


def test_a_financial_or_academic_year_is_not_written_as_one_calendar_year() -> None:
    with pytest.raises(PeriodError, match=r"^a financial year is written like 2024/25 \(got '"):
        parse_period("2024", ANNUAL, FIN)
    with pytest.raises(PeriodError, match=r"^a academic year is written like 2024/25 \(got '"):
        parse_year("2024", ACA)


def test_year_labels_starts_and_ends_by_basis() -> None:
    financial, academic, calendar_year = Year(FIN, 2024), Year(ACA, 2024), Year(CAL, 2024)
    assert (financial.label, financial.start, financial.end) == (
        "2024/25",
        date(2024, 4, 1),
        date(2025, 3, 31),
    )
    assert (academic.label, academic.start, academic.end) == ("2024/25", date(2024, 9, 1), date(2025, 8, 31))
    assert (calendar_year.label, calendar_year.start, calendar_year.end) == (
        "2024",
        date(2024, 1, 1),
        date(2024, 12, 31),
    )
    assert str(financial) == "2024/25"
    assert financial.previous() == Year(FIN, 2023)
    assert financial.next() == Year(FIN, 2025)
    assert Year(FIN, 2008).label == "2008/09"


def test_a_year_contains_its_first_and_last_day_only() -> None:
    financial = Year(FIN, 2024)
    assert financial.contains(date(2024, 4, 1))
    assert financial.contains(date(2025, 3, 31))
    assert not financial.contains(date(2024, 3, 31))
    assert not financial.contains(date(2025, 4, 1))


@pytest.mark.parametrize(
    ("day", "basis", "start_year"),
    [
        (date(2024, 3, 31), FIN, 2023),
        (date(2024, 4, 1), FIN, 2024),
        (date(2024, 8, 31), ACA, 2023),
        (date(2024, 9, 1), ACA, 2024),
        (date(2024, 1, 1), CAL, 2024),
        (date(2024, 12, 31), CAL, 2024),
    ],
)
def test_year_of_a_day_turns_over_on_the_first_day_of_the_basis(
    day: date, basis: YearBasis, start_year: int
) -> None:
    assert year_of(day, basis) == Year(basis, start_year)


def test_targets_apply_by_the_indicators_basis_not_the_periods() -> None:
    june = parse_period("2024-06", MONTHLY)
    assert year_of_period(june, FIN) == Year(FIN, 2024)
    assert year_of_period(june, ACA) == Year(ACA, 2023)
    assert year_of_period(june, CAL) == Year(CAL, 2024)
    assert Period(date(2024, 8, 31), ANNUAL, ACA).year == Year(ACA, 2023)


# --- A spelling of another frequency is refused --------------------------------------------


@pytest.mark.parametrize(
    ("text", "frequency", "reason"),
    [
        ("2024-06", QUARTERLY, "a month was given but this indicator is quarterly"),
        ("2024-06", ANNUAL, "a month was given but this indicator is annual"),
        ("2024/25 Q2", MONTHLY, "a quarter was given but this indicator is monthly"),
        ("2024/25 Q2", ANNUAL, "a quarter was given but this indicator is annual"),
        ("2024/25", MONTHLY, "a year was given but this indicator is monthly"),
        ("2024", QUARTERLY, "a year was given but this indicator is quarterly"),
    ],
)
def test_a_spelling_of_another_frequency_is_refused(text: str, frequency: Frequency, reason: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(text, frequency)
    assert raised.value.reason == reason


def test_an_annual_indicator_given_a_bad_year_hears_about_the_year() -> None:
    with pytest.raises(PeriodError, match=r"^the second year must follow the first, as in 2024/25 \(got '"):
        parse_period("2024/27", ANNUAL)


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_period_is_refused(text: str) -> None:
    with pytest.raises(PeriodError, match=r"^the period is empty \(got '"):
        parse_period(text, MONTHLY)


@pytest.mark.parametrize("text", ["June 2024", "2024/25 Q5", "Q2", "2024-06-30T00:00"])
def test_anything_else_is_not_a_period_and_the_error_lists_the_spellings(text: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(text, QUARTERLY)
    assert raised.value.reason == (
        "not a period: write 2024-06, 2024/25 Q2, 2024/25, 2024 or an end date 2024-06-30"
    )
    assert raised.value.value == text


# --- Arithmetic: previous, next, last year, the months inside --------------------------------


def test_the_quarter_after_q4_is_q1_of_the_next_financial_year() -> None:
    q4 = quarter(2024, 4)
    assert q4.next() == quarter(2025, 1)
    assert q4.previous() == quarter(2024, 3)
    assert quarter(2024, 1).previous() == q4.shifted(-4)
    assert q4.same_period_last_year() == quarter(2023, 4)


def test_months_step_across_the_year_end_and_last_year_keeps_the_month() -> None:
    january = parse_period("2025-01", MONTHLY)
    assert january.previous() == parse_period("2024-12", MONTHLY)
    assert january.previous().next() == january
    assert january.shifted(-13) == parse_period("2023-12", MONTHLY)
    leap = parse_period("2024-02", MONTHLY)
    assert leap.same_period_last_year().end == date(2023, 2, 28)
    assert leap.next().end == date(2024, 3, 31)


def test_annual_periods_step_a_year_and_keep_their_basis() -> None:
    academic = Period(date(2024, 8, 31), ANNUAL, ACA)
    assert academic.previous() == Period(date(2023, 8, 31), ANNUAL, ACA)
    assert academic.same_period_last_year() == academic.previous()
    assert academic.next().label == "2024/25"
    assert academic.start == date(2023, 9, 1)


def test_the_months_of_a_quarter_or_year_in_order() -> None:
    assert [m.label for m in months_of(quarter(2024, 4))] == ["January 2025", "February 2025", "March 2025"]
    financial = months_of(parse_period("2024/25", ANNUAL))
    assert len(financial) == 12
    assert (financial[0].label, financial[-1].label) == ("April 2024", "March 2025")
    academic = months_of(parse_period("2023/24", ANNUAL, ACA))
    assert (academic[0].label, academic[-1].label, len(academic)) == ("September 2023", "August 2024", 12)
    june = parse_period("2024-06", MONTHLY)
    assert months_of(june) == [june]


# --- Invariants -----------------------------------------------------------------------------

years = st.integers(min_value=1901, max_value=2198)


@st.composite
def periods(draw: st.DrawFn) -> Period:
    frequency = draw(st.sampled_from(Frequency))
    if frequency is ANNUAL:
        basis = draw(st.sampled_from(YearBasis))
        return Period(Year(basis, draw(years)).end, ANNUAL, basis)
    if frequency is QUARTERLY:
        return quarter(draw(years), draw(st.integers(min_value=1, max_value=4)))
    return parse_period(f"{draw(years)}-{draw(st.integers(min_value=1, max_value=12)):02d}", MONTHLY)


@given(periods())
def test_every_quarter_and_year_round_trips_through_its_label(period: Period) -> None:
    """What a councillor reads can be typed back: parsing a label gives the same period.

    (Month labels, "May 2024", are for reading; a month is typed as 2024-05, checked below.)
    """
    if period.frequency is MONTHLY:
        typed = f"{period.end.year}-{period.end.month:02d}"
        assert parse_period(typed, MONTHLY) == period
        assert period.label.endswith(f" {period.end.year}")
    else:
        assert parse_period(period.label, period.frequency, period.year_basis) == period


@given(periods())
def test_every_period_round_trips_through_its_iso_end_date(period: Period) -> None:
    assert parse_period(period.end.isoformat(), period.frequency, period.year_basis) == period


@given(periods(), st.integers(min_value=-40, max_value=40))
def test_shifting_there_and_back_is_the_same_period(period: Period, steps: int) -> None:
    assert period.shifted(steps).shifted(-steps) == period
    assert period.shifted(steps).frequency is period.frequency


@given(periods())
def test_a_periods_months_tile_it_exactly(period: Period) -> None:
    inside = months_of(period)
    assert len(inside) == {MONTHLY: 1, QUARTERLY: 3, ANNUAL: 12}[period.frequency]
    assert inside[0].start == period.start
    assert inside[-1].end == period.end
    assert all(a.next() == b for a, b in itertools.pairwise(inside))


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2198, 12, 31)), st.sampled_from(YearBasis))
def test_every_day_is_in_exactly_the_year_of_its_basis(day: date, basis: YearBasis) -> None:
    year = year_of(day, basis)
    assert year.contains(day)
    assert not year.previous().contains(day)
    assert not year.next().contains(day)
    assert parse_year(year.label, basis) == year


@pytest.mark.parametrize(
    ("text", "frequency", "value"),
    [
        ("", MONTHLY, ""),
        ("2024-02-30", MONTHLY, "2024-02-30"),
        ("2024-06", QUARTERLY, "2024-06"),
        ("2024-13", MONTHLY, "2024-13"),
        ("2024/25   Q2", MONTHLY, "2024/25 Q2"),
        ("2024", MONTHLY, "2024"),
        ("June", MONTHLY, "June"),
    ],
)
def test_every_period_error_names_what_was_written(text: str, frequency: Frequency, value: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(text, frequency)
    assert raised.value.value == value
    assert str(raised.value).endswith(f" (got '{value}')")


def test_a_quarter_whose_year_is_misspelt_is_refused_as_a_financial_year() -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period("2024/202 Q1", QUARTERLY, ACA)
    assert (raised.value.value, raised.value.reason) == (
        "2024/202",
        "a financial year is written like 2024/25",
    )
