"""The classic baseline: the Fraud Detection Handbook's features (Le Borgne et al., chapter 3).

What every card-fraud team starts with, computed here by our own code on the report's one
split and its one feature frame:

- the amount, and whether the payment falls on a weekend or at night (local hour 0-6, the
  handbook's ``hour <= 6``) at the point of sale;
- per card, its count of payments and their mean amount over the last 1, 7 and 30 days (its
  earlier rows in ``[t - w, t)``; the handbook's windows also hold the payment itself, whose
  amount is a feature of its own here);
- per merchant (the handbook's terminal), its payments and its fraud rate over 1, 7 and 30 days
  counted with a 7-day delay (the payments in ``[t - 7d - w, t - 7d)``), the frauds among them
  only once known at ``t`` (``reported_time <= t``; data without report times: a week after the
  payment, as the practitioner's delayed merchant risk).

The gap between this model and the practitioner's says which families carry a dataset's
signal: on real card data these features alone reach ROC AUC 0.78-0.90 (Worldline data, in the
handbook); the practitioner's adds novelty (devices, IPs, places) and velocity.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import polars as pl

from ..inputs.columns import LABEL, MERCHANT, TIME
from .intervals import covering_many, dense_codes
from .single import auc, numeric_values
from .split import GAP, known_at

DELAY = timedelta(days=7)
WINDOWS = {"1d": 1, "7d": 7, "30d": 30}  # days
NIGHT_LAST_HOUR = 6  # the handbook's night: hour <= 6
CARD_WINDOWS = {"30d": "30d"}  # beside the practitioner's 1h, 1d and 7d card windows
RATIO = "amount_vs_card_30d"  # amount / the card's mean over 30 days, scored alone
NS_PER_SECOND = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_SECOND

CLASSIC = (
    "amount", "weekend_local", "night_local",
    *(f"card_count_{w}" for w in WINDOWS), *(f"card_mean_amount_{w}" for w in WINDOWS),
    *(f"merchant_delayed_count_{w}" for w in WINDOWS),
    *(f"merchant_delayed_risk_{w}" for w in WINDOWS),
)  # fmt: skip


def card_means(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with each window's mean amount of the card's earlier payments (null
    without any) and ``amount_vs_card_30d``; ``frame`` has the card's windowed counts and
    amount sums (``features``)."""
    exprs = []
    for w in WINDOWS:
        count, total = pl.col(f"card_count_{w}"), pl.col(f"card_amount_{w}")
        if {f"card_count_{w}", f"card_amount_{w}"} <= set(frame.columns):
            mean = pl.when(count > 0).then(total / count).otherwise(None)
            exprs.append(mean.alias(f"card_mean_amount_{w}"))
    out = frame.with_columns(exprs)
    if {"amount", "card_mean_amount_30d"} <= set(out.columns):
        out = out.with_columns((pl.col("amount") / pl.col("card_mean_amount_30d")).alias(RATIO))
    return out


def _delayed_counts(delay: timedelta) -> list[pl.Expr]:
    """The merchant's payments in ``[t - delay - w, t - delay)``: its payments in the
    ``delay + w`` before the row minus those in the ``delay`` before it (the handbook's way)."""
    one = pl.col(TIME).is_not_null().cast(pl.Int32)
    days = delay.days

    def before(span: int) -> pl.Expr:
        return one.rolling_sum_by(TIME, f"{span}d", closed="left").over(MERCHANT).fill_null(0)

    recent = before(days)
    return [
        (before(days + w) - recent).alias(f"merchant_delayed_count_{name}")
        for name, w in WINDOWS.items()
    ]


def merchant_delayed(frame: pl.DataFrame, delay: timedelta = DELAY) -> pl.DataFrame:
    """Return ``frame`` (sorted by time) with the merchant's payments and fraud rate per
    window, counted with ``delay`` (see the module doc; rate 0 without payments)."""
    out = frame.with_columns(_delayed_counts(delay))
    time = out[TIME].dt.epoch("ns").to_numpy()
    merchant = dense_codes(out[MERCHANT].fill_null(-1).cast(pl.Int64).to_numpy())
    known = known_at(out, GAP)
    fraud = (out[LABEL].fill_null(False) & known.is_not_null()).to_numpy()
    known_ns = known.dt.epoch("ns").fill_null(0).to_numpy()[fraud]
    lag, when = int(delay.total_seconds()) * NS_PER_SECOND, time[fraud]
    # A fraud counts at t once t - delay is past it and it is known; until it leaves the window.
    start = np.maximum(when + lag + 1, known_ns)
    sets = [(merchant[fraud], start, when + lag + w * NS_PER_DAY + 1) for w in WINDOWS.values()]
    frauds = covering_many(merchant, time, sets)
    rates = []
    for name, known_frauds in zip(WINDOWS, frauds, strict=True):
        count = out[f"merchant_delayed_count_{name}"].to_numpy()
        rate = np.where(count > 0, known_frauds / np.maximum(count, 1), 0.0)
        rates.append(pl.Series(f"merchant_delayed_risk_{name}", rate))
    return out.with_columns(rates)


def calendar_flags(local: pl.Expr) -> list[pl.Expr]:
    """Return the weekend and night flags of a local time."""
    return [
        (local.dt.weekday() >= 6).alias("weekend_local"),
        (local.dt.hour() <= NIGHT_LAST_HOUR).alias("night_local"),
    ]


def alone(train: pl.DataFrame, test: pl.DataFrame, y: np.ndarray) -> list[dict[str, Any]]:
    """Return each classic feature's (and ``amount_vs_card_30d``'s) ROC AUC alone on the test
    rows (nulls take the training median), in feature order."""
    out = []
    for column in (*CLASSIC, RATIO):
        if column not in test.columns:
            continue
        value = auc(y, numeric_values(train, test, column))
        separation = None if value is None else max(value, 1.0 - value)
        out.append({"feature": column, "auc": value, "separation": separation})
    return out


def summary(
    train: pl.DataFrame, test: pl.DataFrame, y: np.ndarray, models: dict[str, Any]
) -> dict[str, Any]:
    """Return report.json's ``model.classic``: the features, the gap to the practitioner's
    baseline, each feature alone and ``amount_vs_card_30d`` alone (with the share of test rows
    whose card has a 30-day history to compare with)."""
    single = alone(train, test, y)
    ratio = next((r for r in single if r["feature"] == RATIO), None)
    history, classic = models.get("raw_history"), models.get("classic")
    gap = None if not (history and classic) else history["roc_auc"] - classic["roc_auc"]
    has = test[RATIO].is_not_null().to_numpy() if RATIO in test.columns else None
    with_history = None if has is None else float(has.mean())
    return {
        "features": [c for c in CLASSIC if c in test.columns],
        "delay_days": DELAY.days,
        "night_hours": f"0-{NIGHT_LAST_HOUR} local",
        "gap_roc_auc": gap,
        "single_features": [r for r in single if r["feature"] != RATIO],
        "amount_vs_card_30d": None if ratio is None else ratio | {"with_history": with_history},
    }
