"""Engines run ``run_chunk`` somewhere and hand results back in chunk order.

Every engine keeps at most ``window`` chunks in flight (2 x workers), so memory stays
O(batch_size x workers) whatever ``total_rows`` is.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from multiprocessing import resource_tracker
from typing import Protocol

from ..signals import raise_if_received
from ..storage.outputs import ChunkResult
from .tasks import ChunkTask, run_chunk

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


# glibc's mallopt parameters (malloc.h) and the values we set in processes we own.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
# Blocks up to 32 MB (glibc's ceiling) come from the heap instead of fresh mmaps, and freed
# heap memory is kept for the next chunk instead of being returned to the kernel: every
# chunk allocates and frees the same few hundred MB, and faulting those pages in again took a
# sixth of a worker's CPU (system time 5.1-5.6 s of 30 s over 10M rows; 1.9-2.3 s with these).
_MMAP_THRESHOLD = 32 * 1024 * 1024
_TRIM_THRESHOLD = 1024 * 1024 * 1024


_OWN_PROCESS = False  # set by the CLI (``own_this_process``): chunks here may tune the allocator


def own_this_process() -> None:
    """Say that this process is the generator's own (the CLI), not a library caller's: chunks
    it runs itself may then tune its allocator (``keep_freed_memory``)."""
    global _OWN_PROCESS
    _OWN_PROCESS = True


def keep_freed_memory() -> bool:
    """Tune glibc's allocator in a process that makes chunk after chunk (a worker; the CLI's
    own process when it runs the chunks): memory is reused between chunks rather than unmapped
    and faulted in again. Called once the catalogs are built: the start-up's larger
    allocations still return to the kernel. A no-op off glibc; returns whether it applied."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        applied = libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
        return applied and libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1
    except (OSError, AttributeError):  # not Linux, or not glibc
        return False


class Pending(Protocol):
    def result(self) -> ChunkResult: ...


class Engine:
    """Runs ``run_chunk`` somewhere; ``map`` yields results in plan order, ``window`` in flight."""

    in_process = False  # True: chunks run in the driver's process (they share its world)

    def __init__(self, window: int = 1) -> None:
        self.window = window

    def submit(self, task: ChunkTask) -> Pending:
        raise NotImplementedError

    def map(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Yield the results of ``tasks`` in their order, ``window`` of them in flight."""
        pending: deque[Pending] = deque()
        todo = iter(tasks)
        for task in todo:
            pending.append(self.submit(task))
            if len(pending) >= self.window:
                break
        while pending:
            result = pending.popleft().result()
            raise_if_received()  # a signal whose exception Python swallowed
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(self.submit(nxt))
            yield result
        raise_if_received()  # the caller commits next


class _Deferred:
    """Runs the chunk in this process when its result is asked for."""

    def __init__(self, task: ChunkTask) -> None:
        self.task = task

    def result(self) -> ChunkResult:
        return run_chunk(self.task)


class InProcess(Engine):
    """Runs every chunk in the driver's own process, one at a time."""

    in_process = True

    def __init__(self, window: int = 1) -> None:
        super().__init__(window)
        self._tuned = False

    def submit(self, task: ChunkTask) -> Pending:
        if not self._tuned and _OWN_PROCESS:
            keep_freed_memory()
            self._tuned = True
        return _Deferred(task)


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
def workers_block_sigint() -> Iterator[None]:
    """Start workers with SIGINT blocked, so that a Ctrl-C (sent by a terminal to the whole
    process group) is the driver's alone: the driver stops the workers itself.

    A child inherits the blocked mask of the thread that starts it, through fork and exec, and
    keeps it: Python does not unblock it, and a handler Polars installs on import never runs.
    A Dask LocalCluster's event loop thread, started here, inherits it too and passes it on to
    every worker its nannies start or restart. Blocking, not ignoring: while SIGINT is ignored
    the driver would lose a Ctrl-C that reached another of its threads (Polars' pool); blocked
    in this thread, it is handled when unblocked, or by the handler right away.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # a library caller's thread: the workers ignore SIGINT once started instead
        return
    # Starting multiprocessing's resource tracker unblocks SIGINT in the thread that starts it
    # (the first worker's start would): start it first.
    resource_tracker.ensure_running()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
