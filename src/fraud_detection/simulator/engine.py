"""Engines run chunk functions and hand results back in chunk order.

The local engine is the spec's ``multiprocessing`` pool; at most ``2 x workers`` chunks are in
flight, so memory stays O(batch_size x workers) whatever ``total_rows`` is.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import polars as pl

from .catalog import Catalogs
from .chunk import generate_chunk
from .config import GeneratorConfig
from .plan import ChunkPlan

_CFG: GeneratorConfig | None = None
_CATALOGS: Catalogs | None = None


@dataclass(frozen=True)
class ChunkResult:
    chunk: ChunkPlan
    frame: pl.DataFrame
    seconds: float


def _init_worker(cfg: GeneratorConfig, catalogs: Catalogs | None) -> None:
    """Pool initializer: keep the config and shared catalogs in module globals."""
    global _CFG, _CATALOGS
    _CFG, _CATALOGS = cfg, catalogs


def _chunk_worker(chunk: ChunkPlan) -> ChunkResult:
    assert _CFG is not None, "worker not initialised"
    start = time.perf_counter()
    frame = generate_chunk(chunk, _CFG, _CATALOGS)
    return ChunkResult(chunk, frame, time.perf_counter() - start)


@contextmanager
def _single_threaded_polars() -> Iterator[None]:
    """Workers inherit POLARS_MAX_THREADS=1: processes, not threads, use the cores."""
    before = os.environ.get("POLARS_MAX_THREADS")
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("POLARS_MAX_THREADS", None)
        else:
            os.environ["POLARS_MAX_THREADS"] = before


def run_local(
    cfg: GeneratorConfig, plan: Sequence[ChunkPlan], catalogs: Catalogs | None
) -> Iterator[ChunkResult]:
    """Yield every chunk's result in chunk order, using ``cfg.num_workers`` processes."""
    workers = min(cfg.num_workers, len(plan))
    if workers <= 1:
        _init_worker(cfg, catalogs)
        for chunk in plan:
            yield _chunk_worker(chunk)
        return
    ctx = mp.get_context("spawn")  # fork and Polars' thread pool do not mix
    with _single_threaded_polars():
        pool = ctx.Pool(workers, initializer=_init_worker, initargs=(cfg, catalogs))
    try:
        pending: deque[mp.pool.AsyncResult[ChunkResult]] = deque()
        todo = iter(plan)
        for chunk in todo:
            pending.append(pool.apply_async(_chunk_worker, (chunk,)))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().get()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(pool.apply_async(_chunk_worker, (nxt,)))
            yield result
        pool.close()
    finally:
        pool.terminate()
        pool.join()
