"""The task every engine runs: generate one chunk and deliver it as the run asks.

A task is ``run_chunk(chunk, cfg, source, output)``: a pure function of its arguments, so any
engine (in-process, a process pool, a Dask cluster) gives the same rows.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from ..chunk import generate_chunk
from ..config import GeneratorConfig
from ..layout import month_partition, part_name, spool_name
from ..plan import ChunkPlan
from ..realism import cached_world, get_realism
from ..result import PartInfo
from ..storage.destination import write_bytes
from ..storage.location import Location
from ..storage.parquet import parquet_bytes
from ..storage.store import read_tables


@dataclass(frozen=True)
class WorldSource:
    """What a worker needs to load the run's world: where its tables are, and the pools."""

    token: str
    location: Location | None
    files: tuple[str, ...]
    user_agents: tuple[str, ...]
    suffix: str = ""  # the table files are stored as name + suffix (``.tmp`` while staged)


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
    metadata: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PartSink:
    """Workers write each chunk as ``part-NNNNN.parquet`` under ``location``.

    ``token`` (S3) goes into the names, ``part-NNNNN-{token}.parquet``; ``suffix`` (``.tmp``
    in local staging) is added to the file written, not to the part's path. ``by_month``
    splits a chunk into one part per event month, under ``year=YYYY/month=MM/``.
    """

    location: Location
    row_group_size: int
    metadata: tuple[tuple[str, str], ...] = ()
    token: str | None = None
    suffix: str = ""
    by_month: bool = False


Output = InMemory | Encoded | PartSink


@dataclass(frozen=True)
class ChunkResult:
    """A generated chunk: as a table, as Parquet bytes, or the part file a worker wrote."""

    chunk: ChunkPlan
    rows: int
    fraud_count: int
    seconds: float
    table: pa.Table | None = None
    parquet: bytes | Path | None = None
    parts: tuple[PartInfo, ...] = ()


def load_world(cfg: GeneratorConfig, source: WorldSource) -> Any:
    """Return the run's world, read from ``source`` once per process."""
    realism = get_realism(cfg.realism)

    def tables() -> dict[str, Any]:
        if source.location is None or not source.files:
            return {}
        return read_tables(source.location, list(source.files), source.suffix)

    return cached_world(realism, cfg, source.token, tables)


def run_chunk(
    chunk: ChunkPlan, cfg: GeneratorConfig, source: WorldSource, output: Output
) -> ChunkResult:
    """Return one chunk generated and delivered as ``output`` asks."""
    start = time.perf_counter()
    frame = generate_chunk(chunk, cfg, load_world(cfg, source), source.user_agents)
    rows, frauds = frame.height, int(frame["label_fraud"].sum())
    if isinstance(output, InMemory):
        table = frame.to_arrow()
        return ChunkResult(chunk, rows, frauds, time.perf_counter() - start, table=table)
    if isinstance(output, Encoded):
        data = parquet_bytes(frame, output.row_group_size, dict(output.metadata))
        encoded: bytes | Path = data
        if output.spool is not None:
            encoded = output.spool / spool_name(chunk.index)
            encoded.write_bytes(data)
        return ChunkResult(chunk, rows, frauds, time.perf_counter() - start, parquet=encoded)
    parts = tuple(_write_part(output, path, piece) for path, piece in _pieces(chunk, output, frame))
    return ChunkResult(chunk, rows, frauds, time.perf_counter() - start, parts=parts)


def _pieces(
    chunk: ChunkPlan, output: PartSink, frame: pl.DataFrame
) -> list[tuple[str, pl.DataFrame]]:
    """Return the chunk's parts: (path in the dataset, rows), one per event month if asked."""
    name = part_name(chunk.index, output.token)
    if not output.by_month:
        return [(name, frame)]
    times = frame["event_time"]
    months = (times.dt.year().cast(pl.Int64) * 12 + times.dt.month() - 1).to_numpy()
    # Rows are sorted by event_time, so each month is one contiguous slice.
    bounds = [0, *(np.flatnonzero(np.diff(months)) + 1).tolist(), frame.height]
    return [
        (f"{_month_folder(int(months[a]))}/{name}", frame.slice(a, b - a))
        for a, b in itertools.pairwise(bounds)
    ]


def _write_part(output: PartSink, path: str, frame: pl.DataFrame) -> PartInfo:
    data = parquet_bytes(frame, output.row_group_size, dict(output.metadata))
    folder, _, name = path.rpartition("/")
    write_bytes(output.location / folder if folder else output.location, name + output.suffix, data)
    frauds = int(frame["label_fraud"].sum())
    return PartInfo(path, frame.height, frauds, hashlib.sha256(data).hexdigest(), len(data))


def event_months(start_ns: int, end_ns: int) -> list[str]:
    """Return the ``year=YYYY/month=MM`` folders the interval [start_ns, end_ns) touches."""
    first = datetime.fromtimestamp(start_ns / 1e9, timezone.utc)
    last = datetime.fromtimestamp((end_ns - 1) / 1e9, timezone.utc)
    return [
        _month_folder(m)
        for m in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
    ]


def _month_folder(month_index: int) -> str:
    """Return ``year=YYYY/month=MM`` for ``year * 12 + month - 1``."""
    return month_partition(month_index // 12, month_index % 12 + 1)
