"""A local stand-in for Slack's Web API, response_urls and file uploads, recording every call.

Like bolt-python's mock_web_api_server, but on port 0 (tests run in parallel) and scriptable:
`fail_next("chat.postMessage", status=429, headers={"Retry-After": "1"})` answers the next call
so, then normally. `stop()` makes Slack unreachable (connections are refused).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

AUTH_TEST = {
    "ok": True,
    "url": "https://brackenford.slack.com/",
    "team": "Brackenford Council",
    "user": "kpibot",
    "team_id": "T0BRACKEN",
    "user_id": "U0KPIBOT",
    "bot_id": "B0KPIBOT",
    "is_enterprise_install": False,
}


@dataclass
class Call:
    path: str
    method: str  # the Web API method (chat.postMessage), "response_url" or "upload"
    headers: dict[str, str]
    raw: bytes
    params: dict[str, Any]
    status: int = 200
    at: float = field(default_factory=time.monotonic)
    # What the stub answered (a JSON body), e.g. the ts it gave a posted message.
    answer: Any = None


@dataclass
class _Scripted:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    times: int


@dataclass
class SlackStub:
    server: ThreadingHTTPServer | None = None
    calls: list[Call] = field(default_factory=list)
    scripted: dict[str, list[_Scripted]] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)
    responses: int = 0
    posted: int = 0
    # users.info's directory: user id -> (display name, real name, e-mail); others are unknown.
    directory: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def start(self) -> SlackStub:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:
                stub._handle(self)

            def do_GET(self) -> None:
                stub._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self) -> str:
        with self.changed:
            self.responses += 1
            return f"{self.base}/response/{self.responses}"

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` so (e.g. 429 with Retry-After, or 200
        with {"ok": false, "error": "not_in_channel"})."""
        default = {"ok": False, "error": "ratelimited" if status == 429 else "internal_error"}
        self.scripted.setdefault(method, []).append(
            _Scripted(status, headers or {}, body if body is not None else default, times)
        )

    # --- what was received -----------------------------------------------------------------

    def of(self, method: str, *, ok_only: bool = True) -> list[Call]:
        with self.changed:
            return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def wait_for(self, method: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        """Wait (on a condition, not a sleep) until `count` successful calls of `method` arrived."""
        self.wait_until(lambda: len(self.of(method)) >= count, timeout, f"{count} x {method}")
        return self.of(method)

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 15.0, what: str = "") -> bool:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"timed out waiting for {what}; the stub saw {seen}")
                self.changed.wait(left)
        return True

    # --- answering -------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = handler.path.split("?")[0]
        if path.startswith("/api/"):
            method = path[len("/api/") :]
        elif path.startswith("/response/"):
            method = "response_url"
        elif path.startswith("/upload/"):
            method = "upload"
        else:
            method = path
        params = self._params(handler.headers.get("Content-Type", ""), raw)
        call = Call(path, method, dict(handler.headers.items()), raw, params)
        status, headers, body = self._answer(call)
        call.status = status
        call.answer = body
        with self.changed:
            self.calls.append(call)
            self.changed.notify_all()
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(status)
        content_type = "text/plain" if isinstance(body, bytes) else "application/json; charset=utf-8"
        handler.send_header("Content-Type", content_type)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    @staticmethod
    def _params(content_type: str, raw: bytes) -> dict[str, Any]:
        text = raw.decode("utf-8", "replace")
        if "json" in content_type:
            try:
                loaded = json.loads(text or "{}")
            except ValueError:
                return {}
            return loaded if isinstance(loaded, dict) else {"_": loaded}
        if "x-www-form-urlencoded" in content_type:
            return {key: values[-1] for key, values in parse_qs(text).items()}
        return {}

    def _answer(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any] | bytes]:
        with self.changed:
            queue = self.scripted.get(call.method, [])
            if queue:
                scripted = queue[0]
                scripted.times -= 1
                if scripted.times <= 0:
                    queue.pop(0)
                return scripted.status, scripted.headers, scripted.body
        method = call.method
        if method == "response_url":
            return 200, {}, b"ok"
        if method == "upload":
            return 200, {}, b"OK - " + str(len(call.raw)).encode()
        if method == "auth.test":
            return 200, {}, AUTH_TEST
        if method == "chat.postMessage":
            channel = call.params.get("channel", "")
            with self.changed:  # two posts at once get different ts
                self.posted += 1
                ts = f"{1_700_000_000 + self.posted}.000100"
            return 200, {}, {"ok": True, "channel": channel, "ts": ts}
        if method == "chat.postEphemeral":
            return 200, {}, {"ok": True, "message_ts": "1700000000.000200"}
        if method in ("views.open", "views.publish", "views.update"):
            return 200, {}, {"ok": True, "view": {"id": f"V{len(self.calls):06d}"}}
        if method == "conversations.open":
            user = str(call.params.get("users", "U0NOBODY")).split(",")[0]
            return 200, {}, {"ok": True, "channel": {"id": f"D{user}"}}
        if method == "users.info":
            user = str(call.params.get("user", ""))
            if user not in self.directory:
                return 200, {}, {"ok": False, "error": "user_not_found"}
            display, real, email = self.directory[user]
            profile = {"display_name": display, "real_name": real, "email": email}
            return 200, {}, {"ok": True, "user": {"id": user, "name": user.lower(), "real_name": real,
                                                  "profile": profile}}
        if method == "files.getUploadURLExternal":
            return 200, {}, {"ok": True, "upload_url": f"{self.base}/upload/F0CHART", "file_id": "F0CHART"}
        if method == "files.completeUploadExternal":
            return 200, {}, {"ok": True, "files": [{"id": "F0CHART", "title": "chart"}]}
        return 200, {}, {"ok": True}
