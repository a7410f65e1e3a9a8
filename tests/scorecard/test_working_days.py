"""Working days in England and Wales, and the publication time in London across clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecard.working_days import (
    add_working_days,
    bank_holidays,
    is_working_day,
    next_working_day_at,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")


def test_england_and_wales_bank_holidays_of_2024() -> None:
    assert bank_holidays([2024]) == {
        date(2024, 1, 1), date(2024, 3, 29), date(2024, 4, 1), date(2024, 5, 6),
        date(2024, 5, 27), date(2024, 8, 26), date(2024, 12, 25), date(2024, 12, 26),
    }


def test_one_off_bank_holidays_are_included() -> None:
    assert date(2023, 5, 8) in bank_holidays([2023])  # the coronation
    assert date(2022, 9, 19) in bank_holidays([2022])  # the state funeral


def test_weekends_and_bank_holidays_are_not_working_days() -> None:
    assert is_working_day(date(2024, 8, 23))
    assert not is_working_day(date(2024, 8, 24))
    assert not is_working_day(date(2024, 8, 25))
    assert not is_working_day(date(2024, 8, 26))
    assert is_working_day(date(2024, 8, 27))


def test_friday_before_a_bank_holiday_monday_plus_one_is_tuesday() -> None:
    assert add_working_days(date(2024, 8, 23), 1) == date(2024, 8, 27)


def test_ten_working_days_from_friday_before_a_bank_holiday() -> None:
    assert add_working_days(date(2024, 8, 23), 10) == date(2024, 9, 9)


def test_christmas_and_new_year() -> None:
    assert add_working_days(date(2024, 12, 24), 1) == date(2024, 12, 27)
    assert add_working_days(date(2024, 12, 20), 10) == date(2025, 1, 8)


def test_easter_skips_good_friday_and_easter_monday() -> None:
    assert add_working_days(date(2025, 4, 17), 1) == date(2025, 4, 22)


def test_counting_starts_after_a_weekend_day() -> None:
    assert add_working_days(date(2024, 8, 24), 1) == date(2024, 8, 27)
    assert add_working_days(date(2024, 6, 1), 1) == date(2024, 6, 3)


def test_zero_working_days_is_the_day_itself() -> None:
    assert add_working_days(date(2024, 8, 24), 0) == date(2024, 8, 24)


def test_negative_counts_go_back() -> None:
    # Five working days before Tuesday 27 August 2024 (Monday 26th is a bank holiday).
    assert add_working_days(date(2024, 8, 27), -5) == date(2024, 8, 19)


def test_a_holiday_set_can_be_passed_in() -> None:
    assert add_working_days(date(2024, 8, 23), 1, holidays=frozenset()) == date(2024, 8, 26)
    assert add_working_days(date(2024, 8, 19), 1, holidays={date(2024, 8, 20)}) == date(2024, 8, 21)


def test_working_days_between() -> None:
    assert working_days_between(date(2024, 8, 23), date(2024, 8, 27)) == 1
    assert working_days_between(date(2024, 8, 27), date(2024, 8, 23)) == -1
    assert working_days_between(date(2024, 8, 23), date(2024, 9, 9)) == 10


def test_approval_on_friday_before_the_clocks_go_back_publishes_monday_9_gmt() -> None:
    approved = datetime(2024, 10, 25, 16, 0, tzinfo=LONDON)

    publish = next_working_day_at(approved)

    assert publish == datetime(2024, 10, 28, 9, 0, tzinfo=LONDON)
    assert publish.utcoffset() == timedelta(0)
    assert publish.astimezone(UTC) == datetime(2024, 10, 28, 9, 0, tzinfo=UTC)


def test_approval_on_friday_before_a_bank_holiday_publishes_tuesday_9_bst() -> None:
    approved = datetime(2024, 8, 23, 15, 30, tzinfo=LONDON)

    publish = next_working_day_at(approved, time(9, 0), ZoneInfo("Europe/London"))

    assert publish.astimezone(UTC) == datetime(2024, 8, 27, 8, 0, tzinfo=UTC)


def test_approval_before_the_clocks_go_forward() -> None:
    approved = datetime(2025, 3, 28, 12, 0, tzinfo=UTC)  # Friday, GMT

    assert next_working_day_at(approved).astimezone(UTC) == datetime(2025, 3, 31, 8, 0, tzinfo=UTC)


def test_the_local_date_decides_not_the_utc_one() -> None:
    # 23:30 UTC on Thursday 22 August is 00:30 BST on Friday 23rd in London.
    approved = datetime(2024, 8, 22, 23, 30, tzinfo=UTC)

    assert next_working_day_at(approved) == datetime(2024, 8, 27, 9, 0, tzinfo=LONDON)


def test_approval_early_in_the_morning_still_waits_for_the_next_working_day() -> None:
    approved = datetime(2024, 8, 20, 7, 0, tzinfo=LONDON)

    assert next_working_day_at(approved) == datetime(2024, 8, 21, 9, 0, tzinfo=LONDON)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_working_day_at(datetime(2024, 8, 23, 12, 0))


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(1, 40))
def test_adding_working_days_lands_on_a_working_day_and_counts_back(day: date, n: int) -> None:
    later = add_working_days(day, n)

    assert is_working_day(later)
    assert working_days_between(day, later) == n
    assert later > day
