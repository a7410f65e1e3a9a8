"""What a process keeps between requests (cards, replies, who is behind an account), bounded.

Every such memo is keyed by something a request brings (an indicator, a question, an account),
so none may grow without limit however varied the requests; each lets its oldest entry go once
full, and what was let go is simply built again when asked for.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["keep"]

Key = TypeVar("Key")
Value = TypeVar("Value")


def keep(memo: dict[Key, Value], key: Key, value: Value, *, limit: int) -> None:
    """`value` under `key` in `memo`, letting the oldest entry go first when `memo` holds
    `limit` others (a dict keeps the order entries came in)."""
    if key not in memo and len(memo) >= limit:
        del memo[next(iter(memo))]
    memo[key] = value
