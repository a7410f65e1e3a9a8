"""Why a `kpibot` command cannot start, in one line naming the setting to check.

A wrong database password, an unreachable database host or a Slack token that Slack refuses
are the operator's to fix, not bugs: `bot.cli.main` prints `Cannot start: <the line>` and exits
with status 2, and the traceback goes to the log at debug level. The line never holds a
password: it is built from the driver's message, which names the host, port and user only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["startup_problem"]

# Slack's answers to auth.test that mean the token itself is wrong.
_REFUSED_TOKEN = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "not_allowed_token_type",
})

_SERVER_AT = re.compile(r'server at "([^"]+)"(?: \([^)]*\))?, port (\d+)')
_HOST = re.compile(r"host '([^']+)'")
_QUOTED = re.compile(r'"([^"]+)"')


def startup_problem(error: BaseException) -> str | None:
    """The one line saying which setting to check, or None if `error` is not a setting's fault
    (a bug: it keeps its traceback)."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        # A setting the environment gives that cannot be used (bot.settings says why).
        return "; ".join(
            f"{'_'.join(str(part) for part in problem['loc']).upper()} "
            f"{str(problem['msg']).removeprefix('Value error, ')}"
            for problem in error.errors()
        )
    for cause in _chain(error):
        kind = type(cause)
        if kind.__module__.startswith("slack_sdk") and kind.__name__ == "SlackApiError":
            code = str(getattr(cause, "response", {}).get("error", ""))
            if code in _REFUSED_TOKEN:
                return (
                    f"SLACK_BOT_TOKEN was refused by Slack ({code}): check the Bot User OAuth Token "
                    "(xoxb-...) on the Slack app's OAuth & Permissions page"
                )
            return None
        if kind.__name__ == "OperationalError" and kind.__module__.split(".")[0] in ("psycopg", "sqlite3"):
            return _database_problem(cause)
    return None


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and what caused it (SQLAlchemy wraps the driver's error; bolt the Slack one)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__ or current.__context__


def _database_problem(error: BaseException) -> str | None:
    text = str(error)
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    lowered = text.lower()
    server = _SERVER_AT.search(text)
    where = f"{server.group(1)}:{server.group(2)}" if server else ""
    quoted = _QUOTED.findall(text.split("failed:", 2)[-1])
    named = quoted[-1] if quoted else ""
    if "password authentication failed" in lowered:
        return (
            f"DATABASE_URL: the database refused the password for user {named}; check the password in "
            "DATABASE_URL"
        )
    if "no password supplied" in lowered:
        return f"DATABASE_URL: the database at {where} needs a password; put it in DATABASE_URL"
    if "connection refused" in lowered:
        return (
            f"DATABASE_URL: could not reach host {where} (connection refused); check the host and port in "
            "DATABASE_URL, and that PostgreSQL is running there"
        )
    if "failed to resolve host" in lowered or "could not translate host name" in lowered:
        host = _HOST.search(text) or _QUOTED.search(text)
        return (
            f"DATABASE_URL: could not reach host {host.group(1) if host else ''} (there is no such host "
            "name); check the host in DATABASE_URL"
        )
    if "timeout expired" in lowered or "timed out" in lowered:
        return (
            f"DATABASE_URL: could not reach host {where} (no answer in time); check the host and port in "
            "DATABASE_URL, and that a firewall lets this machine through"
        )
    if re.search(r'database "[^"]+" does not exist', text):
        return (
            f"DATABASE_URL: the server {where} has no database named {named}; create it, or correct "
            "the name in DATABASE_URL"
        )
    if re.search(r'role "[^"]+" does not exist', text):
        return f"DATABASE_URL: the server {where} has no user named {named}; check the user in DATABASE_URL"
    if "pg_hba.conf" in text:
        return (
            f"DATABASE_URL: the server {where} does not let this machine connect as that user "
            "(its pg_hba.conf); ask the database's administrator"
        )
    if "unable to open database file" in lowered:
        return (
            "DATABASE_URL: cannot open the SQLite file it names; check the path in DATABASE_URL and that "
            "its folder can be written"
        )
    if lowered.startswith("connection failed") or "connection to server" in lowered:
        return f"DATABASE_URL: could not connect to the database ({first}); check DATABASE_URL"
    return None
