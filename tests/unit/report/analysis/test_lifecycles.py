"""Lifecycles from catalog columns (issue 18's contract): cards issued, blocked and replaced,
rows on young cards; "not in this dataset" without the columns."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from fraud_detection.simulator.report.analysis.lifecycles import lifecycles
from tests.unit.report.synthetic import NS, at, catalogs, prepared, times

DAY = 24.0


def _cards() -> dict[str, pl.Series | list[object]]:
    """Card 1 issued long before, blocked on day 10 and replaced by card 2 (issued day 12)."""
    return {
        "card_id": [1, 2],
        "customer_id": [1, 1],
        "issued_at": pl.Series([at(-400 * DAY), at(12 * DAY)], dtype=NS),
        "blocked_at": pl.Series([at(10 * DAY), None], dtype=NS),
        "replaces_card_id": pl.Series([None, 1], dtype=pl.Int64),
    }


def _rows() -> pl.DataFrame:
    # Card 1 on days 0-9 (a fraud on day 8, reported day 9.5), card 2 on days 13-20 and 45.
    days = [*range(10), *range(13, 21), 45]
    return pl.DataFrame(
        {
            "event_time": times([d * DAY for d in days]),
            "card_id": [1] * 10 + [2] * 9,
            "customer_id": [1] * 19,
            "label_fraud": [d == 8 for d in days],
            "reported_time": pl.Series([at(9.5 * DAY) if d == 8 else None for d in days],
                                       dtype=NS),
        }
    )  # fmt: skip


def test_blocked_and_replaced_cards_and_rows_on_young_cards(tmp_path: Path) -> None:
    found = catalogs(
        tmp_path, cards=_cards(),
        customers={"customer_id": [1], "joined_at": pl.Series([at(-500 * DAY)], dtype=NS)},
    )  # fmt: skip
    frame = _rows()
    span = (frame["event_time"].min(), frame["event_time"].max())
    life = lifecycles(prepared(frame), found, span)
    assert life["status"] == "measured"
    assert life["cards"] == {"cards": 2, "issued_in_range": 1, "blocked": 1,
                             "blocked_in_range": 1, "replacements": 1}  # fmt: skip
    assert life["customers_joined_in_range"] == 0
    young = life["young_cards"]
    assert young["rows"] == 8 and young["share_of_rows"] == pytest.approx(8 / 19)  # not day 45
    assert young["frauds"] == 0
    blocked = life["blocked_after_report"]
    assert (blocked["cards_with_a_reported_fraud"], blocked["blocked"]) == (1, 1)
    assert blocked["median_days_report_to_block"] == pytest.approx(0.5)


def test_without_the_columns_lifecycles_are_not_in_this_dataset(tmp_path: Path) -> None:
    found = catalogs(tmp_path)
    life = lifecycles(prepared(_rows()), found, (None, None))
    assert life["status"] == "not in this dataset"
    assert "issued_at" in life["note"]
