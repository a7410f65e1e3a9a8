"""Ranks, quartile bands, neighbours' figures and benchmark gaps (scorecard-rules.md, "Ranks and
quartile bands" and "Benchmarks"): the spec's examples worked by hand, and the invariants."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard.card import build_card
from scorecard.comparison import (
    Peer,
    behind,
    compare,
    comparison_as_dict,
    ordinal,
    peer_ranges,
    quartile_band,
    rank_of,
)
from scorecard.model import Benchmark, Comparator, Indicator, Observation, Polarity, Unit, Verdict, Viewer
from scorecard.periods import Frequency, Period, YearBasis
from scorecard.rules import COUNT_NOTE, OUTSIDE_RANGE_NOTE

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MEMBER = Viewer(user="U-member")
Y2024 = Period(date(2025, 3, 31), Frequency.ANNUAL, YearBasis.FINANCIAL)
Y2023 = Period(date(2024, 3, 31), Frequency.ANNUAL, YearBasis.FINANCIAL)


def indicator(polarity: Polarity = Polarity.LOW, unit: Unit = Unit.PERCENT, code: str = "X-01") -> Indicator:
    return Indicator(code, "Re-referrals", "Demand", polarity, unit, Frequency.ANNUAL)


def d(text: str) -> Decimal:
    return Decimal(text)


# --- ranks and bands ---------------------------------------------------------------------


def test_good_is_low_equal_values_share_the_better_rank() -> None:
    assert rank_of(d("10.4"), [d("9.8"), d("10.4"), d("12.0")], Polarity.LOW) == rank_of(
        d("10.4"), [d("12.0"), d("10.4"), d("9.8")], Polarity.LOW
    )
    rank = rank_of(d("10.4"), [d("9.8"), d("10.4"), d("12.0")], Polarity.LOW)
    assert rank is not None
    assert (rank.position, rank.of, rank.joint) == (2, 4, True)
    assert rank.words == "joint 2nd of 4"


def test_good_is_high_ranks_the_highest_first() -> None:
    rank = rank_of(d("86.0"), [d("85.0"), d("90.0")], Polarity.HIGH)
    assert rank is not None
    assert (rank.position, rank.of, rank.joint) == (2, 3, False)
    assert rank.words == "2nd of 3"


def test_polarity_none_has_no_rank() -> None:
    assert rank_of(d("80"), [d("70"), d("90")], Polarity.NONE) is None


@pytest.mark.parametrize(
    ("position", "of", "band"),
    [
        (12, 153, "A"),
        (38, 153, "A"),
        (39, 153, "B"),
        (76, 153, "B"),
        (77, 153, "C"),
        (114, 153, "C"),
        (115, 153, "D"),
        (153, 153, "D"),
        (1, 4, "A"),
        (1, 3, "B"),
        (4, 11, "B"),
        (3, 11, "B"),
        (2, 11, "A"),
    ],
)
def test_lait_quartile_bands(position: int, of: int, band: str) -> None:
    # p <= n/4 -> A, p <= n/2 -> B, p <= 3n/4 -> C, else D: 153/4 = 38.25, 153/2 = 76.5.
    # Read literally for tiny n: the best of 3 is B (1 > 3/4), and the only one of 1 is D.
    assert quartile_band(position, of) == band


@pytest.mark.parametrize(
    ("n", "said"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (111, "111th"),
        (153, "153rd"),
    ],
)
def test_ordinals(n: int, said: str) -> None:
    assert ordinal(n) == said


values = st.lists(st.decimals(min_value=-1000, max_value=1000, places=1, allow_nan=False), max_size=40)


@given(
    st.decimals(min_value=-1000, max_value=1000, places=1, allow_nan=False),
    values,
    st.sampled_from([Polarity.HIGH, Polarity.LOW]),
)
def test_ranks_lie_within_one_to_n_and_ties_share_the_better_rank(
    ours: Decimal, others: list[Decimal], polarity: Polarity
) -> None:
    rank = rank_of(ours, others, polarity)
    assert rank is not None
    assert 1 <= rank.position <= rank.of == len(others) + 1
    better = [v for v in others if (v > ours if polarity is Polarity.HIGH else v < ours)]
    assert rank.position == len(better) + 1
    assert rank.joint == (ours in others)
    # Whoever shares our value gets our rank too: rank each of them the same way.
    for value in others:
        if value == ours:
            rest = [v for v in others if v is not value] + [ours]
            theirs = rank_of(value, rest, polarity)
            assert theirs is not None and theirs.position == rank.position


@given(st.integers(min_value=1, max_value=400), st.data())
def test_bands_never_get_worse_as_the_rank_gets_better(of: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(min_value=1, max_value=of))
    second = data.draw(st.integers(min_value=first, max_value=of))
    assert quartile_band(first, of) <= quartile_band(second, of)
    if of >= 4:
        assert quartile_band(1, of) == "A"
    assert quartile_band(of, of) == "D"


@given(st.sampled_from([Polarity.NONE]) | st.just(Polarity.HIGH), st.sampled_from(list(Unit)))
def test_no_rank_or_band_for_context_measures_or_counts(polarity: Polarity, unit: Unit) -> None:
    kpi = indicator(polarity, unit)
    observations = [Observation(kpi.code, Y2024, 50.0)]
    card = build_card(kpi, observations, [], [], viewer=MEMBER, now=NOW)
    peers = [Peer(kpi.code, Y2024, f"C{n}", float(40 + n), n < 3) for n in range(10)]
    result = compare(card, peers, {Y2024: Decimal("50")})
    if polarity is Polarity.NONE or unit is Unit.COUNT:
        assert result.rank is None and result.band is None and result.neighbour_rank is None
        assert result.neighbours  # the figures are still shown
    else:
        assert result.rank is not None and result.band is not None


# --- the comparison ----------------------------------------------------------------------


def test_comparison_ranks_among_all_and_among_neighbours_with_each_neighbours_figure() -> None:
    kpi = indicator(Polarity.LOW)
    observations = [Observation(kpi.code, Y2024, 20.0), Observation(kpi.code, Y2023, 22.0)]
    benchmarks = [Benchmark(kpi.code, Y2024, Comparator.ENGLAND, 21.5)]
    peers = [
        Peer(kpi.code, Y2024, "Ashcombe", 18.0, True),
        Peer(kpi.code, Y2024, "Barrowfield", 20.0, True),
        Peer(kpi.code, Y2024, "Carnford", 25.0, True),
        Peer(kpi.code, Y2024, "Dunmere", 15.0, False),
        Peer(kpi.code, Y2024, "Elmstead", 30.0, False),
        Peer(kpi.code, Y2023, "Ashcombe", 99.0, True),
    ]
    ours = {Y2024: Decimal("20.0"), Y2023: Decimal("22.0")}
    card = build_card(
        kpi, observations, [], benchmarks, viewer=MEMBER, now=NOW, peer_ranges=peer_ranges(kpi, peers, ours)
    )
    result = compare(card, peers, ours)
    # All six councils in 2024/25, low is good: 15.0, 18.0, [20.0 us, 20.0], 25.0, 30.0.
    assert result.rank is not None and result.rank.words == "joint 3rd of 6"
    assert result.band == "B"  # 3 <= 6/2
    assert result.neighbour_rank is not None and result.neighbour_rank.words == "joint 2nd of 4"
    assert [(f.council, f.display) for f in result.neighbours] == [
        ("Ashcombe", "18.0%"),
        ("Barrowfield", "20.0%"),
        ("Carnford", "25.0%"),
    ]
    assert (
        result.rank_words
        == "joint 3rd of 6, second quarter (band B); joint 2nd of 4 among statistical neighbours"
    )
    data = comparison_as_dict(result)
    assert data["rank"] == {"position": 3, "of": 6, "joint": True}
    assert data["neighbour_rank"] == {"position": 2, "of": 4, "joint": True}
    assert data["band"] == "B"
    assert data["neighbours"][0] == {"council": "Ashcombe", "value": 18.0, "display": "18.0%"}
    assert data["comparators"] == [
        {
            "comparator": "england",
            "period": "2024/25",
            "value": 21.5,
            "verdict": "better",
            "note": "",
            "label": "England 2024/25",
            "display": "21.5%",
        }
    ]


def test_a_comparator_outside_every_councils_figure_is_flagged_not_judged() -> None:
    # The slip: England's first-time entrants at 1,258 while every council is at most 318.
    kpi = indicator(Polarity.LOW, Unit.SCORE)
    peers = [Peer(kpi.code, Y2024, f"C{n}", float(100 + 20 * n), False) for n in range(11)]
    ours = {Y2024: Decimal("142.0")}
    card = build_card(
        kpi,
        [Observation(kpi.code, Y2024, 142.0)],
        [],
        [
            Benchmark(kpi.code, Y2024, Comparator.ENGLAND, 1258.0),
            Benchmark(kpi.code, Y2024, Comparator.REGION, 152.0),
        ],
        viewer=MEMBER,
        now=NOW,
        peer_ranges=peer_ranges(kpi, peers, ours),
    )
    england, region = card.benchmarks[0], card.benchmarks[1]
    assert england.comparator is Comparator.ENGLAND
    assert england.verdict is None and england.note == OUTSIDE_RANGE_NOTE
    assert "outside every council's figure: check the source" in england.words
    assert region.verdict is Verdict.BETTER and region.note == ""


def test_a_count_is_never_judged_against_a_total() -> None:
    # 1,498 children looked after is not "lower" than England's 81,770.
    kpi = indicator(Polarity.NONE, Unit.COUNT)
    card = build_card(
        kpi,
        [Observation(kpi.code, Y2024, 1498.0)],
        [],
        [Benchmark(kpi.code, Y2024, Comparator.ENGLAND, 81770.0)],
        viewer=MEMBER,
        now=NOW,
    )
    (england,) = card.benchmarks
    assert england.verdict is None and england.note == COUNT_NOTE
    assert (
        england.words
        == "England 2024/25: 81,770 (a total for a different population: shown for information, not compared)"
    )


def test_ranks_fall_back_to_the_latest_period_with_other_councils_figures() -> None:
    kpi = indicator(Polarity.HIGH)
    later = Period(date(2026, 3, 31), Frequency.ANNUAL, YearBasis.FINANCIAL)
    observations = [Observation(kpi.code, Y2024, 60.0), Observation(kpi.code, later, 70.0)]
    peers = [Peer(kpi.code, Y2024, "A", 50.0, True), Peer(kpi.code, Y2024, "B", 65.0, False)]
    card = build_card(kpi, observations, [], [], viewer=MEMBER, now=NOW)
    result = compare(card, peers, {Y2024: Decimal("60.0"), later: Decimal("70.0")})
    assert result.period == Y2024
    assert result.rank is not None and result.rank.words == "2nd of 3"
    assert result.notes and "ranks are for 2024/25" in result.notes[0]


# --- where we are behind -----------------------------------------------------------------


def test_behind_lists_the_worse_widest_gap_first_and_counts_what_could_not_be_compared() -> None:
    def card(code: str, polarity: Polarity, unit: Unit, ours: float | None, england: float | None):  # type: ignore[no-untyped-def]
        kpi = indicator(polarity, unit, code)
        observations = [] if ours is None else [Observation(code, Y2024, ours)]
        benchmarks = [] if england is None else [Benchmark(code, Y2024, Comparator.ENGLAND, england)]
        return build_card(kpi, observations, [], benchmarks, viewer=MEMBER, now=NOW)

    cards = [
        card("A", Polarity.LOW, Unit.PERCENT, 22.0, 20.0),  # worse by 10%
        card("B", Polarity.HIGH, Unit.PERCENT, 50.0, 80.0),  # worse by 37.5%
        card("C", Polarity.HIGH, Unit.PERCENT, 90.0, 80.0),  # better
        card("D", Polarity.NONE, Unit.PERCENT, 90.0, 80.0),  # context
        card("E", Polarity.LOW, Unit.COUNT, 1498.0, 81770.0),  # a count
        card("F", Polarity.LOW, Unit.PERCENT, 10.0, None),  # no England figure
    ]
    gaps = behind(cards, Comparator.ENGLAND)
    assert [g.card.code for g in gaps.worse] == ["B", "A"]
    assert gaps.worse[0].gap == Decimal("0.375")
    assert gaps.compared == 3
    assert dict(gaps.not_compared) == {
        "context measures (neither higher nor lower is better)": 1,
        "counts (England's is a total for a different population)": 1,
        "with no England figure loaded": 1,
    }
