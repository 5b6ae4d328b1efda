"""The measurements that train and test, on the one split and the one sample: each column
alone, and the practitioner's model. ``build`` and ``bench/difficulty.py`` both run them here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ..inputs.columns import REPORTED
from ..inputs.dataset import Prepared
from .model import baseline_model
from .single import raw_columns, single_column_scores
from .split import Sample, Split, sample_cards, time_split

T = TypeVar("T")


def _call(name: str, stage: Callable[[], T]) -> T:
    return stage()


@dataclass(frozen=True)
class Analysis:
    """The split, the sample, every column's score alone and the model section."""

    split: Split
    sample: Sample
    scores: list[dict[str, Any]]
    model: dict[str, Any]  # report.json's ``model``, with ``single_columns``


def column_scores(
    data: Prepared, split: Split, sample: Sample, labels: frozenset[str]
) -> list[dict[str, Any]]:
    """Return every column's score alone on the sample's training and test rows."""
    frame = sample.of(data.lf.filter(split.used())).collect()
    return single_column_scores(frame, split.masks(frame), labels)


def analyse(
    data: Prepared,
    labels: frozenset[str],
    sample: tuple[int, int, int],
    run: Callable[[str, Callable[[], Any]], Any] = _call,
    sections: frozenset[str] = frozenset(),
) -> Analysis:
    """Return the analysis of ``data`` (``labels``: the label columns of its realism, never
    scored or used as features; ``sample``: its rows, the row cap and the sample's seed;
    ``sections``: its profile's, which add the classic baseline and the graph feature's gain).
    ``run(name, stage)`` runs each stage (the report times them)."""
    rows, max_rows, seed = sample
    reported = REPORTED in labels and data.has(REPORTED)
    split: Split = run("split", lambda: time_split(data.lf, rows, reported))
    chosen: Sample = run("sample", lambda: sample_cards(data, rows, max_rows, seed))
    scores = run("single columns", lambda: column_scores(data, split, chosen, labels))
    model: dict[str, Any] = run(
        "model", lambda: baseline_model(data, split, chosen, labels, sections)
    )
    model["single_columns"] = raw_columns(scores)
    return Analysis(split, chosen, scores, model)
