"""The Teams SDK is asyncio; kpibot's handlers and HTTP workers are threads. Each worker runs one
event loop in a daemon thread (`Loop`), the SDK's App lives on it, and threads hand it
coroutines (`Loop.run`): the front door's request threads, the scheduler's senders. Handlers
called from the loop run in threads (`asyncio.to_thread`) so the loop stays free.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

# Teams wants the POST answered within 15 seconds; a send that takes longer has failed.
TIMEOUT = 14.0


class Loop:
    """One asyncio loop in a daemon thread, for this process."""

    def __init__(self, name: str = "kpibot-teams") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, work: Coroutine[Any, Any, T], timeout: float = TIMEOUT) -> T:
        """Run `work` on the loop and wait for its result (never call from the loop itself)."""
        if threading.current_thread() is self._thread:
            work.close()
            raise RuntimeError("Loop.run called on the loop's own thread: it would wait for itself")
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
