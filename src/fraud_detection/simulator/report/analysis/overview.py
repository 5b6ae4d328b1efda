"""Overview: rows, frauds, date range and per-column statistics, over every row."""

from __future__ import annotations

from typing import Any

import polars as pl

from ..inputs.columns import LABEL, TIME
from ..inputs.dataset import Dataset, Prepared
from ..values import jsonable, share


def _has_order(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or dtype.is_temporal() or dtype in (pl.String, pl.Boolean)


def _stat_exprs(name: str, dtype: pl.DataType) -> list[pl.Expr]:
    col = pl.col(name)
    exprs = [col.null_count().alias(f"{name}|nulls"), col.n_unique().alias(f"{name}|distinct")]
    if _has_order(dtype):
        exprs += [col.min().alias(f"{name}|min"), col.max().alias(f"{name}|max")]
    return exprs


def column_stats(dataset: Dataset, rows: int) -> list[dict[str, Any]]:
    """Return per column (as stored): dtype, nulls, null share, distinct, min and max.

    One query per column: only that column is read, so memory follows the widest column
    (about 2 GB at 10M rows), not the whole table.
    """
    stats = []
    for name, dtype in dataset.schema.items():
        row = dataset.scan().select(_stat_exprs(name, dtype)).collect().row(0, named=True)
        nulls = row[f"{name}|nulls"]
        stats.append(
            {
                "name": name,
                "dtype": str(dtype),
                "nulls": nulls,
                "null_share": share(nulls, rows),
                "distinct": row[f"{name}|distinct"],
                "min": jsonable(row.get(f"{name}|min")),
                "max": jsonable(row.get(f"{name}|max")),
            }
        )
    return stats


def overview(dataset: Dataset, data: Prepared) -> dict[str, Any]:
    """Return rows, fraud count and rate, date range and per-column statistics."""
    head = (
        data.lf.select(
            pl.len().alias("rows"),
            pl.col(LABEL).sum().alias("frauds"),
            pl.col(LABEL).null_count().alias("label_nulls"),
            pl.col(TIME).min().alias("start"),
            pl.col(TIME).max().alias("end"),
        )
        .collect()
        .row(0, named=True)
    )
    rows = int(head["rows"])
    frauds = int(head["frauds"] or 0)
    start, end = head["start"], head["end"]
    days = (end.date() - start.date()).days + 1 if start and end else 0
    return {
        "path": str(dataset.path),
        "files": [str(f) for f in dataset.files],
        "rows": rows,
        "fraud_count": frauds,
        "fraud_rate": share(frauds, rows),
        "label_nulls": int(head["label_nulls"]),
        "start": jsonable(start),
        "end": jsonable(end),
        "days": days,
        "columns": column_stats(dataset, rows),
    }
