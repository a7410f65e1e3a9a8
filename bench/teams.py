"""Signed Teams "kpi SEND timeliness" messages (a 1:1 chat) over real HTTP to kpibot's front door,
1 and 4 at a time, beside the Teams SDK's own App with a no-op handler that echoes the text back,
served the same way in the same run (issue 14: goal within 1.5x the floor at p50).

Both run under the same server (`bot.slack.server.serve_http`: gunicorn, the same workers and
threads) behind the same front door (`bot.slack.server.wsgi_app` at POST /api/messages, which
hands each activity to the SDK App on its own loop, as `bot.teams.app.TeamsEdge.handle` does),
each in its own process. JWT checks are on for both: every activity is signed RS256 as the Bot
Framework signs (tests/teams/connector.py's `BotFrameworkSigner`) with a key the fake connector
publishes, and the SDK verifies it against the connector's keys (before the load, a token signed
with a key nobody published must get 401 from each). Both reply to the same fake Bot
Framework connector (a stdlib HTTP server in this process), kpibot with its Adaptive Card, the
floor with the text; a request's time runs until its POST is answered, which both do after their
reply has reached the connector. kpibot answers from a SQLite copy of the sample council.
Each client thread keeps one connection open and sends its share one after another. Beside the
latencies, each server's CPU a request (its gunicorn master and workers, from /proc): a busy
machine stretches latencies far more than it does CPU time.

Run: `.venv/bin/python bench/teams.py [--requests N] [--workers W]`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.ports import free_port  # noqa: E402

BOT_ID = "3f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
TENANT = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
CHANNEL = "19:members0channel@thread.tacv2"
ADA = {"id": "29:1ada", "aadObjectId": "6a5b4c3d-0000-4000-8000-000000000001", "name": "Cllr Ada Lovelace",
       "email": "ada@council.example", "userPrincipalName": "ada@council.example"}
TEXT = "kpi SEND timeliness"
WARM_UP = 25  # requests per client thread before the timed ones
P50_GOAL = 1.5  # the goal: kpibot's p50 within 1.5x the SDK's no-op echo


# --- the servers (this file run with --serve kpibot|floor, in their own processes) -----------

def fake_token(scope: Any, tenant_id: str | None = None) -> str:
    """What Entra ID would give the bot for its own sends (as tests/teams/test_edge.py)."""
    import jwt

    return jwt.encode({"aud": str(scope), "tid": tenant_id, "exp": 4102444800}, "k" * 32, algorithm="HS256")


def cloud(connector: str) -> Any:
    """Microsoft's public cloud, its signing keys looked up at the fake connector."""
    from microsoft_teams.api.auth.cloud_environment import PUBLIC

    return replace(PUBLIC, openid_metadata_url=f"{connector}/v1/.well-known/openidconfiguration")


def serve(kind: str, port: int, workers: int, connector: str, database: str) -> None:
    from bot.settings import Settings
    from bot.slack.server import serve_http, wsgi_app

    settings = Settings(database_url=database, teams_client_id=BOT_ID, teams_tenant_id=TENANT,
                        teams_client_secret="not-used-tokens-come-from-fake_token",
                        teams_members_channel=CHANNEL, teams_service_url=connector)

    def kpibot() -> tuple[Any, Any]:
        from bot.runtime import open_runtime
        from bot.teams.app import create_edge

        runtime = open_runtime(settings)
        edge = create_edge(settings, runtime, token=fake_token, cloud=cloud(connector))

        def stop() -> None:
            edge.stop()
            runtime.engine.dispose()

        return wsgi_app(None, signing_secret="", teams=edge.handle), stop

    def floor() -> tuple[Any, Any]:
        """The SDK's own App, options as kpibot gives them, with a handler that echoes the text."""
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the SDK's ExperimentalWarning at import
            from microsoft_teams.apps import App

        from bot.teams.app import NoServer, TeamsEdge
        from bot.teams.bridge import Loop

        loop = Loop()

        async def build() -> Any:
            app = App(client_id=BOT_ID, tenant_id=TENANT, service_url=connector,
                      http_server_adapter=NoServer(), dangerously_allow_unauthenticated_requests=False,
                      token=fake_token, cloud=cloud(connector))

            @app.on_message
            async def echo(ctx: Any) -> None:
                await ctx.send(ctx.activity.text)

            await app.initialize()
            return app

        # TeamsEdge.handle only hands the activity to the App on its loop; the floor has no messenger.
        edge = TeamsEdge(loop.run(build()), loop, None, unauthenticated=False)  # type: ignore[arg-type]
        return wsgi_app(None, signing_secret="", teams=edge.handle), edge.stop

    serve_http(kpibot if kind == "kpibot" else floor, host="127.0.0.1", port=port, workers=workers)


# --- the load ----------------------------------------------------------------------------------

def wait_healthy(port: int, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start:\n{log.read_text()[-3000:]}")


def message(connector: str, n: int) -> bytes:
    return json.dumps({
        "type": "message", "id": f"bench-{n}", "channelId": "msteams", "serviceUrl": connector,
        "from": {"id": ADA["id"], "aadObjectId": ADA["aadObjectId"], "name": ADA["name"]},
        "recipient": {"id": f"28:{BOT_ID}", "name": "kpibot"},
        "conversation": {"id": "a:1on1-ada", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "text": TEXT,
    }).encode()


def refused_unless_signed(port: int, connector: Any) -> None:
    """The JWT checks are on: a token signed with a key the connector does not publish gets 401."""
    from tests.teams.connector import BotFrameworkSigner, FakeConnector

    forged = BotFrameworkSigner(FakeConnector(), kid="test-key-1").authorization(BOT_ID, connector.url)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/api/messages", body=message(connector.url, -1),
                       headers={"Content-Type": "application/json", "Authorization": forged})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    assert answer.status == 401, f"a forged token got {answer.status} on port {port}, not 401"


def server_cpu(pid: int) -> float:
    """Seconds of CPU the server has used: its gunicorn master and workers (Linux /proc; 0 elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used = 0
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else ():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name == str(pid) or fields[1] == str(pid):  # the master, or one of its workers
            used += int(fields[11]) + int(fields[12])  # utime, stime
    return used / tick


def load(
    port: int, requests: int, at_once: int, connector: Any, signer: Any, expect: bytes, pid: int
) -> dict[str, float]:
    share = requests // at_once

    def client(offset: int, count: int = share) -> list[float]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        timings = []
        for n in range(count):
            body = message(connector.url, offset * share + n)
            headers = {"Content-Type": "application/json",
                       "Authorization": signer.authorization(BOT_ID, connector.url)}
            started = time.perf_counter()
            connection.request("POST", "/api/messages", body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
            timings.append(time.perf_counter() - started)
            assert answer.status == 200, (answer.status, content[:200])
        connection.close()
        return timings

    # Warm up every worker (imports, the signing keys, the query index, SQLite's cache).
    with ThreadPoolExecutor(at_once) as pool:
        list(pool.map(lambda offset: client(offset, WARM_UP), range(at_once)))
    before = len(connector.sent())
    cpu = server_cpu(pid)
    began = time.perf_counter()
    with ThreadPoolExecutor(at_once) as pool:
        latencies = sorted(t for part in pool.map(client, range(at_once)) for t in part)
    took = time.perf_counter() - began
    cpu = server_cpu(pid) - cpu
    replies = connector.sent()[before:]
    # Every POST was answered after its reply reached the connector: one reply each, the right one.
    assert len(replies) == len(latencies), (len(replies), len(latencies))
    assert all(expect in json.dumps(call.body).encode() for call in replies), replies[0].body
    return {
        "rps": len(latencies) / took,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        # The server's CPU per request (its master and workers): less swayed by a busy machine.
        "cpu": cpu * 1000 / len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    from bot.settings import Settings, workers_for

    # The product's default (bot.settings.workers_for: two a core), for both servers.
    parser.add_argument("--workers", type=int, default=workers_for(Settings()))
    parser.add_argument("--serve", choices=("kpibot", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--connector", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve:
        serve(options.serve, options.port, options.workers, options.connector, options.database)
        return

    from bot.runtime import SAMPLE_COUNCIL, open_runtime
    from bot.settings import Settings
    from data.load import load_path
    from tests.teams.connector import BotFrameworkSigner, FakeConnector

    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}; "
          f"load average {load_average()} (a busy machine widens the gap: compare runs on a quiet one)")
    print(f"{options.requests} signed Teams activities per run; {options.workers} gunicorn workers "
          "x 8 threads each; JWT checks on")

    connector = FakeConnector(members={ADA["id"]: ADA}).start()
    signer = BotFrameworkSigner(connector)
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        runtime = open_runtime(Settings(database_url=database))
        load_path(runtime.engine, SAMPLE_COUNCIL)
        runtime.engine.dispose()
        ours, floor = free_port(), free_port()
        environment = {"PATH": os.environ.get("PATH", ""), "HOME": folder, "PYTHONPATH": str(REPO)}
        logs, pids = {}, {}
        for kind, port in (("kpibot", ours), ("floor", floor)):
            logs[kind] = Path(folder) / f"{kind}.log"
            processes.append(subprocess.Popen(
                [sys.executable, __file__, "--serve", kind, "--port", str(port),
                 "--workers", str(options.workers), "--connector", connector.url, "--database", database],
                env=environment, cwd=folder, stdout=subprocess.DEVNULL, stderr=logs[kind].open("wb")))
            pids[port] = processes[-1].pid
        try:
            wait_healthy(ours, logs["kpibot"])
            wait_healthy(floor, logs["floor"])
            for port in (ours, floor):
                refused_unless_signed(port, connector)
            rows = []
            for at_once in (1, 4):
                floor_figures = load(floor, options.requests, at_once, connector, signer, TEXT.encode(),
                                     pids[floor])
                our_figures = load(ours, options.requests, at_once, connector, signer,
                                   b"EHC plans issued within 20 weeks", pids[ours])
                rows.append((at_once, floor_figures, our_figures))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
    connector.stop()

    print(f"{'':34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu ms':>9}")
    verdicts = []
    for at_once, floor_figures, our_figures in rows:
        for name, figures in ((f"floor (SDK echo), {at_once} at once", floor_figures),
                              (f"kpibot kpi card, {at_once} at once", our_figures)):
            print(f"{name:34}{figures['rps']:9.1f}{figures['p50']:9.2f}{figures['p99']:9.2f}"
                  f"{figures['cpu']:9.2f}")
        p50 = our_figures["p50"] / floor_figures["p50"]
        print(f"  {at_once} at once: throughput {our_figures['rps'] / floor_figures['rps']:.2f}x the floor, "
              f"p50 {p50:.2f}x, p99 {our_figures['p99'] / floor_figures['p99']:.2f}x, "
              f"server CPU a request {our_figures['cpu'] / floor_figures['cpu']:.2f}x")
        verdicts.append(f"{at_once} at once p50 {p50:.2f}x ({'met' if p50 <= P50_GOAL else 'NOT met'})")
    print(f"Goal p50 <= {P50_GOAL}x the floor: " + "; ".join(verdicts))
    print(f"load average after: {load_average()}")


def load_average() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


if __name__ == "__main__":
    main()
