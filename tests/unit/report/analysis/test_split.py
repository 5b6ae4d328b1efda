"""The report's one split: 70% of rows by time, a gap, test from go-live; a seeded sample of
whole cards above the row cap, used by every measurement that trains."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import polars as pl

from fraud_detection.simulator.report.analysis.split import sample_cards, time_split
from fraud_detection.simulator.report.inputs.dataset import Prepared

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def _frame(n: int, labels: list[bool], cards: int = 1) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "event_time": [T0 + timedelta(hours=i) for i in range(n)],
            "card_id": [i % cards + 1 for i in range(n)],
            "merchant_id": [i % 2 for i in range(n)],
            "label_fraud": labels,
        },
        schema_overrides={"event_time": pl.Datetime("ns", "UTC")},
    )


def _prepared(frame: pl.DataFrame) -> Prepared:
    return Prepared(frame.lazy(), tuple(frame.columns), ())


def test_the_split_is_70_percent_by_time_then_a_gap() -> None:
    # Changed with issue 16: one split for the leakage check and the model (it was 80/20
    # without a gap for the leakage check).
    frame = _frame(100, [i % 5 == 0 for i in range(100)])
    split = time_split(frame.lazy(), frame.height, reported=False)
    masks = split.masks(frame)
    times = frame["event_time"]
    assert split.cutoff == times[int(0.7 * 99)] and split.gap == (times[99] - times[0]) * 0.1
    assert int(masks.train.sum()) == 69 and masks.test.sum() + 69 < 100  # the gap is skipped
    assert times.filter(pl.Series(masks.train)).max() < split.cutoff  # type: ignore[operator]
    assert times.filter(pl.Series(masks.test)).min() >= split.live  # type: ignore[operator]
    used = frame.filter(split.used())
    assert used.height == int(masks.train.sum() + masks.test.sum())


def test_the_sample_keeps_whole_cards_and_is_seeded() -> None:
    frame = _frame(1_000, [False] * 1_000, cards=50)
    assert sample_cards(_prepared(frame), 1_000, 1_000, 7).cards is None  # all rows fit
    sample = sample_cards(_prepared(frame), 1_000, 300, 7)
    assert sample.cards is not None and 0 < sample.cards.len() < 50
    again = sample_cards(_prepared(frame), 1_000, 300, 7)
    assert again.cards is not None and sample.cards.equals(again.cards)
    kept = sample.of(frame.lazy()).collect()
    assert set(kept["card_id"]) == set(sample.cards)
    assert kept.height == 20 * sample.cards.len()  # every row of a kept card
