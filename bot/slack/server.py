"""Running the App: HTTP (waitress, at /slack/events, with GET /healthz) or Socket Mode."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger("kpibot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Only names the publisher writes ("2024-25-Q2.html"): nothing else under the folder is served.
PAGE_PATH = re.compile(r"/scorecards/([0-9A-Za-z][0-9A-Za-z-]{0,40}\.html)")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(app: App, pages: Path | None = None) -> WsgiApp:
    """Slack's requests at /slack/events (bolt's WSGI adapter), a health check for load
    balancers and monitoring at /healthz, and (given `pages`) the published scorecards'
    newsletter pages at /scorecards/2024-25-Q2.html."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        page = PAGE_PATH.fullmatch(str(environ.get("PATH_INFO", "")))
        if page is not None and pages is not None and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _newsletter_page(pages / page.group(1), start_response)
        return slack(environ, start_response)

    return application


def _newsletter_page(path: Path, start_response: StartResponse) -> Iterable[bytes]:
    if not path.is_file():
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"No scorecard has been published at this address.\n"]
    body = path.read_bytes()
    start_response("200 OK", [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "public, max-age=300"),
    ])
    return [body]


def serve_http(app: App, *, host: str, port: int, threads: int = 8, pages: Path | None = None) -> None:
    import waitress

    log.info("kpibot listening for Slack on http://%s:%d%s", host, port, EVENTS_PATH)
    waitress.serve(wsgi_app(app, pages), host=host, port=port, threads=threads, ident="kpibot")


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    log.info("kpibot connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()
