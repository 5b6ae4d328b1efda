"""The classic baseline's features on a hand-made card and merchant history: the card's
count and mean amount over 1, 7 and 30 days, the merchant's delayed count and fraud rate with
the labels known by then, the local weekend and night flags, and amount / 30-day mean."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.report.analysis.classic import CLASSIC, RATIO, merchant_delayed
from fraud_detection.simulator.report.analysis.features import (
    card_history,
    history,
    shared_history,
    with_raw,
)
from tests.unit.report.synthetic import NS, at, times

DAY = 24.0


def _card(hours: list[float], amounts: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "event_time": times(hours),
            "card_id": [1] * len(hours),
            "merchant_id": [7] * len(hours),
            "amount": amounts,
            "local_time_offset": pl.Series([60] * len(hours), dtype=pl.Int16),
            "label_fraud": [False] * len(hours),
        }
    )


def test_a_cards_counts_and_mean_amounts_over_1_7_and_30_days() -> None:
    # Payments at day 0, 0.5, 3, 20 and 40 (hours after Monday T0), amounts 10..50.
    frame = _card([0, 12, 3 * DAY, 20 * DAY, 40 * DAY], [10.0, 20.0, 30.0, 40.0, 50.0])
    out = card_history(frame, classic=True)
    assert out["card_count_1d"].to_list() == [0, 1, 0, 0, 0]
    assert out["card_count_7d"].to_list() == [0, 1, 2, 0, 0]
    assert out["card_count_30d"].to_list() == [0, 1, 2, 3, 1]  # day 40 sees day 20 only
    assert out["card_mean_amount_1d"].to_list() == [None, 10.0, None, None, None]
    assert out["card_mean_amount_7d"].to_list() == [None, 10.0, 15.0, None, None]
    assert out["card_mean_amount_30d"].to_list() == [None, 10.0, 15.0, 20.0, 40.0]
    assert out[RATIO].to_list() == [None, 2.0, 2.0, 2.0, 1.25]


def test_the_merchants_fraud_rate_counts_with_a_7_day_delay_and_known_labels() -> None:
    # Merchant 7: a fraud at day 0 reported at day 9, legit payments at day 1 and 2; then
    # queries at day 8 (the fraud is in the delayed window but not known yet), day 9.5 (known)
    # and day 39 (the day-0 payment left the 30-day delayed window at day 37).
    hours = [0, DAY, 2 * DAY, 8 * DAY, 9.5 * DAY, 39 * DAY]
    frame = _card(hours, [1.0] * 6).with_columns(
        pl.Series("label_fraud", [True, False, False, False, False, False]),
        pl.Series("reported_time", [at(9 * DAY), None, None, None, None, None], dtype=NS),
    )
    out = merchant_delayed(frame)
    # Payments in [t - 7d - w, t - 7d): at day 8 only day 0's; at day 9.5 with w = 1 day
    # [1.5, 2.5) holds day 2's, with w = 7 days all three; at day 39, [2, 32) days 2, 8, 9.5.
    assert out["merchant_delayed_count_1d"].to_list() == [0, 0, 0, 1, 1, 0]
    assert out["merchant_delayed_count_7d"].to_list() == [0, 0, 0, 1, 3, 0]
    assert out["merchant_delayed_count_30d"].to_list() == [0, 0, 0, 1, 3, 3]
    assert out["merchant_delayed_risk_1d"].to_list() == [0, 0, 0, 0, 0, 0]  # 9.5: [1.5, 2.5)
    assert out["merchant_delayed_risk_7d"].to_list() == pytest.approx([0, 0, 0, 0, 1 / 3, 0])
    assert out["merchant_delayed_risk_30d"].to_list() == pytest.approx([0, 0, 0, 0, 1 / 3, 0])


def test_without_report_times_a_label_is_known_once_the_delay_has_passed() -> None:
    frame = _card([0, 8 * DAY], [1.0, 1.0]).with_columns(pl.Series("label_fraud", [True, False]))
    out = merchant_delayed(frame)
    assert out["merchant_delayed_risk_7d"].to_list() == [0.0, 1.0]


def test_weekend_and_night_flags_are_in_local_time() -> None:
    # T0 is Monday 00:00 UTC; at +60 minutes it is 01:00 local (night). Saturday 23:30 UTC is
    # Sunday 00:30 local: weekend and night. Friday 23:30 UTC is Saturday 00:30 local.
    frame = _card([0, 5 * DAY + 23.5, 4 * DAY + 23.5, 2 * DAY + 12], [1.0] * 4)
    out = with_raw(frame)
    assert out["weekend_local"].to_list() == [False, True, True, False]
    assert out["night_local"].to_list() == [True, True, True, False]


def test_the_sample_path_gives_the_classic_features_of_the_full_computation() -> None:
    rng = np.random.default_rng(5)
    n = 2_000
    frame = pl.DataFrame(
        {
            "event_time": pl.Series(np.sort(rng.integers(0, 60 * 86_400, n)) * 10**9).cast(NS),
            "card_id": rng.integers(1, 100, n),
            "merchant_id": rng.integers(1, 20, n),
            "amount": rng.lognormal(3, 1, n),
            "local_time_offset": pl.Series(rng.choice([-300, 0, 60], n), dtype=pl.Int16),
            "label_fraud": rng.random(n) < 0.05,
        }
    )
    frame = frame.with_columns(
        pl.when(pl.col("label_fraud")).then(pl.col("event_time") + timedelta(days=3))
        .alias("reported_time")
    )  # fmt: skip
    full = with_raw(history(frame, classic=True))
    kept = pl.Series(list(range(1, 100, 4)))
    shared = shared_history(frame, classic=True).filter(pl.col("card_id").is_in(kept.implode()))
    sampled = with_raw(card_history(shared, classic=True))
    expected = full.filter(pl.col("card_id").is_in(kept.implode()))
    for column in (*CLASSIC, RATIO):
        assert sampled[column].equals(expected[column]), column
