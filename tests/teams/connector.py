"""A fake Bot Framework connector (the Teams service's REST API that bots send to): a stdlib
HTTP server on port 0 that records every request and answers as Teams does.

Point an activity's `serviceUrl`, and the App's `service_url`, at `connector.url`. It answers
POST /v3/conversations (a new or existing 1:1 chat), POST /v3/conversations/{id}/activities
(and .../activities/{replyToId}), PUT and DELETE of an activity, and member look-ups
(GET .../members, .../members/{id}, .../pagedMembers). `fail_next(429)` makes the next sends
fail, with Retry-After, to test what the bot does then.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards this call sent (the content of its card attachments)."""
        if not isinstance(self.body, dict):
            return []
        return [attachment["content"] for attachment in self.body.get("attachments") or []
                if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"]


@dataclass
class FakeConnector:
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The most members a page of GET .../pagedMembers holds (Teams': 500).
    page_size: int = 500
    # Signing keys it publishes at /v1/.well-known/keys (a JWKS), standing in for Microsoft's:
    # a test can then sign activities as the Bot Framework does (see `signed`).
    keys: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    _failures: list[tuple[int, int]] = field(default_factory=list)  # (status, Retry-After seconds)
    _chats: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the connector first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def chat_of(self, member: str) -> str:
        """The 1:1 chat the bot created with `member` ("" if none)."""
        with self._lock:
            return self._chats.get(member, "")

    def start(self) -> FakeConnector:
        connector = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                call = Call(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                status, answer, headers = connector._respond(call)
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def fail_next(self, status: int, *, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` sends of an activity are refused with `status` (429, 500, ...)."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * times)

    def sent(self) -> list[Call]:
        """Activities accepted (created or updated), in order."""
        return [call for call in self.calls if call.method in ("POST", "PUT") and "/activities" in call.path]

    def _respond(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            if "/activities" in call.path and call.method in ("POST", "PUT") and self._failures:
                status, retry_after = self._failures.pop(0)
                self.calls.append(call)
                return status, {"error": {"code": "Throttled" if status == 429 else "ServiceError"}}, {
                    "Retry-After": str(retry_after)}
            self.calls.append(call)
            number = len(self.calls)
            path = call.path.split("?", 1)[0]
            if call.method == "POST" and path == "/v3/conversations":
                member = ((call.body or {}).get("members") or [{}])[0].get("id", "")
                chat = self._chats.setdefault(member, f"a:1on1-{len(self._chats) + 1}")
                return 201, {"id": chat}, {}
            if call.method == "POST" and re.fullmatch(r"/v3/conversations/[^/]+/activities(/[^/]+)?", path):
                return 201, {"id": f"activity-{number}"}, {}
            if call.method == "PUT" and re.fullmatch(r"/v3/conversations/[^/]+/activities/[^/]+", path):
                return 200, {"id": path.rsplit("/", 1)[1]}, {}
            if call.method == "DELETE":
                return 200, None, {}
            if call.method == "GET" and path == "/v1/.well-known/keys":
                return (200, {"keys": self.keys}, {}) if self.keys else (404, {"error": "no keys"}, {})
            if call.method == "GET" and path.endswith("/pagedMembers"):
                # Pages as Teams gives them: `pageSize` at a time, a continuation token until the last.
                query = parse_qs(call.path.partition("?")[2])
                size = int((query.get("pageSize") or ["500"])[0])
                start = int((query.get("continuationToken") or ["0"])[0])
                everyone = list(self.members.values())
                page = everyone[start:start + min(size, self.page_size)]
                more = start + len(page) < len(everyone)
                token = {"continuationToken": str(start + len(page))} if more else {}
                return 200, {"members": page, **token}, {}
            if call.method == "GET" and path.endswith("/members"):
                return 200, list(self.members.values()), {}
            found = re.fullmatch(r"/v3/conversations/[^/]+/members/([^/]+)", path)
            if call.method == "GET" and found:
                member = self.members.get(found.group(1))
                return (200, member, {}) if member else (404, {"error": {"code": "MemberNotFound"}}, {})
            return 404, {"error": {"code": "NotFound", "message": f"{call.method} {path}"}}, {}


class BotFrameworkSigner:
    """Signs inbound activities as the Bot Framework does (RS256, issuer
    https://api.botframework.com, audience the bot's id, the activity's serviceUrl as a claim),
    with a key of the test's own that the fake connector publishes."""

    def __init__(self, connector: FakeConnector, kid: str = "test-key-1") -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa
        from jwt.algorithms import RSAAlgorithm

        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = kid
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        connector.keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})

    def authorization(self, bot_id: str, service_url: str, *, lifetime: int = 3600) -> str:
        import time

        import jwt

        now = int(time.time())
        claims = {"iss": "https://api.botframework.com", "aud": bot_id, "serviceurl": service_url,
                  "iat": now, "nbf": now, "exp": now + lifetime}
        return "Bearer " + jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
