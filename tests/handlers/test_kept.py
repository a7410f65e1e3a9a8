"""handlers.kept.keep: every memo a process keeps between requests is bounded."""

from __future__ import annotations

from handlers.kept import keep


def test_a_full_memo_lets_its_oldest_entry_go() -> None:
    memo: dict[str, int] = {}
    for number, key in enumerate("abcd"):
        keep(memo, key, number, limit=3)
    assert memo == {"b": 1, "c": 2, "d": 3}


def test_keeping_a_key_again_replaces_it_and_lets_nothing_go() -> None:
    memo = {"a": 0, "b": 1, "c": 2}
    keep(memo, "b", 9, limit=3)
    assert memo == {"a": 0, "b": 9, "c": 2}


def test_no_number_of_different_keys_grows_it_past_its_limit() -> None:
    memo: dict[int, int] = {}
    for key in range(10_000):
        keep(memo, key, key, limit=64)
    assert len(memo) == 64 and min(memo) == 10_000 - 64
