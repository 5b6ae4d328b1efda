"""The model's fit: every fraud and a seeded, weighted sample of legitimate rows."""

from __future__ import annotations

import numpy as np
import pytest

from fraud_detection.simulator.report.analysis.baseline import MAX_TRAIN_LEGIT, _sample


def test_the_fit_keeps_every_fraud_and_a_seeded_weighted_legit_sample() -> None:
    y = np.array([i % 50 == 0 for i in range(MAX_TRAIN_LEGIT + 5_000)])
    rows, weight = _sample(y, seed=3)
    legit = int((~y).sum())
    assert rows.size == MAX_TRAIN_LEGIT + int(y.sum())
    assert set(np.flatnonzero(y)) <= set(rows.tolist())
    assert np.all(np.diff(rows) > 0)  # row order kept
    assert np.array_equal(rows, _sample(y, seed=3)[0])
    # Legit rows stand for all the legit rows: their weights add up to them.
    assert weight[~y[rows]].sum() == pytest.approx(legit)
    assert np.all(weight[y[rows]] == 1.0)
    small = y[:2_000]
    assert _sample(small, seed=3)[0].size == small.size  # all rows fit: no sampling
