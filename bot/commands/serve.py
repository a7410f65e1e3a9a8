"""`kpibot serve`: the bot for Slack, Microsoft Teams or both on one port, over HTTP (gunicorn
workers) or, Slack alone with SLACK_APP_TOKEN, Socket Mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bot.messaging import Messenger
    from bot.runtime import Runtime
    from bot.settings import Settings
    from bot.slack.server import WsgiApp


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
    """Run the bot for Slack and/or Microsoft Teams: commands, buttons, the forms and the home page."""
    from bot import composition
    from bot.runtime import open_runtime

    settings = composition.settings()
    serve_forever(open_runtime(settings), port=port, host=host, socket_mode=socket_mode)


def serve_forever(
    runtime: Runtime, *, port: int | None = None, host: str = "0.0.0.0", socket_mode: bool | None = None  # noqa: S104
) -> None:
    """Serve Slack on `runtime`'s store until stopped (SIGTERM or Ctrl-C: gracefully), with the
    scheduler beside the listeners: over HTTP in several worker processes (two per core by
    default, WORKERS), each with its own scheduler (one copy leads, data.leader), or in Socket
    Mode in this one."""
    from rich.console import Console

    from bot.observability import configure_logging, prepare_metrics_folder
    from bot.settings import workers_for
    from bot.slack.app import SlackSetupError, check_settings, create_app
    from bot.teams.app import UNAUTHENTICATED_WARNING, TeamsSetupError
    from bot.teams.app import preflight as check_teams

    settings = runtime.settings
    configure_logging(settings.log_format)
    err = Console(stderr=True, soft_wrap=True)
    slack, teams = _platforms(settings)
    use_socket = bool(settings.slack_app_token) if socket_mode is None else socket_mode
    try:
        if not slack and not teams:
            try:
                check_settings(settings, socket_mode=use_socket)
            except SlackSetupError as missing:
                raise SlackSetupError(
                    f"{missing} Or, for Microsoft Teams, set TEAMS_CLIENT_ID and the other TEAMS_* "
                    "settings (docs/teams-setup.md)."
                ) from None
        if teams:
            check_teams(settings)
            if use_socket and socket_mode:
                raise TeamsSetupError("Teams posts to kpibot over HTTP: --socket-mode is for Slack alone.")
            use_socket = False
        if slack:
            check_settings(settings, socket_mode=use_socket)
    except (SlackSetupError, TeamsSetupError) as missing:
        err.print(f"[red]Cannot start:[/red] {missing}", highlight=False)
        raise typer.Exit(2) from None
    if teams and settings.teams_allow_unauthenticated:
        err.print(f"[yellow]Warning:[/yellow] {UNAUTHENTICATED_WARNING}", highlight=False)
    if slack and not settings.slack_members_channel:
        err.print(
            "[red]Cannot start:[/red] set SLACK_MEMBERS_CHANNEL to the ID of the channel published "
            "scorecards go to (C0123ABCD: in Slack, the channel's name, then About, at the bottom). "
            "See docs/slack-setup.md.",
            highlight=False,
        )
        raise typer.Exit(2)
    # Bolt checks the token with auth.test when the App is made: done once here, before any
    # worker starts, so a wrong token is one line at start rather than a worker failing to boot.
    if slack:
        create_app(settings, runtime, socket_mode=use_socket)
    if use_socket:
        _serve_socket_mode(runtime)
        return
    from bot.slack.server import serve_http

    # Each worker opens its own connections: none may be shared across the fork; and counts
    # its metrics into one folder, named before the fork.
    runtime.engine.dispose()
    prepare_metrics_folder()
    serve_http(
        lambda: _worker(runtime.settings),
        host=host,
        port=port or settings.port,
        workers=workers_for(settings),
    )


def _platforms(settings: Settings) -> tuple[bool, bool]:
    """Whether Slack and Teams are set up (each by its first setting)."""
    return bool(settings.slack_bot_token), bool(settings.teams_client_id)


def _worker(settings: Settings) -> tuple[WsgiApp, Callable[[], None]]:
    """One HTTP worker: its store, its Slack App and Teams edge, its scheduler, its front door;
    and how to stop."""
    from bot import scheduler
    from bot.composition import directories_for, messengers_for
    from bot.observability import metrics_page
    from bot.pages import NewsletterPages
    from bot.runtime import open_runtime
    from bot.slack.app import create_app
    from bot.slack.server import wsgi_app
    from data.db import store_answers

    runtime = open_runtime(settings)
    slack, teams = _platforms(settings)
    shared: list[Messenger] = []  # this copy's messengers, for both platforms' listeners
    app = create_app(settings, runtime, messengers=shared) if slack else None
    client = app.client if app is not None else None
    edge = None
    if teams:
        from bot.teams.app import create_edge

        edge = create_edge(settings, runtime, messengers=shared)
    jobs = scheduler.start(runtime, messengers_for(runtime.settings, slack_client=client,
                                                   teams=edge.messenger if edge is not None else None),
                           directories=directories_for(runtime.settings, slack_client=client))
    front = wsgi_app(app, NewsletterPages(runtime), signing_secret=settings.slack_signing_secret,
                     ready=lambda: store_answers(runtime.engine),
                     metrics=lambda: metrics_page(lambda: _outbox_depth(runtime)),
                     teams=edge.handle if edge is not None else None,
                     teams_unauthenticated=settings.teams_allow_unauthenticated and teams)

    def stop() -> None:
        scheduler.stop(jobs)  # also gives up the leader lock, so another copy leads at once
        if edge is not None:
            edge.stop()
        runtime.engine.dispose()

    return front, stop


def _outbox_depth(runtime: Runtime) -> dict[str, int]:
    from bot.runtime import utc_now
    from data import outbox

    try:
        with runtime.reading() as session:
            return outbox.count_waiting(session, now=utc_now())
    except Exception:  # the store is down: /readyz says so; the page still answers
        return {}


def _serve_socket_mode(runtime: Runtime) -> None:
    import signal

    from bot import scheduler
    from bot.composition import directories_for, messengers_for
    from bot.slack.app import create_app
    from bot.slack.server import serve_socket_mode

    app = create_app(runtime.settings, runtime, socket_mode=True)
    jobs = scheduler.start(runtime, messengers_for(runtime.settings, slack_client=app.client),
                           directories=directories_for(runtime.settings, slack_client=app.client))

    def stop(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        serve_socket_mode(app, runtime.settings.slack_app_token)
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.stop(jobs)
