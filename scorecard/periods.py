"""Financial, academic and calendar periods: parsing every accepted spelling, labels and arithmetic.

A period is identified by its end date and its frequency (and, for annual periods, the
indicator's year basis). Financial years run April to March (`2024/25`, quarters Q1
Apr-Jun ... Q4 Jan-Mar), academic years September to August (`2023/24`), calendar years
January to December (`2024`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


class YearBasis(StrEnum):
    FINANCIAL = "financial"
    ACADEMIC = "academic"
    CALENDAR = "calendar"


_MONTHS_IN = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}

# The month each basis's year starts in.
_FIRST_MONTH = {YearBasis.FINANCIAL: 4, YearBasis.ACADEMIC: 9, YearBasis.CALENDAR: 1}


class PeriodError(ValueError):
    """A period spelling that does not parse, or does not fit the indicator's frequency."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"{reason} (got '{value}')")
        self.value = value
        self.reason = reason


# English names whatever the machine's locale (calendar.month_name follows the locale, and is slow).
MONTH_NAMES = (
    "", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
MONTH_ABBREVIATIONS = ("", *(name[:3] for name in MONTH_NAMES[1:]))
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_end(year: int, month: int) -> date:
    # Called for every period built; a table is much faster than calendar.monthrange.
    if month == 2 and calendar.isleap(year):
        return date(year, 2, 29)
    return date(year, month, _DAYS_IN_MONTH[month])


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


@dataclass(frozen=True, slots=True, order=True)
class Year:
    """A year of one basis, named by the calendar year it starts in: Year(FINANCIAL, 2024) is 2024/25."""

    basis: YearBasis
    start_year: int

    @property
    def label(self) -> str:
        if self.basis is YearBasis.CALENDAR:
            return str(self.start_year)
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return date(self.start_year, _FIRST_MONTH[self.basis], 1)

    @property
    def end(self) -> date:
        year, month = _add_months(self.start_year, _FIRST_MONTH[self.basis], 11)
        return _month_end(year, month)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Year:
        return Year(self.basis, self.start_year - 1)

    def next(self) -> Year:
        return Year(self.basis, self.start_year + 1)

    def __str__(self) -> str:
        return self.label


def year_of(day: date, basis: YearBasis) -> Year:
    """The year of `basis` that contains `day`: 2024-06-30 is in financial 2024/25."""
    first = _FIRST_MONTH[basis]
    return Year(basis, day.year if day.month >= first else day.year - 1)


_YEAR_LABEL = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")


def parse_year(text: str, basis: YearBasis) -> Year:
    """`2024/25`, `2024-25` or `2024/2025` for financial and academic years; `2024` for calendar."""
    value = text.strip()
    if basis is YearBasis.CALENDAR:
        if re.fullmatch(r"\d{4}", value):
            return Year(basis, int(value))
        raise PeriodError(text, "a calendar year is written like 2024")
    match = _YEAR_LABEL.match(value)
    if not match:
        raise PeriodError(text, f"a {basis.value} year is written like 2024/25")
    start = int(match.group(1))
    end = match.group(2)
    if len(end) == 4:
        end_year = int(end)
    else:
        # Two digits name the year in the first's century, or the next one's: 1999/00.
        end_year = (start // 100) * 100 + int(end)
        if end_year < start:
            end_year += 100
    if end_year != start + 1:
        raise PeriodError(text, "the second year must follow the first, as in 2024/25")
    return Year(basis, start)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One reporting period: its end date, its frequency, and (for annual periods) its year basis.

    Monthly periods end on the last day of the month, quarterly ones on the last day of a
    financial-year quarter, annual ones on the last day of a year of their basis.
    """

    end: date
    frequency: Frequency
    year_basis: YearBasis = YearBasis.FINANCIAL

    def __post_init__(self) -> None:
        # Months and quarters are the same whatever the indicator's basis; normalising the
        # basis keeps equal periods equal (and hashable alike) wherever they were built.
        if self.frequency is not Frequency.ANNUAL and self.year_basis is not YearBasis.FINANCIAL:
            object.__setattr__(self, "year_basis", YearBasis.FINANCIAL)
        if not is_period_end(self.end, self.frequency, self.year_basis):
            raise PeriodError(self.end.isoformat(), _end_rule(self.frequency, self.year_basis))

    @property
    def start(self) -> date:
        months = _MONTHS_IN[self.frequency]
        year, month = _add_months(self.end.year, self.end.month, -(months - 1))
        return date(year, month, 1)

    @property
    def year(self) -> Year:
        """The year the period ends in: of its basis when annual, else the financial year.

        Targets and YTD use the indicator's basis: see `year_of_period`.
        """
        return year_of(self.end, self.year_basis)

    @property
    def quarter(self) -> int | None:
        """1-4 for a financial-year quarter (Q1 Apr-Jun); None for annual periods."""
        if self.frequency is Frequency.ANNUAL:
            return None
        return ((self.end.month - 4) % 12) // 3 + 1

    @property
    def label(self) -> str:
        """What a councillor reads: `May 2024`, `2024/25 Q2`, `2024/25`, `2024`."""
        if self.frequency is Frequency.MONTHLY:
            return f"{MONTH_NAMES[self.end.month]} {self.end.year}"
        if self.frequency is Frequency.QUARTERLY:
            return f"{self.year.label} Q{self.quarter}"
        return self.year.label

    @property
    def short_label(self) -> str:
        """Compact form for tables: `May 24`, `2024/25 Q2`, `2024/25`."""
        if self.frequency is Frequency.MONTHLY:
            return f"{MONTH_ABBREVIATIONS[self.end.month]} {self.end.year % 100:02d}"
        return self.label

    def shifted(self, steps: int) -> Period:
        """The period `steps` periods later (negative: earlier)."""
        months = _MONTHS_IN[self.frequency]
        year, month = _add_months(self.end.year, self.end.month, steps * months)
        return Period(_month_end(year, month), self.frequency, self.year_basis)

    def previous(self) -> Period:
        return self.shifted(-1)

    def next(self) -> Period:
        return self.shifted(1)

    def same_period_last_year(self) -> Period:
        year, month = _add_months(self.end.year, self.end.month, -12)
        return Period(_month_end(year, month), self.frequency, self.year_basis)

    def __str__(self) -> str:
        return self.label


def _end_rule(frequency: Frequency, basis: YearBasis) -> str:
    if frequency is Frequency.MONTHLY:
        return "a monthly period ends on the last day of a month"
    if frequency is Frequency.QUARTERLY:
        return "a quarter ends on 30 June, 30 September, 31 December or 31 March"
    last = {YearBasis.FINANCIAL: "31 March", YearBasis.ACADEMIC: "31 August"}.get(basis, "31 December")
    return f"a {basis.value} year ends on {last}"


def is_period_end(day: date, frequency: Frequency, basis: YearBasis = YearBasis.FINANCIAL) -> bool:
    if day != _month_end(day.year, day.month):
        return False
    if frequency is Frequency.MONTHLY:
        return True
    if frequency is Frequency.QUARTERLY:
        return day.month in (3, 6, 9, 12)
    return day == year_of(day, basis).end


def quarter(fy_start_year: int, number: int) -> Period:
    """Financial-year quarter: quarter(2024, 2) is 2024/25 Q2, ending 30 September 2024."""
    if not 1 <= number <= 4:
        raise PeriodError(f"Q{number}", "a quarter is Q1, Q2, Q3 or Q4")
    year, month = _add_months(fy_start_year, 4, number * 3 - 1)
    return Period(_month_end(year, month), Frequency.QUARTERLY)


def months_of(period: Period) -> list[Period]:
    """The monthly periods inside a quarter or year, in order."""
    result = []
    cursor = Period(_month_end(period.start.year, period.start.month), Frequency.MONTHLY)
    while cursor.end <= period.end:
        result.append(cursor)
        cursor = cursor.next()
    return result


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4}\s*[/-]\s*\d{2,4})\s*Q([1-4])$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_period(text: str, frequency: Frequency, basis: YearBasis = YearBasis.FINANCIAL) -> Period:
    """Parse any accepted spelling into a period of the indicator's frequency and basis.

    Accepted: `2024-06` (month), `2024/25 Q2` or `2024-25 Q2` (financial quarter), `2024/25`
    or `2024-25` (a year of the basis), `2024` (calendar year), or an ISO end date
    `2024-06-30`. A spelling of another frequency is refused: `2024-06` is not a quarter.
    """
    value = " ".join(str(text).split())
    if not value:
        raise PeriodError(str(text), "the period is empty")
    iso = _ISO_DATE.match(value)
    if iso:
        try:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            raise PeriodError(value, "not a real date") from None
        if not is_period_end(day, frequency, basis):
            raise PeriodError(value, _end_rule(frequency, basis))
        return Period(day, frequency, basis)
    if frequency is Frequency.ANNUAL and _YEAR_LABEL.match(value):
        # `2024-25` is a year for an annual indicator; for a monthly one `2011-12` is December
        # 2011, so the frequency decides. `2024-06` given for an annual one is a month, refused
        # below as one.
        try:
            return Period(parse_year(value, basis).end, frequency, basis)
        except PeriodError:
            if not _MONTH.match(value):
                raise
    month = _MONTH.match(value)
    if month:
        if frequency is not Frequency.MONTHLY:
            raise PeriodError(value, f"a month was given but this indicator is {frequency.value}")
        number = int(month.group(2))
        if not 1 <= number <= 12:
            raise PeriodError(value, "the month must be 01 to 12")
        return Period(_month_end(int(month.group(1)), number), frequency, basis)
    fy_quarter = _QUARTER.match(value)
    if fy_quarter:
        if frequency is not Frequency.QUARTERLY:
            raise PeriodError(value, f"a quarter was given but this indicator is {frequency.value}")
        year = parse_year(fy_quarter.group(1), YearBasis.FINANCIAL)
        return quarter(year.start_year, int(fy_quarter.group(2)))
    if re.fullmatch(r"\d{4}", value) or _YEAR_LABEL.match(value):
        if frequency is not Frequency.ANNUAL:
            raise PeriodError(value, f"a year was given but this indicator is {frequency.value}")
        return Period(parse_year(value, basis).end, frequency, basis)
    raise PeriodError(
        value, "not a period: write 2024-06, 2024/25 Q2, 2024/25, 2024 or an end date 2024-06-30"
    )


def year_of_period(period: Period, basis: YearBasis) -> Year:
    """The year of the indicator's basis that a period ends in (targets apply by this)."""
    return year_of(period.end, basis)
