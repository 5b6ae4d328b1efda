"""The report's copies of v3's promises equal the generator's tables."""

from __future__ import annotations

import pytest

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.realism.v3.fraud import latency, presets
from fraud_detection.simulator.report.v3facts import MAX_DELAY_DAYS, MIXES, expected_mix


def test_the_mixes_are_the_generators() -> None:
    assert dict(MIXES) == dict(presets.MIXES)


def test_the_longest_report_delay_is_the_generators() -> None:
    assert MAX_DELAY_DAYS == latency.MAX_DELAY_DAYS


@pytest.mark.parametrize(
    "fraud",
    [
        {},
        {"difficulty": "hard"},
        {"difficulty": "easy", "typologies": {"card_testing": 2.0, "lost_stolen": 1.0}},
    ],
)
def test_expected_mix_is_what_the_generator_resolves(fraud: dict[str, object]) -> None:
    cfg = config_from_dict({"total_rows": 1000, "realism": "v3", "fraud": fraud})
    resolved = presets.resolve(cfg).shares
    dumped = cfg.model_dump(mode="json")["fraud"]
    assert list(expected_mix(dumped).values()) == pytest.approx(resolved, abs=1e-12)
