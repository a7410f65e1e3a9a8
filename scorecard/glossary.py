"""The built-in glossary of terms and abbreviations, and how a council's own glossary adds to it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from scorecard.model import GlossaryEntry

__all__ = [
    "BUILTIN_GLOSSARY",
    "GLOSSARY_ALIASES",
    "SCORECARD_TERMS",
    "lookup",
    "merge_glossary",
    "terms_used",
]

BUILTIN_GLOSSARY: tuple[GlossaryEntry, ...] = (
    GlossaryEntry(
        "RAG",
        "Red, Amber, Green: how a figure compares with its target. Green meets the target, amber "
        "is short of it but within the tolerance (the amber threshold), red is outside the "
        "tolerance. Measures with no target are not rated.",
    ),
    GlossaryEntry(
        "DOT",
        "Direction of Travel: whether performance improved or declined since the previous "
        "period (or the same period last year). The arrow shows performance, not the number: "
        "where lower is better, a falling number is an improvement (▲).",
    ),
    GlossaryEntry(
        "YTD",
        "Year to date: the year's figures so far combined, from the start of the financial "
        "(April) or academic (September) year up to the latest month or quarter.",
    ),
    GlossaryEntry(
        "Target",
        "The level of performance the council aims for this year. Targets are reviewed every "
        "year in the third and fourth quarters.",
    ),
    GlossaryEntry(
        "Amber threshold",
        "The edge of the tolerance around a target: short of the target but no worse than "
        "this is amber; worse than this is red.",
    ),
    GlossaryEntry(
        "SN",
        "Statistical neighbours: the councils most like ours (by population, deprivation and "
        "other factors), used as a fair comparison.",
    ),
    GlossaryEntry(
        "Statistical neighbours",
        "The councils most like ours (by population, deprivation and other factors), chosen "
        "by the Department for Education; their average is used as a fair comparison.",
    ),
    GlossaryEntry(
        "Benchmark",
        "A comparison figure: the England average, our statistical neighbours' average or the "
        "region's, shown with the period it is for (benchmarks are usually a year behind).",
    ),
    GlossaryEntry(
        "Provisional",
        "A figure that may still change when the data are checked or the national return is finalised.",
    ),
    GlossaryEntry(
        "Rate per 10,000",
        "A count for every 10,000 children aged 0 to 17 who live in the area, so that areas of "
        "different sizes can be compared.",
    ),
    GlossaryEntry(
        "CIN",
        "Child in need: a child the council assesses as needing services to reach or keep a "
        "reasonable standard of health or development (Children Act 1989, section 17).",
    ),
    GlossaryEntry(
        "CP",
        "Child protection: action taken when a child is suffering, or likely to suffer, significant harm.",
    ),
    GlossaryEntry(
        "CPP",
        "Child protection plan: the plan agreed at a child protection conference setting out "
        "how a child will be kept safe.",
    ),
    GlossaryEntry(
        "CLA",
        "Child looked after (a child in care): a child in the care of the council, under a "
        "court order or by agreement with the parents.",
    ),
    GlossaryEntry("LAC", "Looked-after child: an older name for a child looked after (CLA)."),
    GlossaryEntry(
        "Care leaver",
        "A young person aged 16 to 25 who was looked after by the council for at least 13 weeks "
        "after their 14th birthday.",
    ),
    GlossaryEntry(
        "EHCP",
        "Education, health and care plan: a legal document describing a child's special "
        "educational needs and the support to meet them. New plans should be issued within "
        "20 weeks of the request for an assessment.",
    ),
    GlossaryEntry("SEND", "Special educational needs and disabilities."),
    GlossaryEntry(
        "SEN support",
        "Extra help at school for a pupil with special educational needs who does not have an EHCP.",
    ),
    GlossaryEntry(
        "NEET",
        "Not in education, employment or training: young people aged 16 and 17 who are none of these.",
    ),
    GlossaryEntry("EET", "In education, employment or training (the opposite of NEET)."),
    GlossaryEntry(
        "GLD",
        "Good level of development: the share of children reaching the expected level in the "
        "main areas of learning at the end of the Reception year (Early Years Foundation Stage).",
    ),
    GlossaryEntry(
        "EYFS",
        "Early Years Foundation Stage: learning and care from birth to the end of the Reception year.",
    ),
    GlossaryEntry(
        "KS2",
        "Key Stage 2: school years 3 to 6 (ages 7 to 11), ending with national tests in "
        "reading, writing and mathematics.",
    ),
    GlossaryEntry(
        "KS4",
        "Key Stage 4: school years 10 and 11 (ages 14 to 16), ending with GCSEs.",
    ),
    GlossaryEntry(
        "Attainment 8",
        "A pupil's average grade across eight GCSE-level subjects, double weighting English and mathematics.",
    ),
    GlossaryEntry(
        "Progress 8",
        "How much progress pupils make between the end of primary school and GCSEs compared "
        "with pupils nationally who started at the same level; 0 is the national average.",
    ),
    GlossaryEntry(
        "Persistent absence",
        "A pupil missing 10% or more of their possible school sessions.",
    ),
    GlossaryEntry(
        "Exclusion",
        "A pupil removed from school for a fixed period (suspension) or permanently.",
    ),
    GlossaryEntry(
        "Ofsted",
        "The Office for Standards in Education, Children's Services and Skills, which inspects "
        "schools and children's services.",
    ),
    GlossaryEntry(
        "MASH",
        "Multi-Agency Safeguarding Hub: where the council, police and health share information "
        "about concerns for a child.",
    ),
    GlossaryEntry(
        "Referral",
        "A request for children's social care to consider whether a child needs help or protection.",
    ),
    GlossaryEntry(
        "Re-referral",
        "A referral within 12 months of a previous referral for the same child.",
    ),
    GlossaryEntry(
        "Early Help",
        "Support for a child and family as soon as problems appear, before statutory social care is needed.",
    ),
    GlossaryEntry("SW", "Social worker."),
    GlossaryEntry(
        "Caseload",
        "The number of children a social worker is responsible for.",
    ),
    GlossaryEntry(
        "Agency staff",
        "Social workers employed through an agency rather than directly by the council.",
    ),
    GlossaryEntry(
        "Turnover",
        "The share of staff who left during the year.",
    ),
    GlossaryEntry(
        "UASC",
        "Unaccompanied asylum-seeking children: children seeking asylum in the UK without a parent or carer.",
    ),
    GlossaryEntry(
        "Financial year",
        "April to March, written 2024/25; quarters Q1 April-June, Q2 July-September, Q3 "
        "October-December, Q4 January-March.",
    ),
    GlossaryEntry(
        "Academic year",
        "September to August, written 2023/24: the school year.",
    ),
    GlossaryEntry(
        "Calendar year",
        "January to December, written 2024.",
    ),
    GlossaryEntry(
        "Red",
        "Outside the tolerance around the target: worse than the amber threshold.",
    ),
    GlossaryEntry(
        "Amber",
        "Short of the target, but within the tolerance: no worse than the amber threshold.",
    ),
    GlossaryEntry("Green", "Meets or beats the target."),
    GlossaryEntry(
        "Not rated",
        "No RAG colour: the measure has no target for the year, or it is context (neither higher "
        "nor lower is better), or there is no figure.",
    ),
    GlossaryEntry(
        "Polarity",
        "Whether a higher or a lower figure is better for a measure (shown as “what good looks "
        "like”). It decides the RAG colour and whether a change is an improvement.",
    ),
    GlossaryEntry(
        "Improved",
        "Direction of travel: the figure moved the good way since the period compared with.",
    ),
    GlossaryEntry(
        "Declined",
        "Direction of travel: the figure moved the bad way since the period compared with.",
    ),
    GlossaryEntry(
        "Same time last year",
        "The figure for the same month, quarter or year one year earlier, for comparison.",
    ),
    GlossaryEntry(
        "England average",
        "The figure for England as a whole, published by the Department for Education.",
    ),
    GlossaryEntry(
        "Region",
        "The councils of our region together (for London boroughs, inner or outer London).",
    ),
    GlossaryEntry(
        "Quartile",
        "Where we sit among all English councils, in four equal bands: A is the best quarter, D "
        "the worst (by the measure's polarity).",
    ),
    GlossaryEntry(
        "Rank",
        "Our position among all English councils (or among our statistical neighbours), 1 being the best.",
    ),
    GlossaryEntry(
        "Three-year rolling",
        "A figure over three years together (written 2021-23), used where one year has too few "
        "cases to be reliable, such as children killed or seriously injured on the roads.",
    ),
    GlossaryEntry(
        "Revised",
        "A figure changed after it was first loaded or published, when the data were corrected.",
    ),
    GlossaryEntry(
        "Data note",
        "What to know about how a measure is counted or about its source, shown on its card.",
    ),
    GlossaryEntry(
        "Cluster",
        "A group of related indicators on the scorecard, such as SEND or children in care.",
    ),
    GlossaryEntry(
        "Scorecard",
        "The quarterly report of the indicators, with RAG and direction of travel, approved by "
        "the Performance Board and published to members.",
    ),
    GlossaryEntry(
        "c",
        "Confidential: a figure about so few children that showing it could identify them.",
    ),
    GlossaryEntry(
        "<5",
        "Fewer than five: a small count hidden so that children cannot be identified.",
    ),
)


# Other ways members name a glossary term: each answers with the term's entry.
GLOSSARY_ALIASES: dict[str, str] = {
    "Direction of travel": "DOT",
    "Year to date": "YTD",
    "Statistical neighbour": "Statistical neighbours",
    "Stat neighbour": "Statistical neighbours",
    "Comparator councils": "Statistical neighbours",
    "Similar councils": "Statistical neighbours",
    "Arrow": "DOT",
    "Trend arrow": "DOT",
    "Red Amber Green": "RAG",
    "RAG rating": "RAG",
    "RAG status": "RAG",
    "Tolerance": "Amber threshold",
    "What good looks like": "Polarity",
    "Higher is better": "Polarity",
    "Lower is better": "Polarity",
    "Benchmarks": "Benchmark",
    "Comparator": "Benchmark",
    "England": "England average",
    "National average": "England average",
    "Quartile band": "Quartile",
    "Band": "Quartile",
    "Rolling": "Three-year rolling",
    "Rolling average": "Three-year rolling",
    "3-year rolling": "Three-year rolling",
    "Rate": "Rate per 10,000",
    "Per 10,000": "Rate per 10,000",
    "Education, health and care plan": "EHCP",
    "EHC plan": "EHCP",
    "Child in need": "CIN",
    "Child protection plan": "CPP",
    "Looked after": "CLA",
    "Child looked after": "CLA",
    "Children in care": "CLA",
    "Special educational needs": "SEND",
    "Not in education, employment or training": "NEET",
    "Good level of development": "GLD",
    "Key Stage 2": "KS2",
    "Key Stage 4": "KS4",
    "Early Years Foundation Stage": "EYFS",
    "Multi-agency safeguarding hub": "MASH",
    "Social worker": "SW",
    "Confidential": "c",
    "Suppressed": "<5",
    "Unaccompanied asylum-seeking children": "UASC",
}


def _key(term: str) -> str:
    return " ".join(term.split()).casefold()


def merge_glossary(
    builtin: Iterable[GlossaryEntry], loaded: Iterable[GlossaryEntry]
) -> tuple[GlossaryEntry, ...]:
    """The built-in glossary with the council's loaded terms added; a loaded term replaces a built-in one.

    Terms match ignoring case and spacing: a loaded "cla" replaces the built-in "CLA" (and is
    kept as the council spelled it). The result is in alphabetical order of term.
    """
    merged: dict[str, GlossaryEntry] = {}
    for entry in builtin:
        merged[_key(entry.term)] = entry
    for entry in loaded:
        merged[_key(entry.term)] = entry
    return tuple(sorted(merged.values(), key=lambda entry: _key(entry.term)))


def lookup(glossary: Iterable[GlossaryEntry], term: str) -> GlossaryEntry | None:
    """The entry for `term`, ignoring case and spacing ("dot" finds DOT), or None. A name in
    GLOSSARY_ALIASES finds its term's entry ("direction of travel" finds DOT), unless the
    glossary has an entry of that name itself."""
    entries = list(glossary)
    wanted = _key(term)
    for entry in entries:
        if _key(entry.term) == wanted:
            return entry
    aliases = {_key(alias): target for alias, target in GLOSSARY_ALIASES.items()}
    if wanted in aliases:
        return lookup(entries, aliases[wanted]) if _key(aliases[wanted]) != wanted else None
    return None


# Always on a scorecard, whatever its indicators: its columns and markers.
SCORECARD_TERMS = ("RAG", "DOT", "YTD", "Target", "Amber threshold", "Statistical neighbours", "Benchmark")


def terms_used(
    glossary: Iterable[GlossaryEntry], texts: Iterable[str], always: Iterable[str] = ()
) -> tuple[GlossaryEntry, ...]:
    """The entries whose term appears as a whole word in any of `texts`, plus those in `always`.

    "New EHC plans (EHCP) issued within 20 weeks" uses EHCP. Abbreviations of up to three
    letters must match in the same case ("CP" is not found in "cp"), so that "c" or "SW"
    don't match ordinary words; longer terms match ignoring case. Alphabetical order.
    """
    entries = list(glossary)
    text = "\n".join(texts)
    folded = text.casefold()
    wanted = {_key(term) for term in always}
    found: dict[str, GlossaryEntry] = {}
    for entry in entries:
        key = _key(entry.term)
        if key in wanted:
            found[key] = entry
            continue
        term = " ".join(entry.term.split())
        short = len(term) <= 3
        pattern = rf"(?<![\w<]){re.escape(term if short else term.casefold())}(?![\w])"
        if re.search(pattern, text if short else folded):
            found[key] = entry
    return tuple(sorted(found.values(), key=lambda entry: _key(entry.term)))
