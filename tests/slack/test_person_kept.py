"""The person behind a Slack account is read from the store once per process, once the account
is stored (an account never moves to another person), and never kept before that: a Slack user
without an account may yet be joined to someone by their e-mail."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.runtime import open_runtime
from bot.settings import Settings
from bot.slack.services import Services
from data import people

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_a_slack_user_joined_by_email_later_is_that_person_from_then_on(sample_store_url: str) -> None:
    runtime = open_runtime(Settings(database_url=sample_store_url))
    services = Services(runtime=runtime)
    with runtime.session() as session:
        people.remember(session, "teams", "aad-ada", now=NOW, email="ada@council.example")
    with runtime.reading() as session:
        assert services.person(session, "U0ADA") == "U0ADA"  # no account yet: their own id
        assert services.linked == {}
    with runtime.session() as session:  # the names job learns Slack's e-mail for U0ADA
        people.remember(session, "slack", "U0ADA", now=NOW, email="ada@council.example")
    with runtime.reading() as session:
        assert services.person(session, "U0ADA") == "teams:aad-ada"
    assert services.linked == {"U0ADA": "teams:aad-ada"}
    with runtime.reading() as session:
        assert services.person(session, "U0ADA") == "teams:aad-ada"
        assert services.request(session, "U0ADA", "").viewer.user == "teams:aad-ada"
    runtime.engine.dispose()
