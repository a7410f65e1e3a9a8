"""The index of one catalogue: every indicator's title, aliases, cluster and definition as
canonical tokens, how rare each token is across the catalogue (IDF), codes, cluster names,
commands, the known words for typos and the places a member may name. Built once per catalogue
(`Index.build`) and kept by the caller while the catalogue is unchanged."""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Self

from scorecard.model import Indicator, Unit
from scorecard.understanding.places import Place, places_named
from scorecard.understanding.typos import Corrector
from scorecard.understanding.vocabulary import CommandName, Vocabulary
from scorecard.understanding.words import Normaliser, raw_words

__all__ = ["Document", "Index", "code_key", "command_key", "subgroups_in"]


@dataclass(frozen=True, slots=True)
class Document:
    """One indicator as canonical tokens."""

    indicator: Indicator
    fields: tuple[frozenset[str], ...]  # title, then each alias
    primary: frozenset[str]  # union of fields
    cluster: frozenset[str]
    definition: frozenset[str]
    texts: tuple[str, ...]  # the fields' tokens joined, for fuzzy similarity
    # The subgroups it is about: those its title or aliases name, and its cluster's when the
    # cluster is named for a subgroup ("Children in Need"), whatever the title says.
    subgroups: frozenset[frozenset[str]]
    negated: frozenset[str]  # words its title or aliases negate: `known` in "not known"


@dataclass
class Index:
    """Everything resolving a question needs about one catalogue, built once (`build`) and
    kept by the caller while the catalogue is unchanged. `resolve.QueryIndex` is the one
    callers build: this with `resolve(text)`."""

    normaliser: Normaliser
    documents: tuple[Document, ...]
    idf: dict[str, float]
    postings: dict[str, tuple[int, ...]]
    codes: dict[str, int]
    clusters: tuple[str, ...]
    cluster_names: dict[str, str]
    cluster_keys: dict[frozenset[str], str]
    exact: dict[frozenset[str], tuple[int, ...]]
    corrector: Corrector
    commands: dict[tuple[str, ...], CommandName]
    unknown_weight: float
    qualifiers: frozenset[str]
    measures: dict[str, frozenset[Unit]]  # a word about how something is counted -> units it fits
    # Places a member may name: councils (taken out of the question) and the loaded wards
    # (the question's area), by their first raw word.
    places: dict[str, tuple[Place, ...]] = field(default_factory=dict)
    # Every token of some title, alias or cluster name: what the catalogue can be about. A word
    # the member typed that is in none of them says nothing against an indicator.
    title_words: frozenset[str] = frozenset()
    # What a weak word no title has ("results") weighs at most: as much as the weak words
    # titles do have, at their median.
    weak_weight: float = 1.0

    @classmethod
    def build(
        cls,
        catalogue: Sequence[Indicator],
        vocabulary: Vocabulary,
        *,
        councils: Sequence[str] = (),
        wards: Sequence[str] = (),
    ) -> Self:
        """The index for `catalogue`. `councils` are council names (`parse_places` of
        councils.txt): a question naming one ("CLA rate in Leeds") is about the council, and
        the name is not part of any indicator. `wards` are the loaded wards' names: named
        with or without the word "ward" ("referrals in Marsh End") they are the area."""
        normaliser = Normaliser(vocabulary)
        measure_tokens = {t for word, _ in vocabulary.measures for t in normaliser.tokens(word)}
        restated = _restatements(catalogue)
        documents: list[Document] = []
        for indicator in catalogue:
            sequences = [normaliser.tokens(text) for text in (indicator.title, *indicator.aliases)]
            fields = [frozenset(tokens) for tokens in sequences if tokens] or [frozenset()]
            if indicator.code in restated:
                # The definition says what a terse title leaves out ("Total number of cases"
                # is "The number of EHC plans active at January"); how it is counted is the
                # title's to say, so the definition's "number" or "rate" is left out.
                extra = frozenset(normaliser.tokens(restated[indicator.code])) - measure_tokens
                if extra and extra not in fields:
                    fields.append(extra)
            negated = frozenset(
                tokens[i + 1]
                for tokens in sequences
                for i, token in enumerate(tokens[:-1])
                if token in normaliser.negations
            )
            documents.append(
                Document(
                    indicator=indicator,
                    fields=tuple(fields),
                    primary=frozenset().union(*fields),
                    cluster=frozenset(normaliser.tokens(indicator.cluster)),
                    definition=frozenset(normaliser.tokens(indicator.definition)),
                    texts=tuple(" ".join(sorted(f)) for f in fields),
                    subgroups=subgroups_in(frozenset().union(*fields), normaliser)
                    | _cluster_subgroups(normaliser.tokens(indicator.cluster), normaliser),
                    negated=negated,
                )
            )
        frequency: dict[str, int] = {}
        postings: dict[str, list[int]] = {}
        for number, document in enumerate(documents):
            for token in document.primary | document.cluster | document.definition:
                postings.setdefault(token, []).append(number)
            for token in document.primary | document.cluster:
                frequency[token] = frequency.get(token, 0) + 1
        total = max(len(documents), 1)
        idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
        for token in postings:
            idf.setdefault(token, math.log(1 + (total - 0.5) / 1.5))
        # Words never seen weigh as a middling word: they count against a confident answer
        # (the member said something no indicator explains) without swamping the rest.
        unknown_weight = statistics.median_high(idf.values()) if idf else 1.0
        weak_weights = [idf[t] for t in frequency if t in normaliser.weak]

        clusters: list[str] = []
        for indicator in catalogue:
            if indicator.cluster not in clusters:
                clusters.append(indicator.cluster)
        cluster_keys: dict[frozenset[str], str] = {}
        ambiguous: set[frozenset[str]] = set()
        for name in clusters:
            tokens = frozenset(normaliser.tokens(name))
            for key in {tokens, tokens - normaliser.weak}:
                if not key:
                    continue
                if key in cluster_keys and cluster_keys[key] != name:
                    ambiguous.add(key)
                cluster_keys[key] = name
        for key in ambiguous:
            del cluster_keys[key]

        exact: dict[frozenset[str], list[int]] = {}
        for number, document in enumerate(documents):
            for tokens in document.fields:
                if tokens and number not in exact.get(tokens, []):
                    exact.setdefault(tokens, []).append(number)

        codes: dict[str, int] = {}
        for number, indicator in enumerate(catalogue):
            codes.setdefault(code_key(indicator.code), number)

        known_raw: set[str] = set()
        texts = [i.title for i in catalogue] + [a for i in catalogue for a in i.aliases] + clusters
        texts += [s for s, _ in vocabulary.rules] + [c for _, c in vocabulary.rules]
        texts += list(vocabulary.stopwords) + list(vocabulary.out_of_scope) + list(vocabulary.weak)
        texts += [p for _, phrases in vocabulary.commands for p in phrases]
        raw_frequency: dict[str, int] = {}
        for text in texts:
            for word in raw_words(text):
                known_raw.add(word)
                raw_frequency[word] = raw_frequency.get(word, 0) + 1
        known = known_raw | set(postings) | normaliser.stopwords
        corrector = Corrector(known, raw_frequency, normaliser)

        measures: dict[str, frozenset[Unit]] = {}
        for word, units in vocabulary.measures:
            for token in normaliser.tokens(word):
                measures[token] = measures.get(token, frozenset()) | frozenset(units)

        commands: dict[tuple[str, ...], CommandName] = {}
        for name, phrases in vocabulary.commands:
            for phrase in phrases:
                commands.setdefault(command_key(phrase, normaliser), name)

        places = places_named(wards, councils, normaliser, set(postings) | known_raw)

        return cls(
            places=places,
            title_words=frozenset(frequency),
            weak_weight=statistics.median_high(weak_weights) if weak_weights else unknown_weight,
            normaliser=normaliser,
            documents=tuple(documents),
            idf=idf,
            postings={t: tuple(n) for t, n in postings.items()},
            codes=codes,
            clusters=tuple(clusters),
            cluster_names={" ".join(sorted(raw_words(name))): name for name in clusters},
            cluster_keys=cluster_keys,
            exact={t: tuple(n) for t, n in exact.items()},
            corrector=corrector,
            commands=commands,
            unknown_weight=unknown_weight,
            qualifiers=frozenset(
                t for q in vocabulary.qualifiers + vocabulary.negations for t in normaliser.tokens(q)
            ),
            measures=measures,
        )


_RESTATEMENT = re.compile(
    r"^(?:the\s+)?(?:total\s+)?(?:number|percentage|proportion|rate)\s+of\s+", re.IGNORECASE
)
_RESTATEMENT_WORDS = 14


def _restatements(catalogue: Sequence[Indicator]) -> dict[str, str]:
    """Per indicator code, its definition's first sentence when that sentence restates the
    measure ("The number of EHC plans active at January each year"): short, saying what is
    counted, and not shared with another indicator (a definition copied across a measure and
    its breakdown says nothing about which is which)."""
    first: dict[str, str] = {}
    for indicator in catalogue:
        text = indicator.definition.strip()
        if not text:
            continue
        sentence = re.split(r"(?<=\.)\s|\n", text, maxsplit=1)[0].strip().rstrip(".")
        if _RESTATEMENT.match(sentence) and len(sentence.split()) <= _RESTATEMENT_WORDS:
            first[indicator.code] = sentence
    counts: dict[str, int] = {}
    for sentence in first.values():
        key = sentence.casefold()
        counts[key] = counts.get(key, 0) + 1
    return {code: s for code, s in first.items() if counts[s.casefold()] == 1}


def subgroups_in(tokens: frozenset[str], normaliser: Normaliser) -> frozenset[frozenset[str]]:
    """The vocabulary's subgroups ("sen support") all of whose tokens are in `tokens`."""
    return frozenset(g for g in normaliser.subgroups if g <= tokens)


def _cluster_subgroups(tokens: list[str], normaliser: Normaliser) -> frozenset[frozenset[str]]:
    """A cluster named for a subgroup and nothing else ("Children in Need", "Children Looked
    After") puts every indicator in it in that subgroup; "All Pupil Absence & Exclusions" none."""
    named = frozenset(t for t in tokens if t not in normaliser.weak)
    found = subgroups_in(named, normaliser)
    return found if named and named == frozenset().union(*found) else frozenset()


def code_key(code: str) -> str:
    """An indicator code as matched: lower case, letters and digits only (`SEND-01` is `send01`)."""
    return re.sub(r"[^a-z0-9]", "", code.lower())


def command_key(text: str, normaliser: Normaliser) -> tuple[str, ...]:
    """A command's phrase as matched: its words in any order, without stopwords and fillers."""
    words = [normaliser.word(w) for w in raw_words(text)]
    kept = [w for w in words if w not in normaliser.stopwords and w not in ("list", "all", "show")]
    return tuple(sorted(kept)) if kept else tuple(sorted(words))

