"""`kpibot serve`: the Slack bot, over HTTP (waitress) or, with SLACK_APP_TOKEN, Socket Mode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.runtime import Runtime


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    port: Annotated[
        int | None, typer.Option("--port", help="HTTP port (default: the PORT setting, 3000).")
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "0.0.0.0",  # noqa: S104
    socket_mode: Annotated[
        bool | None,
        typer.Option(
            "--socket-mode/--http",
            help="Connect out to Slack (Socket Mode) instead of listening for HTTP. "
            "Default: Socket Mode when SLACK_APP_TOKEN is set.",
        ),
    ] = None,
) -> None:
    """Run the Slack bot: slash commands, buttons, the concern form and App Home."""
    from bot.runtime import open_runtime
    from bot.settings import Settings

    settings = Settings()
    serve_forever(open_runtime(settings), port=port, host=host, socket_mode=socket_mode)


def serve_forever(
    runtime: Runtime, *, port: int | None = None, host: str = "0.0.0.0", socket_mode: bool | None = None  # noqa: S104
) -> None:
    """Serve Slack on `runtime`'s store until stopped, with the scheduler beside the listeners."""
    import logging

    from rich.console import Console

    from bot.slack.app import SlackSetupError, check_settings, create_app
    from bot.slack.server import serve_http, serve_socket_mode

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    err = Console(stderr=True, soft_wrap=True)
    settings = runtime.settings
    use_socket = bool(settings.slack_app_token) if socket_mode is None else socket_mode
    try:
        check_settings(settings, socket_mode=use_socket)
    except SlackSetupError as missing:
        err.print(f"[red]Cannot start:[/red] {missing}", highlight=False)
        raise typer.Exit(2) from None
    if not settings.slack_members_channel:
        err.print(
            "[red]Cannot start:[/red] set SLACK_MEMBERS_CHANNEL to the ID of the channel published "
            "scorecards go to (C0123ABCD: in Slack, the channel's name, then About, at the bottom). "
            "See docs/slack-setup.md.",
            highlight=False,
        )
        raise typer.Exit(2)
    app = create_app(settings, runtime, socket_mode=use_socket)
    # Scheduled work (publication, reminders) runs beside the listeners; only one running copy
    # leads it (data.leader).
    from bot import scheduler
    from bot.pages import NewsletterPages
    from bot.publisher import SlackMessenger

    jobs = scheduler.start(runtime, SlackMessenger(app.client))
    try:
        if use_socket:
            serve_socket_mode(app, settings.slack_app_token)
        else:
            from data.db import store_answers

            serve_http(
                app, host=host, port=port or settings.port, signing_secret=settings.slack_signing_secret,
                pages=NewsletterPages(runtime), ready=lambda: store_answers(runtime.engine),
            )
    finally:
        scheduler.stop(jobs)
