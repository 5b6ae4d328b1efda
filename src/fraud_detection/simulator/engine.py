"""Engines run the chunk function and hand results back in chunk order.

A chunk is a pure function of (config, chunk plan, catalogs, pools): any engine, same rows.
``local`` is the spec's ``multiprocessing`` pool; ``dask`` maps the same function over a
``dask.distributed`` cluster. Both keep at most ``2 x workers`` chunks in flight, so memory
stays O(batch_size x workers) whatever ``total_rows`` is.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from .catalog import Catalogs
from .chunk import generate_chunk
from .config import GeneratorConfig, S3Location
from .destination import parquet_bytes, write_bytes
from .plan import ChunkPlan

log = logging.getLogger("fraud_detection.simulator")


@dataclass(frozen=True)
class CatalogSource:
    """Where workers read the shared (v2) catalogs; ``token`` names this run's copy."""

    location: Path | S3Location
    token: str


@dataclass(frozen=True)
class InMemory:
    """Workers return each chunk as an Arrow table (cheap to pickle)."""


@dataclass(frozen=True)
class Encoded:
    """Workers encode each chunk as a Parquet file, for the driver to concatenate.

    With a ``spool`` directory (a file system the driver shares) the worker writes the file
    there and returns its path, so 14 MB per chunk never go through a pipe; else the bytes.
    """

    row_group_size: int
    spool: Path | None = None


@dataclass(frozen=True)
class PartSink:
    """Workers write each chunk as ``part-NNNNN.parquet`` under ``location``."""

    location: Path | S3Location
    row_group_size: int


Output = InMemory | Encoded | PartSink


@dataclass(frozen=True)
class PartInfo:
    name: str
    rows: int
    fraud_count: int
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class ChunkResult:
    """A generated chunk: as a table, as Parquet bytes, or the part file a worker wrote."""

    chunk: ChunkPlan
    rows: int
    fraud_count: int
    seconds: float
    table: pa.Table | None = None
    parquet: bytes | Path | None = None
    part: PartInfo | None = None


_CACHED: tuple[str, Catalogs] | None = None


def catalogs_for(source: CatalogSource | None) -> Catalogs | None:
    """Return the catalogs ``source`` points at, read once per process and run."""
    global _CACHED
    if source is None:
        return None
    if _CACHED is None or _CACHED[0] != source.token:
        _CACHED = (source.token, Catalogs.load(source.location))
    return _CACHED[1]


def part_name(index: int) -> str:
    """Return the file name of chunk ``index`` in the parts layout."""
    return f"part-{index:05d}.parquet"


def run_chunk(
    chunk: ChunkPlan,
    cfg: GeneratorConfig,
    source: CatalogSource | None,
    output: Output,
    user_agents: tuple[str, ...] | None = None,
) -> ChunkResult:
    """Return one chunk generated and delivered as ``output`` asks."""
    start = time.perf_counter()
    frame = generate_chunk(chunk, cfg, catalogs_for(source), user_agents)
    rows, frauds = frame.height, int(frame["label_fraud"].sum())
    if isinstance(output, InMemory):
        table = frame.to_arrow()
        return ChunkResult(chunk, rows, frauds, time.perf_counter() - start, table=table)
    data = parquet_bytes(frame, output.row_group_size)
    if isinstance(output, Encoded):
        encoded: bytes | Path = data
        if output.spool is not None:
            encoded = output.spool / f"chunk-{chunk.index:05d}.parquet"
            encoded.write_bytes(data)
        return ChunkResult(chunk, rows, frauds, time.perf_counter() - start, parquet=encoded)
    name = part_name(chunk.index)
    write_bytes(output.location, name, data)
    part = PartInfo(name, rows, frauds, hashlib.sha256(data).hexdigest(), len(data))
    return ChunkResult(chunk, rows, frauds, time.perf_counter() - start, part=part)


def _init_worker() -> None:
    """Pool initializer: unpickling it imported this module, and so NumPy, Polars, PyArrow."""


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


class _Pending(Protocol):
    def result(self) -> ChunkResult: ...


TaskArgs = tuple[ChunkPlan, GeneratorConfig, "CatalogSource | None", Output, tuple[str, ...]]


class Engine:
    """Runs ``run_chunk`` somewhere; ``map`` yields results in plan order, ``window`` in flight."""

    def __init__(self, cfg: GeneratorConfig, window: int = 1) -> None:
        self.cfg, self.window = cfg, window

    def submit(self, args: TaskArgs) -> _Pending:
        raise NotImplementedError

    def map(
        self,
        plan: Sequence[ChunkPlan],
        source: CatalogSource | None,
        output: Output,
        user_agents: tuple[str, ...],
    ) -> Iterator[ChunkResult]:
        cfg = self.cfg
        pending: deque[_Pending] = deque()
        todo = iter(plan)
        for chunk in todo:
            pending.append(self.submit((chunk, cfg, source, output, user_agents)))
            if len(pending) >= self.window:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(self.submit((nxt, cfg, source, output, user_agents)))
            yield result


class _Deferred:
    """Runs the chunk in this process when its result is asked for."""

    def __init__(self, args: TaskArgs) -> None:
        self.args = args

    def result(self) -> ChunkResult:
        return run_chunk(*self.args)


class _AsyncResult:
    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def result(self) -> ChunkResult:
        value: ChunkResult = self.handle.get()
        return value


class _InProcess(Engine):
    def submit(self, args: TaskArgs) -> _Pending:
        return _Deferred(args)


class _Pool(Engine):
    def __init__(self, cfg: GeneratorConfig, pool: Any, workers: int) -> None:
        super().__init__(cfg, 2 * workers)
        self.pool = pool

    def submit(self, args: TaskArgs) -> _Pending:
        return _AsyncResult(self.pool.apply_async(run_chunk, args))


class _Dask(Engine):
    def __init__(self, cfg: GeneratorConfig, client: Any) -> None:
        super().__init__(cfg, 2 * max(1, len(client.scheduler_info().get("workers", {}))))
        self.client = client

    def submit(self, args: TaskArgs) -> _Pending:
        future: _Pending = self.client.submit(run_chunk, *args, pure=False)
        return future


@contextmanager
def open_engine(cfg: GeneratorConfig, chunks: int) -> Iterator[Engine]:
    """Yield the configured engine, started: workers boot while the caller builds catalogs."""
    if cfg.engine == "dask":
        from .dask_engine import dask_client

        with dask_client(cfg) as client:
            yield _Dask(cfg, client)
        return
    workers = min(cfg.num_workers, chunks)
    if workers <= 1:
        yield _InProcess(cfg)
        return
    ctx = mp.get_context("spawn")  # fork and Polars' thread pool do not mix
    with single_threaded_polars():
        pool = ctx.Pool(workers, initializer=_init_worker)
    try:
        yield _Pool(cfg, pool, workers)
        pool.close()
    finally:
        pool.terminate()
        pool.join()
