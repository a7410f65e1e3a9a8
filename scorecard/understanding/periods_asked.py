"""The period a member asked for: found in the text (`2023/24`, `Q2`, `Mar 24`, `last month`),
then turned into an indicator's own period."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from scorecard.model import Indicator
from scorecard.periods import (
    Frequency,
    Period,
    Year,
    YearBasis,
    quarter,
    year_of,
)

__all__ = ["MONTHS", "PeriodKind", "RequestedPeriod", "extract_period"]


class PeriodKind(StrEnum):
    MONTH = "month"  # start_year = calendar year, number = month 1-12
    QUARTER = "quarter"  # start_year = financial year's first year, number = quarter 1-4
    YEAR = "year"  # `2023/24`: start_year = 2023, of the indicator's basis
    CALENDAR_YEAR = "calendar_year"  # `2024`
    DATE = "date"  # an ISO end date `2024-06-30` (day)
    LAST_YEAR = "last_year"  # the year before the one containing `day` (today), of the basis
    THIS_YEAR = "this_year"  # the year containing `day` (today), of the indicator's basis


@dataclass(frozen=True, slots=True)
class RequestedPeriod:
    """The period a member asked for, before it meets an indicator.

    A member's `2023/24` means a financial year for one indicator and an academic year for
    another, so what they typed is kept as a kind and numbers, and turned into the
    indicator's own `Period` by `period_for(indicator)`. Relative words (`last quarter`,
    `last month`, `Q2`, `March`) are resolved against `today` when parsed; `last year` and
    `this year` keep `today` in `day` because which year they mean depends on the basis.
    """

    kind: PeriodKind
    start_year: int = 0
    number: int = 0
    day: date | None = None
    text: str = ""

    @property
    def label(self) -> str:
        """As a councillor reads it: `March 2024`, `2024/25 Q2`, `2023/24`, `2024`, `last year`."""
        if self.kind is PeriodKind.MONTH:
            return f"{calendar.month_name[self.number]} {self.start_year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{Year(YearBasis.FINANCIAL, self.start_year).label} Q{self.number}"
        if self.kind is PeriodKind.YEAR:
            return Year(YearBasis.FINANCIAL, self.start_year).label
        if self.kind is PeriodKind.CALENDAR_YEAR:
            return str(self.start_year)
        if self.kind is PeriodKind.DATE:
            return self.day.isoformat() if self.day else ""
        return "last year" if self.kind is PeriodKind.LAST_YEAR else "this year"

    def span(self, basis: YearBasis) -> tuple[date, date]:
        """First and last day the member's words cover, for an indicator of `basis`."""
        if self.kind is PeriodKind.MONTH:
            last = calendar.monthrange(self.start_year, self.number)[1]
            return date(self.start_year, self.number, 1), date(self.start_year, self.number, last)
        if self.kind is PeriodKind.QUARTER:
            period = quarter(self.start_year, self.number)
            return period.start, period.end
        if self.kind is PeriodKind.YEAR:
            # `2023/24` names a financial or academic year; for a calendar-year indicator it is
            # read as the financial year (the council's own), and the calendar year ending
            # inside it is chosen (2023).
            label_basis = basis if basis is not YearBasis.CALENDAR else YearBasis.FINANCIAL
            year = Year(label_basis, self.start_year)
            return year.start, year.end
        if self.kind is PeriodKind.CALENDAR_YEAR:
            return date(self.start_year, 1, 1), date(self.start_year, 12, 31)
        assert self.day is not None
        if self.kind is PeriodKind.DATE:
            return self.day, self.day
        current = year_of(self.day, basis)
        chosen = current.previous() if self.kind is PeriodKind.LAST_YEAR else current
        return chosen.start, chosen.end

    def period_for(self, indicator: Indicator) -> Period:
        """The indicator's period the member meant: the latest one ending inside what they
        named, else the one containing its end.

        `2023/24` for a monthly indicator is March 2024 (the year's last month); `March 2024`
        for an academic-year indicator is 2023/24 (no academic year ends in March, so the one
        containing it); `2024` for a financial-year indicator is 2023/24 (the year ending in
        2024, as LAIT labels years); `2024/25 Q2` for an annual financial indicator is 2024/25.
        """
        start, end = self.span(indicator.year_basis)
        containing = _period_containing(end, indicator.frequency, indicator.year_basis)
        if containing.end <= end:
            return containing
        earlier = containing.previous()
        return earlier if earlier.end >= start else containing


def _period_containing(day: date, frequency: Frequency, basis: YearBasis) -> Period:
    if frequency is Frequency.MONTHLY:
        return Period(date(day.year, day.month, calendar.monthrange(day.year, day.month)[1]), frequency)
    if frequency is Frequency.QUARTERLY:
        fy = year_of(day, YearBasis.FINANCIAL)
        return quarter(fy.start_year, ((day.month - 4) % 12) // 3 + 1)
    return Period(year_of(day, basis).end, frequency, basis)


# Month names and abbreviations, lower case -> 1-12: `march`, `mar`, `sept`.
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
# `may` on its own is too often the verb; a month alone must not be it.
_MONTH_ALONE = "|".join(sorted((m for m in MONTHS if m != "may"), key=len, reverse=True))

_YEAR_WORDS = r"(?:(?:financial|academic|calendar)\s+year\s*|fy\s*|ay\s*)?"
_PERIOD_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "fy_quarter",
        re.compile(rf"\b{_YEAR_WORDS}(\d{{4}})\s*[/-]\s*(\d{{2}}|\d{{4}})\s*,?\s*q(?:uarter)?\s*([1-4])\b"),
    ),
    (
        "quarter_fy",
        re.compile(
            rf"\bq(?:uarter)?\s*([1-4])\s*,?\s*(?:of\s+)?{_YEAR_WORDS}(\d{{4}})\s*[/-]\s*(\d{{2}}|\d{{4}})\b"
        ),
    ),
    ("quarter_year", re.compile(r"\bq(?:uarter)?\s*([1-4])\s*,?\s*(\d{4})\b")),
    ("iso_date", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("year_label", re.compile(rf"\b{_YEAR_WORDS}(\d{{4}})\s*([/-])\s*(\d{{2}}|\d{{4}})\b")),
    ("short_label", re.compile(rf"\b{_YEAR_WORDS}(\d{{2}})/(\d{{2}})\b")),
    ("month_year", re.compile(rf"\b({_MONTH_NAMES})\.?\s*'?(\d{{4}}|\d{{2}})\b")),
    (
        "relative",
        re.compile(
            r"\b(last|previous|prev|this|current)\s+(?:financial\s+|academic\s+|calendar\s+)?(year|quarter|qtr|month)\b"
        ),
    ),
    ("quarter_alone", re.compile(r"\bq(?:uarter)?\s*([1-4])\b")),
    ("month_alone", re.compile(rf"\b({_MONTH_ALONE})\b")),
    ("calendar_year", re.compile(r"\b((?:19[89]|20\d)\d)\b")),
]
# "year" before a number is a school year ("year 6 results 2022/23"), not period noise.
_PERIOD_NOISE = re.compile(r"\b(?:financial|academic|calendar|fy|ay|year(?!\s*\d)|quarter|month)\b")


def extract_period(text: str, today: date) -> tuple[RequestedPeriod | None, str]:
    """The first period named anywhere in `text`, and the text without it.

    Accepted: `2024/25 Q2`, `Q2 2024/25`, `2023/24`, `2023-24`, `23/24`, `2024-03`,
    `2024-03-31`, `March 2024`, `Mar 24`, `2024`, `Q2` (the latest Q2 ended by `today`),
    `March` (the latest March ended by `today`), `last`/`this` `year`/`quarter`/`month`.
    `Q2 2024` is read as 2024/25 Q2 (councils count quarters in financial years).
    """
    lowered = text.lower()
    for kind, pattern in _PERIOD_PATTERNS:
        for match in pattern.finditer(lowered):
            found = _period_from(kind, match, today)
            if found is None:
                continue
            rest = lowered[: match.start()] + " " + lowered[match.end() :]
            original_rest = text[: match.start()] + " " + text[match.end() :]
            # Words about periods left behind ("for the financial year") say nothing about
            # which indicator, and "year" would otherwise count against a clean match.
            rest_kept = _PERIOD_NOISE.sub(lambda m: " " * len(m.group(0)), rest)
            return (
                RequestedPeriod(
                    found.kind, found.start_year, found.number, found.day, match.group(0).strip()
                ),
                _keep_case(original_rest, rest_kept),
            )
    return None, text


def _keep_case(original: str, cleaned: str) -> str:
    """`cleaned` is `original` lower-cased with some words blanked: rebuild it in the
    original's case (ward names keep their capitals)."""
    if len(original) != len(cleaned):  # lower() changed a length (rare letters): lose the case
        return cleaned
    return "".join(o if c != " " or o.isspace() else " " for o, c in zip(original, cleaned, strict=True))


def _period_from(kind: str, match: re.Match[str], today: date) -> RequestedPeriod | None:
    groups = match.groups()
    if kind in ("fy_quarter", "quarter_fy"):
        if kind == "fy_quarter":
            first, second, number = groups
        else:
            number, first, second = groups
        start = _year_start(first, second)
        return None if start is None else RequestedPeriod(PeriodKind.QUARTER, start, int(number))
    if kind == "quarter_year":
        return RequestedPeriod(PeriodKind.QUARTER, int(groups[1]), int(groups[0]))
    if kind == "iso_date":
        try:
            day = date(int(groups[0]), int(groups[1]), int(groups[2]))
        except ValueError:
            return None
        return RequestedPeriod(PeriodKind.DATE, day.year, day=day)
    if kind == "year_label":
        first, separator, second = groups
        start = _year_start(first, second)
        if start is not None:
            return RequestedPeriod(PeriodKind.YEAR, start)
        if separator == "-" and len(second) == 2 and 1 <= int(second) <= 12:
            return RequestedPeriod(PeriodKind.MONTH, int(first), int(second))
        return None
    if kind == "short_label":
        first, second = int(groups[0]), int(groups[1])
        if second != (first + 1) % 100:
            return None
        return RequestedPeriod(PeriodKind.YEAR, 2000 + first)
    if kind == "month_year":
        year = int(groups[1])
        if year < 100:
            year += 2000
        return RequestedPeriod(PeriodKind.MONTH, year, MONTHS[groups[0]])
    if kind == "relative":
        which, unit = groups
        last = which in ("last", "previous", "prev")
        if unit == "year":
            return RequestedPeriod(PeriodKind.LAST_YEAR if last else PeriodKind.THIS_YEAR, day=today)
        if unit in ("quarter", "qtr"):
            current = _period_containing(today, Frequency.QUARTERLY, YearBasis.FINANCIAL)
            chosen = current.previous() if last else current
            return RequestedPeriod(PeriodKind.QUARTER, chosen.year.start_year, chosen.quarter or 1)
        month = today.month - 1 if last else today.month
        year = today.year
        if month == 0:
            month, year = 12, year - 1
        return RequestedPeriod(PeriodKind.MONTH, year, month)
    if kind == "quarter_alone":
        number = int(groups[0])
        fy = year_of(today, YearBasis.FINANCIAL).start_year
        # The latest such quarter that has ended: its figures can exist.
        start = fy if quarter(fy, number).end <= today else fy - 1
        return RequestedPeriod(PeriodKind.QUARTER, start, number)
    if kind == "month_alone":
        number = MONTHS[groups[0]]
        year = today.year
        if date(year, number, calendar.monthrange(year, number)[1]) > today:
            year -= 1
        return RequestedPeriod(PeriodKind.MONTH, year, number)
    if kind == "calendar_year":
        return RequestedPeriod(PeriodKind.CALENDAR_YEAR, int(groups[0]))
    return None


def _year_start(first: str, second: str) -> int | None:
    """`2023`, `24` -> 2023 when the second year follows the first; else None."""
    start = int(first)
    end = int(second)
    if len(second) == 2:
        end += (start // 100) * 100
        if end < start:
            end += 100
    return start if end == start + 1 else None

