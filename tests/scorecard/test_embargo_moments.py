"""When what a member may see changes (scorecard.rules.embargo_ends and embargoes_passed): what
lets a card be kept between questions and never shown past an embargo's end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scorecard.model import Benchmark, Comparator, Observation, Role, Viewer
from scorecard.periods import Frequency, Period
from scorecard.rules import embargo_ends, embargoes_passed, visible
from scorecard.working_days import LONDON

JUNE = Period(datetime(2024, 6, 30).date(), Frequency.MONTHLY)
MEMBER = Viewer("U1", frozenset({Role.MEMBER}))
OFFICER = Viewer("U2", frozenset({Role.MEMBER, Role.PERFORMANCE_OFFICER}))
# 09:30 in London on a summer day is 08:30 UTC.
NAIVE = datetime(2024, 7, 15, 9, 30)
AWARE = datetime(2024, 7, 20, 9, 30, tzinfo=UTC)


def figures() -> list[Observation | Benchmark]:
    return [
        Observation("A-01", JUNE, 1.0, embargo_until=AWARE),
        Observation("A-01", JUNE, 2.0),
        Benchmark("A-01", JUNE, Comparator.ENGLAND, 3.0, embargo_until=NAIVE),
        Observation("A-01", JUNE, 4.0, embargo_until=AWARE),  # the same moment twice counts once
    ]


def test_the_ends_are_aware_in_order_with_a_zoneless_one_read_as_london_time() -> None:
    assert embargo_ends(figures()) == (NAIVE.replace(tzinfo=LONDON), AWARE)
    assert embargo_ends([]) == ()


@pytest.mark.parametrize(
    ("now", "passed"),
    [
        (datetime(2024, 7, 15, 8, 29, 59, tzinfo=UTC), 0),
        (datetime(2024, 7, 15, 8, 30, tzinfo=UTC), 1),  # at the instant, the figure is public
        (AWARE - timedelta(microseconds=1), 1),
        (AWARE, 2),
    ],
)
def test_a_member_is_past_the_ends_that_have_come(now: datetime, passed: int) -> None:
    ends = embargo_ends(figures())
    assert embargoes_passed(ends, MEMBER, now) == passed
    # The same answer means the same figures are visible: what keeping a card relies on.
    assert sum(visible(item, MEMBER, now) for item in figures()) == 1 + passed + (passed == 2)


def test_staff_see_through_every_embargo_so_time_does_not_split_them() -> None:
    ends = embargo_ends(figures())
    assert embargoes_passed(ends, OFFICER, datetime(2020, 1, 1, tzinfo=UTC)) == -1
    assert embargoes_passed(ends, OFFICER, AWARE) == -1


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError):
        embargoes_passed((), MEMBER, datetime(2024, 7, 15))
