"""Engines run ``run_chunk`` somewhere and hand results back in chunk order.

Every engine keeps at most ``window`` chunks in flight (2 x workers), so memory stays
O(batch_size x workers) whatever ``total_rows`` is.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from ..config import GeneratorConfig
from ..plan import ChunkPlan
from .tasks import ChunkResult, Output, WorldSource, run_chunk

TaskArgs = tuple[ChunkPlan, GeneratorConfig, WorldSource, Output]
log = logging.getLogger("fraud_detection.simulator")


# Lifts the cap on local worker processes (the CPUs this process may run on); tests use it to
# prove 3 workers give the same rows on a 2-core machine.
MAX_WORKERS_ENV = "FRAUD_SIMULATOR_MAX_WORKERS"


def cpu_limit() -> int:
    """Return how many worker processes may run here: the CPUs available to this process,
    or ``FRAUD_SIMULATOR_MAX_WORKERS`` when set (a positive integer)."""
    override = os.environ.get(MAX_WORKERS_ENV, "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def capped_workers(requested: int) -> int:
    """Return ``requested`` capped at ``cpu_limit()``, logging when the cap applies."""
    limit = cpu_limit()
    if requested <= limit:
        return requested
    log.info(
        "Using %d workers (num_workers %d capped at the CPUs available; %s lifts the cap)",
        limit, requested, MAX_WORKERS_ENV,
    )  # fmt: skip
    return limit


class Pending(Protocol):
    def result(self) -> ChunkResult: ...


class Engine:
    """Runs ``run_chunk`` somewhere; ``map`` yields results in plan order, ``window`` in flight."""

    def __init__(self, cfg: GeneratorConfig, window: int = 1) -> None:
        self.cfg, self.window = cfg, window

    def submit(self, args: TaskArgs) -> Pending:
        raise NotImplementedError

    def map(
        self, plan: Sequence[ChunkPlan], source: WorldSource, output: Output
    ) -> Iterator[ChunkResult]:
        cfg = self.cfg
        pending: deque[Pending] = deque()
        todo = iter(plan)
        for chunk in todo:
            pending.append(self.submit((chunk, cfg, source, output)))
            if len(pending) >= self.window:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(self.submit((nxt, cfg, source, output)))
            yield result


class _Deferred:
    """Runs the chunk in this process when its result is asked for."""

    def __init__(self, args: TaskArgs) -> None:
        self.args = args

    def result(self) -> ChunkResult:
        return run_chunk(*self.args)


class InProcess(Engine):
    """Runs every chunk in the driver's own process, one at a time."""

    def submit(self, args: TaskArgs) -> Pending:
        return _Deferred(args)


@contextmanager
def single_threaded_polars() -> Iterator[None]:
    """Child processes started inside get POLARS_MAX_THREADS=1: processes use the cores."""
    before = os.environ.get("POLARS_MAX_THREADS")
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("POLARS_MAX_THREADS", None)
        else:
            os.environ["POLARS_MAX_THREADS"] = before


@contextmanager
def workers_ignore_sigint() -> Iterator[None]:
    """Start workers with SIGINT ignored from their first instruction (an ignored signal stays
    ignored across exec), so a Ctrl-C during their start-up does not kill them with a
    traceback. Meanwhile the driver blocks SIGINT rather than ignoring it: Linux keeps a
    blocked signal pending, and it is delivered to the driver's handler afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be changed from the main thread
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
