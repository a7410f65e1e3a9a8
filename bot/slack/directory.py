"""Slack's directory (bot.messaging.Directory): a person's name from users.info.

The name shown is the one Slack shows: the display name, else the real name; never the login
handle. A user the directory does not know (user_not_found), a rate limit or Slack being down
gives None, and the person is shown by their id until the next look-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.messaging import Entry

log = logging.getLogger("kpibot.slack.directory")

__all__ = ["SlackDirectory"]


@dataclass
class SlackDirectory:
    platform: ClassVar[str] = "slack"

    client: Any

    def look_up(self, user_id: str) -> Entry | None:
        try:
            found = self.client.users_info(user=user_id)
        except Exception as failed:  # user_not_found, ratelimited, Slack unreachable
            response = getattr(failed, "response", None)
            why = response.get("error", "") if response is not None else type(failed).__name__
            log.info("no name for %s from Slack's directory (%s)", user_id, why)
            return None
        user = found.get("user") or {}
        profile = user.get("profile") or {}
        name = (
            str(profile.get("display_name") or "").strip()
            or str(profile.get("real_name") or "").strip()
            or str(user.get("real_name") or "").strip()
        )
        if not name:
            return None
        email = str(profile.get("email") or "").strip() or None
        return Entry(name=name, email=email)
