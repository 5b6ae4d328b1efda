"""History features: per-entity counts and fraud rates over the training window.

Entities are cards, merchants, and the (card, device) and (card, IP) pairs: "has this card
been used from this device before" is what a fraud team's features ask first.

Computed over the full training window (not the model sample), from training labels only, and
joined onto train and test rows. A test row gets its entity's count and fraud rate over the
whole window. A training row's fraud rate leaves out its own time block (the window cut into 5
equal blocks), so it never sees its own label, nor the labels of the burst it belongs to: like
a test row, it only knows labels from other times. Rates are smoothed toward the global
training rate (on a training row, also without its block) with 10 pseudo-transactions, so an
entity seen twice is not "50% fraud".
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from .dataset import LABEL, TIME
from .split import Split

FOLDS = 5
SMOOTHING = 10.0
HISTORY_KEYS: dict[str, tuple[str, ...]] = {
    "card": ("card_id",),
    "merchant": ("merchant_id",),
    "card_device": ("card_id", "device_id"),
    "card_ip": ("card_id", "ip_address"),
}
_FOLD = "__fold"


def _key(key: str | tuple[str, ...]) -> list[str]:
    return [key] if isinstance(key, str) else list(key)


def fold_expr(start: datetime, cutoff: datetime) -> pl.Expr:
    """Return the training-window block (0..4) of each row's ``event_time``."""
    span = max((cutoff - start).total_seconds(), 1e-9)
    elapsed = (pl.col(TIME) - pl.lit(start)).dt.total_microseconds().cast(pl.Float64) / 1e6
    return (elapsed * FOLDS / span).floor().clip(0, FOLDS - 1).cast(pl.Int8).alias(_FOLD)


def fold_counts(
    lf: pl.LazyFrame, key: str | tuple[str, ...], start: datetime, cutoff: datetime
) -> pl.DataFrame:
    """Return training-window transactions and frauds per (``key`` columns, block)."""
    columns = _key(key)
    return (
        lf.filter(pl.col(TIME) < cutoff)
        .drop_nulls(columns)
        .group_by(*columns, fold_expr(start, cutoff))
        .agg(pl.len().alias("n"), pl.col(LABEL).sum().cast(pl.Int64).alias("frauds"))
        .collect()
    )


def _smoothed(frauds: pl.Expr, n: pl.Expr, prior: pl.Expr) -> pl.Expr:
    return (frauds + SMOOTHING * prior) / (n + SMOOTHING)


def _train_features(
    train: pl.DataFrame, per_fold: pl.DataFrame, key: list[str], count: str, rate: str
) -> pl.DataFrame:
    """Return ``train`` with the features, each row's own block left out of rate and prior.

    For a pair key the count also leaves the row's block out: a device used once would
    otherwise count 1 on its own training row but 0 on a test row.
    """
    own_count = pl.col("N").fill_null(0)
    if len(key) > 1:
        own_count = own_count - pl.col("n").fill_null(0)
    totals = per_fold.group_by(key).agg(
        pl.col("n").sum().alias("N"), pl.col("frauds").sum().alias("F")
    )
    blocks = per_fold.group_by(_FOLD).agg(
        pl.col("n").sum().alias("block_n"), pl.col("frauds").sum().alias("block_frauds")
    )
    n_all, f_all = int(per_fold["n"].sum()), int(per_fold["frauds"].sum())
    prior = (f_all - pl.col("block_frauds").fill_null(0)) / (n_all - pl.col("block_n").fill_null(0))
    return (
        train.join(totals, on=key, how="left", maintain_order="left")
        .join(per_fold, on=[*key, _FOLD], how="left", maintain_order="left")
        .join(blocks, on=_FOLD, how="left", maintain_order="left")
        .with_columns(
            own_count.alias(count),
            _smoothed(
                pl.col("F").fill_null(0) - pl.col("frauds").fill_null(0),
                pl.col("N").fill_null(0) - pl.col("n").fill_null(0),
                prior.fill_nan(0.0),
            ).alias(rate),
        )
        .drop("N", "F", "n", "frauds", "block_n", "block_frauds")
    )


def _test_features(
    test: pl.DataFrame, per_fold: pl.DataFrame, key: list[str], count: str, rate: str
) -> pl.DataFrame:
    """Return ``test`` with the features over the whole training window."""
    totals = per_fold.group_by(key).agg(
        pl.col("n").sum().alias("N"), pl.col("frauds").sum().alias("F")
    )
    n_all = int(per_fold["n"].sum())
    prior = pl.lit(int(per_fold["frauds"].sum()) / n_all if n_all else 0.0)
    return (
        test.join(totals, on=key, how="left", maintain_order="left")
        .with_columns(
            pl.col("N").fill_null(0).alias(count),
            _smoothed(pl.col("F").fill_null(0), pl.col("N").fill_null(0), prior).alias(rate),
        )
        .drop("N", "F")
    )


def add_history(
    split: Split, lf: pl.LazyFrame, keys: dict[str, str | tuple[str, ...]]
) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """Return (train, test, feature names) with ``<entity>_txn_count`` and ``_fraud_rate``."""
    train = split.train.with_columns(fold_expr(split.start, split.cutoff))
    test = split.test
    names: list[str] = []
    for entity, key in keys.items():
        per_fold = fold_counts(lf, key, split.start, split.cutoff)
        count, rate = f"{entity}_txn_count", f"{entity}_fraud_rate"
        train = _train_features(train, per_fold, _key(key), count, rate)
        test = _test_features(test, per_fold, _key(key), count, rate)
        names += [count, rate]
    return train.drop(_FOLD), test, names
