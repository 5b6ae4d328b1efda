"""Travel spells and subscriptions: the scheduled parts of a customer's life, drawn once.

A travel spell moves a customer's in-store shopping (and their device's location and clock) to
another market for a few days: abroad with ``population.abroad_share``, else another city at
home. A subscription bills the same amount on the same day of every month.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ....config import GeneratorConfig
from ....streams import stream
from ....temporal import span_ns
from . import mcc
from .calendar import TRAVEL_MONTH, warp
from .habits import (
    first_distinct,
    list_column,
)
from .markets import (
    Groups,
    Markets,
)

NS_PER_DAY = 86_400_000_000_000
DATETIME = pl.Datetime("ns", "UTC")
MAX_SUBSCRIPTIONS = 12
DAYS_PER_MONTH = 30.44


def _destinations(
    rng: np.random.Generator, markets: Markets, home: np.ndarray, abroad: np.ndarray
) -> np.ndarray:
    """Return a market per spell: in another country where ``abroad``, else another city."""
    size = markets.in_store.size().astype(np.float64)
    p = size / size.sum()
    out = rng.choice(size.size, home.size, p=p)
    for _ in range(50):  # redraw what breaks the rule; gives up (stays home) when none fits
        same_country = markets.country[out] == markets.country[home]
        bad = np.where(abroad, same_country, ~same_country | (out == home))
        if not bad.any():
            break
        out[bad] = rng.choice(size.size, int(bad.sum()), p=p)
    else:
        out[bad] = home[bad]
    return out


def _seasonal(u: np.ndarray, first: int, stop: int, on: bool) -> np.ndarray:
    """Return ``u`` (uniform positions over the range) moved so that spells start by the
    month's travel index (``calendar.TRAVEL_MONTH``: summer peaks), when the calendar is on."""
    if not on:
        return u
    days = np.arange(first, stop, NS_PER_DAY).astype("datetime64[ns]")
    month = days.astype("datetime64[M]").astype(np.int64) % 12
    return warp(u, np.array(TRAVEL_MONTH)[month])


def travel_table(cfg: GeneratorConfig, markets: Markets, market: np.ndarray) -> pl.DataFrame:
    """Return ``travel_starts``, ``travel_ends`` and ``travel_city_ids`` list columns."""
    rng = stream(cfg.seed, "v3.travel")
    first, stop = span_ns(cfg.temporal.start_date, cfg.temporal.last_day)
    pop = cfg.population
    years = (stop - first) / (365.25 * NS_PER_DAY)
    count = rng.poisson(pop.travel_rate * years, market.size)
    owner = np.repeat(np.arange(market.size), count)
    days = np.maximum(1.0, rng.lognormal(np.log(pop.travel_days) - 0.18, 0.6, owner.size))
    length = (days * NS_PER_DAY).astype(np.int64)
    u = _seasonal(rng.random(owner.size), first, stop, pop.calendar)
    start = first - length + (u * (stop - first + length)).astype(np.int64)
    where = _destinations(rng, markets, market[owner], rng.random(owner.size) < pop.abroad_share)
    order = np.lexsort((start, owner))  # spells of a customer in time order
    offsets = np.r_[0, np.cumsum(count)]
    return pl.DataFrame(
        {
            "travel_starts": list_column(offsets, start[order]).cast(pl.List(DATETIME)),
            "travel_ends": list_column(offsets, (start + length)[order]).cast(pl.List(DATETIME)),
            "travel_city_ids": list_column(offsets, markets.city_ids[where[order]]),
        }
    )


def subscription_rate(cfg: GeneratorConfig) -> float:
    """Return subscriptions per customer so about ``recurring_share`` of rows are recurring."""
    first, stop = span_ns(cfg.temporal.start_date, cfg.temporal.last_day)
    months = (stop - first) / NS_PER_DAY / DAYS_PER_MONTH
    rows = cfg.population.recurring_share * cfg.total_rows
    return rows / max(cfg.catalog.num_customers * months, 1e-9)


def subscription_table(
    cfg: GeneratorConfig, merchants: pl.DataFrame, markets: Markets, country: np.ndarray
) -> pl.DataFrame:
    """Return ``sub_merchants``, ``sub_amounts``, ``sub_days``, ``sub_minutes`` list columns.

    Merchants are subscription businesses by popularity (mostly domestic); the amount is one
    ticket of the merchant's MCC ending in .99; billing is on day 1-28 at a minute of the
    merchant's local night (00:00-06:00).
    """
    rng = stream(cfg.seed, "v3.subscriptions")
    wanted = np.minimum(rng.poisson(subscription_rate(cfg), country.size), MAX_SUBSCRIPTIONS)
    code = merchants["mcc_code"].to_numpy()
    billers = np.flatnonzero(np.isin(code, [mcc.CODES[i] for i in mcc.with_role("subscription")]))
    billers = billers[merchants["rogue_start"].is_null().to_numpy()[billers]]
    wanted = np.minimum(wanted, billers.size)
    draws = np.repeat(np.arange(country.size), np.where(wanted > 0, 3 * wanted + 5, 0))
    # One subscription per merchant and customer: the first distinct of repeated draws.
    count, picked = first_distinct(
        draws, _billers(rng, merchants, markets, billers, country[draws]), wanted
    )
    owner = np.repeat(np.arange(country.size), count)
    kind = mcc.index_of(pl.Series(code[picked], dtype=pl.String))
    ticket = rng.lognormal(np.log(mcc.TICKET_MEDIAN[kind]), mcc.TICKET_SIGMA[kind])
    offsets = np.r_[0, np.cumsum(count)]
    return pl.DataFrame(
        {
            "sub_merchants": list_column(offsets, merchants["merchant_id"].to_numpy()[picked]),
            "sub_amounts": list_column(offsets, np.floor(np.maximum(ticket, 1.0)) + 0.99),
            "sub_days": list_column(offsets, rng.integers(1, 29, owner.size).astype(np.int8)),
            "sub_minutes": list_column(offsets, rng.integers(0, 360, owner.size).astype(np.int16)),
        }
    )


def _billers(
    rng: np.random.Generator, merchants: pl.DataFrame, markets: Markets, billers: np.ndarray,
    country: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Return one subscription merchant per subscription, of its owner's country mostly."""
    if billers.size == 0:
        return np.zeros(0, dtype=np.int64)
    weight = merchants["weight"].to_numpy()[billers]
    biller_country = markets.country_index(merchants["merchant_country"])[billers]
    groups = Groups.build(biller_country, billers, weight, len(markets.countries) + 1)
    anywhere = Groups.build(np.zeros(billers.size, dtype=np.int64), billers, weight, 1)
    u = rng.random(country.size)
    out = anywhere.sample(np.zeros(country.size, dtype=np.int64), u)
    home = (country >= 0) & (groups.size()[np.maximum(country, 0)] > 0)
    home &= rng.random(country.size) < 0.9
    out[home] = groups.sample(country[home], u[home])
    return out
