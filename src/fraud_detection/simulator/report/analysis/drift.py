"""Drift: how the baseline holds up week by week after it goes live.

The model is trained once (the report's one split: the rows before the cutoff, the labels
known at go-live) and scored on the test window; ``by_week`` cuts the test window into weeks
from go-live and measures each week's ROC AUC and average precision on its own rows. A model
that falls away week by week meets fraud that changed after it was trained. A week with fewer
than ``MIN_WEEK_FRAUDS`` frauds is listed but not scored: its AUC would be mostly noise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, roc_auc_score

WEEK = timedelta(days=7)
MIN_WEEK_FRAUDS = 20
SCORED_MODEL = "raw_history"


def _week(start: datetime, index: int, end: datetime, y: np.ndarray) -> dict[str, Any]:
    """Return one week's entry before scoring: its dates, rows and frauds."""
    first = start + index * WEEK
    frauds = int(y.sum())
    return {
        "week": index + 1, "start": first, "end": min(first + WEEK, end), "rows": int(y.size),
        "frauds": frauds, "roc_auc": None, "average_precision": None, "ap_lift": None,
        "note": None,
    }  # fmt: skip


def _score(entry: dict[str, Any], y: np.ndarray, score: np.ndarray) -> dict[str, Any]:
    if entry["frauds"] < MIN_WEEK_FRAUDS or entry["frauds"] == entry["rows"]:
        note = f"{entry['frauds']} frauds: too few to score (at least {MIN_WEEK_FRAUDS})"
        return entry | {"note": note}
    ap = float(average_precision_score(y, score))
    return entry | {
        "roc_auc": float(roc_auc_score(y, score)),
        "average_precision": ap,
        "ap_lift": ap / float(y.mean()),
    }


def by_week(
    times: pl.Series, y: np.ndarray, score: np.ndarray, start: datetime, end: datetime
) -> dict[str, Any]:
    """Return report.json's ``model.drift``: per week from ``start`` (go-live) to ``end``, the
    rows, frauds, ROC AUC, average precision and its lift of ``score`` against ``y`` (test
    rows at ``times``), and the scored weeks' range and change from the first to the last."""
    week_ns = int(WEEK.total_seconds()) * 1_000_000_000
    since = (times - start).dt.total_nanoseconds().to_numpy()
    index = np.maximum(since, 0) // week_ns
    weeks = []
    for w in range(int(index.max(initial=-1)) + 1):  # one loop step per week, not per row
        mask = index == w
        weeks.append(_score(_week(start, w, end, y[mask]), y[mask], score[mask]))
    scored = [w["roc_auc"] for w in weeks if w["roc_auc"] is not None]
    return {
        "model": SCORED_MODEL,
        "week_days": WEEK.days,
        "min_frauds": MIN_WEEK_FRAUDS,
        "weeks": weeks,
        "roc_auc_range": [min(scored), max(scored)] if scored else None,
        "roc_auc_change": scored[-1] - scored[0] if len(scored) > 1 else None,
    }
