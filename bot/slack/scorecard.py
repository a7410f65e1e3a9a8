"""`/scorecard`: the latest published scorecard, privately to the asker."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.kwargs_injection import Args

from bot.slack import render
from bot.slack.app import Services
from handlers import scorecard


def register(app: App, services: Services) -> None:
    def on_scorecard(args: Args) -> None:
        user, text = args.body["user_id"], args.body.get("text", "")

        def answer() -> dict[str, Any]:
            reply = services.reply_to(user, text, scorecard.answer)
            return {**render.message(reply), "response_type": "ephemeral"}

        services.answer_soon(args, answer)

    app.command("/scorecard")(on_scorecard)
