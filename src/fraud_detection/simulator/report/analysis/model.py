"""The baseline model section: the practitioner's baseline (``features`` + ``baseline``) on
the report's one split, the same code ``bench/difficulty.py`` calibrates v3's difficulty
levels with.

Without a card sample (``split.sample_cards``), the columns the features need are read and
every row gets every feature. With one, the shared features (devices, IPs, merchants) are
computed over every row from the few columns they need, then the sampled cards' other columns
are read and their own features computed: every kept row has exactly the values the full
computation gives it, and the model works on about ``max_rows`` rows. The page says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from ..inputs.columns import CARD, DEVICE, IP, LABEL, MERCHANT, REPORTED, TIME, TYPE
from ..inputs.dataset import Prepared
from .baseline import MAX_TRAIN_LEGIT, evaluate
from .features import COLUMNS, card_history, hashed_keys, history, shared_history, with_raw
from .split import Sample, Split

SUMMARY = ("roc_auc", "average_precision", "ap_lift", "recall_at_1pct_fpr", "recall_at_5pct_fpr")


ROW = "__row"
# What the shared features read: every row of these few columns is all they need.
SHARED_COLUMNS = (TIME, CARD, MERCHANT, DEVICE, IP, LABEL, REPORTED)
LABEL_FACTS = frozenset({REPORTED, TYPE})  # read only when they are label columns


def load(data: Prepared, columns: Iterable[str], labels: Iterable[str]) -> pl.LazyFrame:
    """Return the ``columns`` the baseline reads (those present, of the label facts only the
    ``labels`` columns; device and IP as hashes) with each row's position in the dataset."""
    skip = LABEL_FACTS - set(labels)
    present = [c for c in columns if data.has(c) and c not in skip]
    return data.lf.select(present).with_columns(hashed_keys(present)).with_row_index(ROW)


def features(
    data: Prepared, sample: Sample, labels: Iterable[str], classic: bool = False
) -> pl.DataFrame:
    """Return the rows of ``sample`` with every feature (see the module doc; ``classic``: the
    classic baseline's too)."""
    if sample.cards is None:
        return with_raw(history(load(data, COLUMNS, labels).collect(), classic)).drop(ROW)
    shared = shared_history(load(data, SHARED_COLUMNS, labels).collect(), classic)
    kept = sample.of(shared.lazy()).collect()
    rest = sample.of(load(data, COLUMNS, labels)).drop(SHARED_COLUMNS, strict=False).collect()
    joined = kept.join(rest, on=ROW, how="left", maintain_order="left")
    return with_raw(card_history(joined, classic)).drop(ROW)


def sample_info(data: Prepared, sample: Sample, rows_used: int) -> dict[str, Any]:
    """Return report.json's ``model.sample``: whether whole cards were sampled, how many."""
    info: dict[str, Any] = {"max_model_rows": sample.max_rows, "rows_total": sample.rows}
    info |= {"sampled": sample.cards is not None, "rows_used": rows_used}
    if sample.cards is None:
        return info
    cards = data.lf.select(pl.col(CARD).n_unique()).collect().item()
    return info | {"cards_kept": sample.cards.len(), "cards": cards}


def baseline_model(
    data: Prepared,
    split: Split,
    sample: Sample,
    labels: Iterable[str],
    sections: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Return the model section on ``split`` and ``sample``: the split's rows and labels, the
    sample, the features, every model's metrics, the typology recalls, the drift curve and,
    as the profile's ``sections`` ask, the classic baseline and the graph feature's gain (see
    ``baseline.evaluate``); ``labels``: the label columns of the dataset's realism."""
    frame = features(data, sample, labels, classic="classic_baseline" in sections)
    masks = split.masks(frame)
    result = evaluate(frame, masks, curves=True, extras=sections, window=(split.live, split.end))
    return {
        "split": split.summary(masks),
        "sample": sample_info(data, sample, frame.height),
        "training": {
            "max_train_legit": MAX_TRAIN_LEGIT,
            "train_legit_fit": result["train_legit_fit"],
            "train_legit_available": int(masks.train.sum()) - result["train_frauds_known"],
            "train_frauds_fit": result["train_frauds_known"],
        },
        "features": result["features"],
        "models": result["models"],
        "skipped": result["skipped"],
        "test_base_rate": result.get("test_base_rate"),
        "typology_recall": result.get("typologies"),
        "drift": result.get("drift"),
        "graph_feature": result.get("graph_feature"),
        "classic": result.get("classic"),
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
