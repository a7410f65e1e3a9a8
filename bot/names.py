"""People's names from the platforms' directories, kept in the store (data.people) with an
expiry, so that every list, message and agenda pack shows a name, even one made later at a
terminal without a platform token.

`refresh_names` looks up the people who have no name yet, or an old one, on each platform
they have an account on; a look-up that fails leaves the person shown by their id, and never
fails what asked for it. `kpibot serve` refreshes everyone at start (in the background); a
listener refreshes whoever it meets; a CLI command with a token refreshes whom it shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.messaging import Directory
from bot.runtime import Runtime
from data import people

log = logging.getLogger("kpibot.names")

__all__ = ["refresh_everyone", "refresh_names"]


def refresh_names(
    runtime: Runtime, directories: Sequence[Directory], person_ids: Iterable[str], *, now: datetime
) -> int:
    """Look up the names of `person_ids` that need it; how many were found. Never raises."""
    if not directories:
        return 0
    by_platform = {directory.platform: directory for directory in directories}
    found = 0
    try:
        with runtime.reading() as session:
            wanted = people.needing_names(session, person_ids, now=now)
            accounts = [people.accounts_of(session, person) for person in wanted]
        for held in accounts:
            for account in held:
                directory = by_platform.get(account.platform)
                entry = directory.look_up(account.user_id) if directory is not None else None
                if entry is None:
                    continue
                with runtime.session() as session:
                    people.remember(
                        session, account.platform, account.user_id, now=now,
                        email=entry.email, display_name=entry.name,
                    )
                found += 1
                break
    except Exception:  # the store is down, or a directory misbehaves: names wait for next time
        log.warning("could not refresh people's names", exc_info=True)
    return found


def refresh_everyone(runtime: Runtime, directories: Sequence[Directory], *, now: datetime) -> int:
    """Everyone the store names (people, roles, concerns' members)."""
    try:
        with runtime.reading() as session:
            everyone = people.known_people(session)
    except Exception:
        log.warning("could not list the people to name", exc_info=True)
        return 0
    return refresh_names(runtime, directories, everyone, now=now)
