"""Running the App: HTTP (waitress, at /slack/events, with GET /healthz) or Socket Mode."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger("kpibot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(app: App) -> WsgiApp:
    """Slack's requests at /slack/events (bolt's WSGI adapter), and a health check for load
    balancers and monitoring at /healthz."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


def serve_http(app: App, *, host: str, port: int, threads: int = 8) -> None:
    import waitress

    log.info("kpibot listening for Slack on http://%s:%d%s", host, port, EVENTS_PATH)
    waitress.serve(wsgi_app(app), host=host, port=port, threads=threads, ident="kpibot")


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    log.info("kpibot connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()
