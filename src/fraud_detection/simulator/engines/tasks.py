"""The task every engine runs: generate one chunk and deliver it as the run asks.

A task is ``run_chunk(chunk, cfg, source, output)``: a pure function of its arguments, so any
engine (in-process, a process pool, a Dask cluster) gives the same rows.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..chunk import generate_chunk
from ..config import GeneratorConfig
from ..layout import part_name, spool_name
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
    """Workers write each chunk as ``part-NNNNN.parquet`` under ``location``."""

    location: Location
    row_group_size: int
    metadata: tuple[tuple[str, str], ...] = ()


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
    part: PartInfo | None = None


def load_world(cfg: GeneratorConfig, source: WorldSource) -> Any:
    """Return the run's world, read from ``source`` once per process."""
    realism = get_realism(cfg.realism)

    def tables() -> dict[str, Any]:
        if source.location is None or not source.files:
            return {}
        return read_tables(source.location, list(source.files))

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
    data = parquet_bytes(frame, output.row_group_size, dict(output.metadata))
    if isinstance(output, Encoded):
        encoded: bytes | Path = data
        if output.spool is not None:
            encoded = output.spool / spool_name(chunk.index)
            encoded.write_bytes(data)
        return ChunkResult(chunk, rows, frauds, time.perf_counter() - start, parquet=encoded)
    name = part_name(chunk.index)
    write_bytes(output.location, name, data)
    part = PartInfo(name, rows, frauds, hashlib.sha256(data).hexdigest(), len(data))
    return ChunkResult(chunk, rows, frauds, time.perf_counter() - start, part=part)
