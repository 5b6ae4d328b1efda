"""Numbers on the page: 2-3 significant digits, separators, seconds, intervals for few cases."""

from __future__ import annotations

import pytest

from fraud_detection.simulator.report.page.text import (
    count,
    number,
    pct,
    pp,
    rate_with_n,
    sig,
    when,
)


@pytest.mark.parametrize(
    ("share", "digits", "text"),
    [(0.005, 2, "0.50%"), (0.044, 2, "4.4%"), (0.07300, 2, "7.3%"), (1.0, 2, "100%"),
     (0.6, 3, "60.0%"), (0.60123, 3, "60.1%"), (0.00012, 2, "0.012%"), (0.0, 2, "0%")],
)  # fmt: skip
def test_percentages_have_two_or_three_significant_digits(
    share: float, digits: int, text: str
) -> None:
    assert pct(share, digits) == text


def test_counts_numbers_and_differences() -> None:
    assert count(1_000_000) == "1,000,000"
    assert number(26.51, 2) == "27" and number(0.6457, 3) == "0.646"
    assert number(12345.6) == "12,346" and number(None) == "–" and number(True) == "yes"
    assert sig(-1.0996, 3) == "-1.10"
    assert pp(0.01) == "±1.0 pp"


def test_times_are_to_the_second_in_utc() -> None:
    assert when("2025-01-01T00:00:28.317477+00:00") == "2025-01-01 00:00:28 UTC"
    assert when("2025-03-13T22:53:41.652101") == "2025-03-13 22:53:41"


def test_rates_from_few_cases_carry_their_interval_and_n() -> None:
    assert rate_with_n(73, 1_000, 0.0585, 0.0907) == "7.3% (95% CI 5.9%–9.1%; 73 of 1,000 frauds)"
    assert (
        rate_with_n(5_000, 1_000_000, 0.0049, 0.0051, "rows") == "0.50% (5,000 of 1,000,000 rows)"
    )
