"""`/kpi help`: what the bot can do, with examples a councillor can copy."""

from __future__ import annotations

from handlers.reply import Fact, Kind, Reply, Request

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("/kpi SEND timeliness", "one indicator: latest figure, target, direction of travel, benchmarks"),
    ("/kpi EHCP 20 weeks 2023/24", "the same indicator for a given year or quarter"),
    ("/kpi SEND", "every indicator in a cluster, one line each"),
    ("/kpi clusters", "the clusters, with how many are green, amber and red"),
    ("/kpi reds", "indicators that are red now"),
    ("/kpi what got worse", "indicators that declined at their latest figure (or: what improved)"),
    ("/kpi what's changed since the last scorecard", "new and revised figures, and RAGs that moved"),
    ("/kpi how do we compare on CLA rate", "our rank among councils and our statistical neighbours"),
    ("/kpi where are we behind England", "indicators worse than England, widest gap first"),
    ("/kpi how are we doing", "the overview: colours and directions by cluster"),
    ("/kpi CLA rate ward Hollins Green", "a ward's figure (small numbers are hidden)"),
    ("/kpi CLA rate in Hollins Green", "the same, with or without the word ward"),
    ("/kpi glossary DOT", "what a term or abbreviation means"),
    ("/kpi what is amber", "any term on a card, in your own words (\u201cwhat does polarity mean\u201d)"),
    ("/scorecard", "the latest published quarterly scorecard"),
    ("/concern", "raise a concern with the governance advisor"),
)


def answer(request: Request) -> Reply:
    """The help card. Needs no store, so it always works, even when the figures are not loaded."""
    del request  # the same help for everyone; kept for the handler signature
    return Reply(
        kind=Kind.HELP,
        heading="What you can ask",
        summary=(
            "Ask about an indicator in your own words: acronyms, plain English and typos are fine. "
            "Ask for a period that has no figure yet and you get the latest, with a note saying which. "
            "Answers are private to you until you share them."
        ),
        facts=tuple(Fact(example, meaning) for example, meaning in EXAMPLES),
        data={
            "message": "What you can ask",
            "examples": [{"say": say, "get": get} for say, get in EXAMPLES],
        },
    )
