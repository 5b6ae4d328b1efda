"""The time-ordered split shared by the leakage check and the baseline model.

Train is the first 80% of rows by ``event_time``, test the last 20%. Above ``max_rows`` the
analyses run on a seeded uniform sample of rows (same seed, same sample); the split's cutoff
and the history features are always computed over the full dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from .dataset import LABEL, TIME, Prepared

TRAIN_SHARE = 0.8
DEFAULT_MAX_MODEL_ROWS = 1_000_000
DEFAULT_SEED = 20_250_101
ROW = "__row"


@dataclass(frozen=True)
class Split:
    """Train and test rows (a sample when the dataset is larger than the cap) and the cutoff."""

    train: pl.DataFrame
    test: pl.DataFrame
    start: datetime
    cutoff: datetime
    rows: int
    train_rows_total: int
    sampled: bool

    def summary(self) -> dict[str, Any]:
        """Return the split's description for report.json."""
        return {
            "train_share": TRAIN_SHARE,
            "train_start": self.start.isoformat(),
            "cutoff": self.cutoff.isoformat(),
            "rows": self.rows,
            "train_rows_total": self.train_rows_total,
            "test_rows_total": self.rows - self.train_rows_total,
            "sampled": self.sampled,
            "train_rows_used": self.train.height,
            "test_rows_used": self.test.height,
            "train_frauds_used": int(self.train[LABEL].sum()),
            "test_frauds_used": int(self.test[LABEL].sum()),
        }


def cutoff_time(lf: pl.LazyFrame, rows: int) -> tuple[datetime, datetime]:
    """Return (first event time, the time at which the last 20% of rows begins)."""
    k = min(max(int(rows * TRAIN_SHARE), 0), max(rows - 1, 0))
    start, cutoff = (
        lf.select(pl.col(TIME).min().alias("lo"), pl.col(TIME).sort().gather(k).first().alias("hi"))
        .collect()
        .row(0)
    )
    return start, cutoff


def sample_rows(rows: int, max_rows: int, seed: int) -> np.ndarray | None:
    """Return sorted row positions of a seeded uniform sample, or None when all rows fit."""
    if rows <= max_rows:
        return None
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,)))
    return np.sort(rng.choice(rows, size=max_rows, replace=False)).astype(np.int64)


def time_split(data: Prepared, rows: int, max_rows: int, seed: int) -> Split:
    """Return the time-ordered split, on a sample of at most ``max_rows`` rows."""
    start, cutoff = cutoff_time(data.lf, rows)
    picks = sample_rows(rows, max_rows, seed)
    lf = data.lf.with_row_index(ROW)
    if picks is not None:
        lf = lf.filter(pl.col(ROW).is_in(pl.Series(picks, dtype=pl.UInt32).implode()))
    frame = lf.collect().sort(TIME, ROW).drop(ROW)
    is_train = pl.col(TIME) < cutoff
    train_total = int(data.lf.select(is_train.sum()).collect().item())
    return Split(
        train=frame.filter(is_train),
        test=frame.filter(~is_train),
        start=start,
        cutoff=cutoff,
        rows=rows,
        train_rows_total=train_total,
        sampled=picks is not None,
    )
