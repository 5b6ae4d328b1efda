"""The output schema, read once from the packaged ``transaction_schema.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import polars as pl
import pyarrow as pa
import yaml

from .errors import SchemaError
from .storage.timestamps import TimeUnit, time_unit_dtype

_SIMPLE_TYPES: dict[str, pl.DataType] = {
    "String": pl.String(),
    "Boolean": pl.Boolean(),
    "Int8": pl.Int8(),
    "Int16": pl.Int16(),
    "Int32": pl.Int32(),
    "Int64": pl.Int64(),
    "Float64": pl.Float64(),
}
_DATETIME = re.compile(r"^Datetime\((?P<unit>ns|us|ms),\s*(?P<tz>[\w/+-]+)\)$")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    description: str
    realisms: tuple[str, ...] = ()  # empty: every realism writes it


def parse_dtype(text: str) -> pl.DataType:
    """Return the Polars type a schema entry names, e.g. ``"Datetime(ns, UTC)"``."""
    if text in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[text]
    match = _DATETIME.match(text)
    if match:
        return pl.Datetime(time_unit=match["unit"], time_zone=match["tz"])  # type: ignore[arg-type]
    raise SchemaError(f"transaction_schema.yaml: unknown dtype {text!r}")


@cache
def all_columns() -> tuple[Column, ...]:
    """Return every column of the packaged schema, in order, with the realisms writing it."""
    text = resources.files(__package__).joinpath("transaction_schema.yaml").read_text("utf-8")
    doc: dict[str, Any] = yaml.safe_load(text)
    return tuple(
        Column(
            c["name"], parse_dtype(c["dtype"]), c.get("description", ""),
            tuple(c.get("realisms", ())),
        )
        for c in doc["columns"]
    )  # fmt: skip


@cache
def transaction_columns(realism: str | None = None) -> tuple[Column, ...]:
    """Return the output columns of ``realism`` in order (default: the spec's, v1/v2's)."""
    return tuple(c for c in all_columns() if not c.realisms or realism in c.realisms)


def column_names(realism: str | None = None) -> list[str]:
    """Return the output column names in schema order."""
    return [c.name for c in transaction_columns(realism)]


def with_time_unit(columns: tuple[Column, ...], unit: TimeUnit) -> tuple[Column, ...]:
    """Return ``columns`` with their datetimes in ``unit`` (``output.timestamp_unit``)."""
    return tuple(replace(c, dtype=time_unit_dtype(c.dtype, unit)) for c in columns)


def polars_schema(realism: str | None = None, unit: TimeUnit | None = None) -> pl.Schema:
    """Return the output schema of ``realism`` as a Polars schema (default: v1/v2's), its
    datetimes in ``unit`` (default: the packaged schema's, microseconds)."""
    columns = transaction_columns(realism)
    if unit is not None:
        columns = with_time_unit(columns, unit)
    return pl.Schema({c.name: c.dtype for c in columns})


@cache
def arrow_schema() -> pa.Schema:
    """Return the output schema as an Arrow schema (what the Parquet files carry)."""
    return pl.DataFrame(schema=polars_schema()).to_arrow().schema


def enforce_schema(df: pl.DataFrame, columns: tuple[Column, ...] | None = None) -> pl.DataFrame:
    """Return ``df`` cast to the schema's types with exactly the schema's columns, in order.

    ``columns`` defaults to the packaged schema's. Extra columns (internal risk scores) are
    dropped; a missing column or a failed cast raises ``SchemaError`` naming the column.
    """
    columns = columns or transaction_columns()
    missing = [c.name for c in columns if c.name not in df.columns]
    if missing:
        raise SchemaError(f"missing output column(s): {', '.join(missing)}")
    try:
        return df.select(pl.col(c.name).cast(c.dtype, strict=True) for c in columns)
    except pl.exceptions.PolarsError as exc:
        raise SchemaError(f"cannot cast to transaction_schema.yaml: {exc}") from exc


def _type_name(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime):
        return f"Datetime({dtype.time_unit}, {dtype.time_zone})"
    return str(dtype)


def schema_table() -> str:
    """Return the README's output-schema table (Markdown): every column, in order."""
    rows = ["| # | column | type | meaning |", "| --- | --- | --- | --- |"]
    for i, c in enumerate(all_columns(), 1):
        only = f"({', '.join(c.realisms)} only) " if c.realisms else ""
        rows.append(f"| {i} | `{c.name}` | {_type_name(c.dtype)} | {only}{c.description} |")
    return "\n".join(rows)
