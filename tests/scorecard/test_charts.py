"""The card chart and the scorecard image: valid, repeatable PNGs that never plot a hidden figure."""

from __future__ import annotations

import struct
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from scorecard.card import IndicatorCard, IndicatorData, build_card
from scorecard.charts import card_chart, card_chart_alt_text, scorecard_image
from scorecard.glossary import BUILTIN_GLOSSARY
from scorecard.model import (
    Benchmark,
    Comparator,
    Indicator,
    Observation,
    ObservationStatus,
    Polarity,
    Target,
    Unit,
    Viewer,
    Year,
    YearBasis,
    YtdMethod,
)
from scorecard.periods import Frequency, Period, parse_period, quarter
from scorecard.quarterly import QuarterlyScorecard, build_scorecard

NOW = datetime(2024, 10, 15, 9, 0, tzinfo=UTC)
MEMBER = Viewer("U-member")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SEND = Indicator(
    "SEND-01", "New EHC plans issued within 20 weeks", "SEND", Polarity.HIGH, Unit.PERCENT,
    Frequency.MONTHLY, ytd=YtdMethod.MEAN, data_notes="Excludes exception cases.",
)
CONTACTS = Indicator(
    "DEM-01", "Contacts to the front door", "Demand", Polarity.NONE, Unit.COUNT, Frequency.MONTHLY,
)
GLD = Indicator(
    "EDU-01", "Good level of development", "Education", Polarity.HIGH, Unit.PERCENT,
    Frequency.ANNUAL, year_basis=YearBasis.ACADEMIC,
)


def month(text: str) -> Period:
    return parse_period(text, Frequency.MONTHLY)


SEND_VALUES = {
    "2023-04": 81.0, "2023-05": 79.5, "2023-06": 80.2, "2023-07": 84.0, "2023-08": 85.5,
    "2023-09": 83.0, "2023-10": 82.0, "2023-11": 86.0, "2023-12": 88.0, "2024-01": 87.0,
    "2024-02": 85.0, "2024-03": 86.5, "2024-04": 88.0, "2024-05": 87.1, "2024-06": 86.0,
}


def send_data(*, suppress: str | None = None, drop: str | None = None) -> IndicatorData:
    observations = []
    for text, value in SEND_VALUES.items():
        if text == drop:
            continue
        if text == suppress:
            hidden = Observation("SEND-01", month(text), None, status=ObservationStatus.SUPPRESSED)
            observations.append(hidden)
        else:
            observations.append(Observation("SEND-01", month(text), value))
    return IndicatorData(
        observations=observations,
        targets=[Target("SEND-01", Year(YearBasis.FINANCIAL, 2024), 90, 84)],
        benchmarks=[
            Benchmark("SEND-01", month("2024-03"), Comparator.STATISTICAL_NEIGHBOURS, 53.5),
            Benchmark("SEND-01", month("2024-03"), Comparator.ENGLAND, 50.0),
        ],
    )


def send_card(data: IndicatorData | None = None, period: str = "2024-06") -> IndicatorCard:
    data = data or send_data()
    return build_card(
        SEND, data.observations, data.targets, data.benchmarks, viewer=MEMBER, now=NOW, period=month(period)
    )


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def small_scorecard() -> QuarterlyScorecard:
    contacts = IndicatorData(
        observations=[Observation("DEM-01", month(m), v) for m, v in
                      {"2024-06": 90, "2024-07": 110, "2024-08": 130, "2024-09": 125}.items()]
    )
    gld = IndicatorData(
        observations=[Observation("EDU-01", parse_period(y, Frequency.ANNUAL, YearBasis.ACADEMIC), v)
                      for y, v in {"2022/23": 65.2, "2023/24": 66.5}.items()],
        targets=[Target("EDU-01", Year(YearBasis.ACADEMIC, 2023), 67, 64)],
    )
    values = dict(SEND_VALUES, **{"2024-07": 83.0, "2024-08": 91.0, "2024-09": 86.0})
    send = IndicatorData(
        observations=[Observation("SEND-01", month(m), v) for m, v in values.items()],
        targets=send_data().targets,
        benchmarks=send_data().benchmarks,
    )
    return build_scorecard(
        quarter(2024, 2), [CONTACTS, GLD, SEND], {"DEM-01": contacts, "EDU-01": gld, "SEND-01": send},
        BUILTIN_GLOSSARY, viewer=MEMBER, now=NOW,
    )


def test_card_chart_is_a_png_of_a_sensible_size() -> None:
    width, height = png_size(card_chart(send_card()))

    assert 800 <= width <= 1600
    assert 500 <= height <= 1000


def test_card_chart_gives_the_same_bytes_for_the_same_card() -> None:
    assert card_chart(send_card()) == card_chart(send_card())


def test_card_chart_changes_when_a_figure_changes() -> None:
    changed = send_data()
    observations = [
        Observation(o.code, o.period, 70.0) if o.period == month("2024-06") else o
        for o in changed.observations
    ]
    other = IndicatorData(observations, changed.targets, changed.benchmarks)

    assert card_chart(send_card(other)) != card_chart(send_card())


def test_a_suppressed_figure_is_drawn_exactly_as_no_figure_at_all() -> None:
    suppressed = card_chart(send_card(send_data(suppress="2024-04")))
    missing = card_chart(send_card(send_data(drop="2024-04")))

    assert suppressed == missing
    assert suppressed != card_chart(send_card())


def test_alt_text_names_the_indicator_the_value_the_rag_and_the_direction_of_travel() -> None:
    text = card_chart_alt_text(send_card())

    assert "SEND-01 New EHC plans issued within 20 weeks" in text
    assert "June 2024: 86.0%" in text
    assert "RAG Amber (target 90.0%, amber from 84.0%)" in text
    assert "declined: down from 87.1% to 86.0% since May 2024" in text
    assert "England March 2024: 50.0%" in text


def test_alt_text_says_a_suppressed_figure_is_not_plotted() -> None:
    text = card_chart_alt_text(send_card(send_data(suppress="2024-04")))

    assert "Apr c (suppressed, not plotted)" in text


def test_a_card_with_no_figures_still_draws_and_says_so() -> None:
    card = build_card(SEND, [], [], [], viewer=MEMBER, now=NOW)

    png_size(card_chart(card))
    assert "No figures have been published" in card_chart_alt_text(card)


def test_a_context_measure_draws_without_target_or_rating() -> None:
    observations = [Observation("DEM-01", month(m), v) for m, v in {"2024-05": 120, "2024-06": 90}.items()]
    card = build_card(CONTACTS, observations, [], [], viewer=MEMBER, now=NOW)

    png_size(card_chart(card))
    assert "RAG Not rated" in card_chart_alt_text(card)


def test_scorecard_image_is_one_wide_legible_png_and_repeatable() -> None:
    scorecard = small_scorecard()

    image = scorecard_image(scorecard)
    width, height = png_size(image)

    assert width >= 2000  # legible when Slack shows it full size
    assert height > 600
    assert image == scorecard_image(scorecard)


def test_scorecard_image_grows_with_the_number_of_indicators() -> None:
    one = small_scorecard()
    fewer = QuarterlyScorecard(
        one.quarter_label, one.quarter_end, one.prepared_at, one.clusters[:1], one.summary, (), one.glossary
    )

    assert png_size(scorecard_image(fewer))[1] < png_size(scorecard_image(one))[1]


def test_importing_the_charts_module_does_not_import_matplotlib() -> None:
    code = "import sys, scorecard.charts; sys.exit('matplotlib' in sys.modules)"

    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize("indicator", [GLD])
def test_an_annual_card_draws_its_years(indicator: Indicator) -> None:
    observations = [
        Observation("EDU-01", parse_period(y, Frequency.ANNUAL, YearBasis.ACADEMIC), v)
        for y, v in {"2021/22": 63.7, "2022/23": 65.4, "2023/24": 66.5}.items()
    ]
    card = build_card(indicator, observations, [], [], viewer=MEMBER, now=NOW)

    png_size(card_chart(card))
    assert "2023/24: 66.5%" in card_chart_alt_text(card)
