"""The v3 world as arrays: what a worker builds once from the catalog tables.

``Population.from_tables`` reads customers, merchants and cards into NumPy arrays and the
sampling structures every chunk uses: cards per time zone by activity, habits per customer,
markets, travel spells, subscriptions, and the UTC offsets of every zone over the range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import polars as pl
import pyarrow as pa

from ....config import GeneratorConfig
from ....entities import currency_of
from ....storage.layout import CATALOG_FILES
from ....temporal import (
    diurnal_cell_mass,
    span_ns,
)
from . import mcc
from .geo import (
    OffsetTable,
    search,
)
from .lifecycle import Card, Lines
from .markets import (
    Groups,
    Markets,
)
from .rhythm import Mix, Rhythm, build_rhythm, zone_country_share
from .rows import TERMINAL_TYPES

NS_PER_DAY = 86_400_000_000_000
NEVER = np.iinfo(np.int64).max


def _ns(series: pl.Series) -> np.ndarray:
    """Return a datetime column as int64 ns, nulls as ``NEVER``."""
    return series.dt.epoch("ns").fill_null(NEVER).to_numpy()


@dataclass(frozen=True)
class Clock:
    """Time zones of the world and their offsets; the diurnal rhythm by local minute."""

    offsets: OffsetTable
    daily: np.ndarray  # (days, zones) minutes from UTC at each day's noon
    minute_mass: np.ndarray  # (1440,) share of a day's activity in each local minute
    first_ns: int
    stop_ns: int

    @classmethod
    def build(cls, cfg: GeneratorConfig, zones: tuple[str, ...]) -> Clock:
        first, stop = span_ns(cfg.temporal.start_date, cfg.temporal.last_day)
        offsets = OffsetTable.build(zones, cfg.temporal.start_date, cfg.temporal.last_day)
        days = int((stop - first) // NS_PER_DAY)
        return cls(offsets, offsets.daily(first, days), diurnal_cell_mass(60), first, stop)

    def zone_index(self, names: pl.Series) -> np.ndarray:
        lookup = {z: i for i, z in enumerate(self.offsets.zones)}
        return names.replace_strict(lookup, return_dtype=pl.Int64).to_numpy()


@dataclass(frozen=True)
class Customers:
    zone: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    market: np.ndarray
    country: np.ndarray  # index into Markets.countries
    spending: np.ndarray
    online_share: np.ndarray
    device_type: np.ndarray  # index into the configured device types
    next_device_at: np.ndarray  # ns, NEVER when the customer keeps one device
    devices: pa.StringArray  # usual device ids, then the next devices', then the second ones'
    agents: pa.StringArray  # the user agents of the same devices
    second_type: np.ndarray  # device type of the second device, -1 when none
    housemate: np.ndarray  # another customer of the same household, -1 when alone
    ips: pa.StringArray
    habits: Groups  # customer -> habitual merchants by visit share
    cards: Groups  # customer -> their cards by activity
    primary_card: np.ndarray  # the customer's busiest card

    @property
    def size(self) -> int:
        return int(self.zone.size)


@dataclass(frozen=True)
class Merchants:
    code: np.ndarray  # index into mcc.MCCS
    latitude: np.ndarray
    longitude: np.ndarray
    zone: np.ndarray
    weight: np.ndarray
    risk: np.ndarray
    country: np.ndarray  # index into Markets.countries
    compromise: tuple[np.ndarray, np.ndarray]  # (start, end) ns, NEVER when not breached
    rogue: tuple[np.ndarray, np.ndarray]
    frame: pl.DataFrame  # merchant_id, mcc_code, merchant_country, currency (for gathers)
    big_online: Groups  # group 0: online merchants that sell big tickets


@dataclass(frozen=True)
class Cards:
    owner: np.ndarray  # customer position
    weight: np.ndarray
    risk: np.ndarray
    frame: pl.DataFrame  # card_id, card_scheme, pan_hash, card_exp_month, card_exp_year
    by_zone: Groups  # zone -> cards by activity
    zone_weight: np.ndarray  # activity of each zone's cards


@dataclass(frozen=True)
class Physical:
    """Every physical card (the catalog's rows): the slots' first cards, then renewals and
    replacements; ``lines`` says which one a slot uses at a moment."""

    frame: pl.DataFrame  # card_id, card_scheme, pan_hash, card_exp_month, card_exp_year
    owner: np.ndarray  # customer position
    slot: np.ndarray  # the slot (index into Cards) each card belongs to
    issued: np.ndarray  # ns
    replaces: np.ndarray  # the card it replaces (index), -1 for a slot's first card
    lines: Lines

    def live(self, slot: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Return the card each slot uses at each moment, -1 where it has none."""
        return self.lines.live(slot, times)


@dataclass(frozen=True)
class Travel:
    """Travel spells sorted by (customer, start): where a customer is at a moment."""

    owner: np.ndarray
    start: np.ndarray
    end: np.ndarray
    market: np.ndarray

    origin: int  # ns before any spell or row
    span: int  # ns after origin past any spell or row

    def market_or(self, spell: np.ndarray, home: np.ndarray) -> np.ndarray:
        """Return the market of each spell, ``home`` where the row is at home (spell -1)."""
        if self.market.size == 0:
            return home
        return np.where(spell >= 0, self.market[np.maximum(spell, 0)], home)

    def at(self, customer: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Return the spell each (customer, time) falls in, or -1 at home."""
        out = np.full(customer.size, -1, dtype=np.int64)
        if self.owner.size == 0 or times.size == 0:
            return out
        # Only the spells under way between the rows' first and last moment matter.
        live = np.flatnonzero((self.start <= times.max()) & (self.end > times.min()))
        rows = np.flatnonzero(np.isin(customer, self.owner[live]))
        if rows.size == 0:
            return out
        # (customer, time) as one sortable float: customer + share of the span elapsed.
        key = self.owner[live] + (self.start[live] - self.origin) / self.span
        probe = customer[rows] + (times[rows] - self.origin) / self.span
        i = search(key, probe) - 1
        j = live[np.maximum(i, 0)]
        inside = (i >= 0) & (self.owner[j] == customer[rows]) & (self.start[j] <= times[rows])
        inside &= times[rows] < self.end[j]
        out[rows] = np.where(inside, j, -1)
        return out


@dataclass(frozen=True)
class Subscriptions:
    owner: np.ndarray
    merchant: np.ndarray
    amount: np.ndarray
    day: np.ndarray  # day of month, 1..28
    minute: np.ndarray  # minute of the merchant's local day

    @cached_property
    def by_day(self) -> list[np.ndarray]:
        """Return, for day of month 1..28 (index 0 unused), the subscriptions billing on it."""
        order = np.argsort(self.day, kind="stable")
        bounds = np.searchsorted(self.day[order], np.arange(30))
        return [order[bounds[d] : bounds[d + 1]] for d in range(29)]


@dataclass(frozen=True)
class Population:
    """Everything a v3 chunk draws from, built once per process."""

    clock: Clock
    customers: Customers
    merchants: Merchants
    cards: Cards
    markets: Markets
    market_zone: np.ndarray
    travel: Travel
    subscriptions: Subscriptions
    device_types: tuple[str, ...]  # configured types, then TERMINAL_TYPES
    mobile_type: int  # index of "mobile" in device_types (-1: not configured)
    carrier_ips: np.ndarray  # per country index: how many shared carrier IPs its phones use
    public_devices: int  # how many public computers the world has
    salt: np.uint64  # the seed's, so carrier IPs differ between seeds
    rhythm: Rhythm  # the calendar: each zone's and country's days
    physical: Physical  # the cards slots hold over time (lifecycles)

    @classmethod
    def from_tables(cls, cfg: GeneratorConfig, tables: Mapping[str, pl.DataFrame]) -> Population:
        customers = tables[CATALOG_FILES["customers"]]
        merchants = tables[CATALOG_FILES["merchants"]]
        cards = tables[CATALOG_FILES["cards"]]
        zones = tuple(sorted(set(customers["timezone"]) | set(merchants["timezone"])))
        clock = Clock.build(cfg, zones)
        markets = Markets.build(merchants)
        merch = _merchants(merchants, clock, markets)
        cust_zone = clock.zone_index(customers["timezone"])
        slots = (
            cards.filter(pl.col("replaces_card_id").is_null())
            if "replaces_card_id" in cards
            else cards
        )
        card = _cards(slots, cust_zone, len(zones))
        people = _customers(cfg, customers, clock, markets, merchants, card)
        stores = markets.in_store
        first_store = stores.members[np.minimum(stores.ptr[:-1], stores.members.size - 1)]
        return cls(
            clock, people, merch, card, markets, merch.zone[first_store],
            _travel(customers, markets, clock), _subscriptions(customers, merchants),
            (*cfg.feature.device_types, *TERMINAL_TYPES),
            _index_of(tuple(cfg.feature.device_types), "mobile"),
            _carrier_ips(people, len(markets.countries)), max(10, people.size // 2000),
            np.uint64(cfg.seed), _rhythm(cfg, people, merch, card, markets, len(zones)),
            physical_cards(cards),
        )  # fmt: skip


def _rhythm(
    cfg: GeneratorConfig, people: Customers, merchants: Merchants, cards: Cards,
    markets: Markets, zones: int,
) -> Rhythm:  # fmt: skip
    """Return the world's calendar weights (``population.calendar``)."""
    activity = np.bincount(cards.owner, weights=cards.weight, minlength=people.size)
    countries = len(markets.countries)
    mix = Mix(
        people.country, activity, people.habits, merchants.code,
        zone_country_share(people.zone, people.country, activity, zones, countries),
    )  # fmt: skip
    t = cfg.temporal
    return build_rhythm(markets.countries, t.start_date, t.last_day, cfg.population.calendar, mix)


def physical_cards(cards: pl.DataFrame) -> Physical:
    """Return the physical cards of a cards table (base tables: one per slot, none blocked)."""
    n = cards.height
    ids = cards["card_id"].to_numpy()
    replaces = np.full(n, -1, dtype=np.int64)
    if "replaces_card_id" in cards:
        previous = cards["replaces_card_id"].fill_null(0).to_numpy()
        position = np.searchsorted(ids, previous)  # card ids ascend with the rows
        replaces = np.where(previous > 0, position, -1)
    slot = np.arange(n)
    for _ in range(64):  # follow each card back to its slot's first card
        parent = np.where(replaces[slot] >= 0, replaces[slot], slot)
        if np.array_equal(parent, slot):
            break
        slot = parent
    blocked = _ns(cards["blocked_at"]) if "blocked_at" in cards else np.full(n, NEVER)
    expiry = pl.datetime(cards["card_exp_year"], cards["card_exp_month"], 1, time_zone="UTC")
    first_of_month = pl.select(expiry.dt.offset_by("1mo").dt.epoch("ns")).to_series().to_numpy()
    issued = _ns(cards["issued_at"])
    lifeline = Card(slot, issued, first_of_month, blocked, replaces)
    return Physical(
        cards.select("card_id", "card_scheme", "pan_hash", "card_exp_month", "card_exp_year"),
        cards["customer_id"].to_numpy() - 1, slot, issued, replaces, Lines.build(lifeline),
    )  # fmt: skip


def _housemates(household: np.ndarray) -> np.ndarray:
    """Return for each customer the next member of their household (cyclically), -1 alone."""
    order = np.argsort(household, kind="stable")
    sorted_h = household[order]
    nxt = np.roll(order, -1)
    same = np.roll(sorted_h, -1) == sorted_h
    first = np.searchsorted(sorted_h, sorted_h, side="left")
    mate = np.where(same, nxt, order[first])  # the last member wraps to the first
    out = np.full(household.size, -1, dtype=np.int64)
    out[order] = np.where(mate == order, -1, mate)
    return out


def _index_of(values: tuple[str, ...], value: str) -> int:
    return values.index(value) if value in values else -1


CUSTOMERS_PER_CARRIER_IP = 40  # an assumption: carrier-grade NAT shares an address widely


def _carrier_ips(people: Customers, countries: int) -> np.ndarray:
    """Return per country how many carrier IPs its customers' phones share."""
    counts = np.bincount(np.maximum(people.country, 0), minlength=countries)
    return np.maximum(counts // CUSTOMERS_PER_CARRIER_IP, 20)


def _merchants(frame: pl.DataFrame, clock: Clock, markets: Markets) -> Merchants:
    code = mcc.index_of(frame["mcc_code"])
    legit = frame["rogue_start"].is_null().to_numpy()
    big = np.isin(code, mcc.with_role("big")) & (mcc.ONLINE_SHARE[code] >= 0.5) & legit
    weight = frame["weight"].to_numpy()
    big_idx = np.flatnonzero(big)
    return Merchants(
        code=code,
        latitude=frame["latitude"].to_numpy(),
        longitude=frame["longitude"].to_numpy(),
        zone=clock.zone_index(frame["timezone"]),
        weight=weight,
        risk=frame["risk"].to_numpy(),
        country=markets.country_index(frame["merchant_country"]),
        compromise=(_ns(frame["compromise_start"]), _ns(frame["compromise_end"])),
        rogue=(_ns(frame["rogue_start"]), _ns(frame["rogue_end"])),
        frame=frame.select("merchant_id", "mcc_code", "merchant_country").with_columns(
            currency_of(frame["merchant_country"])
        ),
        big_online=Groups.build(np.zeros(big_idx.size, np.int64), big_idx, weight[big_idx], 1),
    )


def _cards(frame: pl.DataFrame, customer_zone: np.ndarray, zones: int) -> Cards:
    owner = frame["customer_id"].to_numpy() - 1
    weight = frame["weight"].to_numpy()
    zone = customer_zone[owner]
    positions = np.arange(owner.size)
    return Cards(
        owner=owner,
        weight=weight,
        risk=frame["risk"].to_numpy(),
        frame=frame.select("card_id", "card_scheme", "pan_hash", "card_exp_month", "card_exp_year"),
        by_zone=Groups.build(zone, positions, weight, zones),
        zone_weight=np.bincount(zone, weights=weight, minlength=zones),
    )


def _customers(
    cfg: GeneratorConfig, frame: pl.DataFrame, clock: Clock, markets: Markets,
    merchants: pl.DataFrame, cards: Cards,
) -> Customers:  # fmt: skip
    n = frame.height
    lat, lon = frame["home_latitude"].to_numpy(), frame["home_longitude"].to_numpy()
    owner = cards.owner
    primary = np.full(n, -1, dtype=np.int64)
    primary[owner[::-1]] = np.arange(owner.size)[::-1]  # the lowest card id: the busiest
    types = {t: i for i, t in enumerate(cfg.feature.device_types)}
    return Customers(
        zone=clock.zone_index(frame["timezone"]),
        latitude=lat,
        longitude=lon,
        market=markets.nearest(lat, lon),
        country=markets.country_index(frame["home_country"]),
        spending=frame["spending_level"].to_numpy(),
        online_share=frame["online_share"].to_numpy(),
        device_type=frame["device_type"].replace_strict(types, return_dtype=pl.Int8).to_numpy(),
        next_device_at=_ns(frame["new_device_at"]),
        devices=_strings([frame[f"{k}device_id"] for k in ("", "new_", "second_")]),
        agents=_strings([frame[f"{k}user_agent"] for k in ("", "new_", "second_")]),
        second_type=frame["second_device_type"]
        .replace_strict(types, default=-1, return_dtype=pl.Int8)
        .to_numpy(),
        ips=_strings([frame["ip_address"]]),
        housemate=_housemates(frame["household_id"].to_numpy() - 1),
        habits=_habits(frame, merchants),
        cards=Groups.build(owner, np.arange(owner.size), cards.weight, n),
        primary_card=primary,
    )


def _habits(frame: pl.DataFrame, merchants: pl.DataFrame) -> Groups:
    owner = np.repeat(np.arange(frame.height), frame["habit_merchants"].list.len().to_numpy())
    ids = frame["habit_merchants"].explode().drop_nulls().to_numpy()
    weights = frame["habit_weights"].explode().drop_nulls().to_numpy()
    position = np.searchsorted(merchants["merchant_id"].to_numpy(), ids)
    return Groups.build(owner, position, weights, frame.height)


def _travel(frame: pl.DataFrame, markets: Markets, clock: Clock) -> Travel:
    owner = np.repeat(np.arange(frame.height), frame["travel_starts"].list.len().to_numpy())
    start = _ns(frame["travel_starts"].explode().drop_nulls())
    end = _ns(frame["travel_ends"].explode().drop_nulls())
    city = frame["travel_city_ids"].explode().drop_nulls().to_numpy()
    market = np.searchsorted(markets.city_ids, city)  # city_ids are ascending
    order = np.lexsort((start, owner))
    origin = min(clock.first_ns, int(start.min(initial=clock.first_ns))) - NS_PER_DAY
    span = max(clock.stop_ns, int(end.max(initial=clock.stop_ns))) - origin + NS_PER_DAY
    return Travel(owner[order], start[order], end[order], market[order], origin, span)


def _subscriptions(frame: pl.DataFrame, merchants: pl.DataFrame) -> Subscriptions:
    owner = np.repeat(np.arange(frame.height), frame["sub_merchants"].list.len().to_numpy())
    ids = frame["sub_merchants"].explode().drop_nulls().to_numpy()
    return Subscriptions(
        owner=owner,
        merchant=np.searchsorted(merchants["merchant_id"].to_numpy(), ids),
        amount=frame["sub_amounts"].explode().drop_nulls().to_numpy(),
        day=frame["sub_days"].explode().drop_nulls().to_numpy().astype(np.int64),
        minute=frame["sub_minutes"].explode().drop_nulls().to_numpy().astype(np.int64),
    )


def _strings(parts: list[pl.Series]) -> pa.StringArray:
    """Return string columns end to end as one Arrow array (what chunks gather from)."""
    out = pl.concat(parts).to_arrow().cast(pa.string())
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out
