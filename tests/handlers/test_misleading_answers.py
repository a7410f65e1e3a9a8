"""Every misleading answer issue 12 lists, each asked again the way it was first asked.

Resolution is checked over DfE LAIT's catalogue as loaded for Rotherham (the catalogue the
questions were first asked of) with the index /kpi builds; answers through the real /kpi
handler over stores loaded with `kpibot load-lait` (Southwark) and the sample council.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import typer
from real_councils import Council
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bot.commands.ask import answer_text
from bot.runtime import open_runtime
from bot.settings import Settings
from handlers import kpi
from handlers.reply import Request
from scorecard.glossary import BUILTIN_GLOSSARY, GLOSSARY_ALIASES, lookup
from scorecard.model import Indicator, Viewer
from scorecard.understanding import (
    Choices,
    ClusterMatch,
    GlossaryMatch,
    IndicatorMatch,
    QueryIndex,
    Resolution,
)

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
TERMS = [entry.term for entry in BUILTIN_GLOSSARY] + list(GLOSSARY_ALIASES)


@pytest.fixture(scope="module")
def index(lait_catalogue: list[Indicator]) -> QueryIndex:
    return kpi.build_index(lait_catalogue, wards=["Marsh End", "Hollins Green"])


def resolve(index: QueryIndex, text: str) -> Resolution:
    return index.resolve(text, glossary_terms=TERMS, today=TODAY)


def codes(meant: Resolution) -> list[str]:
    if isinstance(meant, IndicatorMatch):
        return [meant.indicator.code]
    return [i.code for i in meant.candidates] if isinstance(meant, Choices) else []


@pytest.mark.lait
def test_referrals_to_social_care_is_not_the_referrals_closed_with_no_further_action(
    index: QueryIndex,
) -> None:
    meant = resolve(index, "referrals to social care")
    assert not (isinstance(meant, IndicatorMatch) and meant.indicator.code == "CIN_Refferals_NFA")
    assert {"CPP_Total_NumRef", "CPP_Total_Rateper10,000"} <= set(codes(meant))
    assert codes(resolve(index, "referrals closed with no further action")) == ["CIN_Refferals_NFA"]


@pytest.mark.lait
def test_an_exact_indicator_code_beats_a_cluster(index: QueryIndex) -> None:
    meant = resolve(index, "LAC")
    assert isinstance(meant, IndicatorMatch) and meant.indicator.code == "LAC"
    meant = resolve(index, "CIN")
    assert isinstance(meant, IndicatorMatch) and meant.indicator.code == "CIN"
    # The cluster's initials and its name are still the cluster.
    assert resolve(index, "CLA") == ClusterMatch("Children Looked After")
    assert resolve(index, "looked after children") == ClusterMatch("Children Looked After")


@pytest.mark.lait
@pytest.mark.parametrize(
    ("text", "headline"),
    [
        ("attainment 8", "AVG_Attain8_Score"),
        ("school readiness", "FSP_NEW_GOODDEV"),
        ("how many children in care do we have", "LACnum"),
        ("how many children in care", "LACnum"),
        ("CLA rate", "LAC"),
    ],
)
def test_the_headline_measure_comes_before_its_breakdowns(
    index: QueryIndex, text: str, headline: str
) -> None:
    meant = resolve(index, text)
    assert isinstance(meant, IndicatorMatch), meant
    assert meant.indicator.code == headline


@pytest.mark.lait
@pytest.mark.parametrize("text", ["how many children have an EHCP", "number of EHCPs"])
def test_how_many_ehcps_offers_the_ehc_plans_not_child_protection_plans(index: QueryIndex, text: str) -> None:
    meant = resolve(index, text)
    found = codes(meant)
    assert "SEN_CASES_JAN" in found
    assert "CPP_Num" not in found
    assert not isinstance(meant, IndicatorMatch) or meant.indicator.code.startswith("SEN_CASES")


@pytest.mark.lait
@pytest.mark.parametrize(
    "text",
    ["CLA rate in Leeds", "CLA rate Leeds City Council", "Leeds CLA rate", "CLA rate for Kingston upon Hull"],
)
def test_the_councils_own_name_is_not_part_of_the_indicator(index: QueryIndex, text: str) -> None:
    meant = resolve(index, text)
    assert isinstance(meant, IndicatorMatch) and meant.indicator.code == "LAC" and meant.area is None


@pytest.mark.lait
def test_a_council_name_that_is_also_a_word_is_a_place_only_after_in(index: QueryIndex) -> None:
    # Reading is a council; "KS2 reading" is the reading results.
    assert codes(resolve(index, "KS2 reading")) == codes(resolve(index, "KS2 reading in Reading"))
    assert "KS2R_Expected_STD" in codes(resolve(index, "KS2 reading"))


@pytest.mark.lait
@pytest.mark.parametrize(
    "text", ["referrals in Marsh End", "CLA rate in marsh end", "CLA rate Hollins Green"]
)
def test_a_ward_named_without_the_word_ward_is_the_ward(index: QueryIndex, text: str) -> None:
    meant = resolve(index, text)
    assert getattr(meant, "area", None) in ("Marsh End", "Hollins Green")


@pytest.mark.lait
@pytest.mark.parametrize(
    "text", ["CLA rate last month", "CLA rate Q2", "CLA rate last quarter", "CLA rate 2026/27"]
)
def test_a_period_with_no_figure_yet_answers_with_the_latest_figure_and_says_which(
    real_councils: dict[str, Council], text: str
) -> None:
    council = real_councils["Southwark"]
    with Session(council.engine) as session:
        reply = kpi.answer(Request(text=text, viewer=Viewer("member"), now=NOW), session)
    data = reply.as_json()
    assert data["kind"] == "indicator" and data["code"] == "LAC"
    assert data["value"] is not None, "never a blank card"
    assert data["period"] == "2024/25"  # LAIT's latest
    assert "2024/25" in data["note"] and "no figure" in data["note"]
    assert reply.notes[0] == data["note"]


@pytest.mark.lait
def test_a_cluster_for_a_period_with_no_figures_yet_shows_the_latest_not_rows_of_blanks(
    real_councils: dict[str, Council],
) -> None:
    council = real_councils["Southwark"]
    with Session(council.engine) as session:
        reply = kpi.answer(Request(text="CLA last quarter", viewer=Viewer("member"), now=NOW), session)
    data = reply.as_json()
    assert data["kind"] == "cluster"
    values = [line["value"] for line in data["indicators"]]
    assert sum(v is not None for v in values) > len(values) / 2
    assert "latest figure" in data["note"]


# Questions that leave one indicator close but not clearly meant (a word no title has).
ONE_CANDIDATE = [
    "phonics pass rate fsm",
    "breastfeeding at 6-8 weeks",
    "ks4 destinations",
    "school places shortfall",
]


@pytest.mark.lait
def test_a_did_you_mean_of_one_is_a_question_in_the_singular(real_councils: dict[str, Council]) -> None:
    council = real_councils["Southwark"]
    single = [
        t
        for t in ONE_CANDIDATE
        if (m := council.resolve(t)) and isinstance(m, Choices) and len(m.candidates) == 1
    ]
    assert single, "one of these should leave a single candidate"
    with Session(council.engine) as session:
        reply = kpi.answer(Request(text=single[0], viewer=Viewer("member"), now=NOW), session)
    assert reply.heading.startswith("Did you mean ") and reply.heading.endswith("?")
    assert "one of these" not in reply.heading and "More than one" not in reply.summary
    assert len(reply.actions) == 1


def test_a_did_you_mean_list_has_at_least_two_choices_and_says_so() -> None:
    from handlers.replies import choices_reply

    two = [Indicator("A-1", "One", "C", *_plain()), Indicator("A-2", "Two", "C", *_plain())]
    assert len(choices_reply("x", two).actions) == 2
    one = kpi.one_choice_reply("x", two[0])
    assert one.heading == "Did you mean One?"


def _plain() -> tuple[object, ...]:
    from scorecard.model import Polarity, Unit
    from scorecard.periods import Frequency

    return (Polarity.HIGH, Unit.PERCENT, Frequency.ANNUAL)


@pytest.mark.lait
@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("what's a statistical neighbour", "Statistical neighbours"),
        ("what is a stat neighbour", "Statistical neighbours"),
        ("what is amber", "Amber"),
        ("amber?", "Amber"),
        ("what does polarity mean", "Polarity"),
        ("polarity", "Polarity"),
        ("what is SN", "SN"),
        ("what does the arrow mean", "DOT"),
        ("direction of travel?", "DOT"),
        ("whats YTD", "YTD"),
        ("what does RAG stand for", "RAG"),
        ("whats amber mean", "Amber"),
        ("what's DOT stand for", "DOT"),
    ],
)
def test_glossary_answers_in_every_phrasing(index: QueryIndex, text: str, term: str) -> None:
    meant = resolve(index, text)
    assert isinstance(meant, GlossaryMatch), meant
    entry = lookup(BUILTIN_GLOSSARY, meant.term)
    assert entry is not None and entry.term == term


@pytest.mark.lait
def test_a_question_about_an_indicator_is_not_taken_for_a_glossary_term(index: QueryIndex) -> None:
    assert isinstance(resolve(index, "what is the CLA rate"), IndicatorMatch)
    assert not isinstance(resolve(index, "CLA?"), GlossaryMatch)


def test_the_console_understands_slack_commands(sample_store_url: str) -> None:
    runtime = open_runtime(Settings(database_url=sample_store_url))
    try:
        scorecard = answer_text(runtime, "/scorecard", "console-member").as_json()
        assert scorecard["kind"] == "scorecard", scorecard
        concern = answer_text(runtime, "/concern SEND timeliness keeps slipping", "console-member").as_json()
        assert concern["kind"] == "concern" and concern["code"] == "SEND-01", concern
        assert "kpibot concerns raise" in concern["command"]
        listing = answer_text(runtime, "/concern list", "console-member").as_json()
        assert listing["kind"] == "concern", listing
        kpi_reply = answer_text(runtime, "/kpi SEND timeliness", "console-member").as_json()
        assert kpi_reply["kind"] == "indicator"
    finally:
        runtime.engine.dispose()


def test_an_unknown_indicator_code_for_a_concern_is_refused_not_made_general(sample_store_url: str) -> None:
    from bot.commands.concerns import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    args = ["--as", "U0DEMOMEMB1", "--database-url", sample_store_url]
    refused = runner.invoke(app, ["concerns", "raise", "--indicator", "WF-99", "figures look wrong", *args])
    assert refused.exit_code == 1
    assert "There is no indicator WF-99" in refused.output
    listed = runner.invoke(
        app, ["concerns", "list", "--json", "--as", "U0DEMOMEMB1", "--database-url", sample_store_url]
    )
    assert "WF-99" not in listed.output and "figures look wrong" not in listed.output
    # A known code still works, and no code is the scorecard in general.
    assert (
        runner.invoke(app, ["concerns", "raise", "--indicator", "SEND-01", "slipping", *args]).exit_code == 0
    )
    assert runner.invoke(app, ["concerns", "raise", "general worry", *args]).exit_code == 0
