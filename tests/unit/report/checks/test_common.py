"""A share's tolerance: a floor, and wider for small samples."""

from __future__ import annotations

import math

import pytest

from fraud_detection.simulator.report.checks.common import share_tolerance


def test_share_tolerance_has_a_floor_and_widens_for_small_samples() -> None:
    assert share_tolerance(0.5, 10_000_000) == 0.01
    assert share_tolerance(0.5, 1_000) == pytest.approx(4 * math.sqrt(0.25 / 1_000))
