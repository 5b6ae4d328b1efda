"""Rank-frequency: per-entity transaction counts by rank, and the fitted log-log slope.

The slope is fitted over the top ranks only, where counts are large enough for their log to be
meaningful: ranks 1..min(200, N/10) with at least 20 transactions each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

MAX_FIT_RANK = 200
MIN_FIT_COUNT = 20
MIN_FIT_POINTS = 5
PLOT_POINTS = 300


@dataclass(frozen=True)
class ZipfFit:
    """A least-squares line log(count) = intercept + slope * log(rank) over ranks 1..ranks."""

    slope: float
    intercept: float
    ranks: int


def rank_counts(lf: pl.LazyFrame, column: str) -> np.ndarray:
    """Return the transaction count of each distinct non-null value, largest first."""
    counts = (
        lf.select(pl.col(column))
        .drop_nulls()
        .group_by(column)
        .agg(pl.len().alias("n"))
        .select(pl.col("n").sort(descending=True))
        .collect()
    )
    return counts["n"].to_numpy().astype(np.int64)


def fit_rank_limit(num_entities: int) -> int:
    """Return the last rank the fit may use: min(200, N/10), at least 1."""
    return max(1, min(MAX_FIT_RANK, num_entities // 10))


def fit_zipf(counts: np.ndarray, num_entities: int) -> ZipfFit | None:
    """Return the fitted rank-frequency line, or None with fewer than 5 usable ranks."""
    top = counts[: fit_rank_limit(num_entities)]
    usable = int(np.count_nonzero(top >= MIN_FIT_COUNT))
    if usable < MIN_FIT_POINTS:
        return None
    log_rank = np.log(np.arange(1, usable + 1, dtype=np.float64))
    slope, intercept = np.polyfit(log_rank, np.log(top[:usable].astype(np.float64)), 1)
    return ZipfFit(float(slope), float(intercept), usable)


def expected_counts(ranks: np.ndarray, rows: int, num_entities: int, exponent: float) -> np.ndarray:
    """Return the counts a Zipf(exponent) draw over N entities gives at ``ranks``, on average."""
    norm = float(np.sum(np.arange(1, num_entities + 1, dtype=np.float64) ** -exponent))
    return rows * ranks.astype(np.float64) ** -exponent / norm


def plot_ranks(size: int, points: int = PLOT_POINTS) -> np.ndarray:
    """Return up to ``points`` log-spaced ranks in 1..size (unique, ascending)."""
    if size <= 0:
        return np.zeros(0, dtype=np.int64)
    ranks = np.unique(np.geomspace(1, size, num=min(points, size)).round().astype(np.int64))
    return ranks[(ranks >= 1) & (ranks <= size)]
