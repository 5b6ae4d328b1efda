from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pytest

from fraud_detection.simulator.temporal import (
    DIURNAL_COMPONENTS,
    diurnal_cell_mass,
    sample_timestamps,
)


def test_timestamps_are_sorted_inside_the_inclusive_range() -> None:
    ts = sample_timestamps(50_000, date(2025, 1, 1), date(2025, 1, 31), seed=3)
    assert ts.dtype == np.dtype("datetime64[ns]") and ts.size == 50_000
    assert np.all(np.diff(ts.astype(np.int64)) >= 0)
    assert ts.min() >= np.datetime64("2025-01-01T00:00:00")
    assert ts.max() < np.datetime64("2025-02-01T00:00:00")
    # Every day of the range is used (about 1,600 rows a day).
    assert np.unique(ts.astype("datetime64[D]")).size == 31


def test_same_seed_same_times_other_seed_other_times() -> None:
    a = sample_timestamps(1_000, date(2025, 1, 1), date(2025, 1, 2), seed=1)
    b = sample_timestamps(1_000, date(2025, 1, 1), date(2025, 1, 2), seed=1)
    c = sample_timestamps(1_000, date(2025, 1, 1), date(2025, 1, 2), seed=2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_single_day_and_end_before_start() -> None:
    ts = sample_timestamps(100, date(2025, 6, 1), date(2025, 6, 1), seed=0)
    assert np.all(ts.astype("datetime64[D]") == np.datetime64("2025-06-01"))
    with pytest.raises(ValueError, match="before"):
        sample_timestamps(10, date(2025, 6, 2), date(2025, 6, 1), seed=0)


def test_hour_histogram_shows_three_daytime_modes() -> None:
    ts = sample_timestamps(400_000, date(2025, 1, 1), date(2025, 1, 28), seed=11)
    hours = (ts.astype(np.int64) // 3_600_000_000_000) % 24
    counts = np.bincount(hours, minlength=24).astype(float)
    # Local maxima of the (circular) histogram: exactly one near each component's mean.
    peaks = [h for h in range(24) if counts[h] > counts[h - 1] and counts[h] > counts[(h + 1) % 24]]
    assert len(peaks) == 3, (peaks, counts)
    for peak, (mean, _, _) in zip(peaks, DIURNAL_COMPONENTS, strict=True):
        assert abs(peak + 0.5 - mean) <= 1.0
    # Valleys between the peaks are clearly lower (>= 15%) than both neighbours.
    for left, right in itertools.pairwise(peaks):
        valley = counts[left:right].min()
        assert valley < 0.85 * min(counts[left], counts[right])
    # Night (0-5h) is quiet but not empty.
    assert 0.005 < counts[:5].sum() / counts.sum() < 0.08


def test_cell_mass_is_a_distribution_at_every_width() -> None:
    for width in (60, 300, 900, 3600):
        mass = diurnal_cell_mass(width)
        assert mass.size == 86_400 // width
        assert mass.min() > 0 and abs(mass.sum() - 1) < 1e-12
