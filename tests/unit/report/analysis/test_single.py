"""Each column alone, once: target encoding, and the scores on the split's own rows and
labels (the leakage check and the band's guard read the same rows)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.report.analysis.single import (
    raw_columns,
    single_column_scores,
    target_encoded,
)
from fraud_detection.simulator.report.analysis.split import frame_split

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_target_encoding_gives_unseen_values_the_global_rate() -> None:
    train = pl.DataFrame({"c": ["a", "a", "b", "b"], "label_fraud": [True, False, False, False]})
    test = pl.DataFrame({"c": ["a", "b", "z", None]})
    assert target_encoded(train, test, "c").tolist() == [0.5, 0.0, 0.25, 0.25]


def test_scores_skip_the_label_columns_and_rank_by_separation() -> None:
    n = 2_000
    rng = np.random.default_rng(0)
    fraud = rng.random(n) < 0.1
    frame = pl.DataFrame(
        {
            "event_time": [T0 + timedelta(minutes=i) for i in range(n)],
            "label_fraud": fraud,
            "flag": np.where(fraud, "yes", "no"),  # a copy of the label
            "amount": rng.random(n),
            "card_id": rng.integers(1, 100, n),
            "fraud_type": np.where(fraud, "card_testing", None),
        },
        schema_overrides={"event_time": pl.Datetime("ns", "UTC")},
    )
    split, masks = frame_split(frame)
    scores = single_column_scores(frame, masks, {"fraud_type"})
    assert scores[0]["column"] == "flag" and scores[0]["separation"] == pytest.approx(1.0)
    assert {r["column"] for r in scores} == {"flag", "amount", "card_id", "event_time"}
    card = next(r for r in scores if r["column"] == "card_id")
    assert card["identifier"] and card["kind"] == "categorical"
    assert [r["column"] for r in raw_columns(scores)][:1] == ["flag"]
    assert "card_id" not in {r["column"] for r in raw_columns(scores)}
    assert split.live - split.cutoff == split.gap
