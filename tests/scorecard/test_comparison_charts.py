"""The comparison's pictures: ours against each statistical neighbour (England marked or, when it
is a source slip, named and not drawn), and ours and each comparator across the years."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from scorecard.card import build_card
from scorecard.charts import comparators_trend_chart, comparison_chart, comparison_chart_alt_text
from scorecard.comparison import Peer, compare, peer_ranges
from scorecard.model import Benchmark, Comparator, Indicator, Observation, Polarity, Unit, Viewer
from scorecard.periods import Frequency, Period, YearBasis

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
YEARS = [Period(date(2020 + n, 3, 31), Frequency.ANNUAL, YearBasis.FINANCIAL) for n in range(5)]
PNG = b"\x89PNG\r\n\x1a\n"


def comparison(england: float, unit: Unit = Unit.PERCENT):  # type: ignore[no-untyped-def]
    kpi = Indicator("X", "Re-referrals within 12 months", "Demand", Polarity.LOW, unit, Frequency.ANNUAL)
    observations = [Observation("X", p, 20.0 + n) for n, p in enumerate(YEARS)]
    benchmarks = [Benchmark("X", p, Comparator.ENGLAND, england + n) for n, p in enumerate(YEARS)]
    benchmarks += [
        Benchmark("X", p, Comparator.STATISTICAL_NEIGHBOURS, 21.0 + n) for n, p in enumerate(YEARS)
    ]
    peers = [Peer("X", YEARS[-1], f"Council {n}", 15.0 + n, n < 10) for n in range(20)]
    ours = {p: Decimal(str(20.0 + n)) for n, p in enumerate(YEARS)}
    card = build_card(
        kpi,
        observations,
        [],
        benchmarks,
        viewer=Viewer("m"),
        now=NOW,
        peer_ranges=peer_ranges(kpi, peers, ours),
    )
    return compare(card, peers, ours), ours, benchmarks


def test_the_neighbours_chart_is_a_repeatable_png_and_its_words_name_every_neighbour() -> None:
    found, _ours, _benchmarks = comparison(22.0)
    first = comparison_chart(found)
    assert first.startswith(PNG) and first == comparison_chart(found)
    words = comparison_chart_alt_text(found)
    assert "Our council 24.0%" in words and "Council 0 15.0%" in words and "England 2023/24: 26.0%." in words
    assert "joint 10th of 21" in words


def test_englands_slip_is_named_not_drawn() -> None:
    sound, _, _ = comparison(22.0)
    slipped, _, _ = comparison(1258.0)
    assert comparison_chart(sound) != comparison_chart(slipped)
    assert "outside every council's figure: check the source" in comparison_chart_alt_text(slipped)


def test_the_comparators_across_the_years() -> None:
    found, ours, benchmarks = comparison(22.0)
    picture = comparators_trend_chart(found.card, ours, benchmarks)
    assert picture.startswith(PNG) and picture == comparators_trend_chart(found.card, ours, benchmarks)
    fewer = comparators_trend_chart(found.card, ours, benchmarks[:5])
    assert fewer != picture
