"""`kpibot serve` as a real process for the tests: started on a free port, stopped after."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ports import free_port
from tests.slack.stub import SlackStub

MEMBERS_CHANNEL = "C0MEMBERS1"


def kpibot() -> list[str]:
    found = Path(sys.executable).with_name("kpibot")
    if found.exists():
        return [str(found)]
    return [sys.executable, "-c", "from bot.cli import main; main()"]


@dataclass
class Served:
    base: str
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    def log_size(self) -> int:
        return self.log.stat().st_size


def slack_env(
    database_url: str, stub: SlackStub, home: Path, port: int, secret: str, token: str
) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "DATABASE_URL": database_url,
        "SLACK_API_URL": stub.api_url,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_BOT_TOKEN": token,
        "SLACK_MEMBERS_CHANNEL": MEMBERS_CHANNEL,
        "PORT": str(port),
        "WORKERS": "1",
    }


@contextmanager
def serving(
    database_url: str, stub: SlackStub, folder: Path, extra: dict[str, str] | None = None
) -> Iterator[Served]:
    """`kpibot serve` on a free port over `database_url`, talking to `stub`, until the block ends."""
    from tests.slack.conftest import SECRET, TOKEN

    port = free_port()
    env = {**slack_env(database_url, stub, folder, port, SECRET, TOKEN), **(extra or {})}
    log_path = folder / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen([*kpibot(), "serve", "--host", "127.0.0.1"], env=env, cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    assert answer.read() == b"ok\n"
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # not up yet, or still booting
                if process.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    pytest.fail("kpibot serve did not start:\n" + log_path.read_text())
                time.sleep(0.1)  # polling for the server to come up, not timing anything
        yield Served(base, port, log_path, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def served(database_url: str, stub: SlackStub, tmp_path: Path) -> Iterator[Served]:
    with serving(database_url, stub, tmp_path) as running:
        yield running
