"""The local engine: the spec's ``multiprocessing`` pool on this machine (spawned processes)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..config import GeneratorConfig
from .base import Engine, Pending, TaskArgs, single_threaded_polars
from .tasks import ChunkResult, run_chunk


def _init_worker() -> None:
    """Pool initializer: unpickling it imported this module, and so NumPy, Polars, PyArrow."""


class _AsyncResult:
    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def result(self) -> ChunkResult:
        value: ChunkResult = self.handle.get()
        return value


class Pool(Engine):
    """Chunks run in a pool of ``workers`` processes."""

    def __init__(self, cfg: GeneratorConfig, pool: Any, workers: int) -> None:
        super().__init__(cfg, 2 * workers)
        self.pool = pool

    def submit(self, args: TaskArgs) -> Pending:
        return _AsyncResult(self.pool.apply_async(run_chunk, args))


@contextmanager
def process_pool(cfg: GeneratorConfig, workers: int) -> Iterator[Engine]:
    """Yield a started pool engine of ``workers`` processes; terminated on exit."""
    ctx = mp.get_context("spawn")  # fork and Polars' thread pool do not mix
    with single_threaded_polars():
        pool = ctx.Pool(workers, initializer=_init_worker)
    try:
        yield Pool(cfg, pool, workers)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
