"""`/kpi ...`: what the member meant, answered from the store as a platform-neutral reply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from sqlalchemy.orm import Session

from data import scorecards, store
from handlers import help as help_conversation
from handlers import scrutiny
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
from handlers.reply import Reply, Request
from scorecard import query
from scorecard.card import IndicatorCard, area_figure, build_card, latest_period
from scorecard.glossary import BUILTIN_GLOSSARY, lookup, merge_glossary
from scorecard.model import GlossaryEntry, Indicator
from scorecard.periods import Period
from scorecard.rules import LONDON, index_observations

NOTHING_LOADED = (
    "No figures have been loaded yet. The performance team loads them with `kpibot load`; "
    "until then there is nothing to show."
)


@cache
def vocabulary() -> query.Vocabulary:
    """The acronyms, synonyms and stopwords members use: data shipped with the domain package."""
    text = resources.files("scorecard").joinpath(query.DEFAULT_VOCABULARY_FILE).read_text("utf-8")
    return query.Vocabulary.from_toml(text)


@dataclass(frozen=True, slots=True)
class _Catalogue:
    """A store's catalogue, glossary and query index, as of one load (see store.catalogue_stamp)."""

    stamp: tuple[int, str]
    indicators: tuple[Indicator, ...]
    glossary: tuple[GlossaryEntry, ...]
    index: query.QueryIndex


# Per store (by URL): rebuilding 400 indicators and their index for every question costs more
# than answering it; they change only when a databook is loaded, which moves the stamp.
_catalogues: dict[str, _Catalogue] = {}


def _catalogue(session: Session) -> _Catalogue:
    where = str(session.get_bind().url)
    stamp = store.catalogue_stamp(session)
    known = _catalogues.get(where)
    if known is None or known.stamp != stamp:
        indicators = tuple(store.catalogue(session))
        known = _Catalogue(
            stamp,
            indicators,
            tuple(merge_glossary(BUILTIN_GLOSSARY, store.glossary(session))),
            query.QueryIndex.build(indicators, vocabulary()),
        )
        _catalogues[where] = known
    return known


def answer(request: Request, session: Session) -> Reply:
    """Everything after `/kpi`: help, clusters, reds, glossary, an indicator, a cluster, a question back."""
    known = _catalogue(session)
    catalogue, glossary = known.indicators, known.glossary
    if not catalogue:
        return error_reply(NOTHING_LOADED)
    meant = known.index.resolve(
        request.text, glossary_terms=[entry.term for entry in glossary], today=_today(request)
    )
    match meant:
        case query.IndicatorMatch(indicator=indicator, period=period, area=area):
            if area:
                return _ward(request, session, indicator, area, period)
            return card_reply(_card(request, session, indicator, period))
        case query.ClusterMatch(cluster=cluster, period=requested):
            members = [i for i in catalogue if i.cluster.casefold() == cluster.casefold() and i.active]
            return cluster_reply(cluster, _cards(request, session, members, requested))
        case query.Choices(candidates=candidates):
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


def card_for(request: Request, session: Session, code: str, period_end: str | None = None) -> Reply:
    """One indicator's card by code (a button press): at `period_end` (ISO date) or the latest."""
    card = card_by_code(request, session, code, period_end)
    if card is None:
        return not_found_reply(code, f"There is no indicator {code}.")
    return card_reply(card)


def card_by_code(
    request: Request, session: Session, code: str, period_end: str | None = None
) -> IndicatorCard | None:
    """The card itself (for charts and shared posts), or None when the code is unknown."""
    indicator = store.indicator(session, code)
    if indicator is None:
        return None
    period = None
    if period_end:
        period = Period(date.fromisoformat(period_end), indicator.frequency, indicator.year_basis)
    return _card(request, session, indicator, period)


def _card(request: Request, session: Session, indicator: Indicator, period: Period | None) -> IndicatorCard:
    figures = store.figures(session, [indicator.code])[indicator.code]
    # Indexed once for this viewer: it gives the latest period they may see, and the card reuses it.
    index = index_observations(figures.observations, viewer=request.viewer, now=request.now)
    shown = period if period is not None else latest_period(index)
    # The figure the latest published scorecard showed for this period, if any: the card then
    # says when it was revised after publication (the published scorecard itself never changes).
    published = None
    if shown is not None:
        published = scorecards.published_values(session, [indicator.code]).get(
            (indicator.code, shown.end.isoformat())
        )
    return build_card(
        indicator,
        index,
        figures.targets,
        figures.benchmarks,
        viewer=request.viewer,
        now=request.now,
        period=shown,
        published=published,
        # Other councils' range: a comparator outside it is flagged, not judged (issue 13).
        peer_ranges=scrutiny.ranges_of(session, indicator, figures.observations),
    )


def _cards(
    request: Request,
    session: Session,
    indicators: Sequence[Indicator],
    requested: query.RequestedPeriod | None = None,
) -> list[IndicatorCard]:
    """Cards for many indicators from one bulk fetch (four queries, whatever the count)."""
    figures = store.figures(session, [i.code for i in indicators])
    spans = store.peer_ranges(session, [i.code for i in indicators])
    cards = []
    for indicator in indicators:
        found = figures[indicator.code]
        cards.append(
            build_card(
                indicator,
                found.observations,
                found.targets,
                found.benchmarks,
                viewer=request.viewer,
                now=request.now,
                period=None if requested is None else requested.period_for(indicator),
                peer_ranges=scrutiny.with_ours(
                    scrutiny.rounded_ranges(indicator, spans.get(indicator.code)),
                    indicator,
                    found.observations,
                ),
            )
        )
    return cards


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
