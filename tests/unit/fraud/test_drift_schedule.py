"""Fraud drift's schedules (``realism/v3/fraud/drift.py``): what changes over the window at
each level, and what does not."""

from __future__ import annotations

import numpy as np
import pytest

from fraud_detection.simulator.realism.v3.fraud.drift import (
    spoof_share,
    takeover_ramp,
)
from fraud_detection.simulator.realism.v3.fraud.drift import (
    test_amount_growth as card_test_growth,  # not a test: pytest would collect the name
)

AT = np.linspace(0.0, 1.0, 11)


@pytest.mark.parametrize("level", ["none", "mild"])
def test_below_strong_nothing_new_arrives(level: str) -> None:
    assert np.array_equal(spoof_share(level, 0.7, AT), np.full(AT.size, 0.7))
    assert np.array_equal(takeover_ramp(level, AT), np.ones(AT.size))
    assert np.array_equal(card_test_growth(level, AT), np.ones(AT.size))


def test_strong_spreads_spoofed_devices_takeovers_and_bigger_tests() -> None:
    spoof = spoof_share("strong", 0.7, AT)
    assert np.all(spoof[AT < 1 / 3] == 0.0) and spoof[-1] == 1.0
    assert np.all(np.diff(spoof) >= 0)
    ramp = takeover_ramp("strong", AT)
    assert np.all(ramp[AT < 0.5] < 1e-3) and ramp[-1] == pytest.approx(2.0)
    assert card_test_growth("strong", AT)[-1] == pytest.approx(10.0)
