"""App Home: published scorecard and the person's concerns; the advisor's open queue too."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.kwargs_injection import Args

from bot.slack import render
from bot.slack.app import Services
from handlers import home


def register(app: App, services: Services) -> None:
    def on_home_opened(args: Args) -> None:
        event = args.event or {}
        if event.get("tab", "home") != "home":
            return  # the Messages tab: nothing to draw
        user = str(event.get("user", ""))
        with services.runtime.session() as session:
            parts = home.sections(services.request(session, user, ""), session)
        args.client.views_publish(user_id=user, view={"type": "home", "blocks": render.view_blocks(parts)})

    app.event("app_home_opened")(on_home_opened)
