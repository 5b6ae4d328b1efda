"""What a fraud team reads off scores: recall at an FPR, catches and false alerts."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_curve

from fraud_detection.simulator.report.analysis.metrics import operating_point, recall_at_fpr


def test_recall_at_fpr_counts_frauds_above_the_1_percent_threshold() -> None:
    y = np.array([True] * 10 + [False] * 1000)
    score = np.concatenate([np.arange(10, dtype=float), np.linspace(5, 0, 1000)])
    # 10 legit scores are above 4.95: the threshold that keeps FPR <= 1% passes frauds 5..9.
    assert recall_at_fpr(y, score) == pytest.approx(0.5)


def test_operating_point_counts_catches_and_false_alerts() -> None:
    y = np.array([True] * 10 + [False] * 1000)
    score = np.concatenate([np.arange(10, dtype=float), np.linspace(5, 0, 1000)])
    fpr, tpr, _ = roc_curve(y, score, drop_intermediate=False)
    one = operating_point(fpr, tpr, 10, 1000)["1pct"]
    assert one["caught"] == 5 and one["recall"] == pytest.approx(0.5)
    assert one["false_alerts"] <= 10  # at most 1% of 1,000 legit rows
    assert one["false_alerts_per_catch"] == pytest.approx(one["false_alerts"] / 5)
    assert one["recall_ci"][0] < 0.5 < one["recall_ci"][1]
