"""Each column alone: how well it separates fraud, on the report's one split.

Computed once; the leakage check shows every row and warns above its threshold, and a
difficulty band's guard reads the strongest column that is not an identifier. Numeric,
Boolean and date-time columns score as they are (nulls take the training median); strings and
identifiers score by their value's fraud rate among the training rows, on the labels known at
go-live (an unseen value takes the overall training rate). The ROC AUC is measured on the test
rows' truth. A column that predicts *not* fraud separates as well as one that predicts fraud:
``separation = max(auc, 1 - auc)``; both are reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import polars as pl
from sklearn.metrics import roc_auc_score

from ..inputs.columns import LABEL, is_identifier
from ..values import share, wilson
from .split import Masks

ENCODED = "__score"
ID_LIKE_DISTINCT = 0.5  # a column with more distinct training values than this share of rows


def is_categorical(name: str, dtype: pl.DataType) -> bool:
    """Return whether a column is treated as categories (strings, enums and identifiers)."""
    if is_identifier(name):
        return True
    return dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)


def is_numeric(dtype: pl.DataType) -> bool:
    """Return whether a column is used as a number (ints, floats, Booleans, date-times)."""
    return dtype.is_numeric() or dtype == pl.Boolean or dtype.is_temporal()


def training_rates(train: pl.DataFrame, test: pl.DataFrame, column: str) -> pl.Series:
    """Return each test row's value's fraud rate among training rows (null: value unseen)."""
    rates = train.group_by(column).agg(pl.col(LABEL).mean().alias(ENCODED))
    joined = test.select(column).join(
        rates, on=column, how="left", nulls_equal=True, maintain_order="left"
    )
    return joined[ENCODED]


def prior(train: pl.DataFrame) -> float:
    """Return the training rows' fraud rate."""
    return float(train[LABEL].mean() or 0.0)  # type: ignore[arg-type]


def target_encoded(train: pl.DataFrame, test: pl.DataFrame, column: str) -> np.ndarray:
    """Return each test row's value's fraud rate among training rows (unseen: global rate)."""
    rates = training_rates(train, test, column)
    return rates.fill_null(prior(train)).to_numpy().astype(np.float64)


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


def column_kind(column: str, dtype: pl.DataType) -> str | None:
    """Return how a column is scored: categorical, numeric, or None (unsupported dtype)."""
    if is_categorical(column, dtype):
        return "categorical"
    if is_numeric(dtype):
        return "numeric"
    return None


def column_score(
    train: pl.DataFrame, test: pl.DataFrame, column: str, y: np.ndarray
) -> dict[str, Any]:
    """Return one column's test ROC AUC and separation alone, and what kind of column it is."""
    dtype = train.schema[column]
    kind = column_kind(column, dtype)
    row: dict[str, Any] = {"column": column, "dtype": str(dtype), "kind": kind}
    row["identifier"] = is_identifier(column)
    if kind is None:
        return row | {"auc": None, "separation": None, "note": "unsupported"}
    seen = None
    if kind == "categorical":
        rates = training_rates(train, test, column)
        score = rates.fill_null(prior(train)).to_numpy().astype(np.float64)
        seen = rates.is_not_null().to_numpy()
    else:
        score = numeric_values(train, test, column)
    value = auc(y, score)
    distinct = train[column].n_unique()
    id_like = row["identifier"] or distinct > ID_LIKE_DISTINCT * max(train.height, 1)
    return row | {
        "auc": value,
        "separation": None if value is None else max(value, 1.0 - value),
        "train_distinct": distinct,
        "id_like": id_like,
        "seen_before": seen_before(seen, y) if id_like and seen is not None else None,
    }


def single_column_scores(
    frame: pl.DataFrame, masks: Masks, labels: Iterable[str]
) -> list[dict[str, Any]]:
    """Return every column's score alone (strongest first), but the ``labels`` columns (the
    label and facts about it): trained on ``masks``' training rows and the labels known at
    go-live, scored on its test rows' truth."""
    # The training rows' label is the one known at go-live (a label column: never scored).
    train = frame.filter(pl.Series(masks.train)).with_columns(
        pl.Series(LABEL, masks.observed[masks.train], dtype=pl.Boolean)
    )
    test, y = frame.filter(pl.Series(masks.test)), masks.truth[masks.test].astype(bool)
    skip = {LABEL, *labels}
    rows = [column_score(train, test, c, y) for c in frame.columns if c not in skip]
    return sorted(rows, key=lambda r: (-(r["separation"] or 0.0), r["column"]))


def raw_columns(scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the scored columns that are not identifiers, strongest first: a difficulty
    band's single-column guard reads the first."""
    return [
        {"column": r["column"], "auc": r["auc"], "separation": r["separation"]}
        for r in scores
        if not r["identifier"] and r["separation"] is not None
    ]
