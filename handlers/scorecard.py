"""`/scorecard`: the latest published quarterly scorecard, or a clear word that there is none yet.

Publication (approval, the frozen snapshot, posting to members) is built with the approval
workflow; until a published scorecard exists members are told so. Staff, who may see drafts,
also get the latest quarter's summary as it stands in the store now.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from data import store
from handlers.reply import Fact, Kind, Reply, Request
from scorecard.card import IndicatorData
from scorecard.glossary import BUILTIN_GLOSSARY, merge_glossary
from scorecard.model import Rag
from scorecard.periods import Period, YearBasis, quarter, year_of
from scorecard.quarterly import ScorecardRow, build_scorecard

NOT_PUBLISHED = (
    "No scorecard has been published yet. Once the Performance Board approves a quarter's "
    "scorecard it is published to members here. Meanwhile you can ask about any indicator, "
    "for example /kpi SEND timeliness."
)


def answer(request: Request, session: Session) -> Reply:
    """The published scorecard (none yet), and for staff a live summary of the latest quarter."""
    notes: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    data: dict[str, object] = {"message": NOT_PUBLISHED, "published": None}
    if request.viewer.is_staff:
        live = latest_quarter(session)
        if live is not None:
            figures = store.figures(session)
            built = build_scorecard(
                live,
                [item.indicator for item in figures.values()],
                {
                    code: IndicatorData(item.observations, item.targets, item.benchmarks)
                    for code, item in figures.items()
                },
                merge_glossary(BUILTIN_GLOSSARY, store.glossary(session)),
                viewer=request.viewer,
                now=request.now,
            )
            facts = (
                Fact("Quarter (draft, not published)", built.quarter_label),
                Fact("Summary", built.summary.text),
                *(
                    Fact(section.name, _counts(section.rows))
                    for section in built.clusters[:8]
                ),
            )
            notes = ("Staff only: figures as they stand now, including any under embargo.",)
            data["draft"] = {"quarter": built.quarter_label, "summary": built.summary.text}
    return Reply(
        kind=Kind.SCORECARD,
        heading="Quarterly scorecard",
        summary=NOT_PUBLISHED,
        facts=facts,
        notes=notes,
        data=data,
    )


def latest_quarter(session: Session) -> Period | None:
    """The financial-year quarter holding the latest figure in the store, if any."""
    ends = [cluster.latest.end for cluster in store.overview(session) if cluster.latest is not None]
    if not ends:
        return None
    return _quarter_of(max(ends))


def _quarter_of(day: date) -> Period:
    fy = year_of(day, YearBasis.FINANCIAL)
    return quarter(fy.start_year, ((day.month - 4) % 12) // 3 + 1)


def _counts(rows: Sequence[ScorecardRow]) -> str:
    rags = [row.rag for row in rows]
    return (
        f"{rags.count(Rag.GREEN)} green, {rags.count(Rag.AMBER)} amber, {rags.count(Rag.RED)} red, "
        f"{rags.count(Rag.NA)} not rated"
    )
