"""The report's one train/test split, and the rows the measurements that train use.

In time, with a gap while labels arrive (the Fraud Detection Handbook's delay period): train
on the rows before the cutoff (the first 70% of rows by ``event_time``), skip a gap of 7 days
(a tenth of the span when that is shorter), test on the rows from go-live (``live = cutoff +
gap``) to the end. Training labels are those a fraud team has at go-live: ``reported_time <=
live`` when the realism records report times, else each label is taken as known a gap after
its payment (every training label). Scored on the test window's truth (``label_fraud``).

Every measurement that trains and tests uses it: the practitioner's model, and each column
alone (the leakage check and the single-column guard of a difficulty band). The cutoff comes
from every row. Above ``max_rows`` rows both use the rows of a seeded sample of whole cards
(a card's history needs all its rows): the same train and test rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from ..inputs.columns import CARD, LABEL, REPORTED, TIME
from ..inputs.dataset import Prepared

TRAIN_SHARE = 0.7
GAP = timedelta(days=7)
GAP_SHARE = 0.1  # a dataset shorter than 70 days gets a gap of a tenth of its span
DEFAULT_MAX_MODEL_ROWS = 1_000_000
DEFAULT_SEED = 20_250_101


@dataclass(frozen=True)
class Masks:
    """Row masks of the split on one frame, and the labels each side uses."""

    train: np.ndarray
    test: np.ndarray
    observed: np.ndarray  # the labels as known at go-live
    truth: np.ndarray


@dataclass(frozen=True)
class Split:
    """The split: its times, and whether training labels come from ``reported_time``."""

    start: datetime
    cutoff: datetime
    live: datetime
    end: datetime
    reported: bool

    @property
    def gap(self) -> timedelta:
        """Return the gap between the cutoff and go-live."""
        return self.live - self.cutoff

    def used(self) -> pl.Expr:
        """Return whether a row is a training or a test row (not in the gap)."""
        return (pl.col(TIME) < self.cutoff) | (pl.col(TIME) >= self.live)

    def masks(self, frame: pl.DataFrame) -> Masks:
        """Return the split's masks and labels on ``frame`` (any rows of the dataset)."""
        times = frame[TIME]
        known = known_at(frame, self.gap, self.reported)
        truth = frame[LABEL].fill_null(False).to_numpy()
        observed = truth & (known.is_not_null() & (known <= self.live)).to_numpy()
        return Masks(
            (times < self.cutoff).to_numpy(), (times >= self.live).to_numpy(), observed, truth
        )

    def summary(self, masks: Masks) -> dict[str, Any]:
        """Return the split's description for report.json: times, rows, frauds, labels."""
        train, test = masks.train, masks.test
        return {
            "train_share": TRAIN_SHARE,
            "start": self.start,
            "cutoff": self.cutoff,
            "live": self.live,
            "end": self.end,
            "gap_days": self.gap.total_seconds() / 86_400,
            "train_rows": int(train.sum()),
            "test_rows": int(test.sum()),
            "gap_rows": int((~train & ~test).sum()),
            "train_frauds_true": int(masks.truth[train].sum()),
            "train_frauds_known": int(masks.observed[train].sum()),
            "test_frauds": int(masks.truth[test].sum()),
            "labels": "reported_time <= live" if self.reported else "event_time <= cutoff",
        }


def known_at(frame: pl.DataFrame, delay: timedelta, reported: bool | None = None) -> pl.Series:
    """Return when each fraud label becomes known: ``reported_time`` when the labels come
    with report times (``reported``; default: the frame has the column; null: never), else the
    event time plus ``delay``."""
    has = REPORTED in frame.columns if reported is None else reported
    if has:
        return frame[REPORTED]
    return (frame[TIME] + delay).alias(REPORTED)


def time_split(lf: pl.LazyFrame, rows: int, reported: bool) -> Split:
    """Return the split of the ``rows`` rows of ``lf``; ``reported``: training labels come from
    ``reported_time`` (a label column of the dataset's realism)."""
    k = int(TRAIN_SHARE * max(rows - 1, 0))
    start, cutoff, end = (
        lf.select(
            pl.col(TIME).min().alias("start"),
            pl.col(TIME).sort().gather(k).first().alias("cutoff"),
            pl.col(TIME).max().alias("end"),
        )
        .collect()
        .row(0)
    )
    span = end - start
    gap = min(GAP, span * GAP_SHARE) if isinstance(span, timedelta) else GAP
    return Split(start, cutoff, cutoff + gap, end, reported)


def frame_split(frame: pl.DataFrame, reported: bool | None = None) -> tuple[Split, Masks]:
    """Return the split of an in-memory ``frame`` and its masks (``reported`` default:
    whether it has ``reported_time``)."""
    has = REPORTED in frame.columns if reported is None else reported
    split = time_split(frame.lazy(), frame.height, has)
    return split, split.masks(frame)


@dataclass(frozen=True)
class Sample:
    """The rows the measurements that train use: every row, or those of sampled cards."""

    rows: int  # the dataset's rows
    max_rows: int
    cards: pl.Series | None = None  # the sampled cards; None: every row

    def of(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        """Return the rows of ``lf`` the measurements use."""
        return lf if self.cards is None else lf.filter(pl.col(CARD).is_in(self.cards.implode()))


def sample_cards(data: Prepared, rows: int, max_rows: int, seed: int) -> Sample:
    """Return the sample: every row up to ``max_rows`` rows or without ``card_id``, else a
    seeded share ``max_rows / rows`` of the distinct cards (the same on every run)."""
    if rows <= max_rows or not data.has(CARD):
        return Sample(rows, max_rows)
    cards = data.lf.select(pl.col(CARD).drop_nulls().unique().sort()).collect().to_series()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(3,)))
    kept = cards.filter(pl.Series(rng.random(cards.len()) < max_rows / rows))
    return Sample(rows, max_rows, kept)
