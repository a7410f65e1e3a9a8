"""The scrutiny questions in Slack: signed /kpi requests through the real bolt App, and Slack's
Block Kit limits walked for the largest lists (434 indicators, 153 councils, all of them moving)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from slack_bolt import BoltResponse

from handlers.reply import Kind
from handlers.scrutiny_replies import (
    benchmarks_reply,
    changes_reply,
    comparison_reply,
    overview_reply,
    reds_reply,
)
from scorecard.card import IndicatorCard, build_card
from scorecard.changes import Direction, moved
from scorecard.comparison import Peer, behind, compare, peer_ranges
from scorecard.model import (
    Benchmark,
    Comparator,
    Indicator,
    Observation,
    Polarity,
    Target,
    Unit,
    Viewer,
    Year,
)
from scorecard.overview import build_overview
from scorecard.periods import Frequency, Period, YearBasis
from tests.slack.conftest import Slack, body_of
from tests.slack.test_render import check_limits, check_message

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def answer_of(slack: Slack, response: BoltResponse) -> dict[str, Any]:
    """The answer in the acknowledgement or, when it took longer than the ack's budget (a
    cold store on a busy machine), the one sent to the response_url after it."""
    body = body_of(response)
    if body.get("blocks"):
        return body
    (late,) = slack.stub.wait_for("response_url")
    answer: dict[str, Any] = late.params
    return answer


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "heading"),
    [
        ("what got worse", "What got worse"),
        ("what's slipping in SEND", "What got worse in SEND"),
        ("good news", "What improved"),
        ("what's changed since the last scorecard", "What changed since the last scorecard"),
        ("how do we compare on CLA rate", "How we compare: Children looked after"),
        ("EHCP 20 weeks vs neighbours", "How we compare: New EHC plans"),
        ("where are we behind England", "Where we are behind England"),
        ("worse than neighbours", "Where we are behind Statistical neighbours"),
        ("how are we doing", "Overview"),
        ("reds", "Red indicators"),
    ],
)
def test_each_scrutiny_question_is_answered_privately_within_slacks_limits(
    slack: Slack, text: str, heading: str
) -> None:
    response = slack.command("/kpi", text)
    assert response.status == 200
    body = answer_of(slack, response)
    assert body["response_type"] == "ephemeral"
    assert body["blocks"][0]["text"]["text"].startswith(heading)
    check_limits(body["blocks"])


def test_the_comparison_card_says_rank_and_band_in_words_and_lists_each_neighbour(slack: Slack) -> None:
    body = answer_of(slack, slack.command("/kpi", "how do we compare on CLA rate"))
    said = texts(body["blocks"])
    assert "joint 24th of 25, fourth quarter (band D)" in said
    assert "joint 10th of 11 among statistical neighbours" in said
    for council in ("Ashcombe", "Barrowfield", "Jessop"):
        assert council in said
    buttons = [e["text"]["text"] for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Show chart", "Comparators over the years", "Show the card", "Raise a concern"]


# --- the largest lists ---------------------------------------------------------------------

MEMBER = Viewer(user="U-member")
Y24 = Period(date(2025, 3, 31), Frequency.ANNUAL, YearBasis.FINANCIAL)
Y23 = Period(date(2024, 3, 31), Frequency.ANNUAL, YearBasis.FINANCIAL)
CLUSTERS = [f"Cluster {n} " + "with a long name " * 3 for n in range(20)]


def huge_catalogue() -> list[IndicatorCard]:
    """434 indicators with long titles, every one red, declined and worse than England."""
    cards = []
    for n in range(434):
        indicator = Indicator(
            f"LAIT_MEASURE_{n:03d}_WITH_A_LONG_CODE",
            f"Percentage of children in need with a very long title number {n} " + "and more words " * 8,
            CLUSTERS[n % len(CLUSTERS)],
            Polarity.HIGH,
            Unit.PERCENT,
            Frequency.ANNUAL,
        )
        observations = [
            Observation(indicator.code, Y23, 80.0),
            Observation(indicator.code, Y24, 50.0 - n / 100),
        ]
        targets = [Target(indicator.code, Year(YearBasis.FINANCIAL, 2024), 90, 85)]
        benchmarks = [Benchmark(indicator.code, Y24, Comparator.ENGLAND, 75.0)]
        cards.append(build_card(indicator, observations, targets, benchmarks, viewer=MEMBER, now=NOW))
    return cards


def test_the_largest_lists_fit_in_one_message_and_say_how_much_more_there_is() -> None:
    cards = huge_catalogue()
    replies = {
        "declined": changes_reply(Direction.DECLINED, moved(cards, Direction.DECLINED), others=1000),
        "benchmarks": benchmarks_reply(behind(cards, Comparator.ENGLAND), others=1000),
        "overview": overview_reply(build_overview(cards), others=1000),
        "reds": reds_reply(cards),
    }
    for what, reply in replies.items():
        message = check_message(reply)
        assert len(message["blocks"]) <= 50, what
        if what != "overview":
            assert "did not fit in one Slack message" in texts(message["blocks"]), what
        # The JSON answer keeps every indicator, whatever Slack could show.
        data = reply.as_json()
        listed = data.get("indicators")
        if listed is not None:
            assert len(listed) == 434, what


def test_a_comparison_with_every_council_a_neighbour_fits() -> None:
    indicator = Indicator("X", "A measure " * 30, "Demand", Polarity.LOW, Unit.PERCENT, Frequency.ANNUAL)
    peers = [
        Peer("X", Y24, f"Council number {n} " + "upon Somewhere " * 4, 10.0 + n / 10, True)
        for n in range(152)
    ]
    ours = {Y24: Decimal("15.0")}
    card = build_card(
        indicator,
        [Observation("X", Y24, 15.0)],
        [],
        [Benchmark("X", Y24, c, 14.0) for c in Comparator],
        viewer=MEMBER,
        now=NOW,
        peer_ranges=peer_ranges(indicator, peers, ours),
    )
    reply = comparison_reply(compare(card, peers, ours))
    assert reply.kind is Kind.COMPARISON
    check_message(reply)
    assert len(reply.as_json()["neighbours"]) == 152


@pytest.mark.parametrize("view", ["comparison", "comparators"])
def test_the_comparisons_charts_are_uploaded_privately_as_pngs(slack: Slack, stub: Any, view: str) -> None:
    from tests.slack.conftest import settle

    body = answer_of(slack, slack.command("/kpi", "how do we compare on CLA rate"))
    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    chart = next(b for b in buttons if b["value"].endswith(f"|{view}"))
    assert chart["value"].startswith("CLA-01|")
    slack.press(chart["action_id"], chart["value"])
    settle(slack.app)
    (upload,) = stub.of("files.getUploadURLExternal")
    assert upload.params["filename"].startswith("CLA-01-")
    assert stub.of("conversations.open"), "a private answer's chart goes to the member's direct messages"
