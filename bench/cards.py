"""How fast are cards, the quarterly scorecard and their pictures? LAIT's 434 indicators and the sample.

Loads one council's DfE LAIT figures (Rotherham: every LAIT measure, years of figures and
benchmarks) and the bundled sample council into temporary SQLite stores, fetches each store's
figures in its one bulk query, then times in one run:
- every card without its chart (`build_card` at each indicator's latest period): mean, p50, p99;
- the full quarterly scorecard without pictures (`build_scorecard`);
- card chart renders, the scorecard image and the newsletter page.
Figures are also given as ratios against trivial baselines measured in the same run (building
one frozen dataclass; `json.dumps` of the scorecard's snapshot), so runs on different machines
compare. Goals: every card under 5 ms without its chart; the scorecard under 200 ms.

Run: `.venv/bin/python bench/cards.py`.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from data import store  # noqa: E402
from data.db import ensure_schema, make_engine, session_factory  # noqa: E402
from data.load import load_frames, load_path  # noqa: E402
from scorecard.card import IndicatorCard, IndicatorData, build_card  # noqa: E402
from scorecard.glossary import BUILTIN_GLOSSARY, merge_glossary  # noqa: E402
from scorecard.model import Indicator, Observation, Viewer  # noqa: E402
from scorecard.periods import Frequency, Period, quarter  # noqa: E402
from scorecard.quarterly import QuarterlyScorecard, build_scorecard, snapshot  # noqa: E402

LAIT = REPO.parent / "shared" / "data" / "lait" / "bds_long_0.parquet"
SAMPLE = REPO / "data" / "sample"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
MEMBER = Viewer("bench-member")
CARD_GOAL_MS = 5.0
SCORECARD_GOAL_MS = 200.0

Figures = tuple[list[Indicator], dict[str, IndicatorData], list[Any]]


def say(text: str) -> None:
    print(text, flush=True)


def seconds(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures_of(url: str) -> Figures:
    engine = make_engine(url)
    with session_factory(engine)() as session:
        found = store.figures(session)
        glossary = merge_glossary(BUILTIN_GLOSSARY, store.glossary(session))
    engine.dispose()
    catalogue = [item.indicator for item in found.values()]
    data = {code: IndicatorData(i.observations, i.targets, i.benchmarks) for code, i in found.items()}
    return catalogue, data, list(glossary)


def load_lait(folder: Path) -> str | None:
    if not LAIT.exists():
        say(f"DfE LAIT data not found at {LAIT}: skipping the 434-indicator catalogue.")
        return None
    from data.lait import lait_frames

    url = f"sqlite:///{folder / 'lait.db'}"
    start = time.perf_counter()
    converted = lait_frames(LAIT, la="Rotherham")
    engine = make_engine(url)
    ensure_schema(engine)
    with session_factory(engine)() as session:
        load_frames(session, converted.frames, "LAIT Rotherham")
        session.commit()
    engine.dispose()
    say(f"Loaded LAIT (Rotherham) in {time.perf_counter() - start:.1f} s.")
    return url


def load_sample(folder: Path) -> str:
    url = f"sqlite:///{folder / 'sample.db'}"
    engine = make_engine(url)
    load_path(engine, SAMPLE)
    engine.dispose()
    return url


def all_cards(
    catalogue: list[Indicator], data: dict[str, IndicatorData]
) -> tuple[list[float], list[IndicatorCard]]:
    times, cards = [], []
    for indicator in catalogue:
        item = data[indicator.code]
        start = time.perf_counter()
        card = build_card(indicator, item.observations, item.targets, item.benchmarks, viewer=MEMBER, now=NOW)
        times.append(time.perf_counter() - start)
        cards.append(card)
    return times, cards


def report_cards(
    name: str, catalogue: list[Indicator], data: dict[str, IndicatorData], unit: float
) -> list[IndicatorCard]:
    all_cards(catalogue, data)  # warm up
    runs = [all_cards(catalogue, data) for _ in range(5)]
    times = [t for run, _cards in runs for t in run]
    cards = runs[-1][1]
    ms = [t * 1000 for t in times]
    worst = max(zip(runs[-1][0], catalogue, strict=True), key=lambda pair: pair[0])
    say(
        f"{name}: {len(catalogue)} cards, without charts: mean {statistics.mean(ms):.3f} ms, "
        f"p50 {percentile(ms, 0.5):.3f} ms, p99 {percentile(ms, 0.99):.3f} ms, max {max(ms):.3f} ms "
        f"({worst[1].code}, {len(data[worst[1].code].observations)} figures); "
        f"mean = {statistics.mean(times) / unit:,.0f} x one frozen dataclass. "
        f"Goal < {CARD_GOAL_MS:.0f} ms: {'met' if max(ms) < CARD_GOAL_MS else 'MISSED'}."
    )
    return cards


def report_scorecard(name: str, figures: Figures, when: Period) -> QuarterlyScorecard:
    catalogue, data, glossary = figures

    def build() -> QuarterlyScorecard:
        return build_scorecard(when, catalogue, data, glossary, viewer=MEMBER, now=NOW)

    card = build()
    times = seconds(build, 9)
    frozen = snapshot(card)
    dumps = statistics.median(seconds(lambda: json.dumps(frozen), 9))
    median = statistics.median(times) * 1000
    say(
        f"{name}: {when.label} scorecard of {card.summary.indicators} indicators without pictures: "
        f"median {median:.1f} ms, best {min(times) * 1000:.1f} ms "
        f"= {statistics.median(times) / dumps:.1f} x json.dumps of its snapshot ({dumps * 1000:.2f} ms). "
        f"Goal < {SCORECARD_GOAL_MS:.0f} ms: {'met' if median < SCORECARD_GOAL_MS else 'MISSED'}."
    )
    return card


def main() -> None:
    say(
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )
    period = Period(quarter(2024, 2).end, Frequency.QUARTERLY)
    # Baseline: building one small frozen dataclass (what every figure costs at least).
    loops = 100_000
    start = time.perf_counter()
    for _ in range(loops):
        Observation("X", period, 1.0)
    unit = (time.perf_counter() - start) / loops
    say(f"Baseline: one frozen dataclass (Observation) {unit * 1e6:.2f} µs.")

    with tempfile.TemporaryDirectory(prefix="kpibot-bench-") as folder:
        lait_url = load_lait(Path(folder))
        sample_url = load_sample(Path(folder))
        sample = figures_of(sample_url)
        lait = figures_of(lait_url) if lait_url is not None else None
        # Everything loaded so far lives as long as the run (as the catalogue does in the bot):
        # freeze it, or a full garbage collection over LAIT's frames lands inside one card's
        # timing (~60 ms once a run) and measures the collector, not the card.
        gc.collect()
        gc.freeze()
        sample_cards = report_cards("Sample", sample[0], sample[1], unit)
        sample_card = report_scorecard("Sample", sample, quarter(2024, 2))
        if lait is not None:
            report_cards("LAIT", lait[0], lait[1], unit)
            lait_card = report_scorecard("LAIT", lait, quarter(2024, 2))
        else:
            lait_card = None

        from scorecard.charts import card_chart, scorecard_image
        from scorecard.newsletter import newsletter_html

        card_chart(sample_cards[0])  # warm up: the first import and font cache
        chart_times = [seconds(lambda c=c: card_chart(c), 1)[0] for c in sample_cards]
        say(
            f"Card charts: {len(chart_times)} renders, mean {statistics.mean(chart_times) * 1000:.0f} ms, "
            f"p99 {percentile(chart_times, 0.99) * 1000:.0f} ms "
            f"= {statistics.mean(chart_times) / unit:,.0f} x one frozen dataclass."
        )
        image = seconds(lambda: scorecard_image(sample_card), 3)
        say(
            f"Scorecard image ({sample_card.summary.indicators} indicators): median "
            f"{statistics.median(image) * 1000:.0f} ms, {len(scorecard_image(sample_card)) / 1e6:.1f} MB."
        )
        for name, card in (("Sample", sample_card), ("LAIT", lait_card)):
            if card is None:
                continue
            newsletter_html(card)
            page = seconds(lambda card=card: newsletter_html(card), 5)
            say(
                f"Newsletter page, {name} ({card.summary.indicators} indicators): median "
                f"{statistics.median(page) * 1000:.1f} ms, {len(newsletter_html(card)) / 1e3:,.0f} kB."
            )


if __name__ == "__main__":
    main()
