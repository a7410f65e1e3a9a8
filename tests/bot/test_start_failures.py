"""A setting that stops `kpibot` from starting is said in one line naming the setting, with exit
status 2 and no traceback, for every command (issue 10: they printed 70-140-line tracebacks).
The commands run as real processes, against a closed port, the test PostgreSQL server with a
wrong password, and the Slack stub refusing the token."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD_ROLE
from tests.ports import free_port
from tests.slack.stub import SlackStub

RIGHT = "right-horse-battery"
WRONG = "wrong-horse-battery"


def _kpibot(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("kpibot")), *args],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120,
    )


def _environment(tmp_path: Path, **settings: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **settings}


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one line saying why; `kpibot serve` may have logged its start before it (a line each)."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    said = [line for line in lines if line.startswith("Cannot start:")]
    assert len(said) == 1 and lines[-1] == said[0], done.stderr
    assert len(lines) <= 3, done.stderr
    return said[0]


@pytest.fixture
def password_url(postgres_url: str) -> Iterator[str]:
    """A new database owned by the server's one role that must give its password; its URL with
    the user but no password."""
    import psycopg

    admin = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP ROLE IF EXISTS {PASSWORD_ROLE}")
        connection.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{RIGHT}'")
        connection.execute(f"GRANT ALL ON SCHEMA public TO {PASSWORD_ROLE}")
    try:
        yield postgres_url.replace("://postgres@", f"://{PASSWORD_ROLE}@")
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP OWNED BY {PASSWORD_ROLE}")
            connection.execute(f"DROP ROLE {PASSWORD_ROLE}")


@pytest.mark.postgres
def test_a_wrong_database_password_is_one_line_naming_the_user_and_the_setting(
    password_url: str, tmp_path: Path
) -> None:
    wrong = password_url.replace(f"{PASSWORD_ROLE}@", f"{PASSWORD_ROLE}:{WRONG}@")

    done = _kpibot("db", "upgrade", "--database-url", wrong, env=_environment(tmp_path), cwd=tmp_path)

    line = _one_line(done)

    assert line == (
        f"Cannot start: DATABASE_URL: the database refused the password for user {PASSWORD_ROLE}; "
        "check the password in DATABASE_URL"
    )
    assert WRONG not in line


@pytest.mark.postgres
def test_the_right_database_password_starts(password_url: str, tmp_path: Path) -> None:
    right = password_url.replace(f"{PASSWORD_ROLE}@", f"{PASSWORD_ROLE}:{RIGHT}@")

    done = _kpibot("db", "upgrade", "--database-url", right, env=_environment(tmp_path), cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert RIGHT not in done.stdout + done.stderr


@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve"], ["concerns", "list", "--as", "U0X"]])
def test_an_unreachable_database_host_is_one_line_for_every_command(
    tmp_path: Path, command: list[str]
) -> None:
    port = free_port()
    env = _environment(
        tmp_path,
        DATABASE_URL=f"postgresql://kpibot:{WRONG}@127.0.0.1:{port}/kpibot",
        SLACK_BOT_TOKEN="xoxb-not-real", SLACK_SIGNING_SECRET="not-real",
    )

    line = _one_line(_kpibot(*command, env=env, cwd=tmp_path))

    assert line == (
        f"Cannot start: DATABASE_URL: could not reach host 127.0.0.1:{port} (connection refused); "
        "check the host and port in DATABASE_URL, and that PostgreSQL is running there"
    )


def test_a_database_host_name_that_does_not_resolve_is_one_line(tmp_path: Path) -> None:
    env = _environment(tmp_path, DATABASE_URL=f"postgresql://kpibot:{WRONG}@no-such-host.invalid/kpibot")

    line = _one_line(_kpibot("db", "upgrade", env=env, cwd=tmp_path))

    assert line.startswith("Cannot start: DATABASE_URL: could not reach host no-such-host.invalid")
    assert WRONG not in line


def test_a_slack_token_that_slack_refuses_is_one_line_and_serve_exits_2(tmp_path: Path) -> None:
    stub = SlackStub().start()
    try:
        stub.fail_next("auth.test", body={"ok": False, "error": "invalid_auth"})
        env = _environment(
            tmp_path,
            DATABASE_URL=f"sqlite:///{tmp_path / 'kpibot.sqlite'}",
            SLACK_API_URL=stub.api_url,
            SLACK_BOT_TOKEN="xoxb-revoked-long-ago",
            SLACK_SIGNING_SECRET="not-real",
            SLACK_MEMBERS_CHANNEL="C0MEMBERS1",
            PORT=str(free_port()),
        )

        line = _one_line(_kpibot("serve", "--host", "127.0.0.1", env=env, cwd=tmp_path))
    finally:
        stub.stop()

    assert line == (
        "Cannot start: SLACK_BOT_TOKEN was refused by Slack (invalid_auth): check the Bot User OAuth Token "
        "(xoxb-...) on the Slack app's OAuth & Permissions page"
    )
    assert "xoxb-revoked-long-ago" not in line
