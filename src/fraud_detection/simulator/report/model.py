"""The baseline model section: the practitioner's baseline (``practitioner`` + ``baseline``) on
the dataset, the same code ``bench/difficulty.py`` calibrates v3's difficulty levels with.

Up to ``max_rows`` rows, the columns the features need are read and every row gets every
feature. Above it, the shared features (devices, IPs, merchants) are computed over every row
from the few columns they need, then a seeded sample of whole cards is kept, its other columns
read, and the cards' own features computed: every kept row has exactly the values the full
computation gives it, and the model works on about ``max_rows`` rows. The page says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from .baseline import MAX_TRAIN_LEGIT, evaluate
from .dataset import Prepared
from .practitioner import (
    CARD,
    COLUMNS,
    DEVICE,
    IP,
    LABEL,
    MERCHANT,
    REPORTED,
    TIME,
    TRAIN_SHARE,
    Split,
    card_history,
    hashed_keys,
    history,
    shared_history,
    time_split,
    with_raw,
)

SUMMARY = ("roc_auc", "average_precision", "ap_lift", "recall_at_1pct_fpr", "recall_at_5pct_fpr")


ROW = "__row"
# What the shared features read: every row of these few columns is all they need.
SHARED_COLUMNS = (TIME, CARD, MERCHANT, DEVICE, IP, LABEL, REPORTED)


def load(data: Prepared, columns: tuple[str, ...] = COLUMNS) -> pl.LazyFrame:
    """Return the ``columns`` the baseline reads (those present; device and IP as hashes)
    with each row's position in the dataset."""
    present = [c for c in columns if data.has(c)]
    return data.lf.select(present).with_columns(hashed_keys(present)).with_row_index(ROW)


def card_sample(cards: pl.Series, keep: float, seed: int) -> pl.Series:
    """Return a seeded sample of ``keep`` of the distinct cards (the same on every run)."""
    distinct = cards.drop_nulls().unique().sort()
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(3,)))
    return distinct.filter(pl.Series(rng.random(distinct.len()) < keep))


def features(
    data: Prepared, rows: int, max_rows: int, seed: int
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Return (rows with every feature, what was sampled): all rows up to ``max_rows``, else
    the rows of a seeded sample of cards (see the module doc)."""
    info: dict[str, Any] = {"max_model_rows": max_rows, "rows_total": rows, "sampled": False}
    if rows <= max_rows or not data.has(CARD):
        out = with_raw(history(load(data).collect())).drop(ROW)
        return out, info | {"rows_used": out.height}
    shared = shared_history(load(data, SHARED_COLUMNS).collect())
    kept = card_sample(shared[CARD], max_rows / rows, seed)
    in_sample = pl.col(CARD).is_in(kept.implode())
    rest = load(data).filter(in_sample).drop(SHARED_COLUMNS, strict=False).collect()
    sampled = shared.filter(in_sample).join(rest, on=ROW, how="left", maintain_order="left")
    out = with_raw(card_history(sampled)).drop(ROW)
    cards = shared[CARD].n_unique()
    info |= {"sampled": True, "rows_used": out.height, "cards_kept": kept.len(), "cards": cards}
    return out, info


def split_summary(frame: pl.DataFrame, split: Split) -> dict[str, Any]:
    """Return the split's description for report.json: times, rows, frauds, which labels."""
    return {
        "train_share": TRAIN_SHARE,
        "start": frame[TIME].min(),
        "cutoff": split.cutoff,
        "live": split.live,
        "end": frame[TIME].max(),
        "gap_days": split.gap.total_seconds() / 86_400,
        "train_rows": int(split.train.sum()),
        "test_rows": int(split.test.sum()),
        "gap_rows": int((~split.train & ~split.test).sum()),
        "train_frauds_true": int(split.truth[split.train].sum()),
        "train_frauds_known": int(split.observed[split.train].sum()),
        "test_frauds": int(split.truth[split.test].sum()),
        "labels": "reported_time <= live" if REPORTED in frame.columns else "event_time <= cutoff",
    }


def baseline_model(data: Prepared, rows: int, max_rows: int, seed: int) -> dict[str, Any]:
    """Return the model section: split, sample, features, metrics of every model, typology
    recalls and single columns (see ``baseline.evaluate``)."""
    frame, sample = features(data, rows, max_rows, seed)
    split = time_split(frame)
    result = evaluate(frame, split, curves=True)
    return {
        "split": split_summary(frame, split),
        "sample": sample,
        "training": {
            "max_train_legit": MAX_TRAIN_LEGIT,
            "train_legit_fit": result["train_legit_fit"],
            "train_legit_available": int(split.train.sum()) - result["train_frauds_known"],
            "train_frauds_fit": result["train_frauds_known"],
        },
        "features": result["features"],
        "models": result["models"],
        "skipped": result["skipped"],
        "test_base_rate": result.get("test_base_rate"),
        "single_columns": result.get("single_columns", []),
        "typology_recall": result.get("typologies"),
    }


def observed_labels(model: dict[str, Any]) -> dict[str, Any]:
    """Return report.json's ``observed_labels``: the history model trained on the labels known
    at go-live against the same model trained on the truth, both scored on the test truth."""
    split, models = model["split"], model["models"]
    known, true = split["train_frauds_known"], split["train_frauds_true"]
    out: dict[str, Any] = {
        "cutoff": split["cutoff"],
        "live": split["live"],
        "gap_days": split["gap_days"],
        "training_labels": split["labels"],
        "train_frauds_true": true,
        "train_frauds_known": known,
        "share_known": known / true if true else None,
        "observed": None,
        "truth": None,
        "difference": None,
    }
    observed, truth = models.get("raw_history"), models.get("raw_history_truth")
    if observed is None:
        return out | {"note": model["skipped"] or "no model"}
    if truth is None:
        note = "every training label was known at go-live: the truth model is the same model"
        return out | {"observed": _summary(observed), "truth": _summary(observed), "note": note}
    diff = {k: observed[k] - truth[k] for k in SUMMARY if k != "ap_lift"}
    return out | {
        "observed": _summary(observed),
        "truth": _summary(truth),
        "difference": diff,
        "note": None,
    }


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: metrics[k] for k in SUMMARY}
