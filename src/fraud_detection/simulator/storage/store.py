"""Tables (the catalogs) to and from a location as Snappy Parquet, size-checked."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from ..errors import CatalogTooLargeError
from .destination import read_bytes, remove, write_bytes
from .location import Location
from .parquet import parquet_bytes


def encode_tables(
    tables: Mapping[str, pl.DataFrame], row_group_size: int, max_size_mb: float
) -> dict[str, bytes]:
    """Return each table (keyed by file name) as Parquet bytes.

    Raises ``CatalogTooLargeError`` when a file would exceed ``max_size_mb`` (nothing written).
    """
    encoded = {}
    for filename, frame in tables.items():
        data = parquet_bytes(frame, row_group_size)
        size_mb = len(data) / 1e6
        if size_mb > max_size_mb:
            raise CatalogTooLargeError(
                f"catalog.max_size_mb: {filename} would be {size_mb:.2f} MB,"
                f" over the limit of {max_size_mb} MB"
            )
        encoded[filename] = data
    return encoded


def write_tables(location: Location, encoded: Mapping[str, bytes]) -> None:
    """Store every encoded table under ``location``; on failure remove what was stored."""
    if isinstance(location, Path):
        location.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    try:
        for filename, data in encoded.items():
            write_bytes(location, filename, data)
            written.append(filename)
    except BaseException:
        remove(location, written)
        raise


def read_tables(
    location: Location, filenames: list[str], suffix: str = ""
) -> dict[str, pl.DataFrame]:
    """Return the named Parquet tables under ``location`` (local or ``s3://``).

    Each is stored as its name plus ``suffix`` (``.tmp`` while a run stages it).
    """
    return {f: pl.read_parquet(io.BytesIO(read_bytes(location, f + suffix))) for f in filenames}
