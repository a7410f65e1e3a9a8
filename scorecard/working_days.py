"""Working days: Monday to Friday except England and Wales bank holidays, and times in council time.

Used wherever the spec counts working days: publication of an approved scorecard (the next
working day at 09:00 Europe/London), a concern's due date (10 working days) and the briefing
before a meeting (5 working days before). Bank holidays come from the `holidays` package
(`holidays.country_holidays("GB", subdiv="ENG")`, which also has one-off days such as a
coronation) unless a caller passes its own set; nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

__all__ = [
    "LONDON",
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "next_working_day_at",
    "working_days_between",
]

# England's clock: an English council's working days and publication times (the one definition).
LONDON = ZoneInfo("Europe/London")

@cache
def _year_of_holidays(year: int) -> frozenset[date]:
    import holidays as holiday_calendars  # here, not at the top: most callers want only LONDON

    return frozenset(holiday_calendars.country_holidays("GB", subdiv="ENG", years=year).keys())


def bank_holidays(years: Iterable[int]) -> frozenset[date]:
    """England and Wales bank holidays in `years`: 2024 has Good Friday 29 March, Easter Monday
    1 April, 26 August, 25 and 26 December, among its eight."""
    found: set[date] = set()
    for year in years:
        found |= _year_of_holidays(year)
    return frozenset(found)


class _Holidays:
    """The given bank holidays, or England and Wales's for whichever year is asked about."""

    def __init__(self, given: Collection[date] | None) -> None:
        self.given = given

    def __contains__(self, day: date) -> bool:
        if self.given is not None:
            return day in self.given
        return day in _year_of_holidays(day.year)


def is_working_day(day: date, holidays: Collection[date] | None = None) -> bool:
    """Monday to Friday and not a bank holiday: Friday 23 August 2024 is, Monday 26 August
    2024 (the late summer bank holiday) is not, nor is any Saturday or Sunday."""
    return day.weekday() < 5 and day not in _Holidays(holidays)


def add_working_days(day: date, n: int, holidays: Collection[date] | None = None) -> date:
    """The working day `n` working days after `day` (before it when `n` is negative).

    `day` itself is never counted, so from Friday 23 August 2024, 1 working day is Tuesday
    27 August (Monday is a bank holiday) and 10 working days is Monday 9 September. From a
    Saturday, 1 working day is the next Monday (if it is not a bank holiday). `n == 0` gives
    `day` itself, working day or not.
    """
    known = _Holidays(holidays)
    step = timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    current = day
    while left:
        current += step
        if current.weekday() < 5 and current not in known:
            left -= 1
    return current


def working_days_between(start: date, end: date, holidays: Collection[date] | None = None) -> int:
    """Working days after `start` up to and including `end` (negative when `end` is earlier):
    from Friday 23 August 2024 to Tuesday 27 August 2024 is 1."""
    if end == start:
        return 0
    known = _Holidays(holidays)
    sign = 1 if end > start else -1
    low, high = (start, end) if sign > 0 else (end, start)
    count = 0
    current = low + timedelta(days=1)
    while current <= high:
        if current.weekday() < 5 and current not in known:
            count += 1
        current += timedelta(days=1)
    return sign * count


def next_working_day_at(
    moment: datetime,
    at: time = time(9, 0),
    zone: ZoneInfo = LONDON,
    holidays: Collection[date] | None = None,
) -> datetime:
    """`at` o'clock in `tz` on the first working day after `moment`'s date there.

    Approved on Friday 25 October 2024 at 16:00 BST: Monday 28 October 2024 09:00 GMT (the
    clocks went back on the Sunday); approved on Friday 23 August 2024: Tuesday 27 August 2024
    09:00 BST (Monday was a bank holiday); approved on Christmas Eve 2024: Friday 27 December.
    The result is an aware date-time in `zone`; `moment` must be aware.
    """
    if moment.tzinfo is None:
        raise ValueError("moment must be an aware date-time")
    local_day = moment.astimezone(zone).date()
    day = add_working_days(local_day, 1, holidays)
    # A wall-clock time that a clock change skips or repeats does not arise at 09:00 in London;
    # `fold=0` takes the first of a repeated time elsewhere.
    return datetime.combine(day, at, tzinfo=zone)
