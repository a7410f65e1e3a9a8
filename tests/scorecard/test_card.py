"""The indicator card on hand-made indicators: what a councillor reads, and its JSON answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from scorecard.card import (
    area_figure,
    build_card,
    card_as_dict,
    cluster_lines,
    rag_counts,
    reds,
)
from scorecard.model import (
    Benchmark,
    Comparator,
    Dot,
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

NOW = datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
MEMBER = Viewer("U-member")
OFFICER = Viewer("U-officer", frozenset({Role.PERFORMANCE_OFFICER}))

SEND = Indicator(
    code="SEND-01",
    title="New EHC plans issued within 20 weeks (excluding exceptions)",
    cluster="SEND",
    polarity=Polarity.HIGH,
    unit=Unit.PERCENT,
    frequency=Frequency.MONTHLY,
    ytd=YtdMethod.RATIO,
    aliases=("SEND timeliness",),
    definition="Plans issued within 20 weeks of the request, as a share of all plans issued.",
    data_notes="Excludes exception cases.",
    source="SEN2 return",
)
REFERRALS = Indicator(
    code="DEM-01",
    title="Re-referrals to children's social care within 12 months",
    cluster="Demand",
    polarity=Polarity.LOW,
    unit=Unit.RATE_PER_10K,
    frequency=Frequency.MONTHLY,
)
CONTACTS = Indicator(
    code="DEM-02",
    title="Contacts to the front door",
    cluster="Demand",
    polarity=Polarity.NONE,
    unit=Unit.COUNT,
    frequency=Frequency.MONTHLY,
    ytd=YtdMethod.SUM,
)
GLD = Indicator(
    code="EDU-01",
    title="Children achieving a good level of development (GLD)",
    cluster="Education",
    polarity=Polarity.HIGH,
    unit=Unit.PERCENT,
    frequency=Frequency.ANNUAL,
    year_basis=YearBasis.ACADEMIC,
)


def month(text: str) -> Period:
    return parse_period(text, Frequency.MONTHLY)


def monthly(code: str, values: dict[str, float], **extra: object) -> list[Observation]:
    return [Observation(code, month(m), v, **extra) for m, v in values.items()]  # type: ignore[arg-type]


def send_observations() -> list[Observation]:
    # (numerator, denominator) per month: percentages 90.0, 88.0, 86.0 (June).
    counts = {"2024-04": (45, 50), "2024-05": (44, 50), "2024-06": (43, 50), "2023-06": (46, 50)}
    return [
        Observation("SEND-01", month(m), 100 * n / d, numerator=n, denominator=d)
        for m, (n, d) in counts.items()
    ]


SEND_TARGETS = [
    Target("SEND-01", Year(YearBasis.FINANCIAL, 2024), 90, 84),
    Target("SEND-01", Year(YearBasis.FINANCIAL, 2023), 70, 60),
]
SEND_BENCHMARKS = [
    Benchmark("SEND-01", month("2024-03"), Comparator.ENGLAND, 50.3),
    Benchmark("SEND-01", month("2023-06"), Comparator.STATISTICAL_NEIGHBOURS, 92.0),
]


def test_card_shows_the_latest_period_rated_against_this_years_target() -> None:
    card = build_card(SEND, send_observations(), SEND_TARGETS, SEND_BENCHMARKS, viewer=MEMBER, now=NOW)
    assert card.period == month("2024-06")
    assert (card.value, card.display) == (Decimal("86.0"), "86.0%")
    assert (card.target_value, card.amber_threshold) == (Decimal("90"), Decimal("84"))
    assert (card.target_display, card.amber_display) == ("90.0%", "84.0%")
    assert (card.rag, card.rag_label) == (Rag.AMBER, "Amber")
    assert card.dot is not None
    assert card.dot.result is Dot.DECLINED
    assert card.dot.words == "declined: down from 88.0% to 86.0% since May 2024"
    assert card.good_is == "Higher is better"


def test_card_ytd_is_the_ratio_of_the_years_sums() -> None:
    card = build_card(SEND, send_observations(), SEND_TARGETS, SEND_BENCHMARKS, viewer=MEMBER, now=NOW)
    assert card.ytd == Decimal("88.0")  # 100 * 132 / 150
    assert card.ytd_display == "88.0%"
    assert card.ytd_label == "2024/25 to June 2024"


def test_card_gives_the_same_period_last_year() -> None:
    card = build_card(SEND, send_observations(), SEND_TARGETS, SEND_BENCHMARKS, viewer=MEMBER, now=NOW)
    assert card.last_year.label == "June 2023"
    assert card.last_year.display == "92.0%"


def test_card_benchmarks_carry_their_period_and_judge_only_the_same_period() -> None:
    card = build_card(SEND, send_observations(), SEND_TARGETS, SEND_BENCHMARKS, viewer=MEMBER, now=NOW)
    by_label = {b.label: b for b in card.benchmarks}
    assert set(by_label) == {"Statistical neighbours June 2023", "England March 2024"}
    assert by_label["Statistical neighbours June 2023"].verdict is Verdict.IN_LINE
    assert by_label["England March 2024"].verdict is None  # we have no March 2024 figure


def test_card_trend_puts_this_year_beside_the_same_months_last_year() -> None:
    card = build_card(SEND, send_observations(), SEND_TARGETS, SEND_BENCHMARKS, viewer=MEMBER, now=NOW)
    assert card.trend.positions[:3] == ("Apr", "May", "Jun")
    assert len(card.trend.positions) == 12
    this_year, last_year = card.trend.series
    assert (this_year.label, last_year.label) == ("2024/25", "2023/24")
    assert [p.display for p in this_year.points[:4]] == ["90.0%", "88.0%", "86.0%", "no figure"]
    assert last_year.points[2].label == "June 2023"
    assert last_year.points[2].value == Decimal("92.0")


def test_card_for_a_given_period_uses_that_years_target() -> None:
    card = build_card(
        SEND,
        send_observations(),
        SEND_TARGETS,
        SEND_BENCHMARKS,
        viewer=MEMBER,
        now=NOW,
        period=month("2023-06"),
    )
    assert card.display == "92.0%"
    assert card.target_value == Decimal("70")
    assert card.rag is Rag.GREEN
    assert [b.label for b in card.benchmarks] == ["Statistical neighbours June 2023"]


def test_card_in_a_year_without_a_target_is_not_rated() -> None:
    observations = [*send_observations(), Observation("SEND-01", month("2025-04"), 95.0)]
    card = build_card(SEND, observations, SEND_TARGETS, (), viewer=MEMBER, now=NOW)
    assert card.period == month("2025-04")
    assert card.rag is Rag.NA
    assert card.rag_label == "No target"
    assert card.target_display == "no target"
    assert "No target set for 2025/26, so not rated." in card.notes


def test_seed_example_two_on_a_card_good_is_low_improved_but_red() -> None:
    observations = monthly("DEM-01", {"2024-05": 12.1, "2024-06": 10.4})
    targets = [Target("DEM-01", Year(YearBasis.FINANCIAL, 2024), 8.0, 9.0)]
    benchmarks = [
        Benchmark("DEM-01", month("2024-06"), Comparator.STATISTICAL_NEIGHBOURS, 9.5),
        Benchmark("DEM-01", month("2024-06"), Comparator.ENGLAND, 9.1),
    ]
    card = build_card(REFERRALS, observations, targets, benchmarks, viewer=MEMBER, now=NOW)
    assert card.good_is == "Lower is better"
    assert card.rag is Rag.RED
    assert card.dot is not None
    assert (card.dot.result, card.dot.arrow) == (Dot.IMPROVED, "▲")
    assert card.dot.words == "improved: down from 12.1 to 10.4 since May 2024"
    assert [b.verdict for b in card.benchmarks] == [Verdict.WORSE, Verdict.WORSE]


def test_embargoed_latest_month_is_hidden_from_members_everywhere_but_shown_to_staff() -> None:
    observations = [
        *send_observations(),
        Observation(
            "SEND-01",
            month("2024-07"),
            50.0,
            numerator=25,
            denominator=50,
            embargo_until=NOW + timedelta(days=2),
        ),
    ]
    member = build_card(SEND, observations, SEND_TARGETS, (), viewer=MEMBER, now=NOW)
    assert member.period == month("2024-06")
    assert all(p.value != Decimal("50.0") for s in member.trend.series for p in s.points)
    asked = build_card(SEND, observations, SEND_TARGETS, (), viewer=MEMBER, now=NOW, period=month("2024-07"))
    assert asked.value is None and asked.display == "no figure"
    staff = build_card(SEND, observations, SEND_TARGETS, (), viewer=OFFICER, now=NOW)
    assert staff.period == month("2024-07")
    assert staff.display == "50.0%"


def test_card_says_when_the_figure_was_revised_since_publication() -> None:
    revised_at = datetime(2024, 7, 20, 10, 0, tzinfo=UTC)
    observations = [
        *[o for o in send_observations() if o.period != month("2024-06")],
        Observation("SEND-01", month("2024-06"), 86.0, numerator=43, denominator=50, revised_at=revised_at),
    ]
    card = build_card(SEND, observations, SEND_TARGETS, (), viewer=MEMBER, now=NOW, published=85.96)
    assert not card.revised  # 85.96 was published as 86.0%: nothing a reader saw has changed
    card = build_card(SEND, observations, SEND_TARGETS, (), viewer=MEMBER, now=NOW, published=84.0)
    assert card.revised
    assert card.published_value == Decimal("84.0")
    assert "Revised since publication: the published scorecard showed 84.0%." in card.notes
    assert card.revised_at == revised_at
    assert "Revised on 20 July 2024." in card.notes


def test_provisional_figures_are_marked() -> None:
    observations = monthly("DEM-02", {"2024-06": 1234}, status=ObservationStatus.PROVISIONAL)
    card = build_card(CONTACTS, observations, (), (), viewer=MEMBER, now=NOW)
    assert card.status_label == "provisional"
    assert card.display == "1,234"
    assert "Provisional: this figure may change." in card.notes


def test_context_measure_is_never_rated_and_travels_up_or_down() -> None:
    observations = monthly("DEM-02", {"2024-04": 100, "2024-05": 120, "2024-06": 134})
    targets = [Target("DEM-02", Year(YearBasis.FINANCIAL, 2024), 100, 110)]
    card = build_card(CONTACTS, observations, targets, (), viewer=MEMBER, now=NOW)
    assert card.rag is Rag.NA and card.rag_label == "Not rated"
    assert card.dot is not None and card.dot.words == "up: from 120 to 134 since May 2024"
    assert card.ytd == Decimal("354")


def test_annual_academic_card_compares_the_previous_year_and_shows_several_years() -> None:
    years = {"2019/20": 70.0, "2020/21": 71.0, "2021/22": 72.0, "2022/23": 74.0, "2023/24": 73.0}
    observations = [
        Observation("EDU-01", parse_period(y, Frequency.ANNUAL, YearBasis.ACADEMIC), v)
        for y, v in years.items()
    ]
    card = build_card(GLD, observations, (), (), viewer=MEMBER, now=NOW)
    assert card.period_label == "2023/24"
    assert card.period is not None and card.period.end.isoformat() == "2024-08-31"
    assert card.dot is not None
    assert card.dot.words == "declined: down from 74.0% to 73.0% since 2022/23"
    assert card.trend.positions == ("2019/20", "2020/21", "2021/22", "2022/23", "2023/24")
    assert card.frequency_label == "Annual (academic year)"


def test_indicator_without_figures_gives_an_empty_card() -> None:
    card = build_card(SEND, (), SEND_TARGETS, (), viewer=MEMBER, now=NOW)
    assert card.period is None and card.display == "no figure" and card.rag is Rag.NA
    answer = card_as_dict(card)
    assert answer["period"] is None and answer["dot"]["result"] == "n/a"
    json.dumps(answer)


CONTRACT_FIELDS = {
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


def test_card_as_dict_gives_every_field_of_the_machine_readable_answer() -> None:
    card = build_card(SEND, send_observations(), SEND_TARGETS, SEND_BENCHMARKS, viewer=MEMBER, now=NOW)
    answer = card_as_dict(card)
    assert set(answer) >= CONTRACT_FIELDS
    assert answer["code"] == "SEND-01"
    assert answer["period"] == "June 2024"
    assert answer["period_end"] == "2024-06-30"
    assert answer["value"] == 86.0
    assert answer["display"] == "86.0%"
    assert answer["unit"] == "percent"
    assert answer["polarity"] == "high"
    assert (answer["target"], answer["amber_threshold"]) == (90.0, 84.0)
    assert answer["rag"] == "amber"
    assert {k: answer["dot"][k] for k in ("result", "basis", "compared_period", "compared_value")} == {
        "result": "declined",
        "basis": "previous_period",
        "compared_period": "May 2024",
        "compared_value": 88.0,
    }
    assert answer["ytd"] == 88.0
    assert {k: answer["last_year"][k] for k in ("period", "value")} == {"period": "June 2023", "value": 92.0}
    contract = ("comparator", "period", "value", "verdict")
    assert [{k: b[k] for k in contract} for b in answer["benchmarks"]] == [
        {"comparator": "statistical_neighbours", "period": "June 2023", "value": 92.0, "verdict": "in_line"},
        {"comparator": "england", "period": "March 2024", "value": 50.3, "verdict": None},
    ]
    assert answer["data_notes"] == "Excludes exception cases."
    assert answer["trend"]["series"][0]["points"][2] == {
        "period": "June 2024",
        "value": 86.0,
        "display": "86.0%",
    }
    assert json.loads(json.dumps(answer)) == answer


def test_value_shown_as_84_0_is_84_0_in_the_json_and_amber() -> None:
    observations = [Observation("SEND-01", month("2024-06"), 83.96)]
    answer = card_as_dict(build_card(SEND, observations, SEND_TARGETS, (), viewer=MEMBER, now=NOW))
    assert (answer["value"], answer["display"], answer["rag"]) == (84.0, "84.0%", "amber")


def test_cluster_lines_and_reds() -> None:
    send = build_card(SEND, send_observations(), SEND_TARGETS, (), viewer=MEMBER, now=NOW)
    referrals = build_card(
        REFERRALS,
        monthly("DEM-01", {"2024-05": 12.1, "2024-06": 10.4}),
        [Target("DEM-01", Year(YearBasis.FINANCIAL, 2024), 8.0, 9.0)],
        (),
        viewer=MEMBER,
        now=NOW,
    )
    lines = cluster_lines([send, referrals], "send")
    assert [line.code for line in lines] == ["SEND-01"]
    assert lines[0].text == (
        "SEND-01 New EHC plans issued within 20 weeks (excluding exceptions): 86.0% (June 2024), "
        "Amber, ▼ declined: down from 88.0% to 86.0% since May 2024"
    )
    assert {cluster: [line.code for line in found] for cluster, found in reds([send, referrals]).items()} == {
        "Demand": ["DEM-01"]
    }
    assert rag_counts([send, referrals])[Rag.RED] == 1


def test_ward_figure_is_under_disclosure_control_beside_the_whole_authority() -> None:
    observations = [
        Observation("DEM-02", month("2024-06"), 3, area="Birkenhead"),
        Observation("DEM-02", month("2024-06"), 1234),
    ]
    ward = area_figure(CONTACTS, observations, "birkenhead", viewer=MEMBER, now=NOW)
    assert ward.display == "<5"
    assert not ward.figure.chartable
    assert ward.whole_authority.display == "1,234"


def test_card_for_a_period_of_another_frequency_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of its periods"):
        build_card(SEND, (), (), (), viewer=MEMBER, now=NOW, period=parse_period("2024/25", Frequency.ANNUAL))
