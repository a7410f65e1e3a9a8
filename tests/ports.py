"""A free local port, for servers the tests and benches start."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now (the probe closes it again before returning)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
