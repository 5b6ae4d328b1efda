"""The practitioner's baseline model: gradient-boosted trees on raw columns, with history.

Trained on the training window with the labels known when the model goes live (see
``practitioner.time_split``), scored on the test window's truth: ROC AUC, average precision
and its lift over the base rate, recall at 1% and 5% false-positive rate, per typology recall
at 5% FPR; and the same model trained on the truth (``label_fraud``) for comparison.
Training uses every fraud and a seeded sample of legitimate rows (weighted back), so the fit
takes seconds at any size.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from .practitioner import HISTORY, RAW_CATEGORICAL, RAW_NUMERIC, Split

MAX_TRAIN_LEGIT = 100_000
FPRS = (0.01, 0.05)


def matrix(frame: pl.DataFrame, columns: list[str], categories: dict[str, list[Any]]) -> np.ndarray:
    """Return the feature matrix: category codes (by training frequency), then numbers."""
    parts = []
    for c, values in categories.items():
        codes = (
            frame[c]
            .cast(pl.String)
            .replace_strict(
                values, list(range(len(values))), default=len(values), return_dtype=pl.Float64
            )
        )
        parts.append(codes.to_numpy())
    for c in columns:
        parts.append(frame[c].cast(pl.Float64).to_numpy())
    return np.column_stack(parts)


def _categories(train: pl.DataFrame) -> dict[str, list[Any]]:
    out = {}
    for c in RAW_CATEGORICAL:
        if c in train.columns:
            counts = train[c].cast(pl.String).drop_nulls().value_counts(sort=True)
            out[c] = counts.head(250)[c].to_list()
    return out


def _sample(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (rows, weights): every fraud, at most MAX_TRAIN_LEGIT legit rows weighted up."""
    legit = np.flatnonzero(~y)
    rng = np.random.default_rng(seed)
    keep = (
        legit
        if legit.size <= MAX_TRAIN_LEGIT
        else rng.choice(legit, MAX_TRAIN_LEGIT, replace=False)
    )
    rows = np.sort(np.concatenate([np.flatnonzero(y), keep]))
    weight = np.where(y[rows], 1.0, legit.size / max(keep.size, 1))
    return rows, weight


def fit_score(x_train: np.ndarray, y: np.ndarray, x_test: np.ndarray, seed: int) -> np.ndarray:
    """Return the test scores of a model fitted on (x_train, y)."""
    rows, weight = _sample(y, seed)
    model = HistGradientBoostingClassifier(
        learning_rate=0.15, max_iter=150, max_leaf_nodes=15, min_samples_leaf=50,
        l2_regularization=1.0, early_stopping=True, validation_fraction=0.1,
        n_iter_no_change=20, random_state=seed,
    )  # fmt: skip
    model.fit(x_train[rows], y[rows], sample_weight=weight)
    return model.predict_proba(x_test)[:, 1]


def recall_at(y: np.ndarray, score: np.ndarray, fpr: float) -> float:
    """Return the share of frauds caught when flagging ``fpr`` of legitimate rows."""
    f, t, _ = roc_curve(y, score)
    return float(t[f <= fpr].max())


def metrics(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    base = float(y.mean())
    ap = float(average_precision_score(y, score))
    return {
        "roc_auc": float(roc_auc_score(y, score)),
        "average_precision": ap,
        "ap_lift": ap / base if base else float("nan"),
        **{f"recall_at_{round(f * 100)}pct_fpr": recall_at(y, score, f) for f in FPRS},
    }


def per_typology(
    y: np.ndarray, score: np.ndarray, types: pl.Series, fpr: float = 0.05
) -> dict[str, dict[str, float]]:
    """Return per fraud_type: test rows and recall at ``fpr`` (threshold from legit scores)."""
    threshold = float(np.quantile(score[~y], 1 - fpr))
    out = {}
    for name in sorted(types.drop_nulls().unique().to_list()):
        rows = (types == name).fill_null(False).to_numpy() & y
        out[name] = {
            "test_rows": int(rows.sum()),
            "recall_at_5pct_fpr": float((score[rows] > threshold).mean())
            if rows.any()
            else float("nan"),
        }
    return out


def evaluate(frame: pl.DataFrame, split: Split, seed: int = 7) -> dict[str, Any]:
    """Return the baseline's metrics: raw vs raw+history (observed labels), and history on
    the truth; ``frame`` has the history and raw features."""
    train, test = frame.filter(pl.Series(split.train)), frame.filter(pl.Series(split.test))
    cats = _categories(train)
    raw = [c for c in RAW_NUMERIC if c in frame.columns]
    hist = [c for c in HISTORY if c in frame.columns]
    y_obs, y_true = split.observed[split.train], split.truth[split.train]
    y_test = split.truth[split.test]
    out: dict[str, Any] = {"test_rows": int(y_test.size), "test_frauds": int(y_test.sum())}
    scores = {}
    for name, cols, y in (
        ("raw", raw, y_obs),
        ("raw_history", raw + hist, y_obs),
        ("raw_history_truth", raw + hist, y_true),
    ):
        scores[name] = fit_score(matrix(train, cols, cats), y, matrix(test, cols, cats), seed)
        out[name] = metrics(y_test, scores[name])
    if "fraud_type" in frame.columns:
        out["typologies"] = per_typology(y_test, scores["raw_history"], test["fraud_type"])
    return out
