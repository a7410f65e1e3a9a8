"""Running the App: HTTP (gunicorn, several worker processes) or Socket Mode.

The HTTP front door assumes a stranger can reach the port. Before anything parses a request to
/slack/events, it is bounded (at most `MAX_BODY` bytes: a larger declared body is refused before
any of it is read, and a chunked one is never read past the limit) and its Slack
signature is checked (`verified`): an unsigned or forged request gets 401 and nothing else:
no listener runs, nothing is stored, no outbound call is made, and the body is never logged.
Only then is it parsed; a signed body that is not what Slack sends gets 400. Bolt is handed
the verified body (`App.dispatch`), with its own verification left on as a second check.

Also served: `GET /healthz` (the process is up), `GET /readyz` (the store answers; 503 if not),
`GET /metrics` (Prometheus, bot.observability) and the published scorecards' newsletter pages
at /scorecards/2024-25-Q2.html. Every request gets an id that every log line written while
answering it carries. HEAD is
answered like GET without a body, and anything else is 404 or 405, with a short plain body.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from hashlib import sha256
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.request import BoltRequest

log = logging.getLogger("kpibot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
# Only names the publisher writes ("2024-25-Q2.html"): nothing else under the folder is served.
PAGE_PATH = re.compile(r"/scorecards/([0-9A-Za-z][0-9A-Za-z-]{0,40}\.html)")

# Slack's own requests are a few KB (a form's submission with every field filled is well under
# 100 KB); anything near a megabyte is not from Slack.
MAX_BODY = 1024 * 1024
# Slack signs with the Unix time; a request older (or newer) than this is a replay.
MAX_CLOCK_SKEW = 5 * 60
# JSON nested deeper than this is not Slack's (its deepest payloads are about ten levels).
MAX_DEPTH = 64

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
ReadyCheck = Callable[[], bool]
# A newsletter page by its file name ("2024-25-Q2.html"): its HTML, or None if not published.
PageSource = Callable[[str], bytes | None]
MetricsPage = Callable[[], bytes]


@dataclass(frozen=True, slots=True)
class Answer:
    """A plain response of our own: status line, body, and any extra headers."""

    status: str
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


NOT_FOUND = Answer("404 Not Found", b"Not found.\n")
UNSIGNED = Answer("401 Unauthorized", b"This request is not signed by Slack.\n")
TOO_LARGE = Answer("413 Content Too Large", b"This request is too large.\n")
MALFORMED = Answer("400 Bad Request", b"This request is not one Slack sends.\n")
NO_LENGTH = Answer("411 Length Required", b"Say how long the request is (Content-Length).\n")


def verified(signing_secret: str, timestamp: str | None, signature: str | None, body: bytes,
             *, now: float | None = None) -> bool:
    """Slack's v0 signature over `v0:{timestamp}:{body}`, with the timestamp within five minutes.

    Nothing here can raise on a stranger's headers: a timestamp that is not a plain number, or
    a signature not of Slack's shape, is simply not verified.
    """
    if not signing_secret or timestamp is None or signature is None:
        return False
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(timestamp)) > MAX_CLOCK_SKEW:
        return False
    expected = hmac.new(signing_secret.encode(), b"v0:" + timestamp.encode() + b":" + body, sha256)
    return hmac.compare_digest("v0=" + expected.hexdigest(), signature)


def well_formed(content_type: str, body: bytes) -> bool:
    """The shapes Slack sends: a form (slash commands; interactions carry a JSON object in
    `payload`) or a JSON object (events). Anything else, or JSON nested absurdly deep, is not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if content_type.startswith("application/json"):
        return _json_object(text)
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:
            fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=200)
        except ValueError:
            return False
        payloads = fields.get("payload")
        if payloads is None:
            return True
        return len(payloads) == 1 and _json_object(payloads[0])
    return False


def _json_object(text: str) -> bool:
    if _depth(text) > MAX_DEPTH:
        return False
    try:
        return isinstance(json.loads(text), dict)
    except (ValueError, RecursionError):
        return False


def _depth(text: str) -> int:
    """How deep brackets nest, counted before parsing (so a deep body never reaches json's
    recursion). Brackets inside strings count too, which only errs on the safe side."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {key[5:].replace("_", "-").lower(): str(value)
               for key, value in environ.items() if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return headers


def _read_body(environ: dict[str, Any]) -> bytes | Answer:
    """The body, read no further than `MAX_BODY` (plus one byte to tell it was longer)."""
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if declared and not declared.isdigit():
        return MALFORMED
    if declared and int(declared) > MAX_BODY:
        return TOO_LARGE
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    limit = int(declared) if declared else MAX_BODY + 1
    body = stream.read(min(limit, MAX_BODY + 1)) if limit else b""
    if len(body) > MAX_BODY:
        return TOO_LARGE
    return bytes(body)


# Microsoft Teams' activities: a parsed JSON object and its headers in, (HTTP status, body) out
# (bot.teams.app.TeamsEdge.handle; the Teams SDK verifies the Bot Framework's JWT).
TeamsHandler = Callable[[dict[str, Any], dict[str, str]], tuple[int, Any]]
TEAMS_PATH = "/api/messages"
TEAMS_UNSIGNED = Answer("401 Unauthorized", b"This request is not signed by Microsoft.\n")
TEAMS_MALFORMED = Answer("400 Bad Request", b"This request is not one Teams sends.\n")


def wsgi_app(
    app: App | None,
    pages: PageSource | None = None,
    *,
    signing_secret: str,
    ready: ReadyCheck | None = None,
    metrics: MetricsPage | None = None,
    teams: TeamsHandler | None = None,
    teams_unauthenticated: bool = False,
) -> WsgiApp:
    """The front door: Slack at /slack/events, Teams at /api/messages, /healthz, /readyz and the
    newsletter pages. Either platform may be absent (None): its path is then 404."""
    secret = signing_secret

    def route(environ: dict[str, Any]) -> Answer:
        path = str(environ.get("PATH_INFO", ""))
        method = str(environ.get("REQUEST_METHOD", ""))
        reading = method in ("GET", "HEAD")
        if path == TEAMS_PATH and teams is not None:
            if method != "POST":
                return Answer("405 Method Not Allowed", b"Teams posts here.\n", headers=(("Allow", "POST"),))
            return microsoft(environ, teams)
        if path == EVENTS_PATH and app is not None:
            if method != "POST":
                return Answer("405 Method Not Allowed", b"Slack posts here.\n", headers=(("Allow", "POST"),))
            return slack(environ)
        if path == HEALTH_PATH and reading:
            return Answer("200 OK", b"ok\n")
        if path == READY_PATH and reading:
            if ready is None or ready():
                if teams_unauthenticated:
                    return Answer("200 OK", b"ready (TEAMS_ALLOW_UNAUTHENTICATED: Teams activities are not "
                                            b"checked; local testing only)\n")
                return Answer("200 OK", b"ready\n")
            return Answer("503 Service Unavailable", b"not ready: the store does not answer\n",
                          headers=(("Retry-After", "5"),))
        if path == METRICS_PATH and reading and metrics is not None:
            return Answer("200 OK", metrics(), "text/plain; version=0.0.4; charset=utf-8")
        page = PAGE_PATH.fullmatch(path)
        if page is not None and pages is not None and reading:
            body = pages(page.group(1))
            if body is None:
                return Answer("404 Not Found", b"No scorecard has been published at this address.\n")
            return Answer("200 OK", body, "text/html; charset=utf-8",
                          headers=(("Cache-Control", "public, max-age=300"),))
        return NOT_FOUND

    def microsoft(environ: dict[str, Any], handle: TeamsHandler) -> Answer:
        body = _read_body(environ)
        if isinstance(body, Answer):
            return body
        headers = _headers(environ)
        authorization = headers.get("authorization", "")
        # Cheap refusal before parsing: the SDK checks the token itself (signature, issuer,
        # audience, serviceUrl), but a request without one is not parsed at all.
        if not teams_unauthenticated and not authorization.startswith("Bearer "):
            log.debug("refused an unsigned request to %s (401)", TEAMS_PATH)
            return TEAMS_UNSIGNED
        try:
            text = body.decode("utf-8")
            activity = json.loads(text) if _depth(text) <= MAX_DEPTH else None
        except (UnicodeDecodeError, ValueError, RecursionError):
            activity = None
        if not isinstance(activity, dict) or not isinstance(activity.get("serviceUrl", ""), str):
            return TEAMS_UNSIGNED if not teams_unauthenticated else TEAMS_MALFORMED
        status, answer = handle(activity, headers)
        if status == 401:
            log.debug("the Teams SDK refused an unverified request (401)")
            return TEAMS_UNSIGNED
        if answer is None:
            return Answer(f"{status} {_REASONS.get(status, 'OK')}", b"")
        return Answer(f"{status} {_REASONS.get(status, 'OK')}", json.dumps(answer).encode("utf-8"),
                      "application/json; charset=utf-8")

    def slack(environ: dict[str, Any]) -> Answer:
        if app is None:
            return NOT_FOUND
        body = _read_body(environ)
        if isinstance(body, Answer):
            return body
        headers = _headers(environ)
        stamp, signature = headers.get("x-slack-request-timestamp"), headers.get("x-slack-signature")
        if not verified(secret, stamp, signature, body):
            # At debug only: a stranger's requests must not be able to fill the log.
            log.debug("refused an unsigned request to %s (401)", EVENTS_PATH)
            return UNSIGNED
        if not well_formed(headers.get("content-type", ""), body):
            log.warning("refused a signed request that is not one Slack sends (400)")
            return MALFORMED
        try:
            request = BoltRequest(
                body=body.decode("utf-8"),
                query=str(environ.get("QUERY_STRING", "")),
                headers=headers,  # type: ignore[arg-type]
            )
        except Exception:
            log.warning("refused a signed request bolt could not read (400)")
            return MALFORMED
        response = app.dispatch(request)
        if response.status == 404:
            log.warning("Slack sent a request no listener handles (%s)", request.body.get("type", "command"))
        content_type = "text/plain; charset=utf-8"
        extra: list[tuple[str, str]] = []
        for name, values in response.headers.items():
            for value in values:
                if name.lower() == "content-type":
                    content_type = value
                elif name.lower() != "content-length":
                    extra.append((name, value))
        status = f"{response.status} {_REASONS.get(response.status, 'OK')}"
        return Answer(status, response.body.encode("utf-8"), content_type, tuple(extra))

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        from bot.observability import observed_request

        answer = NOT_FOUND
        with observed_request(_kind(environ), lambda: answer.status.split(" ", 1)[0]):
            try:
                answer = route(environ)
            except Exception:
                log.exception("the request to %s failed", environ.get("PATH_INFO", ""))
                answer = Answer("500 Internal Server Error", b"Something went wrong.\n")
        start_response(answer.status, [
            ("Content-Type", answer.content_type),
            ("Content-Length", str(len(answer.body))),
            *answer.headers,
        ])
        # A response to HEAD has the headers of GET and no body: a body there would be read by
        # a keep-alive proxy as the start of the next response.
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [answer.body]

    return application


def _kind(environ: dict[str, Any]) -> str:
    """What a request is, for the metrics: a fixed few words, never the path a stranger chose."""
    path = str(environ.get("PATH_INFO", ""))
    known = {EVENTS_PATH: "slack", TEAMS_PATH: "teams", HEALTH_PATH: "health", READY_PATH: "ready",
             METRICS_PATH: "metrics"}
    if path in known:
        return known[path]
    return "page" if PAGE_PATH.fullmatch(path) else "other"


_REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            500: "Internal Server Error"}


def serve_http(
    build: Callable[[], tuple[WsgiApp, Callable[[], None]]],
    *,
    host: str,
    port: int,
    workers: int,
    threads: int = 8,
) -> None:
    """Serve HTTP with gunicorn: `workers` processes forked from this one, each building its own
    app (`build`, in the worker: its own database connections, its own scheduler) and running
    what `build` returns to finish with when it stops.

    SIGTERM (a container stopping, a deploy) is graceful: the master stops accepting, each
    worker finishes its requests in flight, stops its scheduler and gives up the leader lock,
    and the process exits 0 within `GRACEFUL_SECONDS`.
    """
    from gunicorn.app.base import BaseApplication  # type: ignore[import-untyped]  # ships no types

    finish: list[Callable[[], None]] = []

    def worker_exit(_server: Any, worker: Any) -> None:
        from bot.observability import worker_stopped

        for step in finish:
            try:
                step()
            except Exception:
                log.warning("a worker did not stop cleanly", exc_info=True)
        worker_stopped(worker.pid)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "graceful_timeout": GRACEFUL_SECONDS,
                "timeout": 30,
                "keepalive": 5,
                "errorlog": "-",
                "accesslog": None,
                "loglevel": "warning",
                "proc_name": "kpibot",
                "worker_exit": worker_exit,
                # Headers and request lines stay within gunicorn's default bounds; the body is
                # bounded by the front door (MAX_BODY), which never reads past it.
            }
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> WsgiApp:
            application, stop = build()
            finish.append(stop)
            return application

    log.info("kpibot listening on http://%s:%d (Slack %s, Teams %s; %d workers)", host, port, EVENTS_PATH,
             TEAMS_PATH, workers)
    Server().run()


# Seconds a stopping worker has to finish its requests in flight (Slack wants answers within 3).
GRACEFUL_SECONDS = 3


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    log.info("kpibot connecting to Slack in Socket Mode")
    SocketModeHandler(app, app_token).start()  # type: ignore[no-untyped-call]  # unannotated in slack_bolt
