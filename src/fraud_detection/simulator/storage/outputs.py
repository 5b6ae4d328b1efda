"""What a worker does with the chunk it made: hand it back as an Arrow table, encode it as a
Parquet file for the driver to concatenate, or write it as part files itself.

An ``Output`` is chosen by the run's sink (``storage.sinks``) and travels with every task;
``deliver`` is the worker's half, a ``ChunkResult`` what comes back to the driver.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from ..result import PartInfo
from .destination import write_bytes
from .layout import month_folder, part_name, spool_name
from .location import Location
from .parquet import parquet_bytes

LABEL = "label_fraud"


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
class PartFiles:
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


Output = InMemory | Encoded | PartFiles


@dataclass(frozen=True)
class ChunkResult:
    """A delivered chunk: as a table, as a Parquet file (bytes or a spooled path), or the part
    files a worker wrote; ``index`` is the chunk's place in the run."""

    index: int
    rows: int
    fraud_count: int
    seconds: float
    table: pa.Table | None = None
    parquet: bytes | Path | None = None
    parts: tuple[PartInfo, ...] = ()


def deliver(index: int, frame: pl.DataFrame, output: Output, seconds: float) -> ChunkResult:
    """Return chunk ``index`` (``frame``, made in ``seconds``) delivered as ``output`` asks."""
    rows, frauds = frame.height, int(frame[LABEL].sum())
    if isinstance(output, InMemory):
        return ChunkResult(index, rows, frauds, seconds, table=frame.to_arrow())
    if isinstance(output, Encoded):
        data = parquet_bytes(frame, output.row_group_size, dict(output.metadata))
        encoded: bytes | Path = data
        if output.spool is not None:
            encoded = output.spool / spool_name(index)
            encoded.write_bytes(data)
        return ChunkResult(index, rows, frauds, seconds, parquet=encoded)
    parts = tuple(_write_part(output, path, piece) for path, piece in _pieces(index, output, frame))
    return ChunkResult(index, rows, frauds, seconds, parts=parts)


def _pieces(index: int, output: PartFiles, frame: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """Return the chunk's parts: (path in the dataset, rows), one per event month if asked."""
    name = part_name(index, output.token)
    if not output.by_month:
        return [(name, frame)]
    times = frame["event_time"]
    months = (times.dt.year().cast(pl.Int64) * 12 + times.dt.month() - 1).to_numpy()
    # Rows are sorted by event_time, so each month is one contiguous slice.
    bounds = [0, *(np.flatnonzero(np.diff(months)) + 1).tolist(), frame.height]
    return [
        (f"{month_folder(int(months[a]))}/{name}", frame.slice(a, b - a))
        for a, b in itertools.pairwise(bounds)
    ]


def _write_part(output: PartFiles, path: str, frame: pl.DataFrame) -> PartInfo:
    data = parquet_bytes(frame, output.row_group_size, dict(output.metadata))
    folder, _, name = path.rpartition("/")
    write_bytes(output.location / folder if folder else output.location, name + output.suffix, data)
    frauds = int(frame[LABEL].sum())
    return PartInfo(path, frame.height, frauds, hashlib.sha256(data).hexdigest(), len(data))
