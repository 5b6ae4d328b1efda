"""The model's fit: every fraud and a seeded, weighted sample of legitimate rows; the fits a
profile adds (the classic baseline, the history model without its graph feature) and drift."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.report.analysis.baseline import (
    ABLATION,
    MAX_TRAIN_LEGIT,
    _sample,
    evaluate,
)
from fraud_detection.simulator.report.analysis.classic import CLASSIC
from fraud_detection.simulator.report.analysis.features import history, with_raw
from fraud_detection.simulator.report.analysis.split import frame_split


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


def test_the_profiles_extras_add_the_classic_model_the_graph_gain_and_drift() -> None:
    rng = np.random.default_rng(8)
    n = 6_000
    fraud = rng.random(n) < 0.05
    frame = pl.DataFrame(
        {
            "event_time": pl.Series(np.sort(rng.integers(0, 90 * 86_400, n)) * 10**9).cast(
                pl.Datetime("ns", "UTC")
            ),
            "card_id": rng.integers(1, 300, n),
            "merchant_id": rng.integers(1, 30, n),
            "device_id": [f"d{x}" for x in rng.integers(1, 200, n)],
            "amount": rng.lognormal(3, 1, n) * np.where(fraud, 3.0, 1.0),
            "local_time_offset": pl.Series(rng.choice([-300, 60], n), dtype=pl.Int16),
            "label_fraud": fraud,
        }
    )
    features = with_raw(history(frame, classic=True))
    _, masks = frame_split(features)
    plain = evaluate(features, masks)
    assert set(plain["models"]) == {"raw", "raw_history"} and "classic" not in plain
    assert plain["drift"]["weeks"] and "graph_feature" not in plain
    more = evaluate(features, masks, extras=frozenset({"classic_baseline", "campaigns"}))
    assert set(more["models"]) == {"raw", "raw_history", "classic"}  # not the ablation
    assert ABLATION not in more["models"]
    assert more["models"]["raw_history"] == plain["models"]["raw_history"]  # same fit
    classic = more["classic"]
    assert classic["features"] == list(CLASSIC)
    assert classic["gap_roc_auc"] == pytest.approx(
        more["models"]["raw_history"]["roc_auc"] - more["models"]["classic"]["roc_auc"]
    )
    assert classic["amount_vs_card_30d"]["auc"] > 0.6  # fraud amounts are 3x the card's usual
    graph = more["graph_feature"]
    assert graph["roc_auc_gain"] == pytest.approx(
        graph["with"]["roc_auc"] - graph["without"]["roc_auc"]
    )
