"""The image as a council would run it (`make container-test` builds it and runs this).

Started from the image's own command with the sample council loaded into its /data volume, it answers a
signed `/kpi SEND timeliness` from a Slack stub on the host, is ready, runs as a non-root user, passes its
own HEALTHCHECK, and stops on SIGTERM (`podman stop`) in under 3 s with exit code 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.slack.conftest import SECRET, TOKEN, signed_headers
from tests.slack.serving import MEMBERS_CHANNEL, free_port
from tests.slack.stub import SlackStub

IMAGE = os.environ.get("KPIBOT_IMAGE_UNDER_TEST", "")
pytestmark = pytest.mark.skipif(
    not IMAGE, reason="the container smoke test runs under `make container-test`, which builds the image"
)


# The project's podman settings (runc, explicit ulimits), as scripts/container-env.sh sets them.
CONTAINERS_CONF = Path(__file__).resolve().parents[2] / "deploy" / "podman" / "containers.conf"


def podman(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "CONTAINERS_CONF": os.environ.get("CONTAINERS_CONF", str(CONTAINERS_CONF))}
    return subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, env=environment)


# The image's HEALTHCHECK is kept, run on demand (`podman healthcheck run`): no timer, which would need
# systemd.
NO_HEALTH_TIMER = ("--health-interval", "disable")


@dataclass
class Container:
    name: str
    base: str

    def logs(self) -> str:
        done = podman("logs", self.name)
        return done.stdout + done.stderr


@pytest.fixture(scope="module")
def volume() -> Iterator[str]:
    """A /data volume holding the sample council (the bundled databook, loaded by `kpibot load`)."""
    name = f"kpibot-smoke-{uuid.uuid4().hex[:8]}"
    loaded = podman("run", "--rm", *NO_HEALTH_TIMER, "--network", "none", "--volume", f"{name}:/data", IMAGE,
                    "kpibot", "load", "/opt/kpibot/sample", timeout=300)
    try:
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        yield name
    finally:
        podman("volume", "rm", "--force", name)


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    server = SlackStub().start()
    yield server
    server.stop()


@pytest.fixture
def container(volume: str, stub: SlackStub) -> Iterator[Container]:
    """The image's own command (`kpibot serve`) on the host's network, on a free loopback port."""
    name = f"kpibot-smoke-{uuid.uuid4().hex[:8]}"
    port = free_port()
    environment = {
        "PORT": str(port),
        "SLACK_API_URL": stub.api_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_MEMBERS_CHANNEL": MEMBERS_CHANNEL,
    }
    settings = [arg for key, value in environment.items() for arg in ("--env", f"{key}={value}")]
    started = podman("run", "--detach", *NO_HEALTH_TIMER, "--name", name, "--network", "host",
                     "--volume", f"{volume}:/data", *settings, IMAGE)
    assert started.returncode == 0, started.stderr
    running = Container(name, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{running.base}/healthz", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                state = podman("inspect", "--format", "{{.State.Running}}", name).stdout.strip()
                if state != "true" or time.monotonic() > deadline:
                    pytest.fail(f"the container did not start serving:\n{running.logs()}")
                time.sleep(0.2)  # polling for the server to come up, not timing anything
        yield running
    finally:
        podman("rm", "--force", "--time", "0", name)


def test_the_container_answers_a_signed_kpi_request_and_is_ready(
    container: Container, stub: SlackStub
) -> None:
    body = urlencode({
        "team_id": "T0BRACKEN", "channel_id": "C0SCRUTINY", "user_id": "U0DEMOMEMB1",
        "command": "/kpi", "text": "SEND timeliness", "response_url": stub.response_url(),
        "trigger_id": "1.2.3",
    })
    headers = {name: values[0] for name, values in
               signed_headers(body, content_type="application/x-www-form-urlencoded").items()}
    request = urllib.request.Request(f"{container.base}/slack/events", data=body.encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        raw = answer.read()
    said = json.loads(raw) if raw else stub.wait_for("response_url", timeout=5)[0].params
    assert said["response_type"] == "ephemeral"
    assert "EHC plans issued within 20 weeks" in said["blocks"][0]["text"]["text"], container.logs()
    assert stub.of("auth.test"), "bolt checked its token against the stub"

    with urllib.request.urlopen(f"{container.base}/readyz", timeout=5) as ready:
        assert ready.status == 200

    # The image's HEALTHCHECK (on /readyz) passes, and the bot does not run as root.
    health = podman("healthcheck", "run", container.name)
    assert health.returncode == 0, health.stdout + health.stderr + container.logs()
    user = podman("exec", container.name, "id", "-u")
    assert user.stdout.strip() == "10001"


def test_the_container_stops_on_sigterm_within_three_seconds_with_exit_code_0(container: Container) -> None:
    with urllib.request.urlopen(f"{container.base}/readyz", timeout=5) as ready:
        assert ready.status == 200
    started = time.monotonic()
    # SIGTERM (the image's STOPSIGNAL), then SIGKILL only after 10 s.
    stopped = podman("stop", "--time", "10", container.name)
    took = time.monotonic() - started
    assert stopped.returncode == 0, stopped.stderr
    code = podman("inspect", "--format", "{{.State.ExitCode}}", container.name).stdout.strip()
    said = f"stopped in {took:.1f} s, exit code {code}:\n{container.logs()}"
    assert (took < 3.0, code) == (True, "0"), said
