"""v3's calendar on one year of data (2M rows, the 35-country default): weekdays, public
holidays, Christmas, seasons, the published fraud figures; and flat days again with
``population.calendar: false``.

Volumes are counted by the customer's home country and the row's local date (event time plus
its UTC offset), as an analyst would.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import holidays
import polars as pl
import pytest

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.core import generate_to_parquet
from tests.conftest import REPO, merged

YEAR = 2025


def _year(out: Path, **overrides: Any) -> pl.DataFrame:
    import yaml

    data = merged(yaml.safe_load((REPO / "generator_config.yaml").read_text()), overrides)
    data = merged(
        data,
        {
            "total_rows": 2_000_000,
            "out_dir": str(out),
            "num_workers": 2,
            "batch_size": 250_000,
            "temporal": {"start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-12-31"},
        },
    )
    result = generate_to_parquet(config_from_dict(data))
    customers = pl.read_parquet(Path(str(result.catalog_dir)) / "customers.parquet")
    columns = ("event_time", "local_time_offset", "customer_id", "channel", "amount",
               "merchant_country", "label_fraud")  # fmt: skip
    return (
        pl.scan_parquet(result.path)
        .select(columns)
        .collect()
        .join(customers.select("customer_id", "home_country"), on="customer_id")
        .with_columns(
            local=(
                pl.col("event_time") + pl.duration(minutes=pl.col("local_time_offset"))
            ).dt.date()
        )
        .filter(pl.col("local").dt.year() == YEAR)
    )


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    return _year(tmp_path_factory.mktemp("calendar"))


def _daily(frame: pl.DataFrame, country: str) -> pl.DataFrame:
    rows = frame.filter(pl.col("home_country") == country)
    daily = rows.group_by("local").agg(
        total=pl.len(), in_store=(pl.col("channel") != "ONLINE").sum()
    )
    return daily.with_columns(
        weekday=pl.col("local").dt.weekday(), month=pl.col("local").dt.month()
    ).sort("local")


def _in_store_vs_usual(daily: pl.DataFrame, day: date) -> float:
    """In-store volume on ``day`` / the median of the same weekday in that month."""
    same = daily.filter(
        (pl.col("month") == day.month)
        & (pl.col("weekday") == day.isoweekday())
        & (pl.col("local") != day)
    )
    on_day = daily.filter(pl.col("local") == day)["in_store"]
    return float(on_day[0] / same["in_store"].median())


@pytest.mark.parametrize("country", ["DE", "FR", "GB", "US"])
def test_weekends_differ_from_weekdays(year: pl.DataFrame, country: str) -> None:
    daily = _daily(year, country)
    weekend = daily.filter(pl.col("weekday") >= 6)["total"].mean()
    weekday = daily.filter(pl.col("weekday") <= 5)["total"].mean()
    assert isinstance(weekend, float) and isinstance(weekday, float)
    assert abs(weekend / weekday - 1) >= 0.05, weekend / weekday


@pytest.mark.parametrize("country", ["DE", "FR", "GB", "US"])
def test_shops_are_quiet_on_christmas_new_year_and_public_holidays(
    year: pl.DataFrame, country: str
) -> None:
    daily = _daily(year, country)
    assert _in_store_vs_usual(daily, date(YEAR, 12, 25)) <= 0.6
    assert _in_store_vs_usual(daily, date(YEAR, 1, 1)) <= 0.6
    national = [
        day
        for day in holidays.country_holidays(country, years=YEAR)
        if day.month > 1 or day.day > 1
    ]
    ratios = [_in_store_vs_usual(daily, day) for day in national]
    assert sum(ratios) / len(ratios) <= 0.85, dict(zip(national, ratios, strict=True))


def test_the_year_has_seasons(year: pl.DataFrame) -> None:
    daily = year.group_by("local").len().sort("local")
    week = daily.filter(pl.col("local").is_between(date(YEAR, 12, 18), date(YEAR, 12, 24)))
    assert week["len"].sum() >= 1.15 * daily["len"].sum() / daily.height * 7
    by_month = daily.group_by(pl.col("local").dt.month().alias("m")).agg(
        mean=pl.col("len").mean(), cv=pl.col("len").std() / pl.col("len").mean()
    )
    mean = dict(zip(by_month["m"], by_month["mean"], strict=True))
    assert mean[1] < mean[12]
    assert by_month["cv"].min() >= 0.05  # type: ignore[operator]


def test_the_published_fraud_figures_hold(year: pl.DataFrame) -> None:
    """Issue 17, the shipped config over a year: remote payments carry 70-90% of fraud value
    (UK Finance about 70%, EBA/ECB 80-85%); online fraud's rate by value is at least 3x in
    store's; a cross-border payment (merchant country not the customer's home) is at least 5x
    as likely to be fraud as a domestic one (EBA/ECB: 17x where the payee is outside the EEA).
    """
    rows = year.with_columns(
        online=pl.col("channel") == "ONLINE",
        abroad=pl.col("merchant_country") != pl.col("home_country"),
        fraud_value=pl.when(pl.col("label_fraud")).then(pl.col("amount")).otherwise(0.0),
    )
    fraud_value = rows.group_by("online").agg(pl.col("fraud_value").sum(), pl.col("amount").sum())
    value = {r["online"]: r for r in fraud_value.iter_rows(named=True)}
    remote = value[True]["fraud_value"] / (value[True]["fraud_value"] + value[False]["fraud_value"])
    assert 0.70 <= remote <= 0.90, remote
    rate = {k: v["fraud_value"] / v["amount"] for k, v in value.items()}
    assert rate[True] >= 3 * rate[False], rate
    by_count = dict(rows.group_by("abroad").agg(pl.col("label_fraud").mean()).iter_rows())
    assert by_count[True] >= 5 * by_count[False], by_count


def test_without_the_calendar_days_are_flat(tmp_path: Path) -> None:
    flat = _year(tmp_path, total_rows=400_000, population={"calendar": False})
    daily = flat.filter(pl.col("local").dt.month().is_between(2, 11)).group_by("local").len()
    cv = daily["len"].std() / daily["len"].mean()  # type: ignore[operator]
    assert cv < 0.04, cv  # the Poisson noise of ~1,100 rows a day, and local-date edges
    by_weekday = flat.group_by(pl.col("local").dt.weekday()).len()
    share = by_weekday["len"] / by_weekday["len"].sum()
    assert share.max() - share.min() < 0.01  # type: ignore[operator]
