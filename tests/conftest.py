"""Shared fixtures: where ../shared is, and a clean environment for every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LAIT = SHARED / "data" / "lait"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A developer's real tokens or database must never leak into a test."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "KPIBOT_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture(scope="session")
def lait_dir() -> Path:
    """DfE LAIT data beside the project; tests that need it skip cleanly without it."""
    if not (LAIT / "bds_long_0.parquet").exists():
        pytest.skip(f"DfE LAIT data not found at {LAIT} (../shared is absent)")
    return LAIT
