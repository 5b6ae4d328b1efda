"""Merchant category codes by name (ISO 18245 via the iso18245 package)."""

from __future__ import annotations

from fraud_detection.simulator.reference import MCC_CODES
from fraud_detection.simulator.report.plots.mcc import MAX_NAME, mcc_name


def test_every_generated_code_has_a_short_name() -> None:
    names = {code: mcc_name(code) for code in MCC_CODES}
    assert all(names.values()), [c for c, n in names.items() if not n]
    assert all(len(n or "") <= MAX_NAME + 1 for n in names.values())
    assert names["7995"] == "Betting/Casino Gambling"
    assert names["5411"] == "Groceries and supermarkets"


def test_unknown_codes_have_no_name() -> None:
    assert mcc_name("0000") is None
    assert mcc_name("not a code") is None
