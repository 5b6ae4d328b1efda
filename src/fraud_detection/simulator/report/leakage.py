"""Leakage check: how well each column alone separates fraud, on the time-ordered split.

Numeric, Boolean and date-time columns score as they are (nulls take the training median);
categorical columns (strings and identifiers) score by their value's fraud rate in the training
rows, unseen values taking the global training rate. The ROC AUC is measured on the test rows.
A column that predicts *not* fraud leaks as much as one that predicts fraud, so the warning uses
``separation = max(auc, 1 - auc)``; both numbers are reported.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from .dataset import ID_COLUMNS, LABEL, LABEL_COLUMNS, is_categorical, is_numeric
from .split import Split
from .values import share, wilson

WARN_SEPARATION = 0.9
ENCODED = "__score"


def training_rates(train: pl.DataFrame, test: pl.DataFrame, column: str) -> pl.Series:
    """Return each test row's value's fraud rate among training rows (null: value unseen)."""
    rates = train.group_by(column).agg(pl.col(LABEL).mean().alias(ENCODED))
    joined = test.select(column).join(
        rates, on=column, how="left", nulls_equal=True, maintain_order="left"
    )
    return joined[ENCODED]


def target_encoded(train: pl.DataFrame, test: pl.DataFrame, column: str) -> np.ndarray:
    """Return each test row's value's fraud rate among training rows (unseen: global rate)."""
    prior = float(train[LABEL].mean() or 0.0)  # type: ignore[arg-type]
    return training_rates(train, test, column).fill_null(prior).to_numpy().astype(np.float64)


def seen_before(seen: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Return the test rows' fraud rate when the value was seen in training vs new.

    This is what an id-like column's AUC measures: a new device or IP for a card is riskier
    than a known one, which is a real signal, not a leak.
    """
    out: dict[str, Any] = {"seen_share": float(seen.mean()) if seen.size else None}
    for key, mask in (("seen", seen), ("unseen", ~seen)):
        rows, frauds = int(mask.sum()), int(y[mask].sum())
        low, high = wilson(frauds, rows)
        out[key] = {
            "rows": rows, "frauds": frauds, "rate": share(frauds, rows), "ci_low": low,
            "ci_high": high,
        }  # fmt: skip
    return out


def numeric_values(train: pl.DataFrame, test: pl.DataFrame, column: str) -> np.ndarray:
    """Return the test values as floats, nulls (and NaN) replaced by the training median."""

    def as_float(frame: pl.DataFrame) -> pl.Series:
        series = frame[column]
        if series.dtype.is_temporal():
            series = series.to_physical()
        return series.cast(pl.Float64).fill_nan(None)

    median = as_float(train).median()
    fill = float(median) if isinstance(median, int | float) else 0.0
    return as_float(test).fill_null(fill).to_numpy().astype(np.float64)


def auc(y: np.ndarray, score: np.ndarray) -> float | None:
    """Return the ROC AUC, or None when the test rows hold a single class."""
    if y.size == 0 or y.all() or not y.any():
        return None
    return float(roc_auc_score(y, score))


def column_kind(column: str, dtype: pl.DataType) -> str | None:
    """Return how a column is scored: categorical, numeric, or None (unsupported dtype)."""
    if is_categorical(column, dtype):
        return "categorical"
    if is_numeric(dtype):
        return "numeric"
    return None


def column_row(split: Split, column: str, y: np.ndarray) -> dict[str, Any]:
    """Return one column's AUC, separation and whether it triggers the warning."""
    dtype = split.train.schema[column]
    kind = column_kind(column, dtype)
    row: dict[str, Any] = {"column": column, "dtype": str(dtype), "kind": kind}
    if kind is None:
        return row | {"auc": None, "separation": None, "warning": False, "note": "unsupported"}
    seen = None
    if kind == "categorical":
        rates = training_rates(split.train, split.test, column)
        prior = float(split.train[LABEL].mean() or 0.0)  # type: ignore[arg-type]
        score = rates.fill_null(prior).to_numpy().astype(np.float64)
        seen = rates.is_not_null().to_numpy()
    else:
        score = numeric_values(split.train, split.test, column)
    value = auc(y, score)
    separation = None if value is None else max(value, 1.0 - value)
    distinct = split.train[column].n_unique()
    id_like = column in ID_COLUMNS or distinct > 0.5 * max(split.train.height, 1)
    return row | {
        "auc": value,
        "separation": separation,
        "warning": separation is not None and separation > WARN_SEPARATION,
        "train_distinct": distinct,
        "id_like": id_like,
        "seen_before": seen_before(seen, y) if id_like and seen is not None else None,
    }


def leakage(split: Split) -> dict[str, Any]:
    """Return every column's single-column AUC (highest separation first) and the warnings."""
    y = split.test[LABEL].to_numpy().astype(bool)
    columns = [c for c in split.train.columns if c not in LABEL_COLUMNS]
    rows = [column_row(split, c, y) for c in columns]
    rows.sort(key=lambda r: (-(r["separation"] or 0.0), r["column"]))
    warnings = [
        f"{r['column']}: alone it separates fraud from legit with ROC AUC {r['auc']:.3f}"
        f" (separation {r['separation']:.3f} > {WARN_SEPARATION}); it leaks the label"
        for r in rows
        if r["warning"]
    ]
    note = None if y.any() and not y.all() else "test rows hold a single class: AUC undefined"
    return {
        "warn_separation": WARN_SEPARATION,
        "split": split.summary(),
        "columns": rows,
        "warnings": warnings,
        "note": note,
        "label_columns": sorted(c for c in split.train.columns if c in LABEL_COLUMNS),
    }
