"""What did the member mean? The order in which a question is read: commands, glossary terms,
scrutiny questions, an indicator code, a title, then period, ward and council taken out, a
cluster, a title or alias exactly, and finally scoring (ranking.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from scorecard import scrutiny_words
from scorecard.model import Indicator
from scorecard.understanding.glossary_questions import glossary_question, glossary_term
from scorecard.understanding.index import Index, code_key, command_key
from scorecard.understanding.periods_asked import MONTHS, extract_period
from scorecard.understanding.places import extract_area, take_places
from scorecard.understanding.ranking import scored_answer
from scorecard.understanding.resolution import (
    MAX_CHOICES,
    NOT_FOUND_HINT,
    Choices,
    ClusterMatch,
    Command,
    GlossaryMatch,
    IndicatorMatch,
    NotFound,
    Resolution,
    indicator_match,
)
from scorecard.understanding.vocabulary import CommandName, Vocabulary
from scorecard.understanding.words import OUT_OF_SCOPE, Normaliser, raw_words, stem

__all__ = ["QueryIndex", "resolve"]


class QueryIndex(Index):
    """An `Index` that answers questions. Built with `QueryIndex.build` (index.py) and kept by
    the caller while the catalogue is unchanged. The answering lives here, not on `Index`, so
    that building the index does not depend on the rules that read it."""

    def resolve(self, text: str, *, glossary_terms: Sequence[str] = (), today: date) -> Resolution:
        """What the member meant by `text`; see `resolve`."""
        return _resolve(self, text, tuple(glossary_terms), today)


_KPI_PREFIX = re.compile(r"^\s*/?\s*kpi\b[:,]?\s*", re.IGNORECASE)


def resolve(
    text: str,
    catalogue: Sequence[Indicator],
    *,
    vocabulary: Vocabulary,
    glossary_terms: Sequence[str] = (),
    today: date,
    index: QueryIndex | None = None,
) -> Resolution:
    """What the member meant by `text` (with or without a leading `/kpi`).

    In order: `help`/`clusters`/`reds`/`glossary` and `glossary TERM`; a period anywhere
    (`2023/24`, `Q2`, `Mar 24`, `last month`: see `extract_period`) and a ward (`ward
    Hollins Green`) are taken out; then an indicator code (`SEND-01`); a cluster's name
    (`/kpi SEND` is the SEND cluster); an indicator's title or alias exactly; a cluster's
    acronym (`CLA` in a catalogue with a "Children Looked After" cluster); and finally scoring.
    Out-of-scope subjects (`potholes`, `council tax`) are never answered with an indicator.

    Pass `index` (from `QueryIndex.build`) to reuse it; otherwise one is built and memoised
    for this catalogue and vocabulary.
    """
    if index is None:
        index = _cached_index(tuple(catalogue), vocabulary)
    return index.resolve(text, glossary_terms=glossary_terms, today=today)


def _resolve(index: Index, text: str, glossary_terms: tuple[str, ...], today: date) -> Resolution:
    message = _KPI_PREFIX.sub("", text or "").strip()
    words = raw_words(message)
    if not words:
        # `/kpi` alone, or `/kpi ?`: what the bot can do.
        return Command(CommandName.HELP)

    # A command's own words first ("what's red" is the reds), then a question about a term.
    command = index.commands.get(command_key(message, index.normaliser))
    if command is not None and words[0] != "glossary":
        return Command(command)
    glossary = glossary_question(index, message, words, glossary_terms)
    if glossary is not None:
        return glossary

    # --- Scrutiny questions (issue 13; the words are scorecard/scrutiny_words.py's): "what got
    # worse in SEND", "how do we compare on CLA rate", "how are we doing". Their subject is
    # resolved by this same function; anything else goes on to indicator matching below.
    scrutiny = scrutiny_words.recognise(
        message,
        lambda rest: _resolve(index, rest, glossary_terms, today),
        is_cluster=lambda found: isinstance(found, ClusterMatch),
        is_indicator=lambda found: isinstance(found, IndicatorMatch | Choices),
    )
    if scrutiny is not None:
        return scrutiny
    # --- end of scrutiny questions

    # A whole message that is an indicator code with a digit in it is that indicator, before
    # anything in it is read as a period (`MAR01` is not March 2001) - unless it is also a
    # cluster's name or acronym.
    if re.search(r"\d", message) and re.search(r"[a-z]", message.lower()):
        whole = index.codes.get(code_key(message))
        if (
            whole is not None
            and " ".join(sorted(words)) not in index.cluster_names
            and frozenset(index.normaliser.tokens(message)) not in index.cluster_keys
        ):
            return indicator_match(index.documents[whole].indicator, None, None)

    # A whole message that is exactly one indicator's title is that indicator, before any word
    # in it is read as a period ("September guarantee" is not last September's guarantee).
    whole_title = index.exact.get(frozenset(index.normaliser.tokens(message)), ())
    if len(whole_title) == 1 and " ".join(sorted(words)) not in index.cluster_names:
        return indicator_match(index.documents[whole_title[0]].indicator, None, None)

    requested, rest = extract_period(message, today)
    if requested is not None and requested.text.lower() in MONTHS:
        # A month named alone that is a word of some title ("September Guarantee Offers") is
        # that title's word, not a period.
        token = index.normaliser.word(requested.text.lower())
        if any(token in index.documents[n].primary for n in index.postings.get(token, ())):
            requested, rest = None, message
    area, rest = extract_area(rest)
    ward, rest = take_places(index.places, rest)
    area = area or ward
    rest_words = raw_words(rest)

    # An indicator code: the whole message, or one code-looking word in it.
    code_match = _code(index, rest, rest_words)
    tokens = index.normaliser.tokens(rest, index.corrector.correct)
    if OUT_OF_SCOPE in tokens or _names_out_of_scope(index.normaliser, rest):
        return NotFound(_out_of_scope_hint())
    key = frozenset(tokens)
    # A cluster's name, in any order ("looked after children").
    cluster_name = index.cluster_names.get(" ".join(sorted(rest_words)))
    if cluster_name is not None:
        return ClusterMatch(cluster_name, requested)
    cluster_by_key = index.cluster_keys.get(key) if key else None
    # An indicator's exact code beats a cluster (`LAC` is the code of the looked-after rate,
    # `CIN` of the children in need rate).
    if code_match is not None:
        return indicator_match(index.documents[code_match].indicator, requested, area)

    if not key:
        return NotFound(
            "Say which indicator or cluster, e.g. `/kpi SEND timeliness 2023/24`. " + NOT_FOUND_HINT
        )

    exact = index.exact.get(key, ())
    if len(exact) == 1:
        return indicator_match(index.documents[exact[0]].indicator, requested, area)
    # A cluster named by its initials ("CLA") is the cluster; named in other words ("children
    # in care") it is the cluster only when no indicator is about just that (the looked-after
    # rate and number are): then those are what the member means.
    if cluster_by_key is not None and (
        "".join(rest_words) == _initials(cluster_by_key) or not _headlines(index, key)
    ):
        return ClusterMatch(cluster_by_key, requested)
    if len(exact) > 1:
        return Choices(tuple(index.documents[n].indicator for n in exact[:MAX_CHOICES]), requested, area)

    answer = scored_answer(index, tokens, requested, area)
    if isinstance(answer, NotFound) and requested is None and area is None:
        # Not an indicator, but a term on the card ("polarity"): its glossary entry.
        term = glossary_term(message, glossary_terms, fuzzy=False)
        if term is not None:
            return GlossaryMatch(term)
    return answer


def _names_out_of_scope(normaliser: Normaliser, text: str) -> bool:
    """An out-of-scope subject in the words as typed, even where another rule took some of them
    ("EHC planning application": "EHC planning" reads as an EHC plan)."""
    stems = [stem(w) for w in raw_words(text)]
    present = set(stems)
    return any(
        tuple(stems[i : i + len(p)]) == p
        for p in normaliser.out_of_scope
        if p and p[0] in present
        for i in range(len(stems) - len(p) + 1)
    )


def _headlines(index: Index, key: frozenset[str]) -> bool:
    """Whether some indicator's title or alias says `key` and only how it is counted, and
    perhaps whom it counts ("Number of CLA adopted" for "adoptions")."""
    plain = index.normaliser.weak | set(index.measures)
    first = min(key, key=lambda t: len(index.postings.get(t, ())))
    # Whom it counts is left aside only when the member named a subject, not a group ("SEN").
    named_group = any(g <= key for g in index.normaliser.subgroups)
    for number in index.postings.get(first, ()):
        document = index.documents[number]
        whom = frozenset() if named_group else frozenset().union(*document.subgroups)
        for field in document.fields:
            if frozenset(t for t in field if t not in plain and t not in whom and not t[:1].isdigit()) == key:
                return True
    return False


def _out_of_scope_hint() -> str:
    return (
        "That is not something this bot reports on: it covers children's services indicators. "
        + NOT_FOUND_HINT
    )


def _code(index: Index, rest: str, words: list[str]) -> int | None:
    whole = index.codes.get(code_key(rest))
    if whole is not None and code_key(rest):
        return whole
    found = {
        index.codes[code_key(part)]
        for part in rest.split()
        if re.search(r"[\d_\-]", part) and len(code_key(part)) >= 3 and code_key(part) in index.codes
    }
    return found.pop() if len(found) == 1 else None


def _initials(name: str) -> str:
    return "".join(word[0] for word in raw_words(name) if word.isalpha())


@lru_cache(maxsize=8)
def _cached_index(catalogue: tuple[Indicator, ...], vocabulary: Vocabulary) -> QueryIndex:
    return QueryIndex.build(catalogue, vocabulary)

