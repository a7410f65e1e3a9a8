"""The databook's sheets and their columns, as shared/spec/data-format.md lists them."""

from __future__ import annotations

__all__ = ["COLUMNS", "MAX_CELL", "NUMERIC", "ROW", "SHEETS"]

# The spreadsheet's own row number of each row, kept beside the cells so errors can name it.
ROW = "__row__"
# The longest cell taken: the longest definition or note is a few hundred words; a cell of
# megabytes is a mistake or an attack, never a figure.
MAX_CELL = 10_000

# sheet -> column -> required. Order is the order columns are listed in data-format.md.
COLUMNS: dict[str, dict[str, bool]] = {
    "indicators": {
        "code": True, "title": True, "cluster": True, "polarity": True, "unit": True,
        "frequency": True, "year_basis": False, "ytd": False, "dot_basis": False,
        "decimals": False, "aliases": False, "definition": False, "data_notes": False,
        "source": False, "service_area": False, "council_plan": False, "active": False,
        "on_scorecard": False,
    },
    "observations": {
        "code": True, "period": True, "value": True, "numerator": False, "denominator": False,
        "area": False, "status": False, "embargo_until": False,
    },
    "targets": {"code": True, "year": True, "target": True, "amber_threshold": False},
    # embargo_until: scorecard-rules.md lets a benchmark carry one too.
    "benchmarks": {
        "code": True, "period": True, "comparator": True, "value": True, "embargo_until": False,
    },
    # Other councils' figures for our indicators (checked and written by data.load.peers).
    "peers": {
        "code": True, "period": True, "council": True, "value": True,
        "statistical_neighbour": False,
    },
    "glossary": {"term": True, "definition": True},
    "meetings": {
        "committee": True, "date": True, "focus_clusters": False, "agenda_deadline": False,
    },
    "roles": {"user": True, "role": True, "service_area": False},
}
SHEETS: tuple[str, ...] = tuple(COLUMNS)
NUMERIC = frozenset({"value", "numerator", "denominator", "target", "amber_threshold"})
