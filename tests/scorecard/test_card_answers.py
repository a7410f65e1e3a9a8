"""The card's machine-readable answers and ward figures, field by field (issue 16).

What a renderer or another system reads must carry the same numbers and words as the card; a
field dropped, renamed or filled from the wrong place would mislead silently, so the answers
are compared whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from test_card import (
    CONTACTS,
    MEMBER,
    NOW,
    SEND,
    SEND_BENCHMARKS,
    SEND_TARGETS,
    monthly,
    send_observations,
)

from scorecard.card import (
    area_figure,
    build_card,
    card_as_dict,
    cluster_as_dict,
    cluster_lines,
    rag_counts,
    reds,
    summary_line,
    summary_line_as_dict,
)
from scorecard.model import (
    Indicator,
    Observation,
    ObservationStatus,
    Polarity,
    Rag,
    Role,
    Target,
    Unit,
    Viewer,
    Year,
    YearBasis,
)
from scorecard.periods import Frequency, Period, parse_period

OFFICER = Viewer("U-officer", frozenset({Role.PERFORMANCE_OFFICER}))


def month(text: str) -> Period:
    return parse_period(text, Frequency.MONTHLY)


def no_figures(*labels: str) -> list[dict[str, object]]:
    return [{"period": label, "value": None, "display": "no figure"} for label in labels]


def test_the_indicator_answer_carries_every_field_from_the_card() -> None:
    observations = [
        *send_observations(),
        Observation("SEND-01", month("2024-03"), 80.0, numerator=40, denominator=50),
    ]
    card = build_card(
        SEND, observations, SEND_TARGETS, SEND_BENCHMARKS, viewer=MEMBER, now=NOW, published=85.04
    )
    answer = card_as_dict(card)
    trend = answer.pop("trend")
    assert answer == {
        "code": "SEND-01",
        "title": "New EHC plans issued within 20 weeks (excluding exceptions)",
        "cluster": "SEND",
        "period": "June 2024",
        "period_end": "2024-06-30",
        "value": 86.0,
        "display": "86.0%",
        "unit": "percent",
        "polarity": "high",
        "target": 90.0,
        "amber_threshold": 84.0,
        "rag": "amber",
        "dot": {
            "result": "declined",
            "basis": "previous_period",
            "compared_period": "May 2024",
            "compared_value": 88.0,
            "compared_period_end": "2024-05-31",
            "arrow": "▼",
            "words": "declined: down from 88.0% to 86.0% since May 2024",
        },
        "ytd": 88.0,  # 132 of 150
        "last_year": {"period": "June 2023", "value": 92.0, "display": "92.0%"},
        "benchmarks": [
            {
                "comparator": "statistical_neighbours",
                "period": "June 2023",
                "value": 92.0,
                "verdict": "in_line",
                "label": "Statistical neighbours June 2023",
                "display": "92.0%",
                "words": "Statistical neighbours June 2023: 92.0% (ours 92.0%: in line)",
                "note": "",
            },
            {
                "comparator": "england",
                "period": "March 2024",
                "value": 50.3,
                "verdict": "better",
                "label": "England March 2024",
                "display": "50.3%",
                "words": "England March 2024: 50.3% (ours 80.0%: better)",
                "note": "",
            },
        ],
        "data_notes": "Excludes exception cases.",
        "rag_label": "Amber",
        "status": "final",
        "good_is": "Higher is better",
        "frequency": "monthly",
        "target_display": "90.0%",
        "amber_display": "84.0%",
        "ytd_method": "ratio",
        "ytd_display": "88.0%",
        "ytd_label": "2024/25 to June 2024",
        "definition": "Plans issued within 20 weeks of the request, as a share of all plans issued.",
        "source": "SEN2 return",
        "revised": True,
        "published_value": 85.0,
        "revised_at": None,
        "notes": ["Revised since publication: the published scorecard showed 85.0%."],
    }
    assert trend["positions"] == [
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
        "Jan",
        "Feb",
        "Mar",
    ]
    this_year, last_year = trend["series"]
    assert this_year["label"] == "2024/25"
    assert this_year["points"][:4] == [
        {"period": "April 2024", "value": 90.0, "display": "90.0%"},
        {"period": "May 2024", "value": 88.0, "display": "88.0%"},
        {"period": "June 2024", "value": 86.0, "display": "86.0%"},
        *no_figures("July 2024"),
    ]
    assert last_year["label"] == "2023/24"
    assert last_year["points"][2] == {"period": "June 2023", "value": 92.0, "display": "92.0%"}
    assert last_year["points"][11] == {"period": "March 2024", "value": 80.0, "display": "80.0%"}


def test_the_answer_for_an_indicator_without_figures_is_empty_but_complete() -> None:
    answer = card_as_dict(build_card(SEND, (), SEND_TARGETS, (), viewer=MEMBER, now=NOW))
    assert answer == {
        "code": "SEND-01",
        "title": "New EHC plans issued within 20 weeks (excluding exceptions)",
        "cluster": "SEND",
        "period": None,
        "period_end": None,
        "value": None,
        "display": "no figure",
        "unit": "percent",
        "polarity": "high",
        "target": None,
        "amber_threshold": None,
        "rag": "n/a",
        "dot": {
            "result": "n/a",
            "basis": "previous_period",
            "compared_period": None,
            "compared_value": None,
            "compared_period_end": None,
            "arrow": "",
            "words": "",
        },
        "ytd": None,
        "last_year": {"period": None, "value": None, "display": "no figure"},
        "benchmarks": [],
        "data_notes": "Excludes exception cases.",
        "rag_label": "Not rated",
        "status": "",
        "good_is": "Higher is better",
        "frequency": "monthly",
        "target_display": "no target",
        "amber_display": "",
        "ytd_method": "ratio",
        "ytd_display": "no figure",
        "ytd_label": "",
        "definition": "Plans issued within 20 weeks of the request, as a share of all plans issued.",
        "source": "SEN2 return",
        "revised": False,
        "published_value": None,
        "revised_at": None,
        "notes": ["No figures have been published for this indicator yet."],
        "trend": {"positions": [], "series": []},
    }


def test_an_annual_indicator_without_figures_says_its_dot_compares_the_previous_year() -> None:
    annual = Indicator("A-01", "Annual", "Test", Polarity.HIGH, Unit.PERCENT, Frequency.ANNUAL)
    answer = card_as_dict(build_card(annual, (), (), (), viewer=MEMBER, now=NOW))
    assert answer["dot"]["basis"] == "previous_year"
    assert answer["ytd_display"] == ""


def test_a_revision_date_is_said_and_given_in_the_answer() -> None:
    revised_at = datetime(2024, 7, 3, 10, 0, tzinfo=UTC)
    observations = [Observation("DEM-02", month("2024-06"), 120, revised_at=revised_at)]
    card = build_card(CONTACTS, observations, [], [], viewer=MEMBER, now=NOW)
    answer = card_as_dict(card)
    assert answer["revised_at"] == "2024-07-03T10:00:00+00:00"
    assert answer["notes"] == ["Revised on 3 July 2024."]
    assert answer["revised"] is False


def test_a_summary_line_and_its_answer_say_what_the_card_says() -> None:
    card = build_card(
        CONTACTS, monthly("DEM-02", {"2024-05": 134, "2024-06": 120}), [], [], viewer=MEMBER, now=NOW
    )
    line = summary_line(card)
    assert line.text == (
        "DEM-02 Contacts to the front door: 120 (June 2024), Not rated, "
        "▼ down: from 134 to 120 since May 2024"
    )
    assert (line.value, line.rag) == (Decimal(120), Rag.NA)
    assert summary_line_as_dict(line) == {
        "code": "DEM-02",
        "title": "Contacts to the front door",
        "cluster": "Demand",
        "period": "June 2024",
        "value": 120.0,
        "display": "120",
        "rag": "n/a",
        "rag_label": "Not rated",
        "dot": "down",
        "arrow": "▼",
        "dot_words": "down: from 134 to 120 since May 2024",
    }


def test_a_summary_line_without_a_figure_says_only_that() -> None:
    line = summary_line(build_card(CONTACTS, (), [], [], viewer=MEMBER, now=NOW))
    assert line.text == "DEM-02 Contacts to the front door: no figure, Not rated"
    assert summary_line_as_dict(line) == {
        "code": "DEM-02",
        "title": "Contacts to the front door",
        "cluster": "Demand",
        "period": None,
        "value": None,
        "display": "no figure",
        "rag": "n/a",
        "rag_label": "Not rated",
        "dot": "n/a",
        "arrow": "",
        "dot_words": "",
    }


def test_a_cluster_answer_lists_its_cards_in_order() -> None:
    send = build_card(SEND, send_observations(), SEND_TARGETS, (), viewer=MEMBER, now=NOW)
    empty = build_card(CONTACTS, (), [], [], viewer=MEMBER, now=NOW)
    answer = cluster_as_dict("SEND", [send, empty])
    assert answer == {"cluster": "SEND", "indicators": [card_as_dict(send), card_as_dict(empty)]}
    assert [line.code for line in cluster_lines([send, empty])] == ["SEND-01", "DEM-02"]
    assert [line.code for line in cluster_lines([send, empty], "DEMAND")] == ["DEM-02"]


def test_rag_counts_count_every_rating_including_not_rated() -> None:
    send = build_card(SEND, send_observations(), SEND_TARGETS, (), viewer=MEMBER, now=NOW)
    empty = build_card(CONTACTS, (), [], [], viewer=MEMBER, now=NOW)
    assert rag_counts([send, empty, send]) == {Rag.GREEN: 0, Rag.AMBER: 2, Rag.RED: 0, Rag.NA: 1}
    assert reds([send, empty]) == {}


# --- Ward figures ---------------------------------------------------------------------------

RATE = Indicator("W-01", "Ward rate", "Test", Polarity.LOW, Unit.RATE_PER_10K, Frequency.MONTHLY)


def ward_rows() -> list[Observation]:
    return [
        Observation("W-01", month("2024-05"), 52.5, numerator=21, denominator=4000, area="Birkenhead"),
        Observation("W-01", month("2024-06"), 55.0, numerator=22, denominator=4000, area="Birkenhead"),
        Observation("W-01", month("2024-06"), 7.5, numerator=3, denominator=4000, area="Wallasey"),
        Observation("W-01", month("2024-05"), 40.04),
        Observation("W-01", month("2024-06"), 41.26),
    ]


def test_a_ward_figure_defaults_to_the_wards_latest_period_beside_the_whole_authority() -> None:
    ward = area_figure(RATE, ward_rows(), "BIRKENHEAD", viewer=MEMBER, now=NOW)
    assert (ward.area, ward.period, ward.display) == ("BIRKENHEAD", month("2024-06"), "55.0")
    assert (ward.figure.value, ward.figure.suppressed) == (Decimal("55.0"), False)
    assert (ward.whole_authority.display, ward.whole_authority.value) == ("41.3", Decimal("41.3"))
    assert ward.whole_authority.period == month("2024-06")
    assert ward.indicator is RATE


def test_a_ward_figure_for_a_chosen_period() -> None:
    ward = area_figure(RATE, ward_rows(), "Birkenhead", viewer=MEMBER, now=NOW, period=month("2024-05"))
    assert (ward.display, ward.whole_authority.display) == ("52.5", "40.0")
    missing = area_figure(RATE, ward_rows(), "Birkenhead", viewer=MEMBER, now=NOW, period=month("2024-04"))
    assert (missing.period, missing.display, missing.figure.suppressed) == (
        month("2024-04"),
        "no figure",
        False,
    )
    assert missing.whole_authority.display == "no figure"


def test_a_ward_with_few_children_is_confidential_at_the_chosen_threshold() -> None:
    wallasey = area_figure(RATE, ward_rows(), "Wallasey", viewer=MEMBER, now=NOW)
    assert (wallasey.display, wallasey.figure.suppressed) == ("c", True)
    assert wallasey.whole_authority.display == "41.3"
    strict = area_figure(RATE, ward_rows(), "Birkenhead", viewer=MEMBER, now=NOW, suppress_below=25)
    assert strict.display == "c"


def test_a_ward_without_figures_has_no_period_and_no_figure() -> None:
    nowhere = area_figure(RATE, ward_rows(), "Hoylake", viewer=MEMBER, now=NOW)
    assert nowhere.period is None
    assert (nowhere.display, nowhere.figure.value, nowhere.figure.suppressed) == ("no figure", None, False)
    assert (nowhere.whole_authority.period, nowhere.whole_authority.display) == (None, "no figure")


def test_an_embargoed_ward_figure_is_hidden_from_members_but_not_from_staff() -> None:
    later = NOW + timedelta(hours=1)
    rows = [
        Observation("W-01", month("2024-05"), 52.5, numerator=21, denominator=4000, area="Birkenhead"),
        Observation(
            "W-01",
            month("2024-06"),
            55.0,
            numerator=22,
            denominator=4000,
            area="Birkenhead",
            embargo_until=later,
        ),
        Observation("W-01", month("2024-06"), 41.26, embargo_until=later),
    ]
    member = area_figure(RATE, rows, "Birkenhead", viewer=MEMBER, now=NOW)
    assert (member.period, member.display) == (month("2024-05"), "52.5")
    chosen = area_figure(RATE, rows, "Birkenhead", viewer=MEMBER, now=NOW, period=month("2024-06"))
    assert (chosen.display, chosen.whole_authority.display) == ("no figure", "no figure")
    staff = area_figure(RATE, rows, "Birkenhead", viewer=OFFICER, now=NOW)
    assert (staff.period, staff.display, staff.whole_authority.display) == (month("2024-06"), "55.0", "41.3")


def test_a_ward_figure_suppressed_at_source_is_c() -> None:
    rows = [
        Observation("W-01", month("2024-06"), 55.0, area="Birkenhead", status=ObservationStatus.SUPPRESSED)
    ]
    ward = area_figure(RATE, rows, "Birkenhead", viewer=MEMBER, now=NOW)
    assert (ward.display, ward.figure.suppressed) == ("c", True)


def test_target_year_follows_the_indicators_basis() -> None:
    academic = Indicator(
        "A-02",
        "Academic",
        "Test",
        Polarity.HIGH,
        Unit.PERCENT,
        Frequency.MONTHLY,
        year_basis=YearBasis.ACADEMIC,
    )
    card = build_card(academic, [Observation("A-02", month("2024-06"), 50.0)], [], [], viewer=MEMBER, now=NOW)
    assert card.target_year == Year(YearBasis.ACADEMIC, 2023)
    assert card.notes == ("No target set for 2023/24, so not rated.",)
    target = Target("A-02", Year(YearBasis.ACADEMIC, 2023), 40, 30)
    rated = build_card(
        academic, [Observation("A-02", month("2024-06"), 50.0)], [target], [], viewer=MEMBER, now=NOW
    )
    assert (rated.rag, rated.target_display, rated.amber_display) == (Rag.GREEN, "40.0%", "30.0%")


# --- Which period a card shows, and what it says about it ---------------------------------------


def test_a_card_shows_the_latest_period_with_a_figure_not_a_later_blank_row() -> None:
    rows = [
        Observation("SEND-01", month("2024-05"), 88.0),
        Observation("SEND-01", month("2024-06"), None),
    ]
    card = build_card(SEND, rows, SEND_TARGETS, (), viewer=MEMBER, now=NOW)
    assert (card.period, card.display, card.raw_value) == (month("2024-05"), "88.0%", 88.0)
    blank_only = build_card(SEND, rows[1:], SEND_TARGETS, (), viewer=MEMBER, now=NOW)
    assert (blank_only.period, blank_only.display) == (month("2024-06"), "no figure")


def test_a_card_for_a_chosen_period_without_a_row_says_there_is_no_figure() -> None:
    card = build_card(
        SEND, send_observations(), SEND_TARGETS, (), viewer=MEMBER, now=NOW, period=month("2024-07")
    )
    assert card.notes == ("No figure for July 2024.",)
    assert (card.display, card.raw_value, card.status) == ("no figure", None, None)


def test_a_card_for_an_earlier_period_shows_no_later_figures_in_its_trend() -> None:
    card = build_card(
        SEND, send_observations(), SEND_TARGETS, (), viewer=MEMBER, now=NOW, period=month("2024-05")
    )
    points = card.trend.series[0].points
    assert [p.display for p in points[:3]] == ["90.0%", "88.0%", "no figure"]  # June exists but is later
    assert card.target == SEND_TARGETS[0]
    assert card.raw_value == 88.0


def test_a_card_refuses_a_period_of_another_frequency_or_year_basis_in_words() -> None:
    academic = Indicator(
        "A-03",
        "Academic",
        "Test",
        Polarity.HIGH,
        Unit.PERCENT,
        Frequency.ANNUAL,
        year_basis=YearBasis.ACADEMIC,
    )
    financial_year = parse_period("2023/24", Frequency.ANNUAL)
    try:
        build_card(academic, (), (), (), viewer=MEMBER, now=NOW, period=financial_year)
    except ValueError as refused:
        assert str(refused) == "A-03 is annual (academic year); 2023/24 is not one of its periods"
    else:
        raise AssertionError("a financial year was accepted for an academic indicator")
    monthly_academic = Indicator(
        "A-04",
        "Monthly",
        "Test",
        Polarity.HIGH,
        Unit.PERCENT,
        Frequency.MONTHLY,
        year_basis=YearBasis.ACADEMIC,
    )
    card = build_card(monthly_academic, (), (), (), viewer=MEMBER, now=NOW, period=month("2024-06"))
    assert card.period == month("2024-06")


def test_a_ward_without_figures_still_names_the_ward_and_indicator() -> None:
    nowhere = area_figure(RATE, ward_rows(), "Hoylake", viewer=MEMBER, now=NOW)
    assert (nowhere.indicator, nowhere.area) == (RATE, "Hoylake")


def test_a_card_with_a_target_but_no_figure_is_not_rated_rather_than_without_target() -> None:
    card = build_card(
        SEND, send_observations(), SEND_TARGETS, (), viewer=MEMBER, now=NOW, period=month("2024-07")
    )
    assert (card.rag, card.rag_label, card.target_display) == (Rag.NA, "Not rated", "90.0%")
