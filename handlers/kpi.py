"""`/kpi ...`: what the member meant, answered from the store as a platform-neutral reply."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from data import scorecards, store
from data.store import IndicatorFigures
from handlers import help as help_conversation
from handlers import scrutiny
from handlers.kept import keep
from handlers.replies import (
    area_reply,
    card_reply,
    choices_reply,
    cluster_reply,
    clusters_reply,
    error_reply,
    glossary_list_reply,
    glossary_reply,
    not_found_reply,
)
from handlers.reply import Action, ActionId, Kind, Reply, Request
from scorecard import understanding as query
from scorecard.card import IndicatorCard, area_figure, build_card, latest_period
from scorecard.glossary import BUILTIN_GLOSSARY, GLOSSARY_ALIASES, lookup, merge_glossary
from scorecard.model import GlossaryEntry, Indicator
from scorecard.periods import Frequency, Period
from scorecard.rules import PeerRanges, embargo_ends, embargoes_passed, index_observations
from scorecard.working_days import LONDON

NOTHING_LOADED = (
    "No figures have been loaded yet. The performance team loads them with `kpibot load`; "
    "until then there is nothing to show."
)


@cache
def vocabulary() -> query.Vocabulary:
    """The acronyms, synonyms and stopwords members use: data shipped with the domain package."""
    text = resources.files("scorecard").joinpath(query.DEFAULT_VOCABULARY_FILE).read_text("utf-8")
    return query.Vocabulary.from_toml(text)


@cache
def councils() -> tuple[str, ...]:
    """Every English council's name (scorecard/councils.txt): places, not indicator words."""
    text = resources.files("scorecard").joinpath(query.COUNCILS_FILE).read_text("utf-8")
    return query.parse_places(text)


def build_index(indicators: Sequence[Indicator], wards: Sequence[str] = ()) -> query.QueryIndex:
    """The query index as /kpi uses it: the shipped vocabulary, council names and the wards."""
    return query.QueryIndex.build(indicators, vocabulary(), councils=councils(), wards=wards)


@dataclass(frozen=True, slots=True)
class _Catalogue:
    """A store's catalogue, glossary and query index, as of one load (see store.catalogue_stamp)."""

    stamp: tuple[int, str]
    indicators: tuple[Indicator, ...]
    glossary: tuple[GlossaryEntry, ...]
    index: query.QueryIndex
    by_code: dict[str, Indicator]


# Per store (by URL): rebuilding 400 indicators and their index for every question costs more
# than answering it; they change only when a databook is loaded, which moves the stamp.
_catalogues: dict[str, _Catalogue] = {}


def _catalogue(session: Session, stamp: tuple[int, str] | None = None) -> _Catalogue:
    """The catalogue as of `stamp` (read from the store when not given)."""
    where = str(session.get_bind().engine.url)
    stamp = store.catalogue_stamp(session) if stamp is None else stamp
    known = _catalogues.get(where)
    if known is None or known.stamp != stamp:
        indicators = tuple(store.catalogue(session))
        known = _Catalogue(
            stamp,
            indicators,
            tuple(merge_glossary(BUILTIN_GLOSSARY, store.glossary(session))),
            _stored_index(where, stamp, indicators, lambda: store.areas(session)),
            {indicator.code: indicator for indicator in indicators},
        )
        _catalogues[where] = known
    return known


# A new process (`kpibot ask`) would build the index of 400-odd LAIT indicators for every
# question: longer than answering it. The index is kept on disk per store and load, and per
# version of the code and vocabulary that built it.
CACHE_DIR_VARIABLE = "KPIBOT_CACHE_DIR"


def _cache_dir() -> Path:
    given = os.environ.get(CACHE_DIR_VARIABLE)
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kpibot"


@cache
def _code_version() -> str:
    """What built the index: the matcher's source, the vocabulary and the council names."""
    digest = hashlib.sha256()
    for source in sorted(Path(query.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    for name in (query.DEFAULT_VOCABULARY_FILE, query.COUNCILS_FILE):
        digest.update(resources.files("scorecard").joinpath(name).read_bytes())
    return digest.hexdigest()


def _stored_index(
    where: str, stamp: tuple[int, str], indicators: Sequence[Indicator], wards: Callable[[], Sequence[str]]
) -> query.QueryIndex:
    """The index for this store's catalogue as of `stamp`: from the disk cache if built before,
    else built (and kept there, best effort: a cache that cannot be written is no error)."""
    if not stamp[0]:
        return build_index(indicators, wards())
    key = hashlib.sha256(f"{where}\0{stamp}\0{_code_version()}".encode()).hexdigest()[:32]
    path = _cache_dir() / f"query-index-{key}.pickle"
    try:
        # Our own cache, in the user's cache directory, written by this code: not untrusted input.
        found = pickle.loads(path.read_bytes())  # noqa: S301
        if isinstance(found, query.QueryIndex):
            return found
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        pass
    index = build_index(indicators, wards())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
    except OSError:
        pass
    return index


def answer(request: Request, session: Session) -> Reply:
    """Everything after `/kpi`: help, clusters, reds, glossary, an indicator, a cluster, a question back."""
    stamps = store.stamps(session)
    known = _catalogue(session, stamps.catalogue)
    catalogue, glossary = known.indicators, known.glossary
    if not catalogue:
        return error_reply(NOTHING_LOADED)
    terms = [entry.term for entry in glossary] + list(GLOSSARY_ALIASES)
    meant = known.index.resolve(request.text, glossary_terms=terms, today=_today(request))
    match meant:
        case query.IndicatorMatch(indicator=indicator, period=period, area=area, requested=requested):
            if area:
                return _ward(request, session, indicator, area, period)
            card, note = _card_or_latest(request, session, indicator, period, requested, stamps)
            return _with_note(_reply_of(card), note)
        case query.ClusterMatch(cluster=cluster, period=requested):
            members = [i for i in catalogue if i.cluster.casefold() == cluster.casefold() and i.active]
            cards, note = _cluster_cards(request, session, members, requested)
            return _with_note(cluster_reply(cluster, cards), note)
        case query.Choices(candidates=candidates):
            if len(candidates) == 1:
                return one_choice_reply(_words(request.text), candidates[0])
            return choices_reply(_words(request.text), candidates)
        case query.GlossaryMatch(term=term):
            entry = lookup(glossary, term)
            if entry is None:
                return not_found_reply(term, f"“{term}” is not in the glossary. Try /kpi glossary.")
            return glossary_reply(entry)
        case query.Command(name=query.CommandName.HELP):
            return help_conversation.answer(request)
        case query.Command(name=query.CommandName.GLOSSARY):
            return glossary_list_reply(glossary)
        case query.Command(name=query.CommandName.CLUSTERS):
            return clusters_reply(_by_cluster(_cards(request, session, _active(catalogue))))
        case query.Command(name=query.CommandName.REDS):
            return scrutiny.reds(request, session)
        case query.Scrutiny():
            return scrutiny.answer(request, session, meant)
        case query.NotFound(hint=hint):
            return not_found_reply(_words(request.text), _not_found_message(request.text, hint))
    return not_found_reply(_words(request.text))


def one_choice_reply(text: str, indicator: Indicator) -> Reply:
    """A question back about one indicator: "Did you mean X?", never a list of one."""
    label = f"{indicator.code}: {indicator.title}"
    return Reply(
        kind=Kind.CHOICES,
        heading=f"Did you mean {indicator.title}?",
        summary=f"“{text}” may mean {indicator.title} ({indicator.code}). Is that the one?",
        actions=(Action(ActionId.CHOOSE, label if len(label) <= 75 else label[:74] + "…", indicator.code),),
        data={"choices": [{"code": indicator.code, "title": indicator.title}]},
    )


def card_for(request: Request, session: Session, code: str, period_end: str | None = None) -> Reply:
    """One indicator's card by code (a button press): at `period_end` (ISO date) or the latest."""
    card = card_by_code(request, session, code, period_end)
    if card is None:
        return not_found_reply(code, f"There is no indicator {code}.")
    return _reply_of(card)


def card_by_code(
    request: Request, session: Session, code: str, period_end: str | None = None
) -> IndicatorCard | None:
    """The card itself (for charts and shared posts), or None when the code is unknown."""
    stamps = store.stamps(session)
    indicator = _catalogue(session, stamps.catalogue).by_code.get(code)
    if indicator is None:
        return None
    period = None
    if period_end:
        period = Period(date.fromisoformat(period_end), indicator.frequency, indicator.year_basis)
    return _card(request, session, indicator, period, stamps)


@dataclass(frozen=True, slots=True)
class _Kept:
    """What a card reads from the store about one indicator, apart from the published scorecards."""

    figures: IndicatorFigures
    ranges: PeerRanges | None
    # When what a member may see of these figures changes (scorecard.rules.embargo_ends).
    embargo_ends: tuple[datetime, ...]


# Per store, load and code: a card's five queries become none when the same indicator is asked
# again. Figures and other councils' figures change only through a load, which moves the stamp.
_kept: dict[tuple[str, tuple[int, str], str], _Kept] = {}
MAX_FIGURES_KEPT = 2048


def _figures(session: Session, stamp: tuple[int, str], indicator: Indicator) -> _Kept:
    key = (str(session.get_bind().engine.url), stamp, indicator.code)
    found = _kept.get(key)
    if found is None:
        figures = store.figures(session, [indicator.code])[indicator.code]
        found = _Kept(
            figures,
            # Other councils' range: a comparator outside it is flagged, not judged (issue 13).
            scrutiny.ranges_of(session, indicator, figures.observations),
            embargo_ends([*figures.observations, *figures.benchmarks]),
        )
        keep(_kept, key, found, limit=MAX_FIGURES_KEPT)
    return found


# A card is the same for everyone who may see the same figures: kept per store, load, number
# of publications (a publication changes the figure a card says was published, without a
# load), indicator, period asked, and which embargoes the viewer is past
# (scorecard.rules.embargoes_passed). Building and rendering it again for every member who
# asks costs more than the rest of the answer.
_CardKey = tuple[str, tuple[int, str], int, str, Period | None, int]
_cards_kept: dict[_CardKey, IndicatorCard] = {}


def _card(
    request: Request, session: Session, indicator: Indicator, period: Period | None,
    stamps: store.Stamps | None = None,
) -> IndicatorCard:
    stamps = store.stamps(session) if stamps is None else stamps
    kept = _figures(session, stamps.catalogue, indicator)
    key = (str(session.get_bind().engine.url), stamps.catalogue, stamps.publications, indicator.code, period,
           embargoes_passed(kept.embargo_ends, request.viewer, request.now))
    found = _cards_kept.get(key)
    if found is not None:
        return found
    figures = kept.figures
    # Indexed once for this viewer: it gives the latest period they may see, and the card reuses it.
    index = index_observations(figures.observations, viewer=request.viewer, now=request.now)
    shown = period if period is not None else latest_period(index)
    # The figure the latest published scorecard showed for this period, if any: the card then
    # says when it was revised after publication (the published scorecard itself never changes).
    published = _published(session, indicator, shown)
    card = build_card(
        indicator,
        index,
        figures.targets,
        figures.benchmarks,
        viewer=request.viewer,
        now=request.now,
        period=shown,
        published=published,
        peer_ranges=kept.ranges,
    )
    keep(_cards_kept, key, card, limit=MAX_FIGURES_KEPT)
    return card


# A kept card's reply, by the card's identity: the same card gives the very same reply, which
# lets the platforms keep what they rendered from it (bot.slack.render.message).
_replies_kept: dict[int, tuple[IndicatorCard, Reply]] = {}


def _reply_of(card: IndicatorCard) -> Reply:
    found = _replies_kept.get(id(card))
    if found is not None and found[0] is card:
        return found[1]
    reply = card_reply(card)
    keep(_replies_kept, id(card), (card, reply), limit=MAX_FIGURES_KEPT)
    return reply


def _published(session: Session, indicator: Indicator, shown: Period | None) -> float | None:
    if shown is None:
        return None
    return scorecards.published_values(session, [indicator.code]).get((indicator.code, shown.end.isoformat()))


def _card_or_latest(
    request: Request,
    session: Session,
    indicator: Indicator,
    period: Period | None,
    requested: query.RequestedPeriod | None,
    stamps: store.Stamps,
) -> tuple[IndicatorCard, str]:
    """The card at the period asked for; when that period has no figure the asker may see,
    the latest figure before it (or the latest of all) with a note saying which and why."""
    card = _card(request, session, indicator, period, stamps)
    if period is None or card.period is None or card.value is not None:
        return card, ""
    figures = _figures(session, stamps.catalogue, indicator).figures
    index = index_observations(figures.observations, viewer=request.viewer, now=request.now)
    shown = latest_period(_with_values(index), up_to=period) or latest_period(_with_values(index))
    if shown is None:
        return card, ""
    return _card(request, session, indicator, shown, stamps), period_note(indicator, requested, period, shown)


def _with_values(index: Any) -> dict[Period, Any]:
    return {p: o for p, o in index.items() if o.value is not None}


def period_note(
    indicator: Indicator, requested: query.RequestedPeriod | None, asked: Period, shown: Period
) -> str:
    """Why the card shows `shown` when the member asked for `asked` (in their words, `requested`).

    "last month" for a yearly measure: "You asked for last month (October 2024). This figure is
    counted once a year (financial year), and 2024/25 has no figure yet. This is the latest
    figure, for 2023/24." """
    words = requested.text if requested is not None and requested.text else asked.label
    said = f"You asked for {words}" + ("" if words == asked.label else f" ({asked.label})")
    part_of_year = requested is not None and requested.kind in (
        query.PeriodKind.MONTH,
        query.PeriodKind.QUARTER,
    )
    if indicator.frequency is Frequency.ANNUAL and part_of_year:
        why = (
            f"This figure is counted once a year ({indicator.year_basis.value} year), "
            f"and {asked.label} has no figure yet"
        )
    elif asked.end > shown.end:
        why = f"There is no figure for {asked.label} yet"
    else:
        why = f"There is no figure for {asked.label}: the figures start later"
    return f"{said}. {why}. This is the latest figure, for {shown.label}."


def _cluster_cards(
    request: Request,
    session: Session,
    indicators: Sequence[Indicator],
    requested: query.RequestedPeriod | None,
) -> tuple[list[IndicatorCard], str]:
    """A cluster's lines at the period asked for; a line with no figure then shows its latest."""
    cards = _cards(request, session, indicators, requested)
    if requested is None:
        return cards, ""
    missing = [i for i, card in enumerate(cards) if card.value is None]
    if not missing:
        return cards, ""
    latest = {c.code: c for c in _cards(request, session, [indicators[i] for i in missing])}
    replaced = 0
    for i in missing:
        card = latest.get(indicators[i].code)
        if card is not None and card.value is not None:
            cards[i] = card
            replaced += 1
    if not replaced:
        return cards, ""
    count = "all" if replaced == len(cards) else f"{replaced} of {len(cards)}"
    note = (
        f"You asked for {requested.text or requested.label}: {count} of these have no figure for it "
        "yet, so their latest figure is shown, with its period."
    )
    return cards, note


def _with_note(reply: Reply, note: str) -> Reply:
    """The reply with `note` first among its notes and as `note` in its JSON."""
    if not note:
        return reply
    return replace(reply, notes=(note, *reply.notes), data={**reply.data, "note": note})


def _cards(
    request: Request,
    session: Session,
    indicators: Sequence[Indicator],
    requested: query.RequestedPeriod | None = None,
) -> list[IndicatorCard]:
    return scrutiny.cards_for(request, session, indicators, requested)


def _ward(
    request: Request, session: Session, indicator: Indicator, area: str, period: Period | None
) -> Reply:
    # Every area at once: ward names are matched ignoring case by the domain, not by SQL.
    observations = store.observations(session, indicator.code, area=store.EVERY_AREA)
    figure = area_figure(
        indicator,
        observations,
        area,
        viewer=request.viewer,
        now=request.now,
        period=period,
        suppress_below=request.suppress_below,
    )
    return area_reply(figure)


def _by_cluster(cards: Sequence[IndicatorCard]) -> dict[str, list[IndicatorCard]]:
    grouped: dict[str, list[IndicatorCard]] = {}
    for card in cards:
        grouped.setdefault(card.cluster, []).append(card)
    return grouped


def _active(catalogue: Sequence[Indicator]) -> list[Indicator]:
    return [indicator for indicator in catalogue if indicator.active]


def _today(request: Request) -> date:
    """Members think in council time: 'last month' on 1 April at 00:30 BST is March."""
    return request.now.astimezone(LONDON).date()


def _words(text: str) -> str:
    cleaned = " ".join(text.split())
    return cleaned[5:].strip() if cleaned.lower().startswith("/kpi ") else cleaned


def _not_found_message(text: str, hint: str) -> str:
    asked = _words(text)
    return f"I could not find an indicator matching “{asked}”. {hint}".strip()
