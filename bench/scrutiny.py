"""How fast are the scrutiny answers on a real council, and how fast do other councils' figures load?

Loads one council's DfE LAIT figures (Rotherham: every LAIT measure, its years of figures, its
benchmarks and every other English council's figures as peers) into a temporary SQLite store,
then, in one run:
- times the answers a member asks before a meeting through the real handler (`handlers.kpi`):
  overview, reds, what got worse, what changed since the last scorecard, where are we behind
  England, and a comparison of one indicator with every council: the first (cold) answer, then
  p50 and p99 of warm answers. Goal: warm p99 under 20 ms each.
- loads every council's figures twice into fresh stores, once as observations (each council an
  area, as bench/load.py does) and once as the `peers` file, and compares the rows per second.
  Goal: peers load within 2x of the observations' own rate.

Run: `.venv/bin/python bench/scrutiny.py`.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.runtime import open_runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from data.db import ensure_schema, make_engine, session_factory  # noqa: E402
from data.load import load_frames  # noqa: E402
from handlers import kpi  # noqa: E402
from handlers.reply import Request  # noqa: E402
from scorecard.model import Viewer  # noqa: E402

LAIT = REPO.parent / "shared" / "data" / "lait" / "bds_long_0.parquet"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
MEMBER = Viewer("bench-member")
ROUNDS = 200
GOAL_MS = 20.0
QUESTIONS = {
    "overview": "overview",
    "reds": "reds",
    "changes (declined)": "what got worse",
    "changes (since scorecard)": "what's changed since the last scorecard",
    "benchmarks": "where are we behind England",
    "comparison": "how do we compare on PrevRegCPR",
}


def say(text: str) -> None:
    print(text, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load(url: str, frames: dict[str, object], name: str) -> None:
    engine = make_engine(url)
    ensure_schema(engine)
    with session_factory(engine)() as session:
        load_frames(session, frames, name)  # type: ignore[arg-type]
        session.commit()
    engine.dispose()


def timed_load(url: str, frames: dict[str, object], name: str) -> float:
    start = time.perf_counter()
    load(url, frames, name)
    return time.perf_counter() - start


def answers(url: str) -> bool:
    runtime = open_runtime(Settings(database_url=url))
    ok = True
    with runtime.session() as session:
        for name, text in QUESTIONS.items():
            request = Request(text=text, viewer=MEMBER, now=NOW)
            start = time.perf_counter()
            reply = kpi.answer(request, session)
            cold = time.perf_counter() - start
            warm = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                kpi.answer(request, session)
                warm.append(time.perf_counter() - start)
            p99 = percentile(warm, 0.99) * 1000
            ok &= p99 < GOAL_MS
            say(
                f"  {name:26} ({reply.kind.value:10}) cold {cold * 1000:7.1f} ms; warm p50 "
                f"{percentile(warm, 0.5) * 1000:6.2f} ms, p99 {p99:6.2f} ms "
                f"{'ok' if p99 < GOAL_MS else 'OVER'}"
            )
    runtime.engine.dispose()
    return ok


def main() -> None:
    say(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    if not LAIT.exists():
        say(f"DfE LAIT data not found at {LAIT}: nothing to measure.")
        return
    from data.lait import lait_all_councils_frames, lait_frames

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        start = time.perf_counter()
        rotherham = lait_frames(LAIT, la="Rotherham")
        frames = rotherham.frames
        say(
            f"Converted Rotherham's LAIT figures in {time.perf_counter() - start:.1f} s: "
            + ", ".join(f"{name} {len(frame):,}" for name, frame in frames.items())
        )
        url = f"sqlite:///{work / 'rotherham.db'}"
        load(url, frames, "LAIT Rotherham")
        councils = frames["peers"]["council"].nunique()
        say(f"\nScrutiny answers over {len(frames['indicators'])} measures and {councils} councils' peers "
            f"({ROUNDS} warm rounds each; goal: p99 < {GOAL_MS:.0f} ms)")
        fast = answers(url)

        say("\nLoading every council's figures: as observations (areas) and as peers, same machine")
        every = lait_all_councils_frames(LAIT).frames
        indicators = every["indicators"]
        observations = every["observations"]
        peers = frames["peers"]
        obs_url = f"sqlite:///{work / 'observations.db'}"
        peer_url = f"sqlite:///{work / 'peers.db'}"
        load(obs_url, {"indicators": indicators}, "indicators")
        load(peer_url, {"indicators": indicators}, "indicators")
        obs_seconds = timed_load(obs_url, {"observations": observations}, "observations")
        peer_seconds = timed_load(peer_url, {"peers": peers}, "peers")
        obs_rate = len(observations) / obs_seconds
        peer_rate = len(peers) / peer_seconds
        ratio = obs_rate / peer_rate
        say(f"  observations: {len(observations):,} rows in {obs_seconds:.1f} s = {obs_rate:,.0f} rows/s")
        say(f"  peers:        {len(peers):,} rows in {peer_seconds:.1f} s = {peer_rate:,.0f} rows/s")
        say(f"  peers are {ratio:.2f}x slower per row than observations (goal: within 2x) "
            f"{'ok' if ratio <= 2 else 'OVER'}")
        again = timed_load(peer_url, {"peers": peers}, "peers again")
        say(f"  the same peers again (nothing changes): {again:.1f} s")
    say("\nAll goals met." if fast and ratio <= 2 else "\nSome goals were missed (see OVER above).")


if __name__ == "__main__":
    main()
