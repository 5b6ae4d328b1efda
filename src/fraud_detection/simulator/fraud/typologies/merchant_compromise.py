"""merchant_compromise: cards that paid at a breached merchant are used weeks later elsewhere.

A breached merchant (catalog columns ``compromise_start`` / ``compromise_end``, chosen by risk
and popularity) exposes the cards that pay there in its window: each victim's own ordinary
payment there is part of the episode (a legitimate row). Told straight (research note T4,
section 2.5): after a lag (``compromise_lag_days``, median) 1-5 payments over 1-3 days far
away, abroad, with a counterfeit magstripe card in store or at an ATM, at 1.5-5x the owner's
ticket; an online breach (e-skimming) is used online instead. Never at the breached merchant.
Mimicry: used in the victim's own country, reading the chip, at ordinary amounts.
"""

from __future__ import annotations

import numpy as np

from ...plan import apportion
from ...reference import TYPOLOGIES
from ...world import mcc
from ...world.behaviour import amounts, channels, places
from ...world.population import NEVER, NS_PER_DAY
from ...world.rows import ATM, CHIP, IN_STORE, MAGSTRIPE, NFC, Rows, concat
from .base import (
    NS_PER_HOUR,
    Context,
    Planned,
    RowTimes,
    Typology,
    at_market,
    at_merchant,
    attacker_session,
    by_weight,
    daytime_at,
    expand,
    fill,
    foreign_market,
    make_rows,
    of_role,
    online_entry,
    own_session,
    population_device_types,
    stealthy_rows,
)

CODE = TYPOLOGIES.index("merchant_compromise")
STEALTHY, EXPOSED, LAG, SPAN, MARKET, BREACH = range(6)
ATM_SHARE = 0.3


class MerchantCompromise(Typology):
    name = "merchant_compromise"

    def plan(self, ctx: Context, quota: int, rng: np.random.Generator) -> Planned:
        m = ctx.pop.merchants
        breached = np.flatnonzero(m.compromise[0] != NEVER)
        if breached.size == 0 or quota == 0:
            return _empty()
        quotas = apportion(quota, m.weight[breached])
        parts = [
            self._breach(ctx, int(b), int(q), rng)
            for b, q in zip(breached, quotas, strict=True)
            if q > 0
        ]
        card = np.concatenate([p[0] for p in parts])
        extra = np.concatenate([p[1] for p in parts])
        group = np.repeat(np.arange(len(parts)), [p[0].size for p in parts])
        rows = extra[:, -1].astype(np.int64)
        start = extra[:, EXPOSED].astype(np.int64)
        return Planned(card, group, start, rows, np.ones(card.size, np.int64), extra[:, :-1])

    def _breach(
        self, ctx: Context, breach: int, quota: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (victim cards, per-victim numbers with fraud rows last) of one breach."""
        p = ctx.params
        drawn = fill(quota, lambda k: stealthy_rows(rng, k, p.mimicry, (1, 6), (1, 4)))
        rows, stealthy = drawn[:, 0], drawn[:, 1] > 0
        n = rows.size
        customer = _exposed_customers(ctx, breach, n, rng)
        exposed, lag, span = _timing(ctx, breach, n, rng)
        domestic = _domestic_market(ctx, customer, rng.random(n))
        market = np.where(stealthy, domestic, foreign_market(ctx, customer, rng.random(n)))
        extra = np.stack([stealthy, exposed, lag, span, market, np.full(n, breach), rows], axis=1)
        return ctx.pop.customers.primary_card[customer], extra.astype(np.float64)

    def times(self, ctx: Context, plan: Planned, which: np.ndarray) -> RowTimes:
        owner, rank = expand(plan.natural[which] + 1)  # row 0: the exposing payment
        episode = which[owner]
        e = plan.extra[episode]
        h = ctx.timing(plan, episode, rank)
        fraud_time = e[:, EXPOSED] + e[:, LAG] + np.where(rank == 1, 0.0, h.random()) * e[:, SPAN]
        zone = ctx.pop.market_zone[e[:, MARKET].astype(np.int64)]
        fraud_time = daytime_at(ctx, fraud_time.astype(np.int64), zone, h.random())
        time = np.where(rank == 0, e[:, EXPOSED], fraud_time).astype(np.int64)
        return RowTimes(episode, rank, time, rank > 0)

    def rows(self, ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
        breach = plan.extra[rows.episode, BREACH].astype(np.int64)
        e_skim = mcc.ONLINE_SHARE[ctx.pop.merchants.code[breach]] >= 0.5
        e_skim &= plan.extra[rows.episode, STEALTHY] == 0
        parts = [
            _exposures(ctx, plan, rows.take(np.flatnonzero(~rows.fraud)), ids),
            _online_frauds(ctx, plan, rows.take(np.flatnonzero(rows.fraud & e_skim)), ids),
            _in_person_frauds(ctx, plan, rows.take(np.flatnonzero(rows.fraud & ~e_skim)), ids),
        ]
        return concat(parts)


def _empty() -> Planned:
    none = np.zeros(0, dtype=np.int64)
    return Planned(none, none, none, none, none, np.zeros((0, 6)))


def _exposed_customers(ctx: Context, breach: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``n`` customers who plausibly pay at ``breach``: those with it among their
    habits first, then customers of its market (in store) or country (online)."""
    pop = ctx.pop
    habits = pop.customers.habits
    regulars = (
        np.searchsorted(habits.ptr, np.flatnonzero(habits.members == breach), side="right") - 1
    )
    regulars = rng.permutation(np.unique(regulars))[:n]
    if regulars.size == n:
        return regulars
    same_country = np.flatnonzero(pop.customers.country == pop.merchants.country[breach])
    pool = same_country if same_country.size else np.arange(pop.customers.size)
    others = rng.choice(pool, n - regulars.size, replace=pool.size < n)
    return np.concatenate([regulars, others]).astype(np.int64)


def _timing(
    ctx: Context, breach: int, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (exposure time, lag, fraud span): exposure in the breach window, fraud within
    the range (a lag cut short when the range ends)."""
    p = ctx.params
    start, end = (int(x[breach]) for x in ctx.pop.merchants.compromise)
    span = rng.uniform(1, 3, n) * NS_PER_DAY / p.pace
    start = max(start, ctx.first_ns)
    latest = max(min(end, ctx.stop_ns - NS_PER_HOUR), start)
    exposed = start + (rng.random(n) * (latest - start)).astype(np.int64)
    lag = rng.lognormal(np.log(p.compromise_lag_days * NS_PER_DAY), 0.5, n)
    return exposed, np.maximum(lag, NS_PER_HOUR), span


def _domestic_market(ctx: Context, customer: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return a market of each customer's own country (by size)."""
    pop = ctx.pop
    country = pop.markets.country[pop.customers.market[customer]]
    size = pop.markets.in_store.size().astype(np.float64)
    out = pop.customers.market[customer].copy()
    for c in np.unique(country):
        rows = country == c
        pool = np.flatnonzero((pop.markets.country == c) & (size > 0))
        out[rows] = by_weight(pool, size, u[rows])
    return out


def _exposures(ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
    """The victim's own ordinary payment at the breached merchant."""
    h = ctx.hashed("fraud.rows", ids[rows.episode], rows.row)
    pop = ctx.pop
    card = plan.card[rows.episode]
    owner = pop.cards.owner[card]
    merchant = plan.extra[rows.episode, BREACH].astype(np.int64)
    channel, entry = channels(pop, merchant, h.random(), h.random())
    amount = amounts(pop, owner, merchant, np.ones(card.size), h.normal())
    place = places(pop, owner, merchant, channel, pop.travel.at(owner, rows.time), rows.time)
    session = own_session(ctx, owner, rows.time, channel)
    return make_rows(ctx, rows, ids, card, merchant, channel, entry, amount, session, place, CODE)


def _online_frauds(ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
    """After an e-skimming breach: online purchases from the fraudster's device, far away."""
    h = ctx.hashed("fraud.rows", ids[rows.episode], rows.row)
    pop = ctx.pop
    card = plan.card[rows.episode]
    owner = pop.cards.owner[card]
    pool = of_role(ctx, "cashout", online=True)
    pool = pool[pop.merchants.compromise[0][pool] == NEVER]
    merchant = by_weight(pool, pop.merchants.weight, h.random())
    amount = amounts(pop, owner, merchant, h.uniform(1.5, 5.0), h.normal())
    channel, entry = online_entry(card.size)
    device_type = population_device_types(ctx, h.random())
    session = attacker_session(ctx, ids[rows.episode], device_type, np.ones(card.size, bool))
    place = at_market(ctx, plan.extra[rows.episode, MARKET].astype(np.int64), rows.time)
    return make_rows(ctx, rows, ids, card, merchant, channel, entry, amount, session, place, CODE)


def _in_person_frauds(ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
    """A counterfeit card in store or at an ATM (chip and ordinary amounts when imitating)."""
    h = ctx.hashed("fraud.rows", ids[rows.episode], rows.row)
    pop, e = ctx.pop, plan.extra[rows.episode]
    card = plan.card[rows.episode]
    owner = pop.cards.owner[card]
    stealthy = e[:, STEALTHY] > 0
    market = e[:, MARKET].astype(np.int64)
    u = h.random()
    breached = pop.merchants.compromise[0] != NEVER  # used elsewhere, never at a breached shop
    merchant = pop.markets.in_store.sample_avoiding(market, u, breached)
    atm = (h.random() < ATM_SHARE) & (pop.markets.atms.size()[market] > 0) & ~stealthy
    merchant[atm] = pop.markets.atms.sample(market[atm], u[atm])
    channel = np.where(atm, ATM, IN_STORE)
    # Counterfeits read the stripe (a chip cannot be cloned), unless the terminal reads a
    # copied chip profile's fallback; imitating fraud taps or inserts like the owner.
    entry = np.where(h.random() < 0.3, CHIP, MAGSTRIPE)
    entry = np.where(stealthy, np.where(h.random() < 0.5, CHIP, NFC), entry)
    factor = np.where(stealthy, h.uniform(0.8, 1.5), h.uniform(1.5, 5.0))
    amount = amounts(pop, owner, merchant, factor, h.normal())
    session = own_session(ctx, owner, rows.time, channel)
    place = at_merchant(ctx, merchant, rows.time)
    return make_rows(ctx, rows, ids, card, merchant, channel, entry, amount, session, place, CODE)
