"""Signed `/kpi SEND timeliness` over real HTTP to `kpibot serve`, 1 and 4 at a time, beside a
bolt App that only acknowledges, served the same way in the same run.

Both run under the same server (`bot.slack.server.serve_http`: gunicorn, the same workers and
threads, the same front door that bounds and verifies every request), each in its own process,
against a local Slack Web API stub; kpibot answers from a SQLite copy of the sample council.
Each client thread keeps one connection open, as Slack's would be, and sends its share of the
requests one after another.

Run: `.venv/bin/python bench/serve.py [--requests N] [--rounds R] [--workers W]`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from slack_sdk.signature import SignatureVerifier  # noqa: E402

from bot.runtime import SAMPLE_COUNCIL, open_runtime  # noqa: E402
from bot.settings import Settings, workers_for  # noqa: E402
from data.load import load_path  # noqa: E402
from tests.ports import free_port  # noqa: E402
from tests.slack.stub import SlackStub  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
TEXT = "SEND timeliness"
# The goals at 4 at a time: throughput >= 0.9x the floor, p99 <= 3x.
THROUGHPUT_GOAL = 0.9
P99_GOAL = 3.0

# The floor: the same server and front door around a bolt App whose /kpi listener only acks.
FLOOR = """
import sys
from slack_bolt import App
from slack_sdk import WebClient
from bot.slack.server import serve_http, wsgi_app

secret, token, api, port, workers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

def build():
    app = App(client=WebClient(token=token, base_url=api), signing_secret=secret)

    @app.command("/kpi")
    def on_kpi(ack):
        ack("ok")

    return wsgi_app(app, None, signing_secret=secret), lambda: None

serve_http(build, host="127.0.0.1", port=port, workers=workers)
"""


def wait_healthy(port: int, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not start")


def signed(verifier: SignatureVerifier, n: int) -> tuple[bytes, dict[str, str]]:
    body = urlencode({
        "team_id": "T0BRACKEN", "channel_id": "C0SCRUTINY", "user_id": "U0DEMOMEMB1",
        "command": "/kpi", "text": TEXT, "response_url": f"http://127.0.0.1:9/response/{n}",
        "trigger_id": f"1.{n}.bench",
    })
    stamp = str(int(time.time()))
    return body.encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
        "X-Slack-Request-Timestamp": stamp,
    }


def load(port: int, requests: int, at_once: int, expect: bytes) -> dict[str, float]:
    verifier = SignatureVerifier(SECRET)
    share = requests // at_once

    def client(offset: int) -> list[float]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        timings = []
        for n in range(share):
            body, headers = signed(verifier, offset * share + n)
            started = time.perf_counter()
            connection.request("POST", "/slack/events", body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
            timings.append(time.perf_counter() - started)
            assert answer.status == 200 and expect in content, content[:200]
        connection.close()
        return timings

    for _ in range(2):  # warm up every worker: imports, the query index, SQLite's page cache
        with ThreadPoolExecutor(at_once) as pool:
            list(pool.map(lambda offset: client(offset)[:0], range(at_once)))
    began = time.perf_counter()
    with ThreadPoolExecutor(at_once) as pool:
        latencies = sorted(t for part in pool.map(client, range(at_once)) for t in part)
    took = time.perf_counter() - began
    return {
        "rps": len(latencies) / took,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each, in turn (medians are shown)")
    # The product's default (bot.settings.workers_for: two a core), for both servers.
    parser.add_argument("--workers", type=int, default=workers_for(Settings()))
    options = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"{options.requests} signed requests per run, {options.rounds} rounds each (medians); "
          f"{options.workers} gunicorn workers x 8 threads each")

    stub = SlackStub().start()
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        runtime = open_runtime(Settings(database_url=database))
        load_path(runtime.engine, SAMPLE_COUNCIL)
        runtime.engine.dispose()
        ours, floor = free_port(), free_port()
        environment = {
            "PATH": os.environ.get("PATH", ""), "HOME": folder, "DATABASE_URL": database,
            "SLACK_API_URL": stub.api_url, "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_MEMBERS_CHANNEL": "C0MEMBERS1", "PORT": str(ours), "WORKERS": str(options.workers),
            "PYTHONPATH": str(REPO),
        }
        quiet = subprocess.DEVNULL
        processes.append(subprocess.Popen([sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1"],
                                          env=environment, stdout=quiet, stderr=quiet))
        processes.append(subprocess.Popen(
            [sys.executable, "-c", FLOOR, SECRET, TOKEN, stub.api_url, str(floor), str(options.workers)],
            env=environment, stdout=quiet, stderr=quiet))
        try:
            wait_healthy(ours)
            wait_healthy(floor, "/healthz")
            rows = []
            for at_once in (1, 4):
                # Rounds in turn, each figure the median of its rounds: which worker each
                # keep-alive connection lands on varies from run to run, and so does a run.
                rounds = [(load(floor, options.requests, at_once, b"ok"),
                           load(ours, options.requests, at_once, b"EHC plans issued within 20 weeks"))
                          for _ in range(options.rounds)]
                rows.append((at_once, median_of([f for f, _ in rounds]), median_of([o for _, o in rounds])))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
    stub.stop()

    print(f"{'':28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    verdicts = []
    for at_once, floor_figures, our_figures in rows:
        for name, figures in ((f"floor (ack only), {at_once} at once", floor_figures),
                              (f"kpibot /kpi card, {at_once} at once", our_figures)):
            print(f"{name:28}{figures['rps']:9.1f}{figures['p50']:9.2f}{figures['p99']:9.2f}")
        throughput = our_figures["rps"] / floor_figures["rps"]
        p99 = our_figures["p99"] / floor_figures["p99"]
        print(f"  {at_once} at once: throughput {throughput:.2f}x the floor, p50 "
              f"{our_figures['p50'] / floor_figures['p50']:.2f}x, p99 {p99:.2f}x")
        if at_once == 4:
            verdicts.append(f"throughput {throughput:.2f}x (goal >= {THROUGHPUT_GOAL}x: "
                            f"{'met' if throughput >= THROUGHPUT_GOAL else 'NOT met'})")
            met = "met" if p99 <= P99_GOAL else "NOT met"
            verdicts.append(f"p99 {p99:.2f}x (goal <= {P99_GOAL}x: {met})")
    print("At 4 at once: " + "; ".join(verdicts))


if __name__ == "__main__":
    main()
