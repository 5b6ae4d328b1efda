"""JSON-ready values and the Wilson interval."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from fraud_detection.simulator.report.values import jsonable, wilson

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_wilson_interval_contains_the_estimate() -> None:
    low, high = wilson(5, 1000)
    assert 0 <= low < 0.005 < high <= 1
    assert wilson(0, 0) == (0.0, 1.0)


def test_jsonable_turns_numpy_dates_and_nan_into_json() -> None:
    value = {"a": np.int64(3), "b": [np.float64("nan"), 1.5], "c": T0, "d": np.array([1, 2])}
    assert jsonable(value) == {"a": 3, "b": [None, 1.5], "c": T0.isoformat(), "d": [1, 2]}
