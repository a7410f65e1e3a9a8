"""The composition root: the settings read once, and everything built from them.

Each entry point (`kpibot serve`'s workers, socket mode, the CLI's commands) asks for what it
needs here: the settings (`settings`), the store (`bot.runtime.open_runtime`), the messengers
that deliver the outbox, one per platform with a token (`messengers_for`). Where and when the
scorecard is published and the concern steps' rules are read from the settings by
bot.settings.publication_for and policy_for. Nothing else reads the environment or decides
which platforms are set up.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from bot.settings import Settings

if TYPE_CHECKING:  # for the hints only: `kpibot ask` reads the settings and delivers nothing
    from bot.messaging import Directory, Messenger

__all__ = ["directories_for", "messengers_for", "settings"]


@cache
def _environment() -> Settings:
    return Settings()


def settings(**overrides: Any) -> Settings:
    """The settings from the environment (read once a process), with `overrides` (a command's
    options, such as --database-url) applied where given."""
    given = {name: value for name, value in overrides.items() if value is not None}
    if not given:
        return _environment()
    return Settings(**given)


def messengers_for(
    settings: Settings, *, slack_client: Any = None, teams: Messenger | None = None
) -> tuple[Messenger, ...]:
    """A messenger for each platform this copy has a token for (none at a bare terminal: then
    nothing but the newsletter pages is delivered, and messages wait for a copy that can).
    `teams`: the Teams messenger of this worker's edge (bot.teams.app), else one is built."""
    found: list[Messenger] = []
    if settings.slack_bot_token or slack_client is not None:
        from bot.slack.app import web_client
        from bot.slack.messenger import SlackMessenger

        found.append(SlackMessenger(slack_client or web_client(settings)))
    if teams is not None:
        found.append(teams)
    elif settings.teams_client_id:
        from bot.teams.app import create_messenger

        found.append(create_messenger(settings))
    return tuple(found)


def directories_for(settings: Settings, *, slack_client: Any = None) -> tuple[Directory, ...]:
    """A people directory for each platform this copy has a token for (names: bot.names)."""
    found: list[Directory] = []
    if settings.slack_bot_token or slack_client is not None:
        from bot.slack.app import web_client
        from bot.slack.directory import SlackDirectory

        found.append(SlackDirectory(slack_client or web_client(settings)))
    return tuple(found)
