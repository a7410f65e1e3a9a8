"""Domain answers (cards, clusters, glossary entries) turned into platform-neutral replies.

One place decides what a councillor reads for each kind of answer, so Slack, Teams and the
console never word a figure differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handlers.reply import Action, ActionId, ChartRef, Fact, Kind, Reply, Table
from scorecard.card import (
    AreaFigure,
    IndicatorCard,
    SummaryLine,
    card_as_dict,
    cluster_as_dict,
    rag_counts,
    summary_line,
)
from scorecard.model import GlossaryEntry, Indicator, Rag
from scorecard.overview import not_rated_reasons, not_rated_words

MAX_CHOICES = 5


def card_reply(card: IndicatorCard) -> Reply:
    """The indicator card: latest value, RAG with target, DOT in words, YTD, last year, benchmarks."""
    if card.period is None:
        return Reply(
            kind=Kind.INDICATOR,
            heading=f"{card.title} ({card.code})",
            summary="There is no figure for this indicator yet.",
            notes=_notes(card),
            data=card_as_dict(card),
        )
    status = f", {card.status_label}" if card.status_label and card.status_label != "final" else ""
    facts = [Fact("Latest", f"{card.display} ({card.period_label}{status})")]
    facts.append(Fact("RAG", _rag_words(card)))
    if card.dot is not None:
        facts.append(Fact("Direction of travel", f"{card.dot.arrow} {card.dot.words}".strip()))
    if card.ytd_display:
        facts.append(Fact("Year to date", f"{card.ytd_display} ({card.ytd_label})"))
    if card.last_year.period is not None:
        facts.append(Fact("Same time last year", f"{card.last_year.display} ({card.last_year.label})"))
    facts.append(Fact("What good looks like", card.good_is))
    table = None
    if card.benchmarks:
        table = Table(
            columns=("Benchmark", "Figure", "Ours", "Compared"),
            rows=tuple(
                (b.label, b.display, b.authority_display, _verdict_words(b.verdict))
                for b in card.benchmarks
            ),
        )
    value = f"{card.code}|{card.period.end.isoformat()}"
    return Reply(
        kind=Kind.INDICATOR,
        heading=f"{card.title} ({card.code})",
        summary=f"{card.cluster} · {card.frequency_label}",
        facts=tuple(facts),
        table=table,
        notes=_notes(card),
        chart=ChartRef(card.code, card.period.end.isoformat()),
        actions=(
            Action(ActionId.SHOW_CHART, "Show chart", value),
            Action(ActionId.RAISE_CONCERN, "Raise a concern", value),
            Action(ActionId.SHARE, "Share in channel", value, primary=True),
        ),
        rag=card.rag,
        data=card_as_dict(card),
    )


def _rag_words(card: IndicatorCard) -> str:
    if card.rag is Rag.NA:
        return card.rag_label
    threshold = f", amber from {card.amber_display}" if card.amber_display else ""
    year = f" for {card.target_year.label}" if card.target_year else ""
    return f"{card.rag_label}: target {card.target_display}{threshold}{year}"


def _verdict_words(verdict: object) -> str:
    if verdict is None:
        return "no figure of ours for that period"
    return str(getattr(verdict, "value", verdict)).replace("_", " ")


def _notes(card: IndicatorCard) -> tuple[str, ...]:
    notes = list(card.notes)
    if card.data_notes:
        notes.append(f"Data note: {card.data_notes}")
    if card.source:
        notes.append(f"Source: {card.source}")
    return tuple(notes)


def cluster_reply(cluster: str, cards: Sequence[IndicatorCard]) -> Reply:
    """A cluster: one line per indicator with value, RAG and direction of travel."""
    lines = [summary_line(card) for card in cards]
    counts = rag_counts(cards)
    # Any list that counts colours says why some are not rated (scorecard-rules.md).
    why = not_rated_words(not_rated_reasons(cards))
    return Reply(
        kind=Kind.CLUSTER,
        heading=cluster,
        summary=_counts_sentence(counts),
        table=_lines_table(lines),
        notes=(why,) if why else (),
        actions=tuple(
            Action(ActionId.CHOOSE, line.code, line.code) for line in lines[: 25]
        ),
        data=cluster_as_dict(cluster, cards),
    )


def clusters_reply(cards_by_cluster: Mapping[str, Sequence[IndicatorCard]]) -> Reply:
    """Every cluster with its RAG counts."""
    rows = []
    entries = []
    for cluster, cards in cards_by_cluster.items():
        counts = rag_counts(cards)
        rows.append(
            (
                cluster,
                str(len(cards)),
                str(counts[Rag.GREEN]),
                str(counts[Rag.AMBER]),
                str(counts[Rag.RED]),
                str(counts[Rag.NA]),
            )
        )
        entries.append({"cluster": cluster, "indicators": len(cards), **{r.value: counts[r] for r in Rag}})
    why = not_rated_words(not_rated_reasons(card for cards in cards_by_cluster.values() for card in cards))
    return Reply(
        kind=Kind.CLUSTERS,
        heading="Clusters",
        summary="Ask about a cluster by name, for example /kpi SEND.",
        notes=(why,) if why else (),
        table=Table(("Cluster", "Indicators", "Green", "Amber", "Red", "Not rated"), tuple(rows)),
        actions=tuple(Action(ActionId.SHOW_CLUSTER, name, name) for name in list(cards_by_cluster)[:25]),
        data={"clusters": entries},
    )


def area_reply(figure: AreaFigure) -> Reply:
    """A ward figure, under disclosure control, beside the whole authority's."""
    indicator = figure.indicator
    if figure.period is None:
        return Reply(
            kind=Kind.NOT_FOUND,
            heading=f"{indicator.title}: {figure.area}",
            summary=f"There are no ward figures for {figure.area} for this indicator.",
            data={"message": f"No ward figures for {figure.area}", "code": indicator.code},
        )
    notes = []
    if figure.figure.suppressed:
        notes.append("Small numbers are hidden to protect children's privacy: <5 means fewer than 5, "
                     "c means the figure rests on too few children to show.")
    return Reply(
        kind=Kind.INDICATOR,
        heading=f"{indicator.title} ({indicator.code}): {figure.area}",
        facts=(
            Fact(figure.area, f"{figure.display} ({figure.period.label})"),
            Fact("Whole council", f"{figure.whole_authority.display} ({figure.period.label})"),
        ),
        notes=tuple(notes),
        data={
            "code": indicator.code,
            "title": indicator.title,
            "area": figure.area,
            "period": figure.period.label,
            "period_end": figure.period.end.isoformat(),
            "display": figure.display,
            "value": None if figure.figure.value is None else float(figure.figure.value),
            "suppressed": figure.figure.suppressed,
            "whole_authority": figure.whole_authority.display,
        },
    )


def choices_reply(text: str, candidates: Sequence[Indicator]) -> Reply:
    """A short "did you mean" list, best first, each a button."""
    shown = list(candidates)[:MAX_CHOICES]
    return Reply(
        kind=Kind.CHOICES,
        heading="Did you mean one of these?",
        summary=f"More than one indicator could match “{text}”. Choose one:",
        facts=tuple(Fact(i.code, i.title) for i in shown),
        actions=tuple(Action(ActionId.CHOOSE, _button(i), i.code) for i in shown),
        data={"choices": [{"code": i.code, "title": i.title} for i in shown]},
    )


def _button(indicator: Indicator) -> str:
    label = f"{indicator.code}: {indicator.title}"
    return label if len(label) <= 75 else label[:74] + "…"


def not_found_reply(text: str, hint: str = "") -> Reply:
    message = hint or (
        f"I could not find an indicator matching “{text}”. "
        "Try /kpi clusters to see what there is, or /kpi help."
    )
    return Reply(kind=Kind.NOT_FOUND, heading="Not found", summary=message, data={"message": message})


def glossary_reply(entry: GlossaryEntry) -> Reply:
    return Reply(
        kind=Kind.GLOSSARY,
        heading=entry.term,
        summary=entry.definition,
        data={"term": entry.term, "definition": entry.definition},
    )


def glossary_list_reply(entries: Sequence[GlossaryEntry]) -> Reply:
    terms = sorted(entries, key=lambda e: e.term.casefold())
    return Reply(
        kind=Kind.GLOSSARY,
        heading="Glossary",
        summary="Ask about any term, for example /kpi glossary DOT.",
        table=Table(("Term", "Meaning"), tuple((e.term, e.definition) for e in terms)),
        data={"terms": [{"term": e.term, "definition": e.definition} for e in terms]},
    )


def error_reply(message: str) -> Reply:
    return Reply(kind=Kind.ERROR, heading="Sorry", summary=message, data={"message": message})


def _lines_table(lines: Sequence[SummaryLine], *, with_cluster: bool = False) -> Table:
    columns = ("Indicator", "Latest", "Period", "RAG", "Direction of travel")
    rows = []
    for line in lines:
        name = f"{line.code} {line.title}"
        direction = f"{line.arrow} {line.dot_words}".strip()
        row = (name, line.display, line.period_label, line.rag_label, direction)
        rows.append((line.cluster, *row) if with_cluster else row)
    return Table((("Cluster", *columns) if with_cluster else columns), tuple(rows))


def _counts_sentence(counts: dict[Rag, int]) -> str:
    return (
        f"{counts[Rag.GREEN]} green, {counts[Rag.AMBER]} amber, {counts[Rag.RED]} red, "
        f"{counts[Rag.NA]} not rated"
    )
