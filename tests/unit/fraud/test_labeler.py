from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.config import LabelerConfig
from fraud_detection.simulator.labeler import label_arrays, label_fraud

HOUR_NS = 3_600_000_000_000


def _rows(n: int, seed: int = 0, merchants: int = 200) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    weights = np.arange(1, merchants + 1, dtype=float) ** -1.1
    return {
        "amount": np.round(rng.lognormal(3.5, 1.0, n), 2),
        "merch_risk": rng.beta(1, 30, merchants)[
            rng.choice(merchants, n, p=weights / weights.sum())
        ],
        "card_risk": rng.beta(1, 50, n),
        "times_ns": np.sort(rng.integers(0, 14 * 24 * HOUR_NS, n)),
        "merchant_ids": rng.choice(merchants, n, p=weights / weights.sum()) + 1,
    }


def _label(rows: dict[str, np.ndarray], target: int, seed: int = 1, **params: object) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return label_arrays(
        rows["amount"], rows["merch_risk"], rows["card_risk"], rows["times_ns"],
        rows["merchant_ids"], target, LabelerConfig(**params), rng, rng,
    )  # fmt: skip


@pytest.mark.parametrize("target", [0, 1, 7, 500, 5_000, 19_999, 20_000])
@pytest.mark.parametrize("intercept", ["calibrated", "naive"])
def test_exact_count(target: int, intercept: str) -> None:
    labels = _label(_rows(20_000), target, intercept=intercept)
    assert labels.dtype == np.bool_ and int(labels.sum()) == target


def test_too_many_frauds_is_an_error() -> None:
    with pytest.raises(ValueError, match="cannot label 11 frauds among 10 rows"):
        _label(_rows(10), 11)


def test_same_seed_same_labels() -> None:
    rows = _rows(20_000)
    assert np.array_equal(_label(rows, 300, seed=4), _label(rows, 300, seed=4))
    assert not np.array_equal(_label(rows, 300, seed=4), _label(rows, 300, seed=5))


def _rate_ratio(values: np.ndarray, labels: np.ndarray) -> float:
    """Fraud rate in the top quartile of ``values`` over the bottom quartile."""
    lo, hi = np.quantile(values, [0.25, 0.75])
    return float(labels[values >= hi].mean() / labels[values <= lo].mean())


def test_fraud_rate_rises_with_amount_risk_and_night() -> None:
    # Strong weights make each effect measurable on 200k rows; the mechanism is the same.
    rows = _rows(200_000, seed=3)
    labels = _label(rows, 4_000, w_amount=0.8, w_mrisk=30.0, w_crisk=40.0, w_night=1.0)
    assert _rate_ratio(rows["amount"], labels) > 2.0
    assert _rate_ratio(rows["merch_risk"], labels) > 1.5
    assert _rate_ratio(rows["card_risk"], labels) > 1.5
    night = (rows["times_ns"] // HOUR_NS) % 24 < 6
    assert labels[night].mean() > 1.5 * labels[~night].mean()


def test_defaults_still_favour_high_amounts() -> None:
    rows = _rows(200_000, seed=6)
    labels = _label(rows, 1_000)
    assert _rate_ratio(rows["amount"], labels) > 2.0


def _next_is_fraud(merchants: np.ndarray, times: np.ndarray, labels: np.ndarray) -> float:
    """P(the merchant's next transaction is fraud | this one is fraud)."""
    order = np.lexsort((times, merchants))
    m, lab = merchants[order], labels[order]
    same = m[1:] == m[:-1]
    after_fraud = lab[:-1] & same
    return float(lab[1:][after_fraud].mean())


def test_bursts_cluster_frauds_at_a_merchant_in_time() -> None:
    rows = _rows(100_000, seed=8)
    labels = _label(rows, 1_000)
    observed = _next_is_fraud(rows["merchant_ids"], rows["times_ns"], labels)
    # Baseline: the same labels shuffled within each merchant.
    rng = np.random.default_rng(0)
    shuffled = labels.copy()
    for m in np.unique(rows["merchant_ids"]):
        idx = np.flatnonzero(rows["merchant_ids"] == m)
        shuffled[idx] = rng.permutation(labels[idx])
    baseline = _next_is_fraud(rows["merchant_ids"], rows["times_ns"], shuffled)
    assert observed > 5 * baseline, (observed, baseline)


def test_no_bursts_when_burst_share_is_zero() -> None:
    rows = _rows(100_000, seed=8)
    labels = _label(rows, 1_000, burst_share=0.0, w_mrisk=0.0)
    observed = _next_is_fraud(rows["merchant_ids"], rows["times_ns"], labels)
    assert observed < 0.05


def test_label_fraud_on_a_dataframe() -> None:
    rows = _rows(5_000)
    df = pl.DataFrame(
        {
            "amount": rows["amount"],
            "merch_risk": rows["merch_risk"],
            "card_risk": rows["card_risk"],
            "event_time": pl.Series(rows["times_ns"]).cast(pl.Datetime("ns", "UTC")),
            "merchant_id": rows["merchant_ids"],
        }
    )
    out = label_fraud(df, 0.02, seed=1, burst_factor=5)
    assert out["label_fraud"].dtype == pl.Boolean and out["label_fraud"].sum() == 100
    assert out.drop("label_fraud").equals(df)
