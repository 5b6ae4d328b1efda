"""A practitioner's baseline: the history features a fraud team computes first, and a model.

For each row, from strictly earlier rows only: per card, counts and amount sums over 1 hour,
1 day and 7 days, the time since its last payment, the amount against its own history, and
whether the merchant, device, IP or country is new to it; per device and per IP, how many
distinct cards used it before; per merchant, payments in the last hour and day, and its fraud
rate using only labels reported by then (the Fraud Detection Handbook's delayed merchant
risk). Identifiers are never features, nor are the label columns.

The split is in time with a gap (the Handbook's delay period): train on rows before the
cutoff, skip ``GAP``, test on the rest. Trained on the labels a fraud team has when the model
goes live (``reported_time`` by the end of the gap; datasets without it: labels of rows
older than the gap), scored on the test window's truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

LABEL, TIME, REPORTED = "label_fraud", "event_time", "reported_time"
GAP = timedelta(days=7)
TRAIN_SHARE = 0.7
SMOOTHING = 20.0
WINDOWS = {"1h": "1h", "1d": "1d", "7d": "7d"}
RAW_NUMERIC = ("amount", "log_amount", "hour_utc", "hour_local", "is_recurring")
RAW_CATEGORICAL = (
    "channel", "pos_entry_mode", "device_type", "mcc_code", "merchant_country", "currency",
    "card_scheme",
)  # fmt: skip
NEVER_FEATURES = frozenset({LABEL, TIME, REPORTED, "fraud_type", "fraud_episode_id"})


def _windows(key: str, prefix: str, amounts: bool) -> list[pl.Expr]:
    """Counts (and amount sums) of ``key``'s earlier rows within each window."""
    exprs = []
    for name, period in WINDOWS.items():
        one = (
            pl.col("__row").is_not_null().cast(pl.Int32).rolling_sum_by(TIME, period, closed="left")
        )
        exprs.append(one.over(key).fill_null(0).alias(f"{prefix}_count_{name}"))
        if amounts:
            total = pl.col("amount").rolling_sum_by(TIME, period, closed="left")
            exprs.append(total.over(key).fill_null(0.0).alias(f"{prefix}_amount_{name}"))
    return exprs


def history(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` (sorted by time) with the history features added."""
    frame = frame.sort(TIME).with_row_index("__row")
    first = pl.int_range(pl.len())
    t_ns = pl.col(TIME).dt.epoch("ns")
    out = frame.with_columns(
        (first.over("card_id", "merchant_id") == 0).alias("new_merchant"),
        ((first.over("card_id", "device_id") == 0) & pl.col("device_id").is_not_null()).alias(
            "new_device"
        ),
        ((first.over("card_id", "ip_address") == 0) & pl.col("ip_address").is_not_null()).alias(
            "new_ip"
        ),
        (first.over("card_id", "merchant_country") == 0).alias("new_country"),
        ((t_ns - t_ns.shift(1).over("card_id")) / 1e9).alias("since_last_s"),
        _km_from_last().alias("km_from_last"),
        _hour_deviation().alias("hour_vs_card"),
        first.over("card_id").alias("card_rows_before"),
        first.over("card_id", "device_id").alias("card_device_rows_before"),
        first.over("card_id", "merchant_id").alias("card_merchant_rows_before"),
        (
            pl.col("amount").log1p()
            - pl.col("amount").log1p().cum_sum().shift(1).over("card_id") / first.over("card_id")
        ).alias("amount_vs_card"),
    )
    out = out.with_columns(
        _distinct_before("device_id").alias("cards_per_device"),
        _distinct_before("ip_address").alias("cards_per_ip"),
        *_windows("card_id", "card", amounts=True),
        *_windows("merchant_id", "merchant", amounts=False),
    )
    return out.with_columns(merchant_risk=_delayed_merchant_rate(out)).drop("__row")


def _km_from_last() -> pl.Expr:
    """Great-circle km from the card's previous payment's place (null for its first)."""
    lat, lon = pl.col("latitude").radians(), pl.col("longitude").radians()
    lat0, lon0 = lat.shift(1).over("card_id"), lon.shift(1).over("card_id")
    a = ((lat - lat0) / 2).sin() ** 2 + lat.cos() * lat0.cos() * ((lon - lon0) / 2).sin() ** 2
    return 2 * 6371.0 * a.clip(0, 1).sqrt().arcsin()


def _hour_deviation() -> pl.Expr:
    """Hours between this payment's local hour and the card's usual one (circular mean of its
    earlier payments), 0-12; null for its first."""
    local = (pl.col(TIME).dt.hour().cast(pl.Int32) * 60 + pl.col("local_time_offset")) % 1440
    angle = local.cast(pl.Float64) / 1440 * 2 * np.pi
    x = angle.cos().cum_sum().shift(1).over("card_id")
    y = angle.sin().cum_sum().shift(1).over("card_id")
    usual = pl.arctan2(y, x)
    diff = (angle - usual).abs() % (2 * np.pi)
    return pl.min_horizontal(diff, 2 * np.pi - diff) / (2 * np.pi) * 24


def _distinct_before(key: str) -> pl.Expr:
    """Distinct cards seen on ``key`` before this row (null when the row has no ``key``)."""
    new_pair = (pl.int_range(pl.len()).over(key, "card_id") == 0).cast(pl.Int32)
    seen = new_pair.cum_sum().over(key) - new_pair
    return pl.when(pl.col(key).is_null()).then(None).otherwise(seen)


def known_at(frame: pl.DataFrame) -> pl.Series:
    """Return when each fraud label becomes known: ``reported_time`` when the dataset has it
    (null: never), else the event time plus ``GAP`` (the Handbook's one-week delay)."""
    if REPORTED in frame.columns:
        return frame[REPORTED]
    return (frame[TIME] + GAP).alias(REPORTED)


def _delayed_merchant_rate(frame: pl.DataFrame) -> np.ndarray:
    """Return each row's merchant fraud rate from labels reported before the row, smoothed
    toward the overall known rate with ``SMOOTHING`` pseudo-payments."""
    t0 = frame[TIME].min()
    seconds = ((frame[TIME] - t0).dt.total_seconds()).to_numpy().astype(np.int64)
    merchant = frame["merchant_id"].rank("dense").cast(pl.Int64).to_numpy()
    known = known_at(frame)
    fraud = frame[LABEL].to_numpy() & known.is_not_null().to_numpy()
    known_s = ((known.fill_null(t0) - t0).dt.total_seconds()).to_numpy().astype(np.int64)
    events = np.sort(merchant[fraud] * (1 << 33) + np.maximum(known_s[fraud], 0))
    probe = merchant * (1 << 33) + seconds
    count = np.searchsorted(events, probe, side="right") - np.searchsorted(
        events, merchant * (1 << 33), side="left"
    )
    before = frame.select(pl.int_range(pl.len()).over("merchant_id")).to_series().to_numpy()
    prior = fraud.mean() if fraud.size else 0.0
    return (count + SMOOTHING * prior) / (before + SMOOTHING)


HISTORY = (
    "new_merchant", "new_device", "new_ip", "new_country", "since_last_s", "km_from_last",
    "hour_vs_card", "card_rows_before",
    "card_device_rows_before", "card_merchant_rows_before", "amount_vs_card",
    "cards_per_device", "cards_per_ip", "merchant_risk",
    *(f"card_{k}_{w}" for w in WINDOWS for k in ("count", "amount")),
    *(f"merchant_count_{w}" for w in WINDOWS),
)  # fmt: skip


def with_raw(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with the derived raw features: log amount, UTC and local hour."""
    local = (pl.col(TIME).dt.hour().cast(pl.Int32) * 60 + pl.col("local_time_offset")) % 1440
    return frame.with_columns(
        pl.col("amount").log1p().alias("log_amount"),
        pl.col(TIME).dt.hour().alias("hour_utc"),
        (local // 60).alias("hour_local"),
    )


@dataclass(frozen=True)
class Split:
    """Row masks of the time split and the labels each side uses."""

    train: np.ndarray
    test: np.ndarray
    observed: np.ndarray  # training labels as known when the model goes live
    truth: np.ndarray
    cutoff: object
    live: object


def time_split(frame: pl.DataFrame, train_share: float = TRAIN_SHARE) -> Split:
    """Return the split: train before the cutoff (``train_share`` of rows), a ``GAP``, test
    after; training labels as reported by the end of the gap (when the model goes live)."""
    times = frame[TIME]
    cutoff = times.sort()[int(train_share * (frame.height - 1))]
    live = cutoff + GAP
    known = known_at(frame)
    truth = frame[LABEL].to_numpy()
    observed = truth & (known.is_not_null() & (known <= live)).to_numpy()
    return Split(
        (times < cutoff).to_numpy(), (times >= live).to_numpy(), observed, truth, cutoff, live
    )
