"""The scrutiny answers as platform-neutral replies: what changed, how we compare, where we are
behind, the overview, and the reds list that says why it is empty.

Lists are whole here (the JSON carries every indicator); each platform's renderer keeps a
message within its limits and says how much more there is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from handlers.reply import Action, ActionId, ChartRef, Fact, Kind, Reply, Table
from scorecard.card import IndicatorCard, summary_line, summary_line_as_dict
from scorecard.changes import Change, Direction, changes_as_dict
from scorecard.comparison import BenchmarkGaps, Comparison, benchmarks_as_dict, comparison_as_dict
from scorecard.model import Comparator, Rag
from scorecard.overview import Overview, not_rated_reasons, not_rated_words, overview_as_dict
from scorecard.rules import comparator_label

__all__ = ["benchmarks_reply", "changes_reply", "comparison_reply", "overview_reply", "reds_reply"]

# Buttons under a list: the first few indicators' cards (one row of buttons).
MAX_BUTTONS = 5

# The Show chart button's value is "CODE|period end|view": which picture to draw.
CHART_COMPARISON = "comparison"
CHART_COMPARATORS = "comparators"

BENCHMARK_VIEW = "Try /kpi where are we behind England, or /kpi how do we compare on an indicator."


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _name(card: IndicatorCard) -> str:
    return f"{card.code} {card.title}"


def _buttons(cards: Iterable[IndicatorCard]) -> tuple[Action, ...]:
    return tuple(Action(ActionId.CHOOSE, card.code, card.code) for card in list(cards)[:MAX_BUTTONS])


def _others_note(others: int) -> str:
    if not others:
        return ""
    return (
        f"Only the indicators on the members' scorecard are listed: ask about a cluster or an "
        f"indicator for the other {_plural(others, 'active indicator')}."
    )


def _with_note(data: dict[str, object], notes: Sequence[str]) -> dict[str, object]:
    said = " ".join(note for note in notes if note)
    if said:
        data["note"] = said
    return data


# --- reds --------------------------------------------------------------------------------


def reds_reply(cards: Sequence[IndicatorCard]) -> Reply:
    """Indicators red now, by cluster. Says how many are not rated and why; a list empty
    because nothing is rated says so and offers the benchmark view (scorecard-rules.md)."""
    red = [card for card in cards if card.rag is Rag.RED]
    rated = sum(1 for card in cards if card.rag is not Rag.NA)
    reasons = not_rated_reasons(cards)
    notes = [not_rated_words(reasons)]
    lines = [summary_line(card) for card in red]
    if not rated:
        summary = f"None of the {_plural(len(cards), 'indicator')} is rated, so none can be red: " + (
            not_rated_words(reasons) or "no targets are set."
        )
        return Reply(
            kind=Kind.REDS,
            heading="Red indicators",
            summary=summary,
            notes=(f"How we compare with England and our statistical neighbours instead: {BENCHMARK_VIEW}",),
            data=_with_note({"indicators": [], "rated": 0, "not_rated": len(cards)}, [summary]),
        )
    if not red:
        summary = f"No indicator is red now ({_plural(rated, 'indicator')} rated)."
    else:
        summary = f"{_plural(len(red), 'indicator is', 'indicators are')} red now, of {rated:,} rated."
    rows = tuple(
        (
            line.cluster,
            f"{line.code} {line.title}",
            line.display,
            line.period_label,
            f"{line.arrow} {line.dot_words}".strip(),
        )
        for line in lines
    )
    return Reply(
        kind=Kind.REDS,
        heading="Red indicators",
        summary=summary,
        table=Table(("Cluster", "Indicator", "Latest", "Period", "Direction of travel"), rows)
        if rows
        else None,
        notes=tuple(note for note in notes if note),
        actions=_buttons(red),
        data=_with_note(
            {
                "indicators": [summary_line_as_dict(line) for line in lines],
                "rated": rated,
                "not_rated": len(cards) - rated,
            },
            notes,
        ),
    )


# --- changes -----------------------------------------------------------------------------

_HEADINGS = {
    Direction.DECLINED: "What got worse",
    Direction.IMPROVED: "What improved",
}


def changes_reply(
    direction: Direction,
    moved: Mapping[str, tuple[IndicatorCard, ...]],
    *,
    cluster: str | None = None,
    others: int = 0,
    since: str | None = None,
    changes: Sequence[Change] = (),
) -> Reply:
    """`changes`: declined or improved at the latest figure (by cluster, biggest moves first),
    or what changed since the latest published scorecard (each with before and after)."""
    where = f" in {cluster}" if cluster else ""
    notes = [_others_note(others)]
    if direction is Direction.CHANGED:
        if since is None:
            message = "No scorecard has been published yet, so there is nothing to compare with."
            return Reply(
                kind=Kind.CHANGES,
                heading="What changed since the last scorecard",
                summary=message,
                data=_with_note(changes_as_dict(direction, changes=(), cluster=cluster), [message]),
            )
        rows = tuple(
            (
                c.card.cluster,
                _name(c.card),
                c.change.value,
                f"{c.before_display} ({c.before_period})" if c.before_period else c.before_display,
                f"{c.card.display} ({c.card.period_label})",
                c.card.rag_label
                if c.card.rag is c.before_rag
                else f"{c.before_rag_label} → {c.card.rag_label}",
            )
            for c in changes
        )
        counts = {
            kind: sum(1 for c in changes if c.change.value == kind) for kind in ("new", "revised", "rag")
        }
        summary = (
            f"Since the {since} scorecard{where}: {_plural(counts['new'], 'new figure')}, "
            f"{_plural(counts['revised'], 'revised figure')}, "
            f"{_plural(counts['rag'], 'RAG that moved', 'RAGs that moved')} on the same figure."
            if changes
            else f"Nothing has changed{where} since the {since} scorecard."
        )
        return Reply(
            kind=Kind.CHANGES,
            heading=f"What changed since the {since} scorecard",
            summary=summary,
            table=Table(("Cluster", "Indicator", "Change", "Before", "Now", "RAG"), rows) if rows else None,
            notes=tuple(n for n in notes if n),
            actions=_buttons(c.card for c in changes),
            data=_with_note(changes_as_dict(direction, changes=changes, since=since, cluster=cluster), notes),
        )
    cards = [card for group in moved.values() for card in group]
    verb = "declined" if direction is Direction.DECLINED else "improved"
    if cards:
        biggest = "biggest falls first" if direction is Direction.DECLINED else "biggest gains first"
        summary = (
            f"{_plural(len(cards), 'indicator')}{where} {verb} at the latest figure, by cluster, {biggest}."
        )
    else:
        summary = f"No indicator{where} {verb} at its latest figure."
    rows = tuple(
        (
            card.cluster,
            _name(card),
            card.display,
            card.period_label,
            "" if card.dot is None else f"{card.dot.arrow} {card.dot.words}".strip(),
            card.rag_label,
        )
        for card in cards
    )
    return Reply(
        kind=Kind.CHANGES,
        heading=_HEADINGS[direction] + where,
        summary=summary,
        table=Table(("Cluster", "Indicator", "Latest", "Period", "Direction of travel", "RAG"), rows)
        if rows
        else None,
        notes=tuple(n for n in notes if n),
        actions=_buttons(cards),
        data=_with_note(changes_as_dict(direction, moved_cards=moved, cluster=cluster), notes),
    )


# --- comparison --------------------------------------------------------------------------


def _verdict(verdict: object, note: str) -> str:
    if note:
        return note
    if verdict is None:
        return "no figure of ours for that period"
    return str(getattr(verdict, "value", verdict)).replace("_", " ")


def comparison_reply(comparison: Comparison, asked: Comparator | None = None) -> Reply:
    """The comparison card: our figure, each comparator's with its verdict, our rank and band
    in words ("12th of 153, first quarter (band A); 4th of 11 among statistical neighbours"),
    and each neighbour's figure, best first."""
    card = comparison.card
    heading = f"How we compare: {card.title} ({card.code})"
    if card.period is None:
        message = "There is no figure for this indicator yet, so nothing to compare."
        return Reply(
            kind=Kind.COMPARISON,
            heading=heading,
            summary=message,
            data=_with_note(comparison_as_dict(comparison), [message]),
        )
    ranked = comparison.period
    facts = [Fact("Ours", f"{card.display} ({card.period_label})")]
    if ranked is not None and ranked != card.period:
        facts.append(Fact(f"Ours in {ranked.label}", comparison.display))
    if comparison.rank is not None and comparison.band is not None:
        from scorecard.comparison import BANDS

        facts.append(
            Fact(
                f"Rank among councils ({ranked.label if ranked else ''})".replace(" ()", ""),
                f"{comparison.rank.words}, {BANDS[comparison.band]} (band {comparison.band})",
            )
        )
    if comparison.neighbour_rank is not None:
        facts.append(Fact("Among statistical neighbours", comparison.neighbour_rank.words))
    facts.append(Fact("What good looks like", card.good_is))
    rows: list[tuple[str, ...]] = []
    chosen = [b for b in comparison.comparators if asked is None or b.comparator is asked] or list(
        comparison.comparators
    )
    for b in chosen:
        rows.append((b.label, b.display, b.authority_display, _verdict(b.verdict, b.note)))
    period_label = ranked.label if ranked is not None else ""
    for n, figure in enumerate(comparison.neighbours, start=1):
        rows.append((f"{n}. {figure.council} {period_label}".strip(), figure.display, "", ""))
    notes = list(comparison.notes)
    if asked is not None and not any(b.comparator is asked for b in comparison.comparators):
        notes.append(f"No {comparator_label(asked)} figure is loaded for this indicator.")
    summary_bits = [f"{card.display} ({card.period_label})"]
    if comparison.rank_words:
        summary_bits.append(comparison.rank_words)
    value = f"{card.code}|{card.period.end.isoformat()}"
    return Reply(
        kind=Kind.COMPARISON,
        heading=heading,
        summary=" · ".join(summary_bits),
        facts=tuple(facts),
        table=Table(("Compared with", "Figure", "Ours", "Verdict"), tuple(rows)) if rows else None,
        notes=tuple(notes),
        chart=ChartRef(card.code, card.period.end.isoformat(), view=CHART_COMPARISON),
        actions=(
            Action(ActionId.SHOW_CHART, "Show chart", f"{value}|{CHART_COMPARISON}", primary=True),
            Action(ActionId.SHOW_CHART, "Comparators over the years", f"{value}|{CHART_COMPARATORS}"),
            Action(ActionId.CHOOSE, "Show the card", card.code),
            Action(ActionId.RAISE_CONCERN, "Raise a concern", value),
        ),
        rag=card.rag,
        data=_with_note(comparison_as_dict(comparison), notes),
    )


# --- benchmarks --------------------------------------------------------------------------


def benchmarks_reply(gaps: BenchmarkGaps, *, cluster: str | None = None, others: int = 0) -> Reply:
    """`benchmarks`: indicators worse than the comparator at the same period, by cluster,
    widest gaps first, and how many could not be compared and why."""
    name = comparator_label(gaps.comparator)
    where = f" in {cluster}" if cluster else ""
    grouped = gaps.by_cluster()
    ordered = [gap for group in grouped.values() for gap in group]
    if ordered:
        summary = (
            f"{_plural(len(ordered), 'indicator is', 'indicators are')}{where} worse than {name} "
            f"(of {gaps.compared:,} compared at the same period), by cluster, widest gaps first."
        )
    elif gaps.compared:
        summary = (
            f"No indicator{where} is worse than {name} (of {gaps.compared:,} compared at the same period)."
        )
    else:
        summary = f"No indicator{where} could be compared with {name} at the same period."
    rows = tuple(
        (
            g.card.cluster,
            _name(g.card),
            f"{g.benchmark.authority_display}",
            f"{g.benchmark.label} {g.benchmark.display}",
            f"{float(g.gap) * 100:.0f}% apart",
        )
        for g in ordered
    )
    notes = [gaps.not_compared_words, _others_note(others)]
    return Reply(
        kind=Kind.BENCHMARKS,
        heading=f"Where we are behind {name}{where}",
        summary=summary,
        table=Table(("Cluster", "Indicator", "Ours", name, "Gap"), rows) if rows else None,
        notes=tuple(n for n in notes if n),
        actions=_buttons(g.card for g in ordered),
        data=_with_note(benchmarks_as_dict(gaps), notes),
    )


# --- overview ----------------------------------------------------------------------------


def _listed(cards: Sequence[IndicatorCard], limit: int = 8) -> str:
    names = [_name(card) for card in cards[:limit]]
    more = len(cards) - limit
    return "; ".join(names) + (f"; and {more} more" if more > 0 else "")


def overview_reply(overview: Overview, cluster: str | None = None, others: int = 0) -> Reply:
    """`overview`: per cluster the RAG and DOT counts and how many are not rated (and why),
    the indicators red and declining, and the biggest movers."""
    total = overview.total
    where = f": {cluster}" if cluster else ""
    summary = (
        f"{_plural(total.indicators, 'indicator')}: {total.green} green, {total.amber} amber, "
        f"{total.red} red, {total.not_rated} not rated; {total.improved} improved, "
        f"{total.declined} declined, {total.no_change} no change."
    )
    rows = tuple(
        (
            c.cluster,
            str(c.indicators),
            str(c.green),
            str(c.amber),
            str(c.red),
            str(c.not_rated),
            str(c.improved),
            str(c.declined),
        )
        for c in overview.clusters
    )
    facts = []
    if overview.attention:
        facts.append(Fact("Red and declining", _listed(overview.attention)))
    elif overview.rated:
        facts.append(Fact("Red and declining", "none"))
    if overview.movers:
        facts.append(
            Fact(
                "Biggest movers",
                "; ".join(
                    f"{card.code} {card.dot.words}" for card in overview.movers if card.dot is not None
                ),
            )
        )
    notes = [not_rated_words(overview.not_rated), _others_note(others)]
    if not overview.rated and total.indicators:
        notes.append(f"Nothing here is rated against a target. {BENCHMARK_VIEW}")
    return Reply(
        kind=Kind.OVERVIEW,
        heading=f"Overview{where}",
        summary=summary,
        facts=tuple(facts),
        table=Table(
            ("Cluster", "Indicators", "Green", "Amber", "Red", "Not rated", "Improved", "Declined"), rows
        ),
        notes=tuple(n for n in notes if n),
        actions=_buttons(overview.attention or overview.movers),
        data=_with_note(overview_as_dict(overview), notes),
    )
