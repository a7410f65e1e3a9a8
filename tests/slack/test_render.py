"""Every reply the sample council can produce fits Slack's limits, and every text is escaped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bot.runtime import Runtime, viewer_for
from bot.slack import render
from handlers import concern_views as views
from handlers import help, home, kpi, scorecard
from handlers.replies import choices_reply
from handlers.reply import Action, ActionId, Fact, Kind, Reply, Request, Table
from scorecard.concerns import raise_concern
from scorecard.glossary import BUILTIN_GLOSSARY, merge_glossary
from tests.slack.conftest import ADVISOR, MEMBER

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def check_limits(blocks: list[dict[str, Any]], *, max_blocks: int = render.MAX_BLOCKS) -> None:
    """Slack's documented limits for messages (https://api.slack.com/reference/block-kit)."""
    assert 1 <= len(blocks) <= max_blocks
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert len(block["text"]["text"]) <= 150
        if kind == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(field["text"]) <= 2000 for field in block.get("fields", []))
        if kind == "actions":
            assert 1 <= len(block["elements"]) <= 25
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids))
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= 75
                assert len(button.get("value", "")) <= 2000
        if kind == "context":
            assert 1 <= len(block["elements"]) <= 10


def check_message(reply: Reply) -> dict[str, Any]:
    message = render.message(reply)  # slack_sdk validates the models' own limits here too
    check_limits(message["blocks"])
    assert message["text"] and len(message["text"]) <= render.MAX_FALLBACK
    action_ids = [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(action_ids) == len(set(action_ids)), "action ids must be unique in a message"
    return message


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    with runtime.session() as opened:
        yield opened


def ask(session: Session, text: str, user: str = MEMBER) -> Reply:
    return kpi.answer(Request(text, viewer_for(session, user), NOW), session)


def every_reply(session: Session) -> Iterator[tuple[str, Reply]]:
    from data import store

    member = Request("", viewer_for(session, MEMBER), NOW)
    catalogue = store.catalogue(session)
    for indicator in catalogue:
        yield f"card {indicator.code}", kpi.card_for(member, session, indicator.code)
    for cluster in store.clusters(session):
        yield f"cluster {cluster}", ask(session, cluster)
    for text in ("help", "clusters", "reds", "glossary", "", "potholes", "zzzz qqqq", "what got worse",
                 "good news", "since last quarter", "how do we compare on CLA rate",
                 "where are we behind England", "overview"):
        yield text or "(nothing)", ask(session, text)
    for entry in merge_glossary(BUILTIN_GLOSSARY, store.glossary(session)):
        yield f"glossary {entry.term}", ask(session, f"glossary {entry.term}")
    longest = sorted(catalogue, key=lambda i: len(i.code) + len(i.title), reverse=True)
    yield "largest did-you-mean", choices_reply("x" * 2000, longest)
    yield "help (direct)", help.answer(member)
    yield "scorecard (member)", scorecard.answer(member, session)
    yield "scorecard (advisor)", scorecard.answer(Request("", viewer_for(session, ADVISOR), NOW), session)


def test_every_reply_of_the_sample_council_fits_slacks_limits(session: Session) -> None:
    seen = 0
    kinds = set()
    for what, reply in every_reply(session):
        try:
            check_message(reply)
        except Exception as failed:  # say which reply broke the limits
            raise AssertionError(f"{what}: {failed}") from failed
        seen += 1
        kinds.add(reply.kind)
    assert seen > 39 + 8 + 20
    assert {Kind.INDICATOR, Kind.CLUSTER, Kind.CLUSTERS, Kind.REDS, Kind.CHOICES, Kind.GLOSSARY,
            Kind.HELP, Kind.NOT_FOUND, Kind.SCORECARD, Kind.CHANGES, Kind.COMPARISON, Kind.BENCHMARKS,
            Kind.OVERVIEW} <= kinds


def test_concern_lists_and_app_home_fit_their_limits_however_many_concerns(session: Session) -> None:
    from data.concerns import add_concern

    for n in range(120):
        concern, event = raise_concern(MEMBER, f"Concern number {n}: " + "why? " * 500, "SEND-01", now=NOW)
        add_concern(session, concern, event, f"key-{n}")
    for user in (MEMBER, ADVISOR):
        request = Request("", viewer_for(session, user), NOW)
        check_message(views.list_reply(request, session))
        blocks = render.view_blocks(home.sections(request, session))
        check_limits(blocks, max_blocks=render.MAX_VIEW_BLOCKS)


def test_a_reply_far_beyond_slacks_limits_is_cut_down_with_a_more_note() -> None:
    huge = Reply(
        kind=Kind.CLUSTER,
        heading="H" * 400,
        summary="S" * 7000,
        facts=tuple(Fact(f"label {n} " * 30, "v" * 3000) for n in range(25)),
        table=Table(("A", "B"), tuple((f"row {n} " + "a" * 300, "b" * 300) for n in range(400))),
        notes=tuple("n" * 4000 for _ in range(23)),
        actions=tuple(Action(ActionId.CHOOSE, "L" * 200, "v" * 3000) for _ in range(60)),
    )
    message = check_message(huge)
    blocks = message["blocks"]
    assert len(blocks) == render.MAX_BLOCKS
    assert blocks[0]["text"]["text"].endswith("…")
    said = json.dumps(blocks)
    assert "did not fit in one Slack message" in said
    assert "more lines did not fit" in said


def test_escape_turns_every_special_character_into_an_entity() -> None:
    assert render.escape("<!channel> & <@U1> <https://x|y>") == "&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://x|y&gt;"


def test_text_from_files_and_people_is_escaped_everywhere_the_renderer_writes() -> None:
    hostile = "<!here> <@U0BOSS> <https://evil.example|Council> & <#C123>"
    reply = Reply(
        kind=Kind.INDICATOR,
        heading=hostile,
        summary=hostile,
        facts=(Fact(hostile, hostile), Fact("RAG", hostile)),
        table=Table((hostile, hostile), ((hostile, hostile),)),
        notes=(hostile,),
        actions=(Action(ActionId.SHARE, hostile, "SEND-01|2026-10-31"),),
    )
    message = render.message(reply, shared_by="U0DEMOMEMB1")
    said = json.dumps(message, ensure_ascii=False)
    for forged in ("<!here>", "<@U0BOSS>", "<https://", "<#C123>"):
        assert forged not in said
    assert "<@U0DEMOMEMB1>" in said  # the one mention we mean: who shared it
    assert "<" not in said.replace("<@U0DEMOMEMB1>", "")


def test_a_malformed_user_id_is_never_made_a_mention() -> None:
    assert render.mention("U0DEMOMEMB1") == "<@U0DEMOMEMB1>"
    assert render.mention("!channel>") == "!channel&gt;"


def test_cutting_never_splits_an_entity() -> None:
    cut = render.escaped("a" * 8 + "&&&&", 11)
    assert cut.endswith("…") and not cut[:-1].endswith(("&", "&a", "&am", "&amp"))


def test_a_lists_fallback_text_says_what_is_in_it_within_slacks_limit(session: Session) -> None:
    """Screen readers and notifications read `text`, not the blocks: a list's rows are there."""
    from data.concerns import add_concern

    for n in range(35):
        concern, event = raise_concern(MEMBER, f"Concern number {n} <!channel>", "SEND-01", now=NOW)
        add_concern(session, concern, event, f"fallback-{n}")
    reply = views.list_reply(Request("", viewer_for(session, ADVISOR), NOW), session)
    assert reply.table is not None and len(reply.table.rows) == 35
    text = render.message(reply)["text"]
    shown = [line for line in text.splitlines() if line.startswith("C-")]
    assert shown and shown[0].startswith("C-1,") and len(text) <= render.MAX_FALLBACK
    assert text.splitlines()[-1] == f"and {35 - len(shown)} more"
    assert "<!channel>" not in text

    long = Reply(kind=Kind.CLUSTER, heading="Many", table=Table(("Indicator",), tuple(
        (f"Indicator number {n} " + "x" * 80,) for n in range(400))))
    fallback = render.message(long)["text"]
    assert len(fallback) <= render.MAX_FALLBACK
    assert "Indicator number 0" in fallback and "more" in fallback.splitlines()[-1]
