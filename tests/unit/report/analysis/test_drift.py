"""The drift curve: the model trained once, scored week by week after go-live."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.report.analysis.drift import MIN_WEEK_FRAUDS, by_week
from tests.unit.report.synthetic import NS, T0


def test_a_week_of_pure_noise_scores_a_half_and_the_others_stay_perfect() -> None:
    rng = np.random.default_rng(0)
    n = 8_000
    since = np.sort(rng.uniform(0, 28, n))  # four weeks of days after go-live
    y = rng.random(n) < 0.05
    week = (since // 7).astype(int)
    score = np.where(week == 2, rng.random(n), y + 0.1 * rng.random(n))  # week 3: noise
    times = pl.Series([T0 + timedelta(days=float(d)) for d in since], dtype=NS)
    drift = by_week(times, y, score, T0, T0 + timedelta(days=28))
    aucs = [w["roc_auc"] for w in drift["weeks"]]
    assert [w["week"] for w in drift["weeks"]] == [1, 2, 3, 4]
    assert aucs[0] == aucs[1] == aucs[3] == 1.0
    assert aucs[2] == pytest.approx(0.5, abs=0.06)
    assert drift["roc_auc_range"] == [aucs[2], 1.0]
    assert drift["roc_auc_change"] == 0.0  # first and last scored weeks
    assert sum(w["rows"] for w in drift["weeks"]) == n
    assert drift["weeks"][3]["end"] == T0 + timedelta(days=28)


def test_a_week_with_too_few_frauds_says_so_and_is_not_scored() -> None:
    days = np.array([0.5] * 200 + [8.0] * 200)
    y = np.zeros(400, dtype=bool)
    y[:50] = True  # week 1: 50 frauds
    y[200 : 200 + MIN_WEEK_FRAUDS - 1] = True  # week 2: one too few
    times = pl.Series([T0 + timedelta(days=float(d)) for d in days], dtype=NS)
    drift = by_week(times, y, y.astype(float), T0, T0 + timedelta(days=10))
    first, second = drift["weeks"]
    assert first["roc_auc"] == 1.0 and first["note"] is None
    assert second["roc_auc"] is None and "too few" in second["note"]
    assert second["frauds"] == MIN_WEEK_FRAUDS - 1
    assert drift["roc_auc_change"] is None  # one scored week
