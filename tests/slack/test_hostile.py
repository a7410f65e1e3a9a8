"""A stranger at the front door: `kpibot serve` over real HTTP, sent every malformed, unsigned,
oversized and forged request we know of. Each is refused with the right status, before anything
is parsed or stored, with no call to Slack or anywhere else, and the log barely grows."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.slack.conftest import MEMBER, SECRET, signed_headers
from tests.slack.serving import Served, serving
from tests.slack.stub import SlackStub

FORM = "application/x-www-form-urlencoded"


def raw_exchange(served: Served, request: bytes, *, read_for: float = 1.0) -> bytes:
    """Send bytes as they are and return every byte the server sends back within `read_for`."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as connection:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.sendall(request)
        connection.settimeout(read_for)
        received = b""
        deadline = time.monotonic() + read_for
        while time.monotonic() < deadline:
            try:
                chunk = connection.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            received += chunk
        return received


def post(served: Served, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    head = ["POST /slack/events HTTP/1.1", f"Host: 127.0.0.1:{served.port}", "Connection: close",
            f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    answer = raw_exchange(served, ("\r\n".join(head) + "\r\n\r\n").encode() + body, read_for=5.0)
    status_line, _, rest = answer.partition(b"\r\n")
    _, _, content = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), content


def signed(body: bytes, content_type: str = FORM, **options: object) -> dict[str, str]:
    text = body.decode("utf-8", "surrogateescape")
    headers = signed_headers(text, content_type=content_type, **options)  # type: ignore[arg-type]
    return {name: values[0] for name, values in headers.items()}


def signed_bytes(body: bytes, content_type: str = FORM) -> dict[str, str]:
    """Signed over the exact bytes (for bodies that are not UTF-8)."""
    import hashlib
    import hmac

    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"content-type": content_type, "x-slack-request-timestamp": stamp,
            "x-slack-signature": f"v0={digest}"}


def stored_rows(database_url: str) -> dict[str, int]:
    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in tables if table not in BOOKKEEPING}


# The bot's own bookkeeping, written by its scheduler whatever arrives at the door.
BOOKKEEPING = {"leader_leases", "kpibot_scheduled_jobs"}


@pytest.fixture(scope="module")
def running(
    sample_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Served, SlackStub, str]]:
    """One `kpibot serve` for the module's hostile requests (each test checks its own effects)."""
    folder = tmp_path_factory.mktemp("hostile")
    copy = folder / "kpibot.sqlite"
    shutil.copyfile(sample_store, copy)
    stub = SlackStub().start()
    try:
        with serving(f"sqlite:///{copy}", stub, folder) as served:
            yield served, stub, f"sqlite:///{copy}"
    finally:
        stub.stop()


@pytest.fixture
def door(running: tuple[Served, SlackStub, str]) -> Iterator[Served]:
    """The served bot; afterwards, nothing was stored, no call left the bot but bolt's auth.test at
    start (and the scheduler's names look-up, users.info, which no request causes), and the log
    grew by less than a few KB."""
    served, stub, database_url = running
    before_rows = stored_rows(database_url)
    before_calls = len(stub.calls)
    before_log = served.log_size()
    yield served
    assert [call.method for call in stub.calls[before_calls:] if call.method != "users.info"] == []
    assert stored_rows(database_url) == before_rows
    grown = served.log_size() - before_log
    assert grown < 4096, served.log.read_text()[-4000:]


MALFORMED_BODIES = {
    "payload is a list": b"payload=%5B1%5D",
    "payload is broken JSON": b"payload=%7Bx",
    "not UTF-8": b"command=/kpi&text=\xff\xfe\xfa",
    "deeply nested": b"payload=" + b"%5B" * 100_000 + b"%5D" * 100_000,
    "deeply nested JSON event": b"{\"a\":" * 50_000 + b"1" + b"}" * 50_000,
}


def command_with_response_url(url: str) -> bytes:
    return urlencode({"command": "/kpi", "text": "help", "user_id": MEMBER, "response_url": url,
                      "trigger_id": "1.2.3"}).encode()


def test_a_timestamp_that_is_not_a_number_is_refused_and_nothing_is_posted_anywhere(
    door: Served, running: tuple[Served, SlackStub, str]
) -> None:
    stub = running[1]
    body = command_with_response_url(stub.response_url())
    status, _ = post(door, body, {"content-type": FORM, "x-slack-request-timestamp": "abc",
                                  "x-slack-signature": "v0=" + "0" * 64})
    assert status == 401


@pytest.mark.parametrize("headers", [
    {},
    {"x-slack-request-timestamp": str(int(time.time()))},
    {"x-slack-request-timestamp": "-1", "x-slack-signature": "v0=" + "0" * 64},
    {"x-slack-request-timestamp": "1" * 40, "x-slack-signature": "v0=" + "0" * 64},
    {"x-slack-request-timestamp": str(int(time.time())), "x-slack-signature": "v1=nonsense"},
], ids=["no headers", "no signature", "negative", "huge number", "wrong scheme"])
def test_unsigned_and_forged_requests_get_401_with_no_outbound_call(
    door: Served, running: tuple[Served, SlackStub, str], headers: dict[str, str]
) -> None:
    stub = running[1]
    status, _ = post(door, command_with_response_url(stub.response_url()), {"content-type": FORM, **headers})
    assert status == 401


def test_a_request_signed_too_long_ago_is_a_replay_and_refused(
    door: Served, running: tuple[Served, SlackStub, str]
) -> None:
    stub = running[1]
    body = command_with_response_url(stub.response_url())
    status, _ = post(door, body, signed(body, timestamp=int(time.time()) - 600))
    assert status == 401


@pytest.mark.parametrize("name", list(MALFORMED_BODIES))
def test_unsigned_malformed_bodies_are_401_before_anything_parses_them(door: Served, name: str) -> None:
    body = MALFORMED_BODIES[name]
    content_type = "application/json" if name.endswith("JSON event") else FORM
    forged = {"content-type": content_type, "x-slack-request-timestamp": str(int(time.time())),
              "x-slack-signature": "v0=" + "1" * 64}
    status, _ = post(door, body, forged)
    assert status == 401


@pytest.mark.parametrize("name", list(MALFORMED_BODIES))
def test_signed_malformed_bodies_are_400_not_500(door: Served, name: str) -> None:
    body = MALFORMED_BODIES[name]
    content_type = "application/json" if name.endswith("JSON event") else FORM
    status, _ = post(door, body, signed_bytes(body, content_type))
    assert status == 400


def test_a_signed_body_of_another_content_type_is_400(door: Served) -> None:
    body = b"<xml>not slack</xml>"
    status, _ = post(door, body, signed_bytes(body, "text/xml"))
    assert status == 400


@pytest.mark.parametrize("megabytes", [5, 50, 200])
def test_an_oversized_body_is_refused_with_413_before_it_is_read(door: Served, megabytes: int) -> None:
    declared = megabytes * 1024 * 1024
    head = (f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
            f"Content-Length: {declared}\r\nX-Slack-Request-Timestamp: 1\r\n"
            f"X-Slack-Signature: v0={'0' * 64}\r\n\r\n").encode()
    # Only the first megabyte is sent: the refusal must come without the rest.
    answer = raw_exchange(door, head + b"a" * (1024 * 1024), read_for=3.0)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_an_oversized_chunked_body_is_refused_with_413(door: Served) -> None:
    chunk = b"a" * 65536
    chunks = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(40))  # 2.5 MB
    head = (f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()
    answer = raw_exchange(door, head + chunks + b"0\r\n\r\n", read_for=3.0)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_four_parallel_oversized_requests_do_not_grow_the_log(door: Served) -> None:
    from concurrent.futures import ThreadPoolExecutor

    head = (f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
            f"Content-Length: {200 * 1024 * 1024}\r\n\r\n").encode()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: raw_exchange(door, head + b"a" * 262144, read_for=3.0), range(4)))
    assert all(answer.startswith(b"HTTP/1.1 413") for answer in answers)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/scorecards/2024-25-Q2.html", "/nothing-here",
                                  "/slack/events"])
def test_head_has_no_body_so_the_next_response_on_the_connection_is_intact(door: Served, path: str) -> None:
    request = (f"HEAD {path} HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode()
    answer = raw_exchange(door, request, read_for=3.0)
    first, _, after_head = answer.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 ")
    # Straight after HEAD's headers comes the next response, not a body.
    assert after_head.startswith(b"HTTP/1.1 200 OK"), after_head[:120]
    assert after_head.endswith(b"ok\n")


def test_health_and_readiness_answer_get(door: Served) -> None:
    import urllib.request

    for path, said in (("/healthz", b"ok\n"), ("/readyz", b"ready\n")):
        with urllib.request.urlopen(door.base + path, timeout=5) as answer:
            assert answer.status == 200 and answer.read() == said


def test_get_on_the_events_path_is_405(door: Served) -> None:
    answer = raw_exchange(door, b"GET /slack/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 405")


def test_no_request_body_reaches_the_log(served: Served, stub: SlackStub) -> None:
    marker = "BODY-MARKER-" + "x" * 20
    bodies = [
        urlencode({"command": "/kpi", "text": marker}).encode(),
        b"payload=" + json.dumps({"type": "nonsense", "marker": marker}).encode(),
    ]
    for body in bodies:
        post(served, body, {"content-type": FORM})
        post(served, body, signed(body))
    event = json.dumps({"type": "event_callback", "event_id": "Ev1",
                        "event": {"type": "unknown", "text": marker}})
    post(served, event.encode(), signed(event.encode(), "application/json"))
    assert marker not in served.log.read_text()


def test_a_signed_request_still_gets_its_answer(served: Served, stub: SlackStub) -> None:
    body = urlencode({"team_id": "T0BRACKEN", "channel_id": "C0SCRUTINY", "user_id": MEMBER,
                      "command": "/kpi", "text": "help", "response_url": stub.response_url(),
                      "trigger_id": "1.2.3"}).encode()
    status, content = post(served, body, signed(body))
    assert status == 200
    said = json.loads(content) if content else stub.wait_for("response_url")[0].params
    assert said["response_type"] == "ephemeral"


