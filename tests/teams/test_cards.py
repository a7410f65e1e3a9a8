"""Every reply of the sample council drawn as an Adaptive Card is valid Adaptive Card 1.5 (the
vendored official schema) and within Teams' size limit; what does not fit is said, never cut."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from bot.runtime import viewer_for
from bot.teams import cards
from data import store
from data.concerns import add_concern
from handlers import concern_steps, concern_views, concerns, home, kpi, scorecard
from handlers.reply import Action, ActionId, Fact, Kind, Reply, Request, Table
from scorecard.charts import card_chart, card_chart_alt_text
from scorecard.concerns import raise_concern
from tests.slack.conftest import ADVISOR, MEMBER
from tests.slack.test_render import every_reply
from tests.teams.schemas import card_errors

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PERFORMANCE = "U0DEMOPERF1"
SEND_OFFICER = "U0DEMOSVC01"


def check_card(card: dict[str, Any], what: str = "card") -> dict[str, Any]:
    errors = card_errors(card)
    assert not errors, f"{what}: not Adaptive Card 1.5: {errors[:3]}"
    assert cards.size(card) <= cards.MAX_CARD_BYTES, f"{what}: {cards.size(card):,} bytes"
    json.dumps(card)  # plain JSON, nothing a serialiser would have to guess at
    return card


def texts(card: dict[str, Any]) -> list[str]:
    """Every text a card shows, in order."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("type") == "TextBlock":
                found.append(value["text"])
            if value.get("type") == "FactSet":
                found.extend(f"{fact['title']}: {fact['value']}" for fact in value["facts"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(card["body"])
    return found


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    sets = [element for element in card["body"] if element["type"] == "ActionSet"]
    return [action for element in sets for action in element["actions"]]


def table_rows(card: dict[str, Any]) -> int:
    return sum(len(element["rows"]) - 1 for element in card["body"] if element["type"] == "Table")


def request(session: Session, user: str, text: str = "") -> Request:
    return Request(text, viewer_for(session, user), NOW)


def concern_replies(session: Session) -> Iterator[tuple[str, Reply]]:
    """A concern's life as its people see it: raised, listed, shown, sent, in each one's queue."""
    for n in range(3):
        concern, event = raise_concern(MEMBER, f"Concern {n}: why are assessments late?", "SEND-01", now=NOW)
        add_concern(session, concern, event, f"teams-{n}")
    member, advisor = request(session, MEMBER), request(session, ADVISOR)
    raised = concern_views.list_reply(member, session)
    yield "concern list (member)", raised
    first = store_concern_id(session)
    concern = concern_views.find(advisor, session, first)
    yield "concern confirmation", concerns.confirmation(session, concern)
    yield "concern shown (advisor)", concern_views.show(advisor, session, first)
    done = concern_steps.send(advisor, session, first, "SEND", "Answer by the meeting.", key="t-send")
    yield "concern sent", done.reply
    for notice in done.notices:
        yield "officer's message", notice.reply
    for n, item in enumerate(concern_views.advisor_queue(advisor, session)):
        yield f"advisor queue {n}", item
    for n, item in enumerate(concern_views.service_queue(request(session, SEND_OFFICER), session)):
        yield f"officer queue {n}", item
    yield "concern listing (advisor)", concern_views.listing(advisor, session, include_closed=True)


def store_concern_id(session: Session) -> int:
    from data.concerns import concerns_of

    return concerns_of(session, MEMBER)[0].id


def every_teams_reply(session: Session) -> Iterator[tuple[str, Reply]]:
    yield from every_reply(session)
    for text in ("SEND timeliness", "SEND", "reds", "how do we compare on SEND timeliness",
                 "compare with statistical neighbours", "scorecard"):
        yield text, kpi.answer(request(session, MEMBER, text), session)
    performance = request(session, PERFORMANCE)
    yield "draft scorecard (performance officer)", scorecard.draft_reply(performance, session)
    for n, section in enumerate(home.sections(request(session, ADVISOR), session)):
        yield f"home {n}", section
    yield from concern_replies(session)


def test_every_reply_of_the_sample_council_is_a_valid_card_within_teams_limits(session: Session) -> None:
    kinds = set()
    seen = 0
    for what, reply in every_teams_reply(session):
        card = check_card(cards.card(reply), what)
        assert texts(card)[0] == cards.safe(cards.clip(reply.heading or "kpibot", cards.MAX_HEADING))
        kinds.add(reply.kind)
        seen += 1
    assert seen > 80
    assert {Kind.INDICATOR, Kind.CLUSTER, Kind.CLUSTERS, Kind.REDS, Kind.CHOICES, Kind.GLOSSARY, Kind.HELP,
            Kind.NOT_FOUND, Kind.SCORECARD, Kind.COMPARISON, Kind.CONCERN} <= kinds


def test_an_indicator_card_shows_its_facts_rag_in_words_and_colour_and_buttons(session: Session) -> None:
    code = "SEND-01"
    reply = kpi.card_for(request(session, MEMBER), session, code)
    assert reply.rag is not None
    card = check_card(cards.card(reply))
    said = texts(card)
    rag_line = next(block for block in card["body"] if block.get("text", "").startswith("RAG: "))
    assert rag_line["color"] == cards.RAG_COLOUR[reply.rag]
    assert rag_line["text"] == "RAG: " + next(f.value for f in reply.facts if f.label == "RAG")
    assert not [line for line in said if line.startswith("RAG: RAG")]
    for fact in reply.facts:
        if fact.label != "RAG":
            assert f"{fact.label}: {fact.value}" in said
    pressed = buttons(card)
    expected = [(action.id.value, {"value": action.value}) for action in reply.actions]
    assert [(b["verb"], b["data"]) for b in pressed] == expected
    assert all(b["type"] == "Action.Execute" for b in pressed)


def test_a_rag_column_is_coloured_by_its_words(session: Session) -> None:
    reply = kpi.answer(request(session, MEMBER, "SEND"), session)
    assert reply.table is not None and "RAG" in reply.table.columns
    card = check_card(cards.card(reply))
    table = next(element for element in card["body"] if element["type"] == "Table")
    column = list(reply.table.columns).index("RAG")
    cells = [row["cells"][column]["items"][0] for row in table["rows"][1:]]
    colours = {cell["text"].split(" ")[0]: cell.get("color") for cell in cells}
    assert colours and all(colour == {"Red": "attention", "Amber": "warning", "Green": "good"}.get(word)
                           for word, colour in colours.items())
    assert table["rows"][0]["cells"][column]["items"][0]["text"] == "RAG"


def test_a_reply_far_beyond_teams_limit_loses_rows_first_and_says_how_many() -> None:
    rows = tuple((f"Indicator {n} " + "a" * 300, "b" * 300, "Red") for n in range(600))
    reply = Reply(kind=Kind.CLUSTER, heading="H" * 400, summary="S" * 7000,
                  facts=(Fact("Latest", "12.5%"),), table=Table(("Indicator", "Note", "RAG"), rows),
                  notes=("The figures for 2025 are provisional.",),
                  actions=(Action(ActionId.SHARE, "Share", "x"),))
    card = check_card(cards.card(reply))
    kept = table_rows(card)
    assert 0 < kept < 600
    said = texts(card)
    assert said[0].endswith("…") and len(said[0]) == cards.MAX_HEADING
    assert f"And {600 - kept:,} more rows that did not fit in one Teams message." in " ".join(said)
    assert "The figures for 2025 are provisional." in said  # notes outlive rows
    assert len(buttons(card)) == 1
    # Nearly full: one more row would not have fitted.
    assert cards.size(card) > cards.MAX_CARD_BYTES - 2 * 1000


def test_when_even_no_rows_do_not_fit_sections_go_from_the_end_and_are_counted() -> None:
    reply = Reply(kind=Kind.CLUSTER, heading="Many notes",
                  facts=tuple(Fact(f"label {n}", "v" * 3000) for n in range(20)),
                  table=Table(("A",), (("x",),) * 5),
                  notes=tuple(f"note {n} " + "n" * 3000 for n in range(30)),
                  actions=tuple(Action(ActionId.CHOOSE, f"Button {n}", str(n)) for n in range(40)))
    card = check_card(cards.card(reply))
    said = " ".join(texts(card))
    assert table_rows(card) == 0 and "And 5 more rows and " in said
    assert "more sections" in said and "10 more buttons" in said  # 40 buttons, 30 shown at most
    assert all(len(element["actions"]) <= cards.ACTIONS_PER_SET
               for element in card["body"] if element["type"] == "ActionSet")


def test_a_reply_that_fits_is_shown_whole() -> None:
    rows = tuple((f"Indicator {n}", f"{n}.5%", "Green") for n in range(120))
    reply = Reply(kind=Kind.CLUSTER, heading="All of them", table=Table(("Indicator", "Latest", "RAG"), rows))
    card = check_card(cards.card(reply))
    assert table_rows(card) == 120
    assert not [text for text in texts(card) if "did not fit" in text]


def test_size_counts_utf16_as_teams_does() -> None:
    plain = cards.size({"text": "a" * 1000})
    assert plain == 2 * len('{"text":""}') + 2 * 1000
    assert cards.size({"text": "😀" * 500}) == plain  # outside the BMP: two UTF-16 code units each
    assert cards.size({"text": "é" * 1000}) == plain
    # Teams leaves base64 pictures out of its limit.
    assert cards.size({"text": "data:image/png;base64," + "A" * 10_000}) == cards.size({"text": "data:"})


def test_markdown_links_from_files_and_people_cannot_pose_as_something_else() -> None:
    hostile = "[Council's official site](https://evil.example) ![x](https://evil.example/p.png)"
    reply = Reply(kind=Kind.INDICATOR, heading=hostile, summary=hostile, facts=(Fact(hostile, hostile),),
                  table=Table((hostile,), ((hostile,),)), notes=(hostile,))
    drawn = (cards.card(reply), cards.notice(hostile), cards.refusal(hostile), cards.refusal(hostile, reply))
    for card in drawn:
        check_card(card)
        said = json.dumps(card, ensure_ascii=False)
        assert "](" not in said
        assert "]\u200b(https://evil.example)" in said


def test_a_notice_and_a_refusal_are_cards_and_a_refused_press_keeps_the_card_with_the_reason(
    session: Session,
) -> None:
    notice = check_card(cards.notice("First paragraph.\n\nSecond paragraph."))
    assert texts(notice) == ["First paragraph.", "Second paragraph."]
    long = check_card(cards.notice("\n\n".join("word " * 900 for _ in range(40))))
    assert texts(long)[-1].startswith("And ") and "more paragraphs" in texts(long)[-1]

    refused = check_card(cards.refusal("Only the governance advisor can send a concern."))
    assert refused["body"][0]["color"] == "attention"
    reply = kpi.card_for(request(session, MEMBER), session, store.catalogue(session)[0].code)
    with_reason = check_card(cards.refusal("Only the governance advisor can send a concern.", reply))
    assert texts(with_reason)[:2] == [reply.heading, "Only the governance advisor can send a concern."]
    assert buttons(with_reason) == buttons(cards.card(reply))


def png(width: int, height: int, *, noise: bool = False) -> bytes:
    picture = Image.new("RGB", (width, height), "white")
    if noise:
        rng = random.Random(14)
        picture = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def shown(element: dict[str, Any]) -> Image.Image:
    import base64

    head, data = element["url"].split(",", 1)
    assert head == "data:image/png;base64"
    return Image.open(io.BytesIO(base64.b64decode(data)))


def test_a_real_chart_is_inlined_as_it_is(session: Session) -> None:
    code = store.catalogue(session)[0].code
    indicator_card = kpi.card_by_code(request(session, MEMBER), session, code, None)
    assert indicator_card is not None
    chart = card_chart(indicator_card)
    alt = card_chart_alt_text(indicator_card)
    card = check_card(cards.picture(indicator_card.title, chart, alt_text=alt))
    image = card["body"][1]
    assert image["type"] == "Image" and image["altText"] == cards.clip(alt, cards.MAX_NOTE)
    assert shown(image).size == Image.open(io.BytesIO(chart)).size


def test_pictures_beyond_teams_limits_are_reduced_and_what_is_not_a_png_is_refused() -> None:
    large = shown(cards.image(png(3000, 1500), alt_text="wide"))
    assert large.size == (1024, 512)
    heavy_png = png(1000, 1000, noise=True)
    assert len(heavy_png) > cards.MAX_IMAGE_BYTES
    heavy = cards.fit_png(heavy_png)
    assert len(heavy) <= cards.MAX_IMAGE_BYTES and Image.open(io.BytesIO(heavy)).format == "PNG"
    jpeg = io.BytesIO()
    Image.new("RGB", (10, 10)).save(jpeg, format="JPEG")
    with pytest.raises(cards.PictureError, match="PNG"):
        cards.image(jpeg.getvalue(), alt_text="x")
    with pytest.raises(cards.PictureError):
        cards.image(b"not a picture", alt_text="x")
