"""What got worse or better, what changed since the published scorecard, and the overview,
worked by hand from a few indicators (chat-and-workflow.md, "Scrutiny questions")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from scorecard.card import IndicatorCard, build_card
from scorecard.changes import ChangeKind, Direction, changes_as_dict, moved, movement, since_scorecard
from scorecard.model import Indicator, Observation, Polarity, Rag, Target, Unit, Viewer, Year
from scorecard.overview import build_overview, not_rated_words, overview_as_dict
from scorecard.periods import Frequency, Period, YearBasis, quarter
from scorecard.quarterly import build_scorecard

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MEMBER = Viewer(user="U-member")
MAY, JUNE, JULY = (Period(date(2024, m, d), Frequency.MONTHLY) for m, d in ((5, 31), (6, 30), (7, 31)))
FY2024 = Year(YearBasis.FINANCIAL, 2024)


def kpi(code: str, cluster: str, polarity: Polarity, unit: Unit = Unit.PERCENT) -> Indicator:
    return Indicator(code, f"Measure {code}", cluster, polarity, unit, Frequency.MONTHLY)


def card(
    indicator: Indicator,
    values: dict[Period, float],
    target: tuple[float, float] | None = None,
    period: Period | None = None,
) -> IndicatorCard:
    observations = [Observation(indicator.code, p, v) for p, v in values.items()]
    targets = [] if target is None else [Target(indicator.code, FY2024, *target)]
    return build_card(indicator, observations, targets, [], viewer=MEMBER, now=NOW, period=period)


SEND = kpi("SEND-01", "SEND", Polarity.HIGH)
REREF = kpi("DEM-03", "Demand", Polarity.LOW)
CLA = kpi("CLA-01", "Looking after", Polarity.LOW, Unit.RATE_PER_10K)
CONTACTS = kpi("DEM-01", "Demand", Polarity.NONE, Unit.COUNT)


def cards() -> list[IndicatorCard]:
    return [
        # Good is high, 88.0 -> 86.0: declined by 2.27%; target 90 amber 84 -> amber.
        card(SEND, {MAY: 88.0, JUNE: 86.0}, (90, 84)),
        # Good is low, 12.1 -> 10.4: improved by 14.05%; target 10 amber 12 -> amber.
        card(REREF, {MAY: 12.1, JUNE: 10.4}, (10, 12)),
        # Good is low, 60.0 -> 70.0: declined by 16.67%; target 55 amber 65 -> red.
        card(CLA, {MAY: 60.0, JUNE: 70.0}, (55, 65)),
        # Context: up, never "worse" or "better", never rated.
        card(CONTACTS, {MAY: 120, JUNE: 134}),
    ]


def test_the_size_of_a_move_is_relative_so_units_can_be_compared() -> None:
    send, reref, cla, _contacts = cards()
    assert movement(send.dot).quantize(Decimal("0.0001")) == Decimal("0.0227")
    assert movement(reref.dot).quantize(Decimal("0.0001")) == Decimal("0.1405")
    assert movement(cla.dot).quantize(Decimal("0.0001")) == Decimal("0.1667")


def test_what_got_worse_is_by_cluster_biggest_fall_first_and_never_a_context_measure() -> None:
    worse = moved(cards(), Direction.DECLINED)
    assert {name: [c.code for c in group] for name, group in worse.items()} == {
        "SEND": ["SEND-01"],
        "Looking after": ["CLA-01"],
    }
    assert moved(cards(), Direction.DECLINED, cluster="send") == {"SEND": (cards()[0],)}
    better = moved(cards(), Direction.IMPROVED)
    assert {name: [c.code for c in group] for name, group in better.items()} == {"Demand": ["DEM-03"]}
    data = changes_as_dict(Direction.DECLINED, moved_cards=worse)
    assert data["direction"] == "declined" and data["since"] is None and data["cluster"] is None
    assert [i["code"] for i in data["indicators"]] == ["SEND-01", "CLA-01"]
    assert data["indicators"][0]["dot"]["words"] == "declined: down from 88.0% to 86.0% since May 2024"


def test_changes_since_the_published_scorecard_are_new_revised_or_rag_with_before_and_after() -> None:
    q1 = quarter(2024, 1)  # 2024/25 Q1, April to June 2024
    catalogue = [SEND, REREF, CLA]
    published_data = {
        "SEND-01": [Observation("SEND-01", MAY, 88.0), Observation("SEND-01", JUNE, 86.0)],
        "DEM-03": [Observation("DEM-03", MAY, 12.1), Observation("DEM-03", JUNE, 10.4)],
        "CLA-01": [Observation("CLA-01", MAY, 60.0), Observation("CLA-01", JUNE, 70.0)],
    }
    from scorecard.card import IndicatorData

    targets = {"SEND-01": (90, 84), "DEM-03": (10, 12), "CLA-01": (55, 65)}
    published = build_scorecard(
        q1,
        catalogue,
        {
            code: IndicatorData(obs, [Target(code, FY2024, *targets[code])], [])
            for code, obs in published_data.items()
        },
        [],
        viewer=MEMBER,
        now=NOW,
    )
    now_cards = [
        # A July figure arrived: new; 91.0 is green, was amber.
        card(SEND, {MAY: 88.0, JUNE: 86.0, JULY: 91.0}, (90, 84)),
        # June revised from 10.4 to 11.0.
        card(REREF, {MAY: 12.1, JUNE: 11.0}, (10, 12)),
        # The same June figure, but the target moved to 75 (amber 80): red -> green.
        card(CLA, {MAY: 60.0, JUNE: 70.0}, (75, 80)),
    ]
    found = since_scorecard(now_cards, published)
    assert [(c.card.code, c.change) for c in found] == [
        ("SEND-01", ChangeKind.NEW),
        ("DEM-03", ChangeKind.REVISED),
        ("CLA-01", ChangeKind.RAG),
    ]
    send, reref, cla = found
    assert (send.before_display, send.before_rag, send.card.rag) == ("86.0%", Rag.AMBER, Rag.GREEN)
    assert send.words == "new figure: 91.0% (July 2024) after 86.0% (June 2024); Green, was Amber"
    assert reref.words == "revised: 11.0% (June 2024), published as 10.4%"
    assert (cla.before_rag, cla.card.rag) == (Rag.RED, Rag.GREEN)
    data = changes_as_dict(Direction.CHANGED, changes=found, since=published.quarter_label)
    assert data["since"] == "2024/25 Q1"
    first = data["indicators"][0]
    assert first["change"] == "new" and first["before"]["value"] == 86.0 and first["before"]["rag"] == "amber"
    assert first["value"] == 91.0 and first["rag"] == "green"


def test_the_overview_counts_colours_and_directions_and_says_why_some_are_not_rated() -> None:
    view = build_overview(cards())
    counts = {
        c.cluster: (c.green, c.amber, c.red, c.not_rated, c.improved, c.declined) for c in view.clusters
    }
    assert counts == {
        "SEND": (0, 1, 0, 0, 0, 1),
        "Demand": (0, 1, 0, 1, 1, 0),
        "Looking after": (0, 0, 1, 0, 0, 1),
    }
    assert [c.code for c in view.attention] == ["CLA-01"]  # red and declining
    assert [c.code for c in view.movers] == ["CLA-01", "DEM-03", "SEND-01"]
    assert not_rated_words(view.not_rated) == "Not rated: 1 context measure (never rated)."
    data = overview_as_dict(view)
    assert data["clusters"][0] == {
        "cluster": "SEND",
        "indicators": 1,
        "green": 0,
        "amber": 1,
        "red": 0,
        "not_rated": 0,
        "improved": 0,
        "declined": 1,
        "no_change": 0,
    }
    assert data["attention"] == ["CLA-01"] and data["movers"][0] == "CLA-01"


@pytest.mark.parametrize("years", [1, 5])
def test_missing_targets_are_one_reason_whatever_the_year(years: int) -> None:
    made = []
    for n in range(years):
        period = Period(date(2020 + n, 6, 30), Frequency.MONTHLY)
        made.append(card(kpi(f"K{n}", "Demand", Polarity.HIGH), {period: 50.0}))
    view = build_overview(made)
    ((reason, count),) = view.not_rated
    assert count == years
    assert reason.startswith("no target set for 2020/21")
    assert reason.endswith(" and others") == (years > 3)
