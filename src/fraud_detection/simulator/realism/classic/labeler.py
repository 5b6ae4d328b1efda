"""Fraud labels: a risk-weighted logistic draw plus merchant-centred bursts, exact in count.

DESIGN.md section 5: the intercept is solved so the logistic draw yields about
``(1 - burst_share)`` of the target; the rest is added as waves anchored on real transactions,
so a wave labels a merchant's neighbouring transactions in time (a burst that happens).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from ...config import LabelerConfig
from ...streams import as_generator

NS_PER_HOUR = 3_600_000_000_000
_EPS = 1e-9


def _expit(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 0.5 * (1.0 + np.tanh(0.5 * x))  # overflow-free sigmoid
    return out


def risk_score(
    amount: np.ndarray,
    merch_risk: np.ndarray,
    card_risk: np.ndarray,
    times_ns: np.ndarray,
    params: LabelerConfig,
) -> np.ndarray:
    """Return the linear predictor without intercept (the spec's weights)."""
    hour = (times_ns // NS_PER_HOUR) % 24
    return (
        params.w_amount * np.log1p(amount)
        + params.w_mrisk * merch_risk
        + params.w_crisk * card_risk
        + params.w_night * (hour < 6)
    )


def solve_intercept(score: np.ndarray, expected: float) -> float:
    """Return b such that ``sum(sigmoid(b + score))`` equals ``expected``.

    Newton's method kept inside a shrinking bisection bracket: a handful of passes over the
    chunk instead of the ~60 plain bisection needs.
    """
    lo, hi = -60.0 - float(score.max()), 60.0 - float(score.min())
    b = math.log(expected / max(score.size - expected, 1e-12)) - float(score.mean())
    for _ in range(100):
        p = _expit(b + score)
        excess = float(p.sum()) - expected
        if abs(excess) <= 1e-9 * max(expected, 1.0):
            break
        if excess > 0:
            hi = b
        else:
            lo = b
        slope = float((p * (1.0 - p)).sum())
        step = b - excess / slope if slope > 0 else lo - 1.0
        b = step if lo < step < hi else 0.5 * (lo + hi)
    return b


def label_arrays(
    amount: np.ndarray,
    merch_risk: np.ndarray,
    card_risk: np.ndarray,
    times_ns: np.ndarray,
    merchant_ids: np.ndarray,
    target: int,
    params: LabelerConfig,
    rng_logistic: np.random.Generator,
    rng_bursts: np.random.Generator,
    fraud_rate: float | None = None,
) -> np.ndarray:
    """Return a boolean mask with exactly ``target`` frauds among the rows given.

    ``times_ns`` need not be sorted. ``fraud_rate`` is only used by ``intercept: naive``
    (default: ``target / n``).
    """
    n = amount.size
    if not 0 <= target <= n:
        raise ValueError(f"cannot label {target} frauds among {n} rows")
    labels = np.zeros(n, dtype=bool)
    if target == 0:
        return labels
    score = risk_score(amount, merch_risk, card_risk, times_ns, params)
    if params.intercept == "naive":
        fr = min(max(fraud_rate if fraud_rate is not None else target / n, _EPS), 1 - _EPS)
        intercept = math.log(fr / (1 - fr))
    else:
        expected = (1.0 - params.burst_share) * target
        intercept = solve_intercept(score, expected) if expected > 0 else -math.inf
    if math.isfinite(intercept):
        labels = rng_logistic.random(n) < _expit(intercept + score)
    surplus = int(labels.sum()) - target
    if surplus > 0:
        labels[rng_bursts.choice(np.flatnonzero(labels), surplus, replace=False)] = False
    elif surplus < 0:
        _add_bursts(
            labels, -surplus, merch_risk, card_risk, times_ns, merchant_ids, params, rng_bursts
        )
    return labels


def _wave_sizes(remaining: int, burst_factor: int) -> np.ndarray:
    waves = max(1, remaining // burst_factor)
    sizes = np.full(waves, min(burst_factor, remaining), dtype=np.int64)
    sizes[-1] += remaining - int(sizes.sum())
    return sizes


class _ByMerchant:
    """Row positions sorted by (merchant, time): a merchant's rows near a moment in O(log n)."""

    def __init__(self, times_ns: np.ndarray, merchant_ids: np.ndarray) -> None:
        self.order = np.lexsort((times_ns, merchant_ids))
        self.merchants = merchant_ids[self.order]
        self.times = times_ns[self.order]

    def span(self, merchant: int) -> tuple[int, int]:
        """Return the [lo, hi) range of ``order`` holding ``merchant``'s rows."""
        lo = int(np.searchsorted(self.merchants, merchant, side="left"))
        return lo, int(np.searchsorted(self.merchants, merchant, side="right"))

    def window(self, lo: int, hi: int, t: int, half_ns: int) -> np.ndarray:
        """Return the rows of span [lo, hi) within ``t +- half_ns``."""
        times = self.times[lo:hi]
        w_lo = lo + int(np.searchsorted(times, t - half_ns, side="left"))
        w_hi = lo + int(np.searchsorted(times, t + half_ns, side="right"))
        return self.order[w_lo:w_hi]


def _add_bursts(
    labels: np.ndarray,
    remaining: int,
    merch_risk: np.ndarray,
    card_risk: np.ndarray,
    times_ns: np.ndarray,
    merchant_ids: np.ndarray,
    params: LabelerConfig,
    rng: np.random.Generator,
) -> None:
    """Label ``remaining`` more rows in waves at one merchant around one moment (in place)."""
    index = _ByMerchant(times_ns, merchant_ids)
    anchor_p = merch_risk / merch_risk.sum() if merch_risk.sum() > 0 else None
    sizes = _wave_sizes(remaining, params.burst_factor)
    anchors = rng.choice(labels.size, sizes.size, p=anchor_p)
    window_ns = int(params.burst_window_s * 1e9)
    for anchor, size in zip(anchors, sizes, strict=False):
        need = _wave(labels, index, int(anchor), int(size), times_ns, merchant_ids, window_ns, rng)
        if need > 0:
            # The merchant has nothing left: the global pool, by merchant x card risk.
            pool = np.flatnonzero(~labels)
            w = merch_risk[pool] * card_risk[pool]
            p = w / w.sum() if w.sum() > 0 else None
            labels[rng.choice(pool, need, replace=False, p=p)] = True


def _wave(
    labels: np.ndarray,
    index: _ByMerchant,
    anchor: int,
    size: int,
    times_ns: np.ndarray,
    merchant_ids: np.ndarray,
    window_ns: int,
    rng: np.random.Generator,
) -> int:
    """Label up to ``size`` rows of the anchor's merchant near its time; return the shortfall.

    The anchor itself and then random rows within the window; if the window holds too few,
    the merchant's nearest unlabeled rows in time.
    """
    t = times_ns[anchor]
    lo, hi = index.span(merchant_ids[anchor])
    window = index.window(lo, hi, t, window_ns)
    window = window[~labels[window]]
    if window.size > size:
        keep = [anchor] if not labels[anchor] else []
        others = window[window != anchor]
        picked = rng.choice(others, size - len(keep), replace=False)
        window = np.concatenate([np.asarray(keep, dtype=np.int64), picked])
    labels[window] = True
    need = size - window.size
    if need > 0:
        rows = index.order[lo:hi]
        rows = rows[~labels[rows]]
        nearest = rows[np.argsort(np.abs(times_ns[rows] - t), kind="stable")[:need]]
        labels[nearest] = True
        need -= nearest.size
    return need


def label_fraud(
    df: pl.DataFrame,
    fraud_rate: float,
    seed: int | np.random.Generator | None = None,
    **params: Any,
) -> pl.DataFrame:
    """Return ``df`` with a Boolean ``label_fraud`` column: exactly ``round(fraud_rate * height)``.

    ``df`` needs ``amount``, ``merch_risk``, ``card_risk``, ``event_time`` and ``merchant_id``.
    Keyword arguments override ``LabelerConfig`` fields (``w_amount=...``, ``burst_factor=...``).
    """
    rng = as_generator(seed, "label_fraud")
    times = (
        df["event_time"].dt.epoch("ns").to_numpy()
        if df["event_time"].dtype != pl.Int64
        else df["event_time"].to_numpy()
    )
    labels = label_arrays(
        df["amount"].to_numpy(),
        df["merch_risk"].to_numpy(),
        df["card_risk"].to_numpy(),
        times,
        df["merchant_id"].to_numpy(),
        round(fraud_rate * df.height),
        LabelerConfig(**params),
        rng,
        rng,
        fraud_rate,
    )
    return df.with_columns(pl.Series("label_fraud", labels, dtype=pl.Boolean))
