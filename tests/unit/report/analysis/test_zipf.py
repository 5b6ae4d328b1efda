"""The Zipf fit: the exponent of exact counts, only ranks with enough transactions."""

from __future__ import annotations

import numpy as np
import pytest

from fraud_detection.simulator.report.analysis.zipf import expected_counts, fit_zipf


def test_zipf_fit_recovers_the_exponent_of_exact_counts() -> None:
    counts = expected_counts(np.arange(1, 5001), 1_000_000, 5000, 1.1).round().astype(np.int64)
    fit = fit_zipf(counts, 5000)
    assert fit is not None and fit.ranks == 200
    assert fit.slope == pytest.approx(-1.1, abs=0.01)


def test_zipf_fit_uses_only_ranks_with_enough_transactions() -> None:
    counts = np.array([100, 50, 30, 25, 21, 19, 5, 1] + [1] * 100)
    fit = fit_zipf(counts, 1000)
    assert fit is not None and fit.ranks == 5
    assert fit_zipf(np.array([100, 50, 30, 19, 5]), 1000) is None
