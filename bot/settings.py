"""Every option the bot reads from the environment, each with a default and a line of help.

Read once at start (`Settings()`); nothing else in the project reads os.environ.
"""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:  # imported where used: `kpibot ask` reads the settings but needs neither
    from handlers.approval import Publication
    from handlers.concern_steps import Policy


def default_database_url() -> str:
    from platformdirs import user_data_dir  # only when no database is given

    folder = Path(user_data_dir("kpibot", appauthor=False))
    return f"sqlite:///{folder / 'kpibot.sqlite'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = Field(
        default_factory=default_database_url,
        description="Where the indicator store lives: sqlite:///file or postgresql+psycopg://...",
    )
    # No time zone setting: an English council's working days, bank holidays and publication
    # times are England's (scorecard.rules.LONDON, the one definition).
    suppress_below: int = Field(5, description="Ward counts below this are shown as <5.")
    publish_time: str = Field("09:00", description="When an approved scorecard is published.")
    concern_due_working_days: int = Field(10, description="Working days a service has to answer.")
    briefing_working_days: int = Field(5, description="Working days before a meeting to brief.")
    commission: str = Field(
        "",
        description="The committee members' concerns are escalated to and briefed for, as named in "
        "meetings.csv (e.g. Children and Young People Scrutiny Commission); empty: every committee.",
    )
    public_base_url: str = Field(
        "http://localhost:3000", description="Where members reach `kpibot serve` (newsletter links)."
    )
    port: int = Field(3000, description="The HTTP port of `kpibot serve`.")
    log_format: Literal["plain", "json"] = Field(
        "plain", description="`kpibot serve`'s log: plain lines, or one JSON object a line (json)."
    )
    workers: int = Field(
        0, ge=0, le=64, description="Worker processes `kpibot serve` runs for HTTP (0: two per CPU core)."
    )
    slack_bot_token: str = Field("", description="Slack bot token (xoxb-...).")
    slack_signing_secret: str = Field("", description="Slack signing secret (HTTP mode).")
    slack_app_token: str = Field("", description="Slack app-level token (xapp-...): Socket Mode.")
    slack_members_channel: str = Field(
        "",
        description="The ID of the channel the scorecard is published to (C0123ABCD: in Slack, the "
        "channel's name, then About, at the bottom), not its name.",
    )
    slack_api_url: str = Field("https://slack.com/api/", description="Slack Web API base URL.")
    teams_client_id: str = Field(
        "", description="Microsoft Teams: the bot's Microsoft App ID (the Entra app registration's "
        "Application (client) ID). Empty: no Teams."
    )
    teams_client_secret: str = Field("", description="Microsoft Teams: the app registration's client secret.")
    teams_tenant_id: str = Field(
        "", description="Microsoft Teams: the council's Entra tenant ID (Directory (tenant) ID)."
    )
    teams_members_channel: str = Field(
        "",
        description="Microsoft Teams: the conversation ID of the channel published scorecards go to "
        "(19:...@thread.tacv2: the channel's ..., Get link to channel, the part after /channel/).",
    )
    teams_service_url: str = Field(
        "https://smba.trafficmanager.net/teams/",
        description="Microsoft Teams: the Bot Connector the bot posts to when nobody has just written "
        "(a person's own is remembered from their messages).",
    )
    teams_allow_unauthenticated: bool = Field(
        False,
        description="Microsoft Teams, local testing only: accept activities without Microsoft's "
        "signature and reply without a token. Refused unless PUBLIC_BASE_URL is on this machine "
        "(localhost).",
    )

    @field_validator("slack_members_channel")
    @classmethod
    def _a_channel_id(cls, value: str) -> str:
        value = value.strip()
        if value and not CHANNEL_ID.fullmatch(value):
            raise ValueError(
                f"must be the channel's ID, like C0123ABCD (in Slack: the channel's name, then About, at "
                f"the bottom), not {value!r}"
            )
        return value


    @field_validator("teams_members_channel")
    @classmethod
    def _a_teams_channel(cls, value: str) -> str:
        value = value.strip()
        if value and not TEAMS_CHANNEL_ID.fullmatch(value):
            raise ValueError(
                f"must be the channel's conversation ID, like 19:abc...@thread.tacv2 (in Teams: the "
                f"channel's ..., Get link to channel, the part after /channel/, decoded), not {value!r}"
            )
        return value

    @field_validator("teams_allow_unauthenticated")
    @classmethod
    def _only_on_this_machine(cls, value: bool, info: ValidationInfo) -> bool:
        # A bot reachable from elsewhere must never take unsigned activities: anyone could act
        # as any councillor. So only with PUBLIC_BASE_URL on this machine (local testing).
        if value and not is_local(str(info.data.get("public_base_url", ""))):
            raise ValueError(
                "is for local testing only (anyone could act as any councillor): it is refused unless "
                "PUBLIC_BASE_URL is on this machine (http://localhost:3000); unset it"
            )
        return value


def is_local(url: str) -> bool:
    """Whether `url` names this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


# A Teams channel's conversation id ("19:...@thread.tacv2", or the older "@thread.skype").
TEAMS_CHANNEL_ID = re.compile(r"19:[A-Za-z0-9_.\-]+@thread\.(tacv2|skype)")

# Slack's public (C) and private (G) channel ids.
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{6,20}")


def publication_for(settings: Settings) -> Publication:
    """The members' channels, page links and publication time from the settings."""
    from data import outbox
    from handlers.approval import Publication

    hours, _, minutes = settings.publish_time.partition(":")
    members = []
    if settings.slack_members_channel:
        members.append(outbox.to_channel("slack", settings.slack_members_channel))
    if settings.teams_client_id and settings.teams_members_channel:
        members.append(outbox.to_channel("teams", settings.teams_members_channel))
    return Publication(
        members=tuple(members),
        page_base_url=settings.public_base_url,
        publish_time=time(int(hours), int(minutes or 0)),
    )


def policy_for(settings: Settings) -> Policy:
    """The concern steps' settings: working days to answer and to brief, and the commission
    (`commission`; empty means every committee in meetings.csv) that escalations go to and
    briefings are for, so a council with several committees escalates to the right one."""
    from handlers.concern_steps import Policy

    return Policy(
        due_working_days=settings.concern_due_working_days,
        briefing_working_days=settings.briefing_working_days,
        committee=settings.commission.strip() or None,
    )


def workers_for(settings: Settings) -> int:
    """How many HTTP worker processes `kpibot serve` runs: WORKERS, or two per CPU core.

    A worker runs Python one request at a time (the GIL), and a client's keep-alive connection
    stays with the worker that accepted it, so with one worker a core an unlucky spread leaves
    one worker queueing while a core idles; two a core keep both busy (gunicorn's own advice is
    two a core, plus one). A worker holds about 65 MB of its own.
    """
    return settings.workers or 2 * (os.cpu_count() or 1)
