"""The calendar: local dates, weekends against weekdays, the main home countries' holidays
against a usual day, and the weekday x local-hour grid."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.report.analysis.calendar import (
    calendar,
    public_holidays,
    weekday_hour,
)
from fraud_detection.simulator.report.inputs.catalogs import NONE
from tests.unit.report.synthetic import catalogs, prepared, times

DAY = 24.0


def _days(per_day: dict[int, int], customer: int = 1, offset: int = 0) -> pl.DataFrame:
    """Return ``per_day[d]`` in-store payments at noon UTC on day ``d`` after Monday T0."""
    hours = [d * DAY + 12 for d, n in per_day.items() for _ in range(n)]
    n = len(hours)
    return pl.DataFrame(
        {
            "event_time": times(hours),
            "local_time_offset": pl.Series([offset] * n, dtype=pl.Int16),
            "customer_id": [customer] * n,
            "channel": ["IN_STORE"] * n,
            "label_fraud": [i % 10 == 0 for i in range(n)],
        }
    )


def test_public_holidays_come_from_the_holidays_package() -> None:
    found = public_holidays("DE", date(2025, 12, 20), date(2025, 12, 31))
    assert list(found) == [date(2025, 12, 25), date(2025, 12, 26)]
    assert public_holidays("ZZ", date(2025, 1, 1), date(2025, 12, 31)) == {}


def test_weekends_and_holidays_against_usual_days(tmp_path: Path) -> None:
    # Four weeks from Monday 6 January 2025: 10 payments a weekday, 5 a weekend day; for GB
    # customers 2 on Monday 20 January, not a GB holiday, and for US customers 3 on Martin
    # Luther King Jr. Day (20 January).
    base = {d: (5 if d % 7 >= 5 else 10) for d in range(28)}
    us = _days(base | {14: 3}, customer=1)
    gb = _days(base, customer=2)
    frame = pl.concat([us, gb]).sort("event_time")
    found = catalogs(tmp_path, customers={"customer_id": [1, 2], "home_country": ["US", "GB"]})
    section, plots = calendar(prepared(frame), found, (date(2025, 1, 6), date(2025, 2, 2)))
    countries = {c["country"]: c for c in section["countries"]}
    assert list(countries) == ["GB", "US"]  # by rows: GB has more
    assert countries["GB"]["weekend_vs_weekday"] == pytest.approx(0.5)
    mlk = next(h for h in countries["US"]["holidays"] if h["date"] == date(2025, 1, 20))
    assert mlk["vs_usual"] == pytest.approx(0.3)  # 3 against the January Mondays' median 10
    assert countries["US"]["holidays_measured_on"] == "in-store rows"
    calendar_plot = plots[0]["data"]
    assert calendar_plot["countries"] == ["GB", "US"]
    assert {h["country"] for h in calendar_plot["holidays"]} == {"US"}
    assert sum(calendar_plot["legit"]) + sum(calendar_plot["frauds"]) == frame.height


def test_days_are_local_dates_and_without_homes_no_holidays() -> None:
    # 23:30 UTC on Sunday is Monday 00:30 at +60 minutes: a weekday.
    frame = _days({6: 4}, offset=60).with_columns(pl.col("event_time") + pl.duration(minutes=690))
    section, plots = calendar(prepared(frame), NONE, (date(2025, 1, 6), date(2025, 1, 13)))
    assert plots[0]["data"]["days"] == [date(2025, 1, 13).isoformat()]
    assert section["countries"] == [] and "no catalog" in section["countries_note"]


def test_the_grid_counts_rows_and_frauds_by_local_weekday_and_hour() -> None:
    frame = _days({0: 10, 5: 4}, offset=-120)  # noon UTC: 10:00 local, Monday and Saturday
    grid = weekday_hour(prepared(frame))
    rows, frauds = np.asarray(grid["rows"]), np.asarray(grid["frauds"])
    assert rows[0, 10] == 10 and rows[5, 10] == 4 and rows.sum() == 14
    assert frauds.sum() == frame["label_fraud"].sum()
    assert grid["weekdays"][0] == "Mon" and grid["local"]
