"""Engines: where chunks run. ``open_engine`` starts the configured one.

``local`` runs spawned worker processes (in-process for one worker), at most one per CPU;
``dask`` maps the same task over a ``dask.distributed`` cluster. A chunk is a pure function of
its arguments, so every engine gives the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..config import GeneratorConfig
from .base import Engine, InProcess, capped_workers
from .local import process_pool
from .tasks import ChunkTask, RunSpec, run_chunk


@contextmanager
def open_engine(cfg: GeneratorConfig, chunks: int) -> Iterator[Engine]:
    """Yield the configured engine, started: workers boot while the caller builds catalogs."""
    if cfg.engine == "dask":
        from .dask import dask_engine  # the optional extra: imported only when asked for

        with dask_engine(cfg) as engine:
            yield engine
        return
    workers = min(capped_workers(cfg.num_workers), chunks)
    if workers <= 1:
        yield InProcess()
        return
    with process_pool(workers) as engine:
        yield engine


__all__ = ["ChunkTask", "Engine", "RunSpec", "open_engine", "run_chunk"]
