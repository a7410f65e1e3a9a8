"""Invariants of the scorecard rules, checked over many generated cases with hypothesis."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from scorecard.model import Dot, Indicator, Observation, Polarity, Rag, Target, Unit, YtdMethod
from scorecard.periods import Frequency, Period, Year, YearBasis, year_of
from scorecard.rules import direction_of_travel, dot_of, rag, round_half_up, year_to_date

RANK = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}

values = st.floats(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False)
decimals = st.integers(min_value=0, max_value=3)


@st.composite
def periods(draw: st.DrawFn) -> Period:
    frequency = draw(st.sampled_from(Frequency))
    basis = draw(st.sampled_from(YearBasis))
    day = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)))
    if frequency is Frequency.ANNUAL:
        return Period(year_of(day, basis).end, frequency, basis)
    start = Period(date(1990, 1, 31), Frequency.MONTHLY)
    months = (day.year - 1990) * 12 + day.month - 1
    monthly = start.shifted(months)
    if frequency is Frequency.MONTHLY:
        return monthly
    while monthly.end.month not in (3, 6, 9, 12):
        monthly = monthly.next()
    return Period(monthly.end, Frequency.QUARTERLY)


@given(
    worse=values,
    better=values,
    goal=values,
    band=st.floats(min_value=0, max_value=100, allow_nan=False),
    places=decimals,
    polarity=st.sampled_from([Polarity.HIGH, Polarity.LOW]),
)
def test_rag_never_gets_better_as_the_value_gets_worse(
    worse: float, better: float, goal: float, band: float, places: int, polarity: Polarity
) -> None:
    if polarity is Polarity.HIGH:
        worse, better = min(worse, better), max(worse, better)
        target = Target("P", Year(YearBasis.FINANCIAL, 2024), goal, goal - band)
    else:
        worse, better = max(worse, better), min(worse, better)
        target = Target("P", Year(YearBasis.FINANCIAL, 2024), goal, goal + band)
    assert (
        RANK[rag(worse, target, polarity, decimals=places)]
        <= RANK[rag(better, target, polarity, decimals=places)]
    )


@given(first=values, second=values, places=decimals)
def test_swapping_polarity_swaps_improved_and_declined(first: float, second: float, places: int) -> None:
    value, compared = round_half_up(first, places), round_half_up(second, places)
    swap = {Dot.IMPROVED: Dot.DECLINED, Dot.DECLINED: Dot.IMPROVED, Dot.NO_CHANGE: Dot.NO_CHANGE}
    assert dot_of(value, compared, Polarity.LOW) is swap[dot_of(value, compared, Polarity.HIGH)]


@given(first=values, second=values)
def test_dot_words_always_name_both_figures_and_the_compared_period(first: float, second: float) -> None:
    june = Period(date(2024, 6, 30), Frequency.MONTHLY)
    for polarity in Polarity:
        kpi = Indicator("P", "P", "C", polarity, Unit.PERCENT, Frequency.MONTHLY)
        data = [Observation("P", june.previous(), second), Observation("P", june, first)]
        result = direction_of_travel(kpi, data, june)
        assert "May 2024" in result.words
        assert result.words.startswith(result.result.value.replace("_", " ") + ":")


@given(
    pairs=st.lists(
        st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000)),
        min_size=1,
        max_size=12,
    )
)
def test_ytd_ratio_equals_the_ratio_of_sums(pairs: list[tuple[int, int]]) -> None:
    for numerator, denominator in pairs:
        if numerator > denominator:
            return
    kpi = Indicator("P", "P", "C", Polarity.HIGH, Unit.PERCENT, Frequency.MONTHLY, ytd=YtdMethod.RATIO)
    april = Period(date(2024, 4, 30), Frequency.MONTHLY)
    data = [
        Observation("P", april.shifted(i), 100 * n / d, numerator=n, denominator=d)
        for i, (n, d) in enumerate(pairs)
    ]
    ytd = year_to_date(kpi, data, april.shifted(len(pairs) - 1))
    expected = Fraction(100 * sum(n for n, _ in pairs), sum(d for _, d in pairs))
    assert ytd is not None
    assert abs(Fraction(ytd) - expected) < Fraction(1, 10**20)
    assert round_half_up(ytd, 1) == round_half_up(Decimal(expected.numerator) / expected.denominator, 1)


@given(period=periods())
def test_a_periods_previous_periods_next_period_is_itself(period: Period) -> None:
    assert period.previous().next() == period
    assert period.next().previous() == period
    assert period.same_period_last_year().end.year == period.end.year - 1
