"""Which indicators the member's words fit, and whether one fits clearly enough to answer.

The rule that shapes everything here (chat-and-workflow.md): a wrong indicator answered
confidently is worse than a question back. So an indicator comes back on its own only when
every meaningful word the member typed is explained by it and no other indicator comes close
(or it is the measure among its own breakdowns); otherwise a did-you-mean list; and nothing at
all unless some domain word matched. Words weigh by how rare they are across the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from scorecard.model import Unit
from scorecard.understanding.index import Document, Index, subgroups_in
from scorecard.understanding.periods_asked import RequestedPeriod
from scorecard.understanding.resolution import MAX_CHOICES, Choices, NotFound, Resolution, indicator_match

__all__ = ["Scored", "scored_answer"]

# How much each part of an indicator counts when it explains a word the member typed: its
# title and aliases fully; its cluster's name half (it says where, not which); its
# definition a little (it has the words titles leave out, like "single" assessments).
_CLUSTER_WEIGHT = 0.5
_WEAK_FACTOR = 0.5
_DEFINITION_WEIGHT = 0.25

# Score = how much of the query the indicator explains, how much of the indicator's best
# title/alias the query covers (a short exact title beats a long one that merely contains
# the words), and a little string similarity to break ties.
_QUERY_COVER = 0.6
_FIELD_COVER = 0.3
_FUZZY = 0.1

# A clear winner: at least this score, covering at least this much of its title or an alias,
# with no qualifier the member did not say (so "number of EHCPs" is not answered with "number
# of ceased EHC plans"), and this far ahead of the runner-up.
CONFIDENT_SCORE = 0.72
CONFIDENT_FIELD_COVER = 0.35
CONFIDENT_MARGIN = 0.08
# The measure among its breakdowns (`_headline`): at least this score, no further than this
# behind the best candidate, covering at least this much of its title (LAIT's titles are long:
# "Percentage of re-referrals to children's social care within 12 months" for "re-referrals").
HEADLINE_SCORE = 0.5
# ... or this, when its title leaves a word the member typed to its definition.
HEADLINE_LOOSE_SCORE = 0.6
HEADLINE_WINDOW = 0.08
HEADLINE_FIELD_COVER = 0.15
# ... and explaining this share of the query's weight. Every word that says what is explained
# (or it is not answered), so what is left unexplained is weak: "young people" in "young people
# NEET", where LAIT's title says "16-17".
HEADLINE_SHARE = 0.45
# A lone candidate (`_dominant`): at least this score, this far ahead of the next, explaining
# this share of the query's weight.
DOMINANT_SCORE = 0.6
DOMINANT_MARGIN = 0.13
DOMINANT_SHARE = 0.6
# ... counted otherwise than asked only when nothing is counted as asked and the question says
# most of its title ("how many looked after children go missing": "% CLA who were missing").
OWN_TITLE_COVER = 0.5
# Worth offering in a did-you-mean: at least this score, and not far behind the best.
CHOICE_SCORE = 0.35
CHOICE_WINDOW = 0.3


@dataclass(frozen=True, slots=True)
class Scored:
    """One indicator's evidence for a question."""

    document: Document
    score: float
    explained: bool  # every meaningful query token is in the title, aliases or cluster
    main_share: float  # share of the query weight explained by title, aliases or cluster
    field_cover: float  # how much of its best title or alias the query covers
    field: frozenset[str]  # that best title or alias
    numbers_explained: bool  # every number the member typed is in the title, aliases or cluster
    subject_share: float  # as main_share, leaving out words about how it is counted ("number")
    # Every word it leaves unexplained is one its definition uses, or one no title in the
    # catalogue has (so the catalogue cannot be about it): "apprenticeships after GCSEs".
    loosely_explained: bool = False
    # Every number the member typed is in its title, aliases, cluster or definition ("care
    # leavers EET 19-21": the definition says aged 19 to 21).
    numbers_loosely_explained: bool = False
    # Share of the query's weight its title, aliases, cluster, definition or unit explain.
    loose_share: float = 0.0


def scored_answer(
    index: Index, tokens: list[str], requested: RequestedPeriod | None, area: str | None
) -> Resolution:
    """The indicator the canonical `tokens` clearly mean, a did-you-mean list, or not found."""
    # Sorted: the order the member typed the words in never changes the answer.
    query = sorted(set(tokens))
    scored = _score(index, query)
    if not scored:
        return NotFound()
    return _decide(index, query, scored, requested, area)


def _score(index: Index, query: list[str]) -> list[Scored]:
    """Every indicator with some evidence for the query, best first."""
    weak = index.normaliser.weak
    # Weak words ("young people", "number") help tell indicators apart but must not outweigh
    # the word that says which subject ("NEET").
    # A weak word no title has ("results") is as rare as can be, but still weak: it weighs no
    # more than the weak words titles have.
    weights = {
        t: (
            (index.idf[t] if t in index.title_words else min(index.idf.get(t, 0.0), index.weak_weight))
            * _WEAK_FACTOR
            if t in weak
            else index.idf.get(t, index.unknown_weight)
        )
        for t in query
    }
    total = sum(weights.values()) or 1.0
    meaningful = [t for t in query if t not in weak and not t[:1].isdigit()]
    numbers = [t for t in query if t[:1].isdigit()]
    # "how many", "percentage", "rate" say how it is counted, not what about.
    subject_total = sum(w for t, w in weights.items() if t not in index.measures) or total

    candidates: set[int] = set()
    for token in query:
        candidates.update(index.postings.get(token, ()))
    if not candidates or not meaningful:
        return []

    # A qualifier or subgroup the member said ("ceased", "boys") is never explained loosely.
    narrowing = index.qualifiers | frozenset().union(*index.normaliser.subgroups)
    query_text = " ".join(sorted(query))
    asked = set(query)
    scored: list[Scored] = []
    evidence_words = frozenset(meaningful)
    for number in candidates:
        document = index.documents[number]
        if document.primary.isdisjoint(evidence_words):
            continue  # no meaningful word in its title or aliases: no evidence (below)
        explained_weight = 0.0
        main_weight = 0.0
        subject_weight = 0.0
        unexplained_meaningful = False
        loose = True
        loose_weight = 0.0
        evidence = False
        unit = document.indicator.unit
        for token in query:
            weight = weights[token]
            if token in document.primary:
                explained_weight += weight
                main_weight += weight
                subject_weight += 0.0 if token in index.measures else weight
                evidence = evidence or token in meaningful
            elif token in index.measures and unit in index.measures[token]:
                # "How many" is explained by a count, "rate" by a rate or a percentage: the
                # member said how it is counted, and this one is counted that way.
                explained_weight += weight
                main_weight += weight
                loose_weight += weight
            elif token in document.cluster:
                explained_weight += _CLUSTER_WEIGHT * weight
                main_weight += weight
                subject_weight += 0.0 if token in index.measures else weight
            else:
                # A definition's words lift the score a little, but never make an answer
                # confident: definitions mention much that the indicator is not about.
                if token in document.definition:
                    explained_weight += _DEFINITION_WEIGHT * weight
                    loose_weight += weight
                if token in narrowing or (
                    token not in document.definition
                    and (token in index.title_words or token[:1].isdigit())
                    and token not in index.measures
                ):
                    loose = False
                if token in meaningful or token not in index.idf:
                    unexplained_meaningful = True
        if not evidence:
            continue
        field_cover, field = max(
            ((_field_cover(index, f, weights), f) for f in document.fields),
            key=lambda pair: (pair[0], not (index.qualifiers & (pair[1] - asked))),
        )
        similarity = max(fuzz.token_set_ratio(query_text, t) for t in document.texts) / 100
        score = _QUERY_COVER * explained_weight / total + _FIELD_COVER * field_cover + _FUZZY * similarity
        if not document.indicator.active:
            score *= 0.9  # a retired indicator only when nothing current fits as well
        scored.append(
            Scored(
                document,
                score,
                explained=not unexplained_meaningful,
                main_share=main_weight / total,
                field_cover=field_cover,
                field=field,
                numbers_explained=all(n in document.primary or n in document.cluster for n in numbers),
                subject_share=subject_weight / subject_total,
                loosely_explained=loose,
                numbers_loosely_explained=all(
                    n in document.primary or n in document.cluster or n in document.definition
                    for n in numbers
                ),
                loose_share=(loose_weight + main_weight) / total,
            )
        )
    scored.sort(key=lambda s: (-s.score, s.document.indicator.code))
    return scored


def _decide(
    index: Index,
    query: list[str],
    scored: list[Scored],
    requested: RequestedPeriod | None,
    area: str | None,
) -> Resolution:
    best = scored[0]
    runner_up = scored[1].score if len(scored) > 1 else 0.0
    if (
        best.explained
        and best.main_share >= 0.6
        and best.field_cover >= CONFIDENT_FIELD_COVER
        and not _qualified(index, best, query)
        and _counted_as_asked(index, best, query)
        and best.score >= CONFIDENT_SCORE
        and best.score - runner_up >= CONFIDENT_MARGIN
    ):
        return indicator_match(best.document.indicator, requested, area)
    headline = _headline(index, query, scored)
    if headline is not None:
        return indicator_match(headline.document.indicator, requested, area)
    if _dominant(index, query, scored):
        return indicator_match(best.document.indicator, requested, area)
    if best.score < CHOICE_SCORE or best.main_share < 0.35:
        return NotFound()
    offered = [s for s in scored if s.score >= max(CHOICE_SCORE, best.score - CHOICE_WINDOW)]
    if len(offered) == 1 and _alone(index, query, scored):
        return indicator_match(best.document.indicator, requested, area)
    return Choices(tuple(s.document.indicator for s in offered[:MAX_CHOICES]), requested, area)


def _counted_as_asked(index: Index, scored: Scored, query: list[str]) -> bool:
    """Unless the member said how it is counted ("how many", "rate"), any measure is; if they
    did, one counted that way or whose title says so ("how many EHCPs" is not a percentage)."""
    asked = [t for t in query if t in index.measures]
    if not asked:
        return True
    units = frozenset().union(*(index.measures[t] for t in asked))
    return scored.document.indicator.unit in units or any(t in scored.document.primary for t in asked)


def _counted_or_only(index: Index, query: list[str], scored: list[Scored], one: Scored) -> bool:
    """Counted as the member asked, or nothing about the same subject is: "how many looked
    after children go missing" is the percentage when the catalogue has no count of them."""
    if _counted_as_asked(index, one, query):
        return True
    return not any(
        _counted_as_asked(index, other, query) and other.subject_share >= one.subject_share - 1e-9
        for other in scored
        if other is not one
    )


def _named_subgroups_kept(index: Index, query: list[str], one: Scored) -> bool:
    """Every subgroup the member named is one the candidate is about: one it is not about ("KS2
    results for girls" when only all pupils' results exist) is a question it cannot answer."""
    asked = frozenset(query)
    named = [g for g in index.normaliser.subgroups if g <= asked]
    return all(g <= one.document.primary | one.document.cluster for g in named)


def _alone(index: Index, query: list[str], scored: list[Scored]) -> bool:
    """The only candidate a did-you-mean would offer, and it accounts for the question: every
    word it leaves unexplained is in its definition or in no title at all ("apprenticeships
    after GCSEs"), every number the member typed is its, no qualifier they did not say, their
    subgroup, and counted as they asked. A list of one is not a question worth asking."""
    best = scored[0]
    return (
        best.loosely_explained
        and best.numbers_loosely_explained
        and best.loose_share >= DOMINANT_SHARE
        and not _qualified(index, best, query)
        and _named_subgroups_kept(index, query, best)
        and _counted_or_only(index, query, scored, best)
    )


def _dominant(index: Index, query: list[str], scored: list[Scored]) -> bool:
    """One candidate far ahead of every other, explaining most of what the member said, with
    no qualifier or number they did not say: "SDQ scores for CLA" is the emotional health of
    children looked after, though "scores" is in no title."""
    best = scored[0]
    runner_up = scored[1].score if len(scored) > 1 else 0.0
    return (
        _named_subgroups_kept(index, query, best)
        and best.score >= DOMINANT_SCORE
        and best.score - runner_up >= DOMINANT_MARGIN
        and best.main_share >= DOMINANT_SHARE
        and best.numbers_explained
        and not _qualified(index, best, query)
        and (
            _counted_as_asked(index, best, query)
            or (best.field_cover >= OWN_TITLE_COVER and _counted_or_only(index, query, scored, best))
        )
    )


def _qualified(index: Index, scored: Scored, query: list[str]) -> bool:
    """Whether the title or alias the query matched best has a qualifier the member did not
    say ("ceased EHC plans" for "EHC plans"). An alias without it is the catalogue saying the
    plain words mean this indicator ("EHCP 20 weeks" for "... (excluding exceptions)")."""
    return bool(index.qualifiers & (scored.field - set(query)))


def _headline(
    index: Index, query: list[str], scored: list[Scored], *, as_counted: bool = True
) -> Scored | None:
    """The one indicator meant when the close candidates are a measure and its breakdowns.

    "permanent exclusions" is close to total, primary, secondary and special permanent
    exclusions; a member who names no subgroup means the total. So among the close candidates
    (those a did-you-mean would offer), set apart each that:
    - leaves a word the member typed unexplained, a number included (9-5 is not 9-4);
    - has a qualifier the member did not say ("severe", "not known", "non-disadvantaged");
    - is about a subgroup the member did not name ("primary", "disadvantaged", "CLA", a
      "Children in Need" cluster), unless every close candidate is about it;
    - is counted otherwise than asked: "how many"/"number" wants a count, "percentage" a
      percentage, "rate" a rate or percentage (ignored when nothing is counted as asked).
    What remains must be one indicator, or one whose title adds no word that each of the
    others does not add too ("Number of CLA adopted" beside "Number CLA adopted - application
    unopposed"): the others narrow it. That one, the head, is answered only if:
    - it is about no subgroup the member named only in part ("SEN" is not "SEN support");
    - a candidate set apart only by how it is counted is not about something broader than the
      head ("how many pupils on SEN support": "EBacc entries with SEN support" is a count, but
      "% of pupils with SEN support" says what was asked; then how it is counted yields);
    - no candidate negates what the head's title says and the member did not ("returned home
      not as part of care plan" beside "... as part of care plan": the member asked neither);
    - no candidate explains more of the query, and the query explains the head well.
    """
    best = scored[0]
    asked = set(query)
    close = [s for s in scored if s.score >= max(CHOICE_SCORE, best.score - CHOICE_WINDOW)]
    if not close:
        return None
    measures = [t for t in query if t in index.measures]
    units: set[Unit] = set()
    for token in measures:
        units |= index.measures[token]
    weak = index.normaliser.weak

    def strictly_complete(s: Scored) -> bool:
        return s.explained and s.numbers_explained and not _qualified(index, s, query)

    # A title that says every word beats one whose definition merely mentions them: words
    # explained loosely (`Scored.loosely_explained`) count only when no title says them all.
    loose_allowed = not any(strictly_complete(s) for s in close)

    def complete_apart_from_qualifiers(s: Scored) -> bool:
        if s.explained and s.numbers_explained:
            return True
        return loose_allowed and (s.explained or s.loosely_explained) and s.numbers_loosely_explained

    def complete(s: Scored) -> bool:
        return complete_apart_from_qualifiers(s) and not _qualified(index, s, query)

    def counted_as_asked(s: Scored) -> bool:
        return s.document.indicator.unit in units or any(t in s.document.primary for t in measures)

    if not as_counted or (units and not any(counted_as_asked(s) for s in close)):
        units = set()  # "how many children are in care", and only a rate to answer with

    def unnamed(s: Scored) -> frozenset[frozenset[str]]:
        # Subgroups the member said no word of: "CP" touches "CP plan", so CP plans stay. When
        # the member named a subgroup the title names ("care leavers"), its cluster's subgroup
        # ("Children Looked After") is where it is filed, not another subgroup.
        groups = s.document.subgroups
        own = subgroups_in(s.document.primary, index.normaliser)
        if any(g & asked for g in own):
            groups = own
        return frozenset(g for g in groups if not g & asked)

    def words(s: Scored) -> frozenset[str]:
        """The words its title adds to the query that say what (not weak ones; numbers too:
        "Leaving Care 2 & 4" is a table of its own)."""
        return frozenset(t for t in s.field - asked if t not in weak)

    def weak_words(s: Scored) -> frozenset[str]:
        return frozenset(t for t in s.field - asked if t in weak)

    def named_words(s: Scored) -> frozenset[str]:
        # Once the member said how it is counted ("how many care leavers"), numbers they did
        # not type are a table's ("Leaving Care 2 & 4"): they make a title neither narrower nor
        # broader. Without it, "care leavers" is the count or one of their percentages: asked.
        if not units:
            return words(s)
        return frozenset(t for t in words(s) if not t[:1].isdigit())

    def narrower(other: Scored, head: Scored) -> bool:
        # "Total Pupils with one or more suspensions" adds only weak words to "Total Suspensions".
        return named_words(head) < named_words(other) or (
            named_words(head) == named_words(other) and weak_words(head) < weak_words(other)
        )

    # Subgroups every candidate is about (qualified ones aside: "Adoption (finance)" is not
    # among "CLA adopted" and its breakdowns) are the member's, named or not.
    unqualified = [s for s in close if not _qualified(index, s, query)] or close
    shared = frozenset.intersection(*(unnamed(s) for s in unqualified))
    plain = [
        s for s in close if complete(s) and not (unnamed(s) - shared) and (not units or counted_as_asked(s))
    ]
    heads = [h for h in plain if all(narrower(o, h) for o in plain if o is not h)]
    if not heads:
        # None narrows the others ("Long Term Placement Stability (%)" beside its "(Num)"): the
        # council's own scorecard says which one it reports, when it names just one of them.
        heads = [h for h in plain if h.document.indicator.on_scorecard]
        if len(heads) == len(plain):
            return None
    if len(heads) != 1:
        return None
    head = heads[0]
    if any(g & asked and not g <= asked for g in head.document.subgroups):
        return None
    for other in close:
        if other in plain or not complete_apart_from_qualifiers(other):
            continue
        if _qualified(index, other, query):
            # "not eligible for FSM" beside "eligible for FSM" when the member said "FSM": the
            # subgroup they named is the head's, and its negation is the other's.
            named = any(g <= asked for g in head.document.subgroups)
            if (other.document.negated - asked) & head.field and not named:
                return None
            continue
        if not unnamed(other) - shared:
            # Set apart only by how it is counted ("% agency social workers" beside "Number of
            # social workers" for "how many social workers"): the member said how; unless the
            # head is the narrower subject ("EBacc entries with SEN support" beside "% of pupils
            # with SEN support" for "how many pupils on SEN support").
            if named_words(other) < named_words(head):
                # The count is of something narrower: what it is about outweighs how the
                # member said it is counted ("how many pupils on SEN support" is the share).
                return _headline(index, query, scored, as_counted=False) if as_counted else None
            continue
        # Otherwise it is about a subgroup the member did not name: a breakdown, wherever LAIT
        # files it ("CLA Key Stage 2 - Expected Std Reading" beside "KS2 - Expected standard
        # Reading - All Pupils"; "KS4 Attainment 8 - disadvantaged pupils").
    # Near the best of those not set apart by a qualifier or a subgroup the member did not name:
    # "CIN absence" is the overall absence, however well "CIN persistent absentees" scores.
    rivals = [s for s in close if s is head or not (_qualified(index, s, query) or unnamed(s) - shared)]
    if (
        all(
            # When how it is counted yielded, it does not count in the comparison either.
            (s.main_share <= head.main_share + 1e-9)
            if as_counted
            else (s.subject_share <= head.subject_share + 1e-9)
            for s in close
            if _named_subgroups_kept(index, query, s)
        )
        and head.score >= (HEADLINE_SCORE if head.explained else HEADLINE_LOOSE_SCORE)
        and max(r.score for r in rivals) - head.score <= HEADLINE_WINDOW
        and head.subject_share >= HEADLINE_SHARE
        and head.field_cover >= HEADLINE_FIELD_COVER
    ):
        return head
    return None


def _field_cover(index: Index, tokens: frozenset[str], asked: Mapping[str, float]) -> float:
    """How much of one title or alias the query covers, by weight. A word of the title the
    member did not say counts at least as a middling word even when it is common across the
    catalogue: "CLA" in "CLA overall absence" is common in LAIT, but it still narrows the
    indicator to children in care, which "total absence" did not ask about."""
    covered = 0.0
    missing = 0.0
    for token in tokens:
        weight = index.idf.get(token, 0.0)
        if token in asked:
            covered += weight
        elif token in index.normaliser.weak:
            missing += weight
        else:
            missing += max(weight, index.unknown_weight)
    return covered / ((covered + missing) or 1.0)

