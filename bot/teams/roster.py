"""A team's roster read into the store, so the bot can reach people who have never written to it.

When kpibot is added to a team (or someone joins a team it is in), Teams says who is there; every
member is remembered as a person with their e-mail, name and how to reach them unprompted (the
serviceUrl, tenant and their Teams id: the 1:1 chat is created when the first message goes). An
officer named in the roles table by e-mail can then be sent a concern the day the bot is
installed, before they have written to it. The roster is read a page at a time (Teams gives at
most 500 members a page), each page kept in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("kpibot.teams")

# Teams' largest page of members.
PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class Member:
    """One person on a team's roster, as the store keeps them."""

    user: str  # their Entra object id (or Teams id when Teams gives none): the account's id
    email: str | None
    name: str | None
    reference: dict[str, Any]


def member_of(account: Any, *, service_url: str, tenant: str | None) -> Member | None:
    """A roster entry (the SDK's TeamsChannelAccount) as a Member; None for a bot."""
    teams_id = str(getattr(account, "id", "") or "")
    if not teams_id or teams_id.startswith("28:"):  # "28:" ids are bots, kpibot among them
        return None
    email = getattr(account, "email", None) or getattr(account, "user_principal_name", None)
    return Member(
        user=str(getattr(account, "aad_object_id", None) or teams_id),
        email=str(email) if email else None,
        name=getattr(account, "name", None),
        reference={"conversation": "", "serviceUrl": service_url, "tenant": tenant, "user": teams_id},
    )


async def read_roster(
    api: Any,
    team: str,
    *,
    service_url: str,
    tenant: str | None,
    keep: Callable[[Sequence[Member]], Awaitable[None]],
) -> int:
    """Every member of `team`, page by page, each page handed to `keep`; how many were read."""
    read, token = 0, None
    while True:
        page = await api.conversations.members_client.get_paged(team, page_size=PAGE_SIZE,
                                                                  continuation_token=token)
        found = [member_of(account, service_url=service_url, tenant=tenant) for account in page.members]
        members = [member for member in found if member is not None]
        if members:
            await keep(members)
        read += len(members)
        token = page.continuation_token
        if not token:
            break
    log.info("read the roster of a team: %d people", read)
    return read
