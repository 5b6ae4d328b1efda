"""The practitioner's baseline on hand-made data: features from strictly earlier rows, the
card-sample path equal to the full computation, the split's gap and labels, typology recall."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.report.analysis.baseline import per_typology
from fraud_detection.simulator.report.analysis.features import (
    HISTORY,
    card_history,
    history,
    shared_history,
)
from fraud_detection.simulator.report.analysis.metrics import metrics
from fraud_detection.simulator.report.analysis.split import frame_split

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
NS = pl.Datetime("ns", "UTC")


def _payments(rows: list[tuple[float, int, int, str | None, bool]]) -> pl.DataFrame:
    """Return payments from (hours after T0, card, merchant, device, fraud)."""
    return pl.DataFrame(
        {
            "event_time": [T0 + timedelta(hours=h) for h, *_ in rows],
            "card_id": [r[1] for r in rows],
            "merchant_id": [r[2] for r in rows],
            "device_id": [r[3] for r in rows],
            "ip_address": ["10.0.0.1"] * len(rows),
            "merchant_country": ["US"] * len(rows),
            "amount": [10.0 * (i + 1) for i in range(len(rows))],
            "latitude": [40.0] * len(rows),
            "longitude": [-74.0] * len(rows),
            "local_time_offset": [-300] * len(rows),
            "label_fraud": [r[4] for r in rows],
        },
        schema_overrides={"event_time": NS, "local_time_offset": pl.Int16},
    )


def test_features_count_only_strictly_earlier_rows() -> None:
    frame = _payments([
        (0.0, 1, 7, "a", False), (0.5, 1, 7, "a", False), (3.0, 1, 8, "b", True),
        (3.1, 2, 8, "b", False), (30.0, 1, 7, None, False),
    ])  # fmt: skip
    out = history(frame).sort("event_time")
    assert out["card_count_1h"].to_list() == [0, 1, 0, 0, 0]
    assert out["card_count_1d"].to_list() == [0, 1, 2, 0, 0]  # 30 h: a day is over
    assert out["card_amount_1d"].to_list() == [0.0, 10.0, 30.0, 0.0, 0.0]
    assert out["card_rows_before"].to_list() == [0, 1, 2, 0, 3]
    assert out["new_merchant"].to_list() == [True, False, True, True, False]
    assert out["new_device"].to_list() == [True, False, True, True, False]  # no device: not new
    # Distinct cards the device saw before the row (its own card included, if it was seen).
    assert out["cards_per_device"].to_list() == [0, 1, 0, 1, None]
    assert out["merchant_count_1h"].to_list() == [0, 1, 0, 1, 0]
    assert out["since_last_s"].to_list()[:3] == [None, 1800.0, 9000.0]


def test_a_merchants_fraud_rate_uses_only_labels_reported_by_then() -> None:
    frame = _payments([(0.0, 1, 7, "a", True), (1.0, 2, 7, "b", False)])
    frame = frame.with_columns(
        pl.Series("reported_time", [T0 + timedelta(hours=2), None], dtype=NS)
    )
    before = history(frame)["merchant_risk"].to_list()
    reported = history(frame.with_columns(
        pl.Series("reported_time", [T0 + timedelta(minutes=30), None], dtype=NS)
    ))["merchant_risk"].to_list()  # fmt: skip
    assert before[1] < reported[1]  # the fraud counts once its report is in
    assert before[0] == reported[0]  # never its own label


def test_the_card_sample_path_gives_the_full_computations_values() -> None:
    rng = np.random.default_rng(3)
    n = 3_000
    frame = pl.DataFrame(
        {
            "event_time": pl.Series(np.sort(rng.integers(0, 30 * 86_400, n)) * 10**9).cast(NS),
            "card_id": rng.integers(1, 200, n),
            "merchant_id": rng.integers(1, 40, n),
            "device_id": [f"d{x}" for x in rng.integers(1, 300, n)],
            "ip_address": [f"ip{x}" for x in rng.integers(1, 100, n)],
            "merchant_country": rng.choice(["US", "GB", "DE"], n),
            "amount": rng.lognormal(3, 1, n),
            "latitude": rng.uniform(-60, 60, n),
            "longitude": rng.uniform(-170, 170, n),
            "local_time_offset": rng.choice([-300, 0, 60], n).astype(np.int16),
            "label_fraud": rng.random(n) < 0.05,
        }
    )
    full = history(frame)
    kept = pl.Series([c for c in range(1, 200) if c % 3 == 0])
    sampled = card_history(shared_history(frame).filter(pl.col("card_id").is_in(kept.implode())))
    expected = full.filter(pl.col("card_id").is_in(kept.implode()))
    assert set(HISTORY) <= set(sampled.columns)
    for column in HISTORY:
        assert sampled[column].equals(expected[column], check_names=True), column


def test_the_split_trains_on_labels_reported_by_go_live() -> None:
    hours = list(range(0, 24 * 100, 24))  # a payment a day for 100 days
    frame = _payments([(h, 1, 7, "a", h % 240 == 0) for h in hours])
    reported = [T0 + timedelta(hours=h + 24 * 20) for h in hours]  # 20 days later
    frame = frame.with_columns(pl.Series("reported_time", reported, dtype=NS))
    split, masks = frame_split(frame)
    assert split.gap == timedelta(days=7) and split.live - split.cutoff == split.gap
    times = frame["event_time"]
    assert (times.filter(pl.Series(masks.train)) < split.cutoff).all()
    assert (times.filter(pl.Series(masks.test)) >= split.live).all()
    known = masks.observed[masks.train]
    truth = masks.truth[masks.train]
    # Frauds of the last 13 days before the cutoff are not reported by go-live.
    late = (times.filter(pl.Series(masks.train)) > split.live - timedelta(days=20)).to_numpy()
    assert np.array_equal(known, truth & ~late) and truth[late].any()


def test_a_short_dataset_gets_a_gap_of_a_tenth_of_its_span() -> None:
    frame = _payments([(h, 1, 7, "a", False) for h in range(0, 24 * 20, 6)])  # 20 days
    split, masks = frame_split(frame)
    assert split.gap == (frame["event_time"].max() - frame["event_time"].min()) * 0.1
    # Without reported_time every training label is known after the gap.
    assert np.array_equal(masks.observed, masks.truth)


def test_typology_recalls_use_the_models_5pct_threshold() -> None:
    rng = np.random.default_rng(1)
    y = rng.random(20_000) < 0.02
    score = rng.random(y.size) + y * rng.random(y.size)
    names = rng.choice(["a", "b"], y.size)
    types = pl.Series([str(t) if f else None for t, f in zip(names, y, strict=True)])
    found = per_typology(y, score, types)
    point = metrics(y, score, curves=False)["operating_points"]["5pct"]
    assert sum(t["test_rows"] for t in found.values()) == point["frauds"]
    assert sum(t["caught"] for t in found.values()) == point["caught"]
    assert set(found) == {"a", "b"}


def test_metrics_stay_in_range() -> None:
    y = np.array([True, False, False, True, False])
    m = metrics(y, np.array([0.9, 0.1, 0.4, 0.35, 0.2]))
    assert m["roc_auc"] == pytest.approx(5 / 6)
    assert 0 <= m["recall_at_1pct_fpr"] <= m["recall_at_5pct_fpr"] <= 1
