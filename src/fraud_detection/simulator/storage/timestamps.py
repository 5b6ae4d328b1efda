"""The time unit of what is written: every datetime, in any column or list, in one unit.

The generator computes in nanoseconds; files and tables carry ``output.timestamp_unit``
(microseconds by default: what Spark, Delta Lake, Iceberg and DuckDB's ``TIMESTAMPTZ`` hold).
Casting to a coarser unit truncates towards the past (floor), so order is kept.
"""

from __future__ import annotations

from typing import Any, Literal

import polars as pl

TimeUnit = Literal["us", "ns"]


def time_unit_dtype(dtype: Any, unit: TimeUnit) -> pl.DataType:
    """Return ``dtype`` (a Polars type, or type class) with every Datetime inside it (lists,
    arrays, structs) in ``unit``."""
    if isinstance(dtype, type):
        dtype = dtype()
    if isinstance(dtype, pl.Datetime):
        return pl.Datetime(unit, dtype.time_zone)
    if isinstance(dtype, pl.List):
        return pl.List(time_unit_dtype(dtype.inner, unit))
    if isinstance(dtype, pl.Array):
        return pl.Array(time_unit_dtype(dtype.inner, unit), dtype.shape)
    if isinstance(dtype, pl.Struct):
        return pl.Struct({f.name: time_unit_dtype(f.dtype, unit) for f in dtype.fields})
    return dtype


def cast_time_unit(frame: pl.DataFrame, unit: TimeUnit) -> pl.DataFrame:
    """Return ``frame`` with its datetimes in ``unit`` (``frame`` itself when none changes)."""
    target = {name: time_unit_dtype(dtype, unit) for name, dtype in frame.schema.items()}
    changed = {name: dtype for name, dtype in target.items() if dtype != frame.schema[name]}
    return frame.cast(changed) if changed else frame  # type: ignore[arg-type]
