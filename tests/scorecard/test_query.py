"""Query understanding on a small hand-made catalogue: periods, typos, acronyms, codes, scope."""

from __future__ import annotations

import dataclasses
from datetime import date
from importlib import resources

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scorecard.model import Indicator, Polarity, Unit
from scorecard.periods import Frequency, YearBasis
from scorecard.understanding import (
    DEFAULT_VOCABULARY_FILE,
    Choices,
    ClusterMatch,
    Command,
    CommandName,
    GlossaryMatch,
    IndicatorMatch,
    NotFound,
    PeriodKind,
    QueryIndex,
    RequestedPeriod,
    Resolution,
    Scrutiny,
    Vocabulary,
    VocabularyError,
    extract_period,
    resolve,
)

TODAY = date(2024, 11, 15)


def read_vocabulary() -> Vocabulary:
    """The vocabulary shipped with the package, read as the handlers read it."""
    text = resources.files("scorecard").joinpath(DEFAULT_VOCABULARY_FILE).read_text(encoding="utf-8")
    return Vocabulary.from_toml(text)


VOCABULARY = read_vocabulary()


def indicator(code: str, title: str, cluster: str, *aliases: str, **kwargs: object) -> Indicator:
    return Indicator(
        code=code,
        title=title,
        cluster=cluster,
        polarity=Polarity.HIGH,
        unit=kwargs.get("unit", Unit.PERCENT),  # type: ignore[arg-type]
        frequency=kwargs.get("frequency", Frequency.MONTHLY),  # type: ignore[arg-type]
        year_basis=kwargs.get("year_basis", YearBasis.FINANCIAL),  # type: ignore[arg-type]
        aliases=aliases,
        on_scorecard=kwargs.get("on_scorecard", True),  # type: ignore[arg-type]
    )


CATALOGUE = [
    indicator(
        "SEND-01", "New EHC plans issued within 20 weeks (excluding exceptions)", "SEND", "SEND timeliness"
    ),
    indicator("SEND-02", "Children and young people with an EHC plan", "SEND", "EHCP numbers"),
    indicator("CLA-01", "Children looked after (rate per 10,000 children)", "Corporate parenting"),
    indicator("CLA-02", "Children looked after with three or more placements", "Corporate parenting"),
    indicator("CLA-03", "Children looked after in foster placements", "Corporate parenting"),
    indicator(
        "SCH-02",
        "Pupils who are persistently absent",
        "Schools",
        frequency=Frequency.ANNUAL,
        year_basis=YearBasis.ACADEMIC,
    ),
    indicator("WF-04", "Social worker turnover", "Workforce", frequency=Frequency.QUARTERLY),
]
INDEX = QueryIndex.build(CATALOGUE, VOCABULARY)


def ask(text: str) -> Resolution:
    return INDEX.resolve(text, glossary_terms=("RAG", "DOT"), today=TODAY)


def code_of(meant: Resolution) -> str:
    assert isinstance(meant, IndicatorMatch), meant
    return meant.indicator.code


# --- periods -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("EHCP 20 weeks 2023/24", "2023/24"),
        ("EHCP 20 weeks 2023-24", "2023/24"),
        ("ehcp 23/24", "2023/24"),
        ("2024/25 Q2 turnover", "2024/25 Q2"),
        ("turnover Q2 2024/25", "2024/25 Q2"),
        ("turnover Q2", "2024/25 Q2"),  # the latest Q2 ended by 15 November 2024
        ("turnover Q3", "2023/24 Q3"),  # 2024/25 Q3 has not ended yet
        ("neet March 2024", "March 2024"),
        ("neet Mar 24", "March 2024"),
        ("neet 2024-03", "March 2024"),
        ("neet last month", "October 2024"),
        ("neet last quarter", "2024/25 Q2"),
        ("absence 2024", "2024"),
        ("neet December", "December 2023"),
    ],
)
def test_a_period_anywhere_in_the_text_is_found(text: str, label: str) -> None:
    requested, _ = extract_period(text, TODAY)
    assert requested is not None
    assert requested.label == label


def test_the_period_is_taken_out_before_the_indicator_is_matched() -> None:
    requested, rest = extract_period("SEND timeliness 2023/24", TODAY)
    assert requested == RequestedPeriod(PeriodKind.YEAR, 2023, text="2023/24")
    assert rest.split() == ["SEND", "timeliness"]


def test_may_on_its_own_is_not_a_month() -> None:
    assert extract_period("may I see the CLA rate", TODAY)[0] is None


def test_a_year_becomes_the_last_month_of_that_financial_year_for_a_monthly_indicator() -> None:
    meant = ask("SEND timeliness 2023/24")
    assert code_of(meant) == "SEND-01"
    assert isinstance(meant, IndicatorMatch) and meant.period is not None
    assert meant.period.label == "March 2024"


def test_a_year_is_an_academic_year_for_an_academic_indicator() -> None:
    meant = ask("persistent absence 2023/24")
    assert isinstance(meant, IndicatorMatch) and meant.period is not None
    assert meant.period.label == "2023/24"
    assert meant.period.end == date(2024, 8, 31)


def test_last_year_depends_on_the_indicators_year_basis() -> None:
    meant = ask("persistent absence last year")
    assert isinstance(meant, IndicatorMatch) and meant.period is not None
    assert meant.period.end == date(2024, 8, 31)  # academic 2023/24, the year before 2024/25


def test_a_month_inside_an_annual_indicators_year_is_that_year() -> None:
    meant = ask("persistent absence March 2024")
    assert isinstance(meant, IndicatorMatch) and meant.period is not None
    assert meant.period.label == "2023/24"


def test_a_quarter_for_a_quarterly_indicator_is_that_quarter() -> None:
    meant = ask("SW turnover 2024/25 Q1")
    assert isinstance(meant, IndicatorMatch) and meant.period is not None
    assert meant.period.label == "2024/25 Q1"


# --- what members type -----------------------------------------------------------------------


def test_an_alias_is_answered_outright() -> None:
    assert code_of(ask("/kpi SEND timeliness")) == "SEND-01"


def test_acronyms_meet_their_expansions() -> None:
    assert code_of(ask("LAC rate")) == "CLA-01"
    assert code_of(ask("children in care rate")) == "CLA-01"
    assert code_of(ask("kids in care rate")) == "CLA-01"


def test_a_typo_is_forgiven() -> None:
    assert code_of(ask("socail worker turnovr")) == "WF-04"
    assert code_of(ask("persistant absense")) == "SCH-02"


def test_word_order_does_not_matter() -> None:
    assert code_of(ask("turnover social worker")) == "WF-04"


def test_an_indicator_code_is_answered_whatever_its_spelling() -> None:
    assert code_of(ask("SEND-01")) == "SEND-01"
    assert code_of(ask("send 01")) == "SEND-01"
    assert code_of(ask("show me wf-04 2024/25 Q1")) == "WF-04"


def test_a_cluster_name_alone_is_the_cluster() -> None:
    assert ask("/kpi SEND") == ClusterMatch("SEND")
    meant = ask("Workforce 2024/25 Q1")
    assert isinstance(meant, ClusterMatch) and meant.period is not None
    assert meant.cluster == "Workforce" and meant.period.label == "2024/25 Q1"


def test_a_ward_is_taken_out_and_returned_as_the_area() -> None:
    meant = ask("/kpi CLA rate ward hollins green")
    assert code_of(meant) == "CLA-01"
    assert isinstance(meant, IndicatorMatch) and meant.area == "Hollins Green"


def test_several_close_indicators_are_offered_best_first_not_guessed() -> None:
    meant = ask("looked after children placements")
    assert isinstance(meant, Choices)
    assert {i.code for i in meant.candidates} == {"CLA-02", "CLA-03"}
    assert len(meant.candidates) <= 5


def test_the_measure_is_answered_before_its_narrower_versions() -> None:
    # "with three or more placements" and "in foster placements" narrow "children looked after".
    assert code_of(ask("looked after children")) == "CLA-01"


def test_commands_and_the_glossary() -> None:
    assert ask("/kpi") == Command(CommandName.HELP)
    assert ask("help") == Command(CommandName.HELP)
    assert ask("clusters") == Command(CommandName.CLUSTERS)
    assert ask("show me the reds") == Command(CommandName.REDS)
    assert ask("glossary") == Command(CommandName.GLOSSARY)
    assert ask("glossary dot") == GlossaryMatch("DOT")
    assert ask("what does RAG mean?") == GlossaryMatch("RAG")
    assert isinstance(ask("glossary potato"), NotFound)


# --- what the bot must never do -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "potholes",
        "how are we doing on potholes",
        "council tax",
        "bin collections",
        "weather",
        "what's the weather like in schools",
        # "how are we doing" alone is the overview (chat-and-workflow.md, Scrutiny questions).
        "the",
        "2023/24",
        "who is the leader of the council",
    ],
)
def test_out_of_scope_or_empty_questions_never_return_an_indicator(text: str) -> None:
    assert isinstance(ask(text), NotFound)


def test_stopwords_never_count_as_evidence() -> None:
    assert isinstance(ask("what have we got on our show me what is"), NotFound)


def test_the_not_found_hint_suggests_clusters() -> None:
    meant = ask("potholes")
    assert isinstance(meant, NotFound)
    assert "/kpi clusters" in meant.hint


# --- the vocabulary is data ------------------------------------------------------------------


def test_a_vocabulary_entry_changes_what_is_understood() -> None:
    extra = Vocabulary.from_toml('[synonyms]\nturnover = ["churn"]\n')
    index = QueryIndex.build(CATALOGUE, extra)
    meant = index.resolve("social worker churn", today=TODAY)
    assert isinstance(meant, IndicatorMatch) and meant.indicator.code == "WF-04"


def test_a_malformed_vocabulary_is_refused_with_the_key_named() -> None:
    with pytest.raises(VocabularyError, match=r"acronyms\.cla"):
        Vocabulary.from_toml('[acronyms]\ncla = "lac"\n')
    with pytest.raises(VocabularyError, match="unknown command"):
        Vocabulary.from_toml('[commands]\ndance = ["dance"]\n')


def test_resolve_builds_and_reuses_an_index_when_none_is_given() -> None:
    meant = resolve("SEND timeliness", CATALOGUE, vocabulary=VOCABULARY, today=TODAY)
    assert isinstance(meant, IndicatorMatch) and meant.indicator.code == "SEND-01"


# --- a measure and its breakdowns --------------------------------------------------------------

# As DfE LAIT has them: a total beside its primary, secondary and subgroup versions, a count
# beside a percentage, and two opposite halves of one measure.
BREAKDOWNS = [
    *CATALOGUE,
    indicator("EX-01", "Total permanent exclusions", "Absence and exclusions"),
    indicator("EX-02", "Primary permanent exclusions", "Absence and exclusions"),
    indicator("EX-03", "Secondary permanent exclusions", "Absence and exclusions"),
    indicator("EX-04", "Total suspensions", "Absence and exclusions"),
    indicator("EX-05", "Primary suspensions", "Absence and exclusions"),
    indicator("CIN-01", "% with at least one permanent exclusion", "Children in Need"),
    indicator("EY-01", "Foundation stage - % achieving a good level of development", "Early years"),
    indicator("EY-02", "Foundation stage - % achieving a good level of development - FSM", "Early years"),
    indicator("EY-03", "Foundation stage - % achieving a good level of development - non FSM", "Early years"),
    indicator("AD-01", "Number of children adopted", "Adoption", unit=Unit.COUNT),
    indicator("AD-02", "Percentage of children adopted", "Adoption"),
    indicator("RH-01", "Children who returned home as part of their care plan", "Corporate parenting"),
    indicator("RH-02", "Children who returned home not as part of their care plan", "Corporate parenting"),
    indicator("LV-01", "Leaving care support (finance)", "Finance"),
    indicator("CL-01", "Care leavers in education, employment or training", "Children Looked After"),
    indicator("CL-02", "Care leavers in suitable accommodation", "Children Looked After"),
]
BREAKDOWN_INDEX = QueryIndex.build(BREAKDOWNS, VOCABULARY)


def ask_breakdowns(text: str) -> Resolution:
    return BREAKDOWN_INDEX.resolve(text, glossary_terms=("RAG", "DOT"), today=TODAY)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("permanent exclusions", "EX-01"),
        ("primary permanent exclusions", "EX-02"),
        ("suspensions", "EX-04"),
        ("primary suspensions", "EX-05"),
        ("GLD", "EY-01"),
        ("GLD FSM", "EY-02"),
        ("GLD non FSM", "EY-03"),
        ("number of children adopted", "AD-01"),
        ("how many children were adopted", "AD-01"),
        ("percentage of children adopted", "AD-02"),
    ],
)
def test_the_headline_measure_unless_a_subgroup_or_a_way_of_counting_is_named(text: str, code: str) -> None:
    assert code_of(ask_breakdowns(text)) == code


# A measure published both as a count and as a percentage, with only the percentage on the
# council's scorecard (as LAIT's "Long Term Placement Stability (%)" beside its "(Num)").
ON_THE_SCORECARD = [
    *CATALOGUE,
    indicator("PS-01", "Long term placement stability (%)", "Children Looked After"),
    indicator(
        "PS-02",
        "Long term placement stability (Num)",
        "Children Looked After",
        unit=Unit.COUNT,
        on_scorecard=False,
    ),
]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("placement stability", "PS-01"),  # not said how it is counted: the one the council reports
        ("how many children are in long term stable placements", "PS-02"),  # said: the count
        ("number of children in a stable placement", "PS-02"),
    ],
)
def test_the_scorecard_says_which_of_a_count_and_a_percentage_is_the_headline(text: str, code: str) -> None:
    index = QueryIndex.build(ON_THE_SCORECARD, VOCABULARY)
    assert code_of(index.resolve(text, today=TODAY)) == code


def test_a_count_and_a_percentage_both_on_the_scorecard_are_asked_back() -> None:
    both = [i if i.code != "PS-02" else dataclasses.replace(i, on_scorecard=True) for i in ON_THE_SCORECARD]
    meant = QueryIndex.build(both, VOCABULARY).resolve("placement stability", today=TODAY)
    assert isinstance(meant, Choices) and {i.code for i in meant.candidates} >= {"PS-01", "PS-02"}


@pytest.mark.parametrize(
    "text",
    [
        "girls permanent exclusions",  # no such breakdown: not the total either
        "children adopted",  # a count or a percentage: not said
        "returned home",  # as part of the care plan or not: not said
        "care leavers",  # not the finance line because the others are about children in care
    ],
)
def test_no_headline_is_guessed(text: str) -> None:
    assert isinstance(ask_breakdowns(text), Choices | NotFound)


# --- invariants, over many generated queries -------------------------------------------------

# Words members might type, from the catalogue and the vocabulary, with periods, wards and chat.
WORDS = sorted(
    {w for i in BREAKDOWNS for text in (i.title, *i.aliases, i.cluster) for w in text.split()}
    | {w for spelling, canonical in VOCABULARY.rules for w in f"{spelling} {canonical}".split()}
    | set(VOCABULARY.stopwords[:40])
    | {"2023/24", "Q2", "last", "year", "March", "ward", "Hollins", "/kpi", "glossary", "%", "#", "?"}
)
# Realistic queries, without a ward (a ward's name is free text, so any word can be one).
QUERIES = [
    *(i.title for i in BREAKDOWNS),
    *(a for i in BREAKDOWNS for a in i.aliases),
    *(i.code for i in BREAKDOWNS),
    "SEND timeliness 2023/24",
    "LAC rate",
    "kids in care rate",
    "socail worker turnovr",
    "permanent exclusions",
    "GLD FSM",
    "number of children adopted",
    "how are we doing on persistent absence",
]


@given(st.text(max_size=120))
def test_resolving_never_raises_on_any_text(text: str) -> None:
    assert isinstance(
        ask_breakdowns(text),
        IndicatorMatch | Choices | ClusterMatch | GlossaryMatch | Command | NotFound | Scrutiny,
    )


@given(st.lists(st.sampled_from(WORDS), max_size=12))
def test_resolving_never_raises_on_any_mix_of_known_words(words: list[str]) -> None:
    text = " ".join(words)
    assert isinstance(
        ask_breakdowns(text),
        IndicatorMatch | Choices | ClusterMatch | GlossaryMatch | Command | NotFound | Scrutiny,
    )


@given(
    query=st.sampled_from(QUERIES),
    word=st.sampled_from(VOCABULARY.out_of_scope),
    position=st.integers(min_value=0, max_value=12),
)
def test_an_out_of_scope_word_in_any_query_never_gets_an_indicator(
    query: str, word: str, position: int
) -> None:
    words = query.split()
    words.insert(min(position, len(words)), word)
    assert not isinstance(ask_breakdowns(" ".join(words)), IndicatorMatch)


codes = st.from_regex(r"[A-Z][A-Za-z]{1,5}[-_ ]?[0-9]{1,3}", fullmatch=True)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        codes, min_size=1, max_size=6, unique_by=lambda c: "".join(ch for ch in c.lower() if ch.isalnum())
    ),
    st.data(),
)
def test_an_exact_indicator_code_is_always_that_indicator(chosen: list[str], data: st.DataObject) -> None:
    titles = [i.title for i in BREAKDOWNS]
    catalogue = [
        indicator(code, titles[n % len(titles)], BREAKDOWNS[n % len(titles)].cluster)
        for n, code in enumerate(chosen)
    ]
    index = QueryIndex.build(catalogue, VOCABULARY)
    code = data.draw(st.sampled_from(chosen))
    for typed in (code, code.lower(), f"/kpi {code}", f" {code.upper()} "):
        meant = index.resolve(typed, today=TODAY)
        assert isinstance(meant, IndicatorMatch), (typed, meant)
        assert meant.indicator.code == code


@given(st.data())
def test_the_order_of_a_titles_words_never_changes_the_answer(data: st.DataObject) -> None:
    titled = [i for i in BREAKDOWNS if len(i.title.split()) > 1]
    chosen = data.draw(st.sampled_from(titled))
    words = chosen.title.split()
    shuffled = data.draw(st.permutations(words))
    normaliser = BREAKDOWN_INDEX.normaliser
    # Phrases are read in order ("looked after" is children in care, "after looked" is not):
    # the claim is about the words once understood.
    assume(set(normaliser.tokens(" ".join(shuffled))) == set(normaliser.tokens(chosen.title)))
    assert ask_breakdowns(" ".join(shuffled)) == ask_breakdowns(chosen.title)


# --- issue 12, second pass: evidence weighed as real councils' catalogues need it ------------

DESTINATION = "% KS4 going to or remaining in education/employment"
SECOND_PASS = [
    indicator("KD-01", f"{DESTINATION} - Apprenticeships", "Key Stage 4"),
    indicator("KD-02", f"{DESTINATION} - FE college", "Key Stage 4"),
    indicator("FP-01", "Number of foster places filled", "Fostering", unit=Unit.COUNT),
    indicator("AB-01", "Total school absence", "Absence"),
    indicator("SS-01", "English Baccalaureate with SEN Support - Entries", "SEN", unit=Unit.COUNT),
    indicator("SS-02", "% of Pupils with SEN Support (All Schools)", "SEN"),
    indicator("AD-11", "Number of CLA adopted", "Adoption", unit=Unit.COUNT),
    indicator("AD-12", "% of CLA adopted", "Adoption"),
    indicator("AD-13", "Adoption (finance) - Gross", "Adoption", unit=Unit.GBP),
]
SECOND_PASS_INDEX = QueryIndex.build(SECOND_PASS, VOCABULARY)


def ask_second(text: str) -> Resolution:
    return SECOND_PASS_INDEX.resolve(text, today=TODAY)


def test_the_only_candidate_is_the_answer_when_it_accounts_for_the_question() -> None:
    # "after" is in no title: it cannot be what sets another indicator apart.
    assert code_of(ask_second("apprenticeships after GCSEs")) == "KD-01"


def test_the_only_candidate_is_not_the_answer_when_a_title_word_is_left_unexplained() -> None:
    # "school" is a word of another title: the foster places are not what was asked.
    assert not isinstance(ask_second("foster places shortfall at schools"), IndicatorMatch)


def test_a_count_of_something_narrower_yields_to_what_the_question_is_about() -> None:
    assert code_of(ask_second("how many pupils on SEN support")) == "SS-02"


def test_a_subject_named_in_other_words_than_its_cluster_is_its_indicators_not_the_cluster() -> None:
    meant = ask_second("adoptions")
    assert isinstance(meant, Choices)
    assert {"AD-11", "AD-12"} <= {i.code for i in meant.candidates}
    assert "AD-13" not in {i.code for i in meant.candidates[:2]}  # spending is not the adoptions
