"""People by name (issue 17): looked up in Slack's directory (users.info) when the bot meets
someone, kept in the store with an expiry, and shown wherever a person is shown; a person the
directory does not know, or a directory that cannot answer now, is shown by their id and never
blocks a step."""

from __future__ import annotations

import json
from datetime import timedelta

from bot import names
from bot.runtime import Runtime, utc_now
from bot.settings import Settings
from bot.slack.app import web_client
from bot.slack.directory import SlackDirectory
from data import people
from tests.slack.conftest import ADVISOR, MEMBER, Slack, body_of, settle
from tests.slack.stub import SlackStub
from tests.slack.test_concerns_flow import home_event, raise_one


def named(runtime: Runtime, person: str) -> str | None:
    with runtime.reading() as session:
        return people.names_of(session, [person]).get(person)


def home_text(stub: SlackStub, n: int) -> str:
    published = stub.wait_for("views.publish", n)[n - 1].params["view"]
    return json.dumps(published if isinstance(published, dict) else json.loads(published), ensure_ascii=False)


def test_the_advisor_sees_the_member_by_the_name_slack_shows(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    stub.directory[MEMBER] = ("Cllr Jo Bloggs", "Joanne Bloggs", "jo.bloggs@brackenford.example")
    raise_one(slack, stub)
    stub.wait_until(lambda: named(runtime, MEMBER) is not None, what="the member's name")

    slack.event(home_event(ADVISOR))
    text = home_text(stub, 1)
    assert "Raised by Cllr Jo Bloggs" in text  # the display name, not the login handle or the id
    assert MEMBER not in text.replace(f'"{MEMBER}"', "")
    # The e-mail joins the person, so the roles table may name them by it.
    from bot.runtime import viewer_for
    from data.schema import RoleRow
    from scorecard.model import Role

    with runtime.session() as session:
        session.add(RoleRow(user="Jo.Bloggs@Brackenford.example", role=Role.PERFORMANCE_OFFICER.value,
                            service_area="", source_file="test"))
    with runtime.reading() as session:
        assert Role.PERFORMANCE_OFFICER in viewer_for(session, MEMBER).roles


def test_someone_the_directory_does_not_know_is_shown_by_their_id(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    raise_one(slack, stub)  # the stub's directory knows nobody: user_not_found
    stub.wait_until(lambda: bool(stub.of("users.info", ok_only=False)), what="the look-up")
    slack.event(home_event(ADVISOR))
    assert f"Raised by {MEMBER}" in home_text(stub, 1)
    assert named(runtime, MEMBER) is None


def test_a_rate_limited_directory_never_blocks_a_step(
    slack: Slack, stub: SlackStub, runtime: Runtime
) -> None:
    stub.directory[MEMBER] = ("Cllr Jo Bloggs", "", "")
    stub.fail_next("users.info", status=429, headers={"Retry-After": "0"}, times=5,
                   body={"ok": False, "error": "ratelimited"})
    raise_one(slack, stub)  # the concern is kept and confirmed whatever the directory says
    settle(slack.app)
    assert any("Concern C-1 raised" in json.dumps(c.params) for c in stub.of("chat.postMessage"))
    assert named(runtime, MEMBER) is None


def test_names_are_kept_with_an_expiry_and_looked_up_again_after_it(
    stub: SlackStub, runtime: Runtime, settings: Settings
) -> None:
    directory = SlackDirectory(web_client(settings))
    stub.directory[MEMBER] = ("Cllr Jo Bloggs", "", "")
    now = utc_now()
    assert names.refresh_names(runtime, [directory], [MEMBER], now=now) == 1
    assert names.refresh_names(runtime, [directory], [MEMBER], now=now + timedelta(days=1)) == 0
    assert len(stub.of("users.info")) == 1  # kept: not asked again the next day
    stub.directory[MEMBER] = ("Cllr Jo Bloggs-Smith", "", "")
    later = now + people.NAME_KEPT_FOR + timedelta(minutes=1)
    assert names.refresh_names(runtime, [directory], [MEMBER], now=later) == 1
    assert named(runtime, MEMBER) == "Cllr Jo Bloggs-Smith"


def test_at_start_everyone_the_store_names_is_looked_up(
    stub: SlackStub, runtime: Runtime, settings: Settings
) -> None:
    stub.directory[ADVISOR] = ("Sam Advisor", "", "")
    found = names.refresh_everyone(runtime, [SlackDirectory(web_client(settings))], now=utc_now())
    assert found == 1  # the roles table names the advisor; everyone else is unknown to the stub
    assert named(runtime, ADVISOR) == "Sam Advisor"
    asked = {c.params.get("user") for c in stub.of("users.info", ok_only=False)}
    assert ADVISOR in asked and len(asked) > 1


def test_a_listing_made_later_without_a_token_still_shows_the_names(
    slack: Slack, stub: SlackStub, runtime: Runtime, settings: Settings
) -> None:
    from typer.testing import CliRunner

    from bot.cli import build

    stub.directory[MEMBER] = ("Cllr Jo Bloggs", "", "")
    raise_one(slack, stub)
    stub.wait_until(lambda: named(runtime, MEMBER) is not None, what="the member's name")
    settle(slack.app)
    result = CliRunner().invoke(
        build(), ["concerns", "show", "C-1", "--as", ADVISOR, "--database-url", settings.database_url],
        env={"SLACK_BOT_TOKEN": "", "COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "Cllr Jo Bloggs" in result.output, result.output
    _ = body_of
