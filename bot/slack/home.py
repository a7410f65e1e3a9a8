"""App Home: published scorecard and the person's concerns; the advisor's open queue too."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args

from bot.slack import render
from bot.slack.errors import keeping_the_ack
from bot.slack.services import Services
from handlers import home

log = logging.getLogger("kpibot.slack")


def register(app: App, services: Services) -> None:
    def on_home_opened(args: Args) -> None:
        event = args.event or {}
        if event.get("tab", "home") != "home":
            return  # the Messages tab: nothing to draw
        publish_home(args.client, services, str(event.get("user", "")))

    app.event("app_home_opened")(keeping_the_ack(on_home_opened))


def publish_home(client: Any, services: Services, user: str) -> None:
    with services.runtime.session() as session:
        parts = home.sections(services.request(session, user, ""), session)
    client.views_publish(user_id=user, view={"type": "home", "blocks": render.view_blocks(parts)})


def refresh_home(client: Any, services: Services, user: str) -> None:
    """Draw the person's App Home again, so the queue shows the step just taken."""
    try:
        publish_home(client, services, user)
    except Exception:  # the step is kept; a stale home page is redrawn when next opened
        log.warning("could not redraw App Home for %s", user, exc_info=True)
