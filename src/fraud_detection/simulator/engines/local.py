"""The local engine: spawned worker processes on this machine, each fed through its own pipe.

Not ``multiprocessing.Pool``: a pool replaces a worker that dies (the out-of-memory killer,
kill -9, a Ctrl-C that reached it) and the driver then waits forever for that worker's chunk.
Here the driver waits on every busy worker's pipe and every worker's process sentinel at once,
so a worker that dies ends the run with one line naming it (``WorkerDiedError``), and leaving
the engine, however (an interrupt included), terminates every worker within a few seconds.

Workers never act on SIGINT (they start with it blocked, see ``workers_block_sigint``): a Ctrl-C
in a terminal reaches the whole process group, and only the driver acts on it, by stopping the
workers itself.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection, wait
from typing import Any

from ..errors import WorkerDiedError
from ..storage.outputs import ChunkResult
from .base import (
    Engine,
    Pending,
    keep_freed_memory,
    single_threaded_polars,
    workers_block_sigint,
)
from .tasks import ChunkTask, run_chunk

# How long a worker gets to exit on SIGTERM before it is killed.
TERMINATE_GRACE_S = 2.0
# How often the driver looks up from waiting (it is woken by results and deaths anyway).
POLL_S = 0.5
# What a worker sends once it has booted, before any result.
READY = ("ready", None)


def _serve(conn: Connection) -> None:
    """A worker's life: run the chunks the driver sends until it sends None or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # for a pool a caller's thread started
    keep_freed_memory()
    try:
        conn.send(READY)  # booted (its imports done): the driver sends chunks from now on
    except OSError:
        return
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return  # the driver is gone
        if task is None:
            # Done: every result is sent, nothing is left to flush. Exit now rather than
            # through the interpreter's teardown (0.2 s with Polars and NumPy loaded), which
            # the driver would otherwise wait for at the end of every run.
            conn.close()
            os._exit(0)
        try:
            reply: tuple[str, Any] = ("ok", run_chunk(task))
        except Exception as exc:  # handed to the driver, which raises it
            reply = ("error", exc)
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return
        except Exception as exc:  # the exception did not pickle: send what it said
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {reply[1]}")))


class _Worker:
    def __init__(self, number: int, ctx: Any) -> None:
        self.number = number
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_serve, args=(child,), name=f"fraud-simulator-worker-{number}", daemon=True
        )
        self.process.start()
        child.close()
        self.task: int | None = None
        self.ready = False  # booted: it said READY

    def death(self) -> str:
        """Return how this worker died, for the error line."""
        self.process.join(1.0)
        code = self.process.exitcode
        if code is None:
            how = "its pipe closed"
        elif code < 0:
            how = f"signal {-code}" + ("; out of memory?" if -code == signal.SIGKILL else "")
        else:
            how = f"exit code {code}"
        return f"worker {self.number} (pid {self.process.pid}) died ({how})"


class _Ticket:
    def __init__(self, pool: WorkerPool, task: int) -> None:
        self.pool, self.task = pool, task

    def result(self) -> ChunkResult:
        return self.pool.wait_for(self.task)


class WorkerPool(Engine):
    """Chunks run in ``workers`` spawned processes, ``2 x workers`` in flight.

    A worker takes chunks once it has booted (0.5-0.8 s of imports). A chunk the driver
    waits for while no worker has booted yet, it makes itself: when the catalogs and world
    come from the world cache, the first chunk is written before the workers are up.
    """

    def __init__(self, workers: int) -> None:
        super().__init__(2 * workers)
        ctx = mp.get_context("spawn")  # fork and Polars' thread pool do not mix
        self.workers: list[_Worker] = []
        self._queue: deque[tuple[int, ChunkTask]] = deque()
        self._done: dict[int, tuple[str, Any]] = {}
        self._next = 0
        try:
            with single_threaded_polars(), workers_block_sigint():
                for number in range(workers):
                    self.workers.append(_Worker(number, ctx))
        except BaseException:
            self.terminate()
            raise

    def submit(self, task: ChunkTask) -> Pending:
        number, self._next = self._next, self._next + 1
        self._queue.append((number, task))
        self._dispatch()
        return _Ticket(self, number)

    def wait_for(self, task: int) -> ChunkResult:
        """Return task ``task``'s result, running the pool until it is there (or making it
        here, while no worker has booted)."""
        self._pump(0)
        while task not in self._done:
            if self._queue and self._queue[0][0] == task and not any(w.ready for w in self.workers):
                self._done[task] = ("ok", run_chunk(self._queue.popleft()[1]))
                break
            self._pump()
        status, value = self._done.pop(task)
        if status == "error":
            raise value
        result: ChunkResult = value
        return result

    def _dispatch(self) -> None:
        for worker in self.workers:
            if not self._queue:
                return
            if worker.ready and worker.task is None:
                worker.task, args = self._queue.popleft()
                worker.conn.send(args)

    def _pump(self, timeout: float = POLL_S) -> None:
        """Wait up to ``timeout`` for a result, a boot or a death (which raises
        ``WorkerDiedError``); hand out what is queued."""
        by_handle: dict[Any, _Worker] = {w.process.sentinel: w for w in self.workers}
        by_handle.update({w.conn: w for w in self.workers if w.task is not None or not w.ready})
        ready: list[Any] = wait(list(by_handle), timeout)
        for handle in ready:
            worker = by_handle[handle]
            if handle is worker.conn:
                self._receive(worker)
            else:
                raise WorkerDiedError(worker.death())
        self._dispatch()

    def _receive(self, worker: _Worker) -> None:
        """Take what ``worker`` sent: that it booted, or its task's result."""
        try:
            reply: tuple[str, Any] = worker.conn.recv()
        except (EOFError, OSError):
            raise WorkerDiedError(worker.death()) from None
        if not worker.ready:
            worker.ready = reply == READY
            return
        assert worker.task is not None
        self._done[worker.task] = reply
        worker.task = None

    def close(self) -> None:
        """Ask every worker to finish; terminate those that do not within the grace time."""
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except OSError:
                continue
        deadline = time.monotonic() + TERMINATE_GRACE_S
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        self.terminate()

    def terminate(self) -> None:
        """Stop every worker now: SIGTERM, then SIGKILL after the grace time (idempotent)."""
        alive = [w.process for w in self.workers if w.process.is_alive()]
        for process in alive:
            process.terminate()
        deadline = time.monotonic() + TERMINATE_GRACE_S
        for process in alive:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(TERMINATE_GRACE_S)
        for worker in self.workers:
            worker.conn.close()


@contextmanager
def process_pool(workers: int) -> Iterator[Engine]:
    """Yield a started engine of ``workers`` processes; stopped on exit, however it is left."""
    pool = WorkerPool(workers)
    try:
        yield pool
        pool.close()
    finally:
        pool.terminate()
