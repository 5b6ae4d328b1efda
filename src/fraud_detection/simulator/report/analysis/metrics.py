"""What a fraud team reads off a model's scores: ROC AUC, average precision and its lift over
the base rate, and at 1% and 5% false-positive rate the recall, the frauds caught and the
false alerts per catch; curves downsampled for the page."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from ..values import share, wilson

TARGET_FPR = 0.01
OPERATING_FPRS = {"1pct": 0.01, "5pct": 0.05}
CURVE_POINTS = 200


def recall_at_fpr(y: np.ndarray, score: np.ndarray, fpr_max: float = TARGET_FPR) -> float:
    """Return the largest true-positive rate whose false-positive rate is at most ``fpr_max``."""
    fpr, tpr, _ = roc_curve(y, score, drop_intermediate=False)
    return float(tpr[fpr <= fpr_max].max())


def threshold_at(y: np.ndarray, score: np.ndarray, fpr_max: float) -> float:
    """Return the score threshold (flag ``score >= threshold``) of the best recall whose
    false-positive rate is at most ``fpr_max``: the operating point of ``operating_point``."""
    fpr, _, thresholds = roc_curve(y, score, drop_intermediate=False)
    return float(thresholds[int(np.flatnonzero(fpr <= fpr_max)[-1])])


def operating_point(fpr: np.ndarray, tpr: np.ndarray, frauds: int, legit: int) -> dict[str, Any]:
    """Return what flagging at the threshold with the best recall under each FPR gives.

    ``fpr``/``tpr`` come from ``roc_curve(..., drop_intermediate=False)``. Per target: frauds
    caught (with the recall's 95% Wilson interval), false alerts, and false alerts per fraud
    caught, the number an investigations team lives with.
    """
    out = {}
    for name, fpr_max in OPERATING_FPRS.items():
        idx = int(np.flatnonzero(fpr <= fpr_max)[-1])
        caught, alerts = round(float(tpr[idx]) * frauds), round(float(fpr[idx]) * legit)
        low, high = wilson(caught, frauds)
        out[name] = {
            "target_fpr": fpr_max, "recall": float(tpr[idx]), "recall_ci": [low, high],
            "frauds": frauds, "caught": caught, "false_alerts": alerts,
            "false_alerts_per_catch": share(alerts, caught),
        }  # fmt: skip
    return out


def _curve_points(x: np.ndarray, y: np.ndarray) -> dict[str, list[float]]:
    idx = np.unique(np.linspace(0, x.size - 1, min(CURVE_POINTS, x.size)).round().astype(int))
    return {"x": x[idx].tolist(), "y": y[idx].tolist()}


def roc_points(fpr: np.ndarray, tpr: np.ndarray) -> dict[str, list[float]]:
    """Return the ROC curve at log-spaced false-positive rates 1e-4..1 (best recall at each)."""
    grid = np.geomspace(1e-4, 1.0, CURVE_POINTS)
    idx = np.maximum(np.searchsorted(fpr, grid, side="right") - 1, 0)
    return {"x": grid.tolist(), "y": tpr[idx].tolist()}


def metrics(y: np.ndarray, score: np.ndarray, curves: bool = True) -> dict[str, Any]:
    """Return ROC AUC, average precision (and its lift over the base rate), recall and alerts
    at 1% and 5% FPR, and (``curves``) the downsampled ROC and precision-recall curves."""
    fpr, tpr, _ = roc_curve(y, score, drop_intermediate=False)
    frauds = int(y.sum())
    points = operating_point(fpr, tpr, frauds, int(y.size - frauds))
    ap = float(average_precision_score(y, score))
    base = frauds / y.size
    out: dict[str, Any] = {
        "roc_auc": float(roc_auc_score(y, score)),
        "average_precision": ap,
        "ap_lift": ap / base if base else None,
        "recall_at_1pct_fpr": points["1pct"]["recall"],
        "recall_at_5pct_fpr": points["5pct"]["recall"],
        "operating_points": points,
    }
    if curves:
        precision, recall, _ = precision_recall_curve(y, score)
        out["roc_curve"] = roc_points(fpr, tpr)
        out["pr_curve"] = _curve_points(recall[::-1], precision[::-1])
    return out
