"""The published figures on a hand-made dataset: known values, bands, and "not measured"
where a column, the home countries or some fraud is missing."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from fraud_detection.simulator.report.analysis.published import published_figures
from fraud_detection.simulator.report.inputs.catalogs import NONE
from tests.unit.report.synthetic import catalogs, prepared, times


def _frame() -> pl.DataFrame:
    """Online: 100 of 1,000 value is fraud (10%); in store: 10 of 1,000 (1%). Customer 1 lives
    in GB: its 4 cross-border rows hold 2 frauds, its 6 domestic rows 1."""
    rows = [
        ("ONLINE", 100.0, True, "US"), ("ONLINE", 900.0, False, "GB"),
        ("IN_STORE", 10.0, True, "GB"), ("IN_STORE", 990.0, False, "GB"),
        ("ONLINE", 0.0, True, "FR"), ("IN_STORE", 0.0, False, "GB"),
        ("IN_STORE", 0.0, False, "US"), ("ATM", 0.0, False, "US"), ("ATM", 0.0, False, "GB"),
        ("ATM", 0.0, False, "GB"),
    ]  # fmt: skip
    return pl.DataFrame(
        {
            "event_time": times(list(range(len(rows)))),
            "channel": [r[0] for r in rows],
            "amount": [r[1] for r in rows],
            "label_fraud": [r[2] for r in rows],
            "merchant_country": [r[3] for r in rows],
            "customer_id": [1] * len(rows),
        }
    )


def test_the_figures_and_their_bands(tmp_path: Path) -> None:
    found = catalogs(tmp_path, customers={"customer_id": [1], "home_country": ["GB"]})
    section = published_figures(prepared(_frame()), found)
    remote, by_value, cross = section["figures"]
    assert remote["value"] == pytest.approx(100 / 110) and remote["status"] == "out of band"
    assert by_value["value"] == pytest.approx(10.0) and by_value["status"] == "in band"
    assert cross["value"] == pytest.approx((2 / 4) / (1 / 6)) and cross["status"] == "out of band"
    assert (section["in_band"], section["out_of_band"], section["not_measured"]) == (1, 2, 0)
    assert all(r["source"] for r in section["figures"])


def test_a_figure_that_cannot_be_computed_is_not_measured() -> None:
    frame = _frame()
    section = published_figures(prepared(frame), NONE)  # no home countries
    assert section["figures"][2]["status"] == "not measured"
    assert "home countries" in section["figures"][2]["detail"]
    no_store_fraud = frame.with_columns(
        (pl.col("label_fraud") & (pl.col("channel") != "IN_STORE")).alias("label_fraud")
    )
    rate = published_figures(prepared(no_store_fraud), NONE)["figures"][1]
    assert rate["status"] == "not measured" and "no in-store fraud" in rate["detail"]
    bare = published_figures(prepared(frame.drop("channel")), NONE)
    assert bare["not_measured"] == 3
