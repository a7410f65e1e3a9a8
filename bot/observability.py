"""What a council's IT team watches: the log (plain, or one JSON object a line with the request's
id on every line of that request) and Prometheus metrics at GET /metrics.

Metrics are counted in every worker process and added up at scrape time (prometheus_client's
multiprocess mode: each process writes its counts to files in one folder, which `serve` makes
before the workers fork), so whichever worker answers the scrape reports the whole copy.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "MULTIPROC_ENV",
    "configure_logging",
    "metrics_page",
    "observed_request",
    "prepare_metrics_folder",
    "record_delivery",
    "record_scheduler_run",
    "worker_stopped",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# The request being answered in this thread, for every log line written while answering it.
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("kpibot_request_id", default="")


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "")
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    """`plain` (the default) or `json`, on stderr, each line with its request id if any."""
    handler = logging.StreamHandler()
    handler.addFilter(_RequestId())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def prepare_metrics_folder() -> str:
    """The folder every worker of this `serve` counts into: made (and emptied of a previous run's
    counts) before the workers fork, and named in the environment they inherit."""
    folder = os.environ.get(MULTIPROC_ENV) or tempfile.mkdtemp(prefix="kpibot-metrics-")
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))
    os.environ[MULTIPROC_ENV] = folder
    return folder


class _Metrics:
    """Created in a worker on first use (after the folder is named), so every count is shared."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram

        self.requests = Counter("kpibot_requests_total", "Requests answered, by kind and status.",
                                ["kind", "status"])
        self.latency = Histogram("kpibot_request_seconds", "Time to answer a request, by kind.", ["kind"],
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.deliveries = Counter("kpibot_outbox_deliveries_total", "Outbox messages handled, by outcome.",
                                  ["outcome"])
        self.scheduler_runs = Counter("kpibot_scheduler_runs_total", "Scheduled rounds run, by job.", ["job"])


_metrics: _Metrics | None = None
# Requests and the scheduler both count from their own threads: the metrics are made once.
_making = threading.Lock()


def _counting() -> _Metrics | None:
    """The metrics, when this process counts (a served worker); None elsewhere (the CLI)."""
    global _metrics
    if _metrics is None and os.environ.get(MULTIPROC_ENV):
        with _making:
            if _metrics is None:
                _metrics = _Metrics()
    return _metrics


@contextmanager
def observed_request(kind: str, status: Callable[[], str]) -> Iterator[str]:
    """Answering one request: its id on every log line meanwhile, and its count and time."""
    import time

    request_id = secrets.token_hex(6)
    token = _request_id.set(request_id)
    started = time.perf_counter()
    try:
        yield request_id
    finally:
        _request_id.reset(token)
        metrics = _counting()
        if metrics is not None:
            metrics.requests.labels(kind, status()).inc()
            metrics.latency.labels(kind).observe(time.perf_counter() - started)


def record_delivery(outcome: str, count: int = 1) -> None:
    metrics = _counting()
    if metrics is not None and count:
        metrics.deliveries.labels(outcome).inc(count)


def record_scheduler_run(job: str) -> None:
    metrics = _counting()
    if metrics is not None:
        metrics.scheduler_runs.labels(job).inc()


def metrics_page(outbox_depth: Callable[[], dict[str, int]]) -> bytes:
    """The Prometheus text page: every worker's counts added up, and the outbox's depth now."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.core import GaugeMetricFamily
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # the module has no annotations

    class OutboxDepth:
        def collect(self) -> Iterator[GaugeMetricFamily]:
            gauge = GaugeMetricFamily("kpibot_outbox_waiting", "Outbox messages due and not yet sent.",
                                      labels=["destination"])
            for destination, count in sorted(outbox_depth().items()):
                gauge.add_metric([destination], count)
            yield gauge

    registry.register(OutboxDepth())
    return bytes(generate_latest(registry))


def worker_stopped(pid: int) -> None:
    """A worker's live gauges go with it (counters stay, as Prometheus expects)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]  # no annotations
