"""v3, the behavioural world: what a generated dataset must show (issue 9's acceptance).

One small world (150,000 rows, 4,000 customers, 90 days) is generated once with 2 workers; each
test states the property and its tolerance on that data.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.core import generate_dataframe, generate_to_parquet
from fraud_detection.simulator.schema import transaction_columns
from tests.conftest import v3_config_dict

CUSTOMER_COLUMNS = {
    "customer_id", "home_city", "home_country", "home_latitude", "home_longitude", "timezone",
    "spending_level", "online_share", "household_id", "device_type", "device_id", "user_agent",
    "ip_address", "habit_merchants", "habit_weights", "travel_starts", "travel_ends",
    "travel_city_ids", "sub_merchants", "sub_amounts", "sub_days", "sub_minutes",
}  # fmt: skip


class World:
    def __init__(self, out: Path) -> None:
        self.cfg = config_from_dict(v3_config_dict(out, num_workers=2))
        result = generate_to_parquet(self.cfg)
        self.frame = pl.read_parquet(result.path)
        catalog = Path(str(result.catalog_dir))
        self.customers = pl.read_parquet(catalog / "customers.parquet")
        self.merchants = pl.read_parquet(catalog / "merchants.parquet")
        self.cards = pl.read_parquet(catalog / "cards.parquet")
        self.legit = self.frame.filter(~pl.col("label_fraud"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("v3world"))


def _haversine_km(a: pl.DataFrame) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (
        np.radians(a[c].to_numpy())
        for c in ("latitude", "longitude", "home_latitude", "home_longitude")
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def test_exact_rows_frauds_and_the_v3_schema(world: World) -> None:
    assert world.frame.height == world.cfg.total_rows
    assert int(world.frame["label_fraud"].sum()) == world.cfg.fraud_count
    assert world.frame.schema == pl.Schema({c.name: c.dtype for c in transaction_columns("v3")})
    assert world.frame["event_time"].is_sorted()


def test_catalogs_hold_the_documented_columns(world: World) -> None:
    assert set(world.customers.columns) >= CUSTOMER_COLUMNS
    assert {"card_id", "customer_id"} <= set(world.cards.columns)
    assert {"city", "timezone", "compromise_start", "compromise_end"} <= set(
        world.merchants.columns
    )
    first = world.cards.filter(pl.col("replaces_card_id").is_null())
    per_customer = first.group_by("customer_id").len()["len"]
    assert per_customer.min() >= 1 and per_customer.max() <= 3  # a customer holds 1-3 cards
    assert first.height == world.cfg.catalog.num_cards  # then renewals and replacements
    assert world.customers.height == world.cfg.catalog.num_customers


def test_every_card_has_exactly_its_owner(world: World) -> None:
    seen = world.frame.group_by("card_id").agg(pl.col("customer_id").n_unique().alias("n"))
    assert seen["n"].max() == 1
    owners = (
        world.frame.select("card_id", "customer_id")
        .unique()
        .join(world.cards.select("card_id", pl.col("customer_id").alias("owner")), on="card_id")
    )
    assert (owners["customer_id"] == owners["owner"]).all()


def test_habits_beat_popularity(world: World) -> None:
    """After a card's first 10 payments, most of its everyday payments go to merchants it used
    before; with merchants shuffled within each day (same popularity, no habits) far fewer."""
    everyday = world.legit.filter(~pl.col("is_recurring")).sort("event_time")
    day = pl.col("event_time").dt.date()
    shuffled = everyday.with_columns(
        pl.col("merchant_id").shuffle(seed=3).over(day).alias("merchant_id")
    )

    def repeat_share(frame: pl.DataFrame) -> float:
        ranked = frame.with_columns(
            pl.int_range(pl.len()).over("card_id").alias("k"),
            pl.int_range(pl.len()).over("card_id", "merchant_id").alias("seen"),
        ).filter(pl.col("k") >= 10)
        return float((ranked["seen"] > 0).mean())

    habit, popularity = repeat_share(everyday), repeat_share(shuffled)
    assert habit > 0.6, habit
    assert habit > popularity + 0.3, (habit, popularity)


def test_in_store_payments_are_near_home(world: World) -> None:
    in_store = world.legit.filter(pl.col("channel") == "IN_STORE").join(
        world.customers.select("customer_id", "home_latitude", "home_longitude", "home_country"),
        on="customer_id",
    )
    km = _haversine_km(in_store)
    assert np.median(km) < 50, np.median(km)  # tens of km at most
    assert (in_store["merchant_country"] == in_store["home_country"]).mean() > 0.85


def test_nights_are_quiet_in_local_time(world: World) -> None:
    everyday = world.legit.filter(~pl.col("is_recurring"))
    minutes = everyday["event_time"].dt.hour().cast(pl.Int32) * 60 + everyday[
        "event_time"
    ].dt.minute().cast(pl.Int32)
    local_hour = ((minutes + everyday["local_time_offset"].cast(pl.Int32)) % 1440) // 60
    local_night = float(local_hour.is_between(1, 4).mean())
    utc_night = float(everyday["event_time"].dt.hour().is_between(1, 4).mean())
    assert local_night < 0.04, local_night  # 01:00-05:00: under 4% of everyday payments
    assert utc_night > 2 * local_night  # summed over zones, UTC is flatter


def test_local_time_offset_is_the_actual_offset_where_the_payer_is(world: World) -> None:
    """In store: the store's zone at that instant (DST included); online: the cardholder's."""
    sample = (
        world.frame.filter(pl.col("channel") != "ONLINE")
        .sample(300, seed=1)
        .join(world.merchants.select("merchant_id", "timezone"), on="merchant_id")
    )
    for t, offset, zone in sample.select("event_time", "local_time_offset", "timezone").iter_rows():
        expected = t.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() / 60
        assert offset == expected, (t, zone, offset, expected)
    online = world.legit.filter(pl.col("channel") == "ONLINE").join(
        world.customers.select("customer_id", "timezone"), on="customer_id"
    )
    home = [
        offset == t.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() / 60
        for t, offset, zone in online.sample(500, seed=2)
        .select("event_time", "local_time_offset", "timezone")
        .iter_rows()
    ]
    assert np.mean(home) > 0.9  # they differ only while travelling


def test_subscriptions_recur_monthly_with_the_same_amount(world: World) -> None:
    bills = world.frame.filter(pl.col("is_recurring")).sort("event_time")
    assert 0.03 < bills.height / world.frame.height < 0.09  # population.recurring_share 0.06
    series = bills.group_by("card_id", "merchant_id").agg(
        pl.col("event_time").diff().dt.total_days().drop_nulls().alias("gaps"),
        pl.col("amount").n_unique().alias("amounts"),
    )
    gaps = series["gaps"].explode().drop_nulls()
    assert gaps.min() >= 27 and gaps.max() <= 32  # the same day every month
    assert series["amounts"].max() == 1
    assert (bills["channel"] == "ONLINE").all() and bills["device_id"].is_null().all()


def test_spending_differs_by_customer_and_by_mcc(world: World) -> None:
    everyday = world.legit.filter(~pl.col("is_recurring") & (pl.col("channel") != "ATM"))
    by_mcc = everyday.group_by("mcc_code").agg(pl.col("amount").median().alias("m"), pl.len())
    by_mcc = by_mcc.filter(pl.col("len") > 200)
    assert by_mcc["m"].max() / by_mcc["m"].min() > 10  # airline tickets vs a bus ride
    grocery = everyday.filter(pl.col("mcc_code") == "5411")
    per_customer = grocery.group_by("customer_id").agg(pl.col("amount").log().mean().alias("m"))
    spread = per_customer.filter(pl.col("m").is_not_null())["m"]
    assert spread.quantile(0.9) - spread.quantile(0.1) > 0.8  # x2.2 between customers


def test_online_payments_come_mostly_from_the_owners_devices(world: World) -> None:
    sessions = world.legit.filter(
        (pl.col("channel") == "ONLINE") & pl.col("device_id").is_not_null()
    ).join(
        world.customers.select(
            "customer_id", "household_id", "device_id", "new_device_id", "second_device_id"
        ).rename({"device_id": "d0", "new_device_id": "d1", "second_device_id": "d2"}),
        on="customer_id",
    )
    household = world.customers.group_by("household_id").agg(pl.col("device_id").alias("family"))
    sessions = sessions.join(household, on="household_id")
    own = (
        (pl.col("device_id") == pl.col("d0")).fill_null(False)
        | (pl.col("device_id") == pl.col("d1")).fill_null(False)
        | (pl.col("device_id") == pl.col("d2")).fill_null(False)
        | pl.col("family").list.contains(pl.col("device_id"))
    )
    assert sessions.select(own.mean()).item() > 0.85


def test_card_present_rows_carry_the_terminal_and_no_device(world: World) -> None:
    present = world.frame.filter(pl.col("channel") != "ONLINE")
    assert set(present["device_type"].unique()) <= {"pos", "atm"}
    assert present.select(
        pl.col("device_id").is_null().all() & pl.col("ip_address").is_null().all()
        & pl.col("user_agent").is_null().all()
    ).item()  # fmt: skip
    atm = world.frame.filter(pl.col("channel") == "ATM")
    assert (atm["mcc_code"] == "6011").all() and (atm["device_type"] == "atm").all()
    online = world.frame.filter(pl.col("channel") == "ONLINE")
    assert (online["pos_entry_mode"] == "ECOM").all()
    mobile = online.filter(pl.col("device_type") == "mobile")["user_agent"].drop_nulls()
    assert mobile.str.contains("Mobile|iPhone|iPod|Android").mean() > 0.95


def test_legitimate_surprises_exist(world: World) -> None:
    travelling = world.customers.filter(pl.col("travel_starts").list.len() > 0).height
    assert travelling > 0.3 * world.customers.height  # population.travel_rate 3 a year
    abroad = world.legit.filter(pl.col("channel") == "IN_STORE").join(
        world.customers.select("customer_id", "home_country"), on="customer_id"
    )
    assert (abroad["merchant_country"] != abroad["home_country"]).mean() > 0.002
    assert world.customers["new_device_at"].is_not_null().mean() > 0.03  # new phones


def test_rows_do_not_depend_on_workers_or_engine(tmp_path: Path, world: World) -> None:
    small = {"total_rows": 40_000, "batch_size": 8_000}
    one = generate_dataframe(
        config_from_dict(v3_config_dict(tmp_path / "a", num_workers=1, **small))
    )
    three = generate_dataframe(
        config_from_dict(v3_config_dict(tmp_path / "b", num_workers=3, **small))
    )
    assert one.equals(three)
    cfg = config_from_dict(
        v3_config_dict(tmp_path / "c", engine="dask", output={"layout": "parts"}, **small)
    )
    result = generate_to_parquet(cfg)
    parts = sorted(Path(str(result.path)).glob("part-*.parquet"))
    assert pl.concat([pl.read_parquet(p) for p in parts]).equals(one)


def test_v3_keys_are_rejected_under_v1_and_v2(tmp_path: Path) -> None:
    from fraud_detection.simulator.errors import ConfigError

    for realism in ("v1", "v2"):
        with pytest.raises(ConfigError, match="population: only for realism v3"):
            config_from_dict(
                v3_config_dict(tmp_path, realism=realism, population={"travel_rate": 1})
            )


def test_event_times_inside_the_range(world: World) -> None:
    first = datetime(2025, 1, 1, tzinfo=timezone.utc)
    stop = datetime(2025, 4, 1, tzinfo=timezone.utc)
    assert world.frame["event_time"].min() >= first and world.frame["event_time"].max() < stop
