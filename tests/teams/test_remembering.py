"""Who wrote is stored from every activity (issue 14: what proactive sending needs), but only
when something is new: each process keeps what it last stored for an account and writes again
when the chat, the Bot Connector, the tenant, the e-mail or the name differ, or when what it
stored is older than bot.teams.services.REFRESH (so last-seen stays within it). A first activity
is stored before it is answered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.teams.services import REFRESH
from data import people
from tests.teams.test_edge import ADA, NOW, TENANT, Teams, open_teams


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ticking(database_url: str, clock: Clock) -> Iterator[Teams]:
    with open_teams(database_url, clock) as opened:
        yield opened


def stored(teams: Teams) -> tuple[people.Account, str | None]:
    """Ada's Teams account as stored, and her name."""
    with teams.runtime.reading() as session:
        person = people.person_of(session, "teams", ADA.aad)
        (account,) = [a for a in people.accounts_of(session, person) if a.platform == "teams"]
        return account, people.names_of(session, [person]).get(person)


def seen_at(teams: Teams) -> datetime | None:
    return stored(teams)[0].seen_at


def test_a_first_message_is_stored_before_it_is_answered_and_a_repeat_soon_after_is_not_written(
    ticking: Teams, clock: Clock
) -> None:
    ticking.post(ticking.message(ADA, "help"))
    account, name = stored(ticking)
    assert account.reference == {"conversation": ADA.chat, "serviceUrl": ticking.connector.url,
                                 "tenant": TENANT, "user": ADA.teams_id}
    assert (account.seen_at, name) == (NOW, ADA.name)
    clock.now = NOW + REFRESH - timedelta(minutes=1)
    ticking.post(ticking.message(ADA, "kpi SEND timeliness"))
    assert len(ticking.cards_to(ADA.chat)) == 2
    assert seen_at(ticking) == NOW  # nothing new: not written again
    # Once what was stored is REFRESH old, the next message stores it again (last-seen moves on).
    clock.now = NOW + REFRESH
    ticking.post(ticking.message(ADA, "help"))
    assert seen_at(ticking) == NOW + REFRESH


def test_a_new_chat_or_name_is_stored_at_once_and_a_proactive_message_follows_it(
    ticking: Teams, clock: Clock
) -> None:
    ticking.post(ticking.message(ADA, "help"))
    clock.now = NOW + timedelta(minutes=5)
    renamed = ticking.message(ADA, "help")
    renamed["from"]["name"] = "Cllr Ada King"
    ticking.post(renamed)
    account, name = stored(ticking)
    assert (account.seen_at, name) == (clock.now, "Cllr Ada King")
    clock.now = NOW + timedelta(minutes=10)
    moved = ticking.message(ADA, "help")
    moved["conversation"]["id"] = "a:1on1-ada-new"
    ticking.post(moved)
    account, _ = stored(ticking)
    assert (account.seen_at, account.reference["conversation"]) == (clock.now, "a:1on1-ada-new")
    # A question from a channel is answered in the chat stored last, without creating one.
    ticking.post(ticking.message(ADA, "kpi SEND timeliness", channel=True))
    assert [call for call in ticking.connector.calls if call.path == "/v3/conversations"] == []
    assert len(ticking.cards_to("a:1on1-ada-new")) == 2
    account, _ = stored(ticking)
    assert account.reference["conversation"] == "a:1on1-ada-new"
