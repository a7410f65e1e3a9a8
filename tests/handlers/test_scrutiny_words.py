"""The scrutiny questions in every phrasing of chat-and-workflow.md's table (and a few more),
resolved against the sample council's catalogue; and what must stay an indicator question."""

from __future__ import annotations

from datetime import date

import pytest

from scorecard.model import Comparator
from scorecard.scrutiny_words import ScrutinyPhrases, default_phrases
from scorecard.understanding import ClusterMatch, IndicatorMatch, QueryIndex, Scrutiny, ScrutinyKind

TODAY = date(2026, 11, 23)

CASES = [
    # text, kind, direction, comparator, subject (a cluster name, an indicator code or None)
    ("what got worse", ScrutinyKind.CHANGES, "declined", None, None),
    ("which indicators declined", ScrutinyKind.CHANGES, "declined", None, None),
    ("what's slipping in SEND", ScrutinyKind.CHANGES, "declined", None, "SEND"),
    ("What has got worse in Workforce?", ScrutinyKind.CHANGES, "declined", None, "Workforce"),
    ("what improved", ScrutinyKind.CHANGES, "improved", None, None),
    ("good news", ScrutinyKind.CHANGES, "improved", None, None),
    ("any good news in Education", ScrutinyKind.CHANGES, "improved", None, "Education"),
    ("what's changed since the last scorecard", ScrutinyKind.CHANGES, "changed", None, None),
    ("since last quarter", ScrutinyKind.CHANGES, "changed", None, None),
    ("how do we compare on SEND timeliness", ScrutinyKind.COMPARE, None, None, "SEND-01"),
    ("EHCP 20 weeks vs neighbours", ScrutinyKind.COMPARE, None, Comparator.STATISTICAL_NEIGHBOURS, "SEND-01"),
    ("are we better than England on CLA rate", ScrutinyKind.COMPARE, None, Comparator.ENGLAND, "CLA-01"),
    ("where are we behind England", ScrutinyKind.COMPARE, None, Comparator.ENGLAND, None),
    ("worse than neighbours", ScrutinyKind.COMPARE, None, Comparator.STATISTICAL_NEIGHBOURS, None),
    ("how do we compare", ScrutinyKind.COMPARE, None, None, None),
    ("/kpi how do we compare with the region", ScrutinyKind.COMPARE, None, Comparator.REGION, None),
    ("overview", ScrutinyKind.OVERVIEW, None, None, None),
    ("how are we doing", ScrutinyKind.OVERVIEW, None, None, None),
    ("summary", ScrutinyKind.OVERVIEW, None, None, None),
    ("overview of SEND", ScrutinyKind.OVERVIEW, None, None, "SEND"),
]


def subject_of(found: Scrutiny) -> str | None:
    if isinstance(found.subject, ClusterMatch):
        return found.subject.cluster
    if isinstance(found.subject, IndicatorMatch):
        return found.subject.indicator.code
    return None


@pytest.mark.parametrize(("text", "kind", "direction", "comparator", "subject"), CASES)
def test_each_scrutiny_phrasing_is_understood(
    sample_index: QueryIndex,
    text: str,
    kind: ScrutinyKind,
    direction: str | None,
    comparator: Comparator | None,
    subject: str | None,
) -> None:
    found = sample_index.resolve(text, today=TODAY)
    assert isinstance(found, Scrutiny), found
    assert (found.kind, found.direction, found.comparator, subject_of(found)) == (
        kind,
        direction,
        comparator,
        subject,
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [("SEND timeliness", "SEND-01"), ("CLA rate", "CLA-01"), ("placements changes", None), ("reds", None)],
)
def test_indicator_questions_stay_indicator_questions(
    sample_index: QueryIndex, text: str, code: str | None
) -> None:
    found = sample_index.resolve(text, today=TODAY)
    assert not isinstance(found, Scrutiny)
    if code is not None:
        assert isinstance(found, IndicatorMatch) and found.indicator.code == code


def test_a_subject_that_is_not_understood_is_not_a_scrutiny_question(sample_index: QueryIndex) -> None:
    assert not isinstance(sample_index.resolve("how are we doing on potholes", today=TODAY), Scrutiny)


def test_the_phrases_are_data() -> None:
    phrases = ScrutinyPhrases.from_toml('[overview]\nphrases = ["state of the nation"]\n')
    assert [group.kind for group in phrases.groups if group.phrases] == [ScrutinyKind.OVERVIEW]
    assert default_phrases().filler >= {"what", "the", "indicators"}
