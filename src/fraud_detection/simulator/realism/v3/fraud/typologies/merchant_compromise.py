"""merchant_compromise: cards that paid at a breached merchant are used weeks later elsewhere.

A breached merchant (catalog columns ``compromise_start`` / ``compromise_end``, chosen by risk
and popularity) exposes the cards that pay there in its window: each victim's own ordinary
payment there is part of the episode (a legitimate row). After a lag (``compromise_lag_days``,
median) 1-5 payments over 1-3 days (research note T4, section 2.5). Most stolen card data is
spent online (card-not-present: 69% of US card-fraud victims still had their card, UK Finance
puts remote purchase at 70% of card fraud losses), by the breach's crew at its shops abroad;
a ``COUNTERFEIT_SHARE`` of a shop breach's cards are cloned instead and used in store or at an
ATM, abroad even when imitating (counterfeit is a minor share after EMV, ECB). Told straight at
3-5x the owner's ticket from the crew's devices, clones reading the magstripe; imitating, the
numbers sold on to buyers with devices of their own or the victim's spoofed one
(``SPOOFED_DEVICE_SHARE``), from the victim's own country, at 3.2-5.2x, online mostly where the
victim shops and a ``BUYER_ABROAD_SHARE`` at popular shops anywhere, a clone reading the chip.
Never at the breached merchant.
"""

from __future__ import annotations

import numpy as np

from .....plan import apportion
from .....reference import TYPOLOGIES
from ...world import mcc
from ...world.behaviour import (
    amounts,
    channels,
    places,
)
from ...world.population import (
    NEVER,
    NS_PER_DAY,
)
from ...world.rows import (
    ATM,
    CHIP,
    IN_STORE,
    MAGSTRIPE,
    NFC,
    Rows,
    concat,
)
from ..draws import Hashed
from .base import (
    CREW_SHARE_IMITATING,
    NS_PER_HOUR,
    Context,
    Planned,
    RowTimes,
    Typology,
    at_market,
    at_merchant,
    attacker_session,
    by_weight,
    cash_out_factor,
    crew_merchants,
    daytime_at,
    fill_each,
    foreign_market,
    infrastructure_key,
    make_rows,
    natural_rows,
    online_entry,
    own_session,
    pool_slot,
    population_device_types,
    spoof_at,
    spoofed,
    stealthy_rows,
    victims_online_merchant,
)

CODE = TYPOLOGIES.index("merchant_compromise")
STEALTHY, EXPOSED, LAG, SPAN, MARKET, BREACH, ONLINE = range(7)
ATM_SHARE = 0.3
RESALE_SHARE = 0.3  # of counterfeit payments at shops of resaleable goods [assumption]
# Of a shop breach's victims, the share whose card is cloned (else its number is used online);
# e-skimming breaches are always used online [assumption: counterfeit is a minor share of card
# fraud after EMV (ECB), and 70-85% of card fraud value is remote (UK Finance, EBA/ECB)].
COUNTERFEIT_SHARE = 0.2
# A breach's cards are sold to this many buyers per device of its crew (so fewer, larger
# batches at easy, more and smaller ones at hard) [assumption; at 3 the graph features added
# less than issue 19's 0.01 ROC AUC at medium once disputes and replayed sessions were drawn
# like everyday ones: docs/decisions.md].
BUYERS_PER_CREW_DEVICE = 2
# Buyers of sold-on numbers shop where strong customer authentication does not stop them:
# this share of their purchases at a popular online merchant anywhere (mostly abroad), the
# rest where the victim shops (card fraud is 17 times likelier where the payee is outside the
# EEA, EBA/ECB 2025 report, 2024 data; the share itself is an assumption).
BUYER_ABROAD_SHARE = 0.35
LAG_SIGMA = 0.5  # of log(lag): half the breached cards are used within 0.7-1.4x the median


class MerchantCompromise(Typology):
    name = "merchant_compromise"
    merchant_groups = True

    def plan(self, ctx: Context, quota: int, rng: np.random.Generator) -> Planned:
        m = ctx.pop.merchants
        breached = _reaching(ctx)
        if breached.size == 0 or quota == 0:
            return Planned.empty(6)
        # Victims by the breach's size (its popularity, damped: see ``breach_mass``) and by
        # the share of its uses that fall inside the range.
        quotas = apportion(quota, breach_mass(m.weight[breached]) * _share_in_range(ctx, breached))
        p = ctx.params
        drawn = fill_each(quotas, lambda k: stealthy_rows(rng, k, p.mimicry, (1, 6), (1, 4)))
        breach = breached[drawn[:, -1]]
        rows, stealthy = drawn[:, 0].astype(np.int64), drawn[:, 1] > 0
        customer = _exposed_customers(ctx, breach, rng)
        exposed, lag, span = _timing(ctx, breach, rng)
        # Imitating, the card is used where its owner lives (else elsewhere in the country).
        domestic = _domestic_market(ctx, customer, rng.random(breach.size))
        home = ctx.pop.customers.market[customer]
        domestic = np.where(rng.random(breach.size) < 0.7, home, domestic)
        abroad = foreign_market(ctx, customer, rng.random(breach.size), shops=True)
        # A shop breach's card is cloned (``COUNTERFEIT_SHARE``), else its number is used
        # online; an e-skimming breach's always online.
        e_skim = mcc.ONLINE_SHARE[ctx.pop.merchants.code[breach]] >= 0.5
        online = e_skim | (rng.random(breach.size) >= COUNTERFEIT_SHARE)
        # A cloned card is used far from home, abroad even when imitating (research note T4:
        # counterfeits go where terminals still read the stripe); numbers sold on are used from
        # the victim's country when imitating.
        market = np.where(stealthy & online, domestic, abroad)
        extra = np.stack([stealthy, exposed, lag, span, market, breach, online], axis=1)
        group = breach.astype(np.int64)  # the campaign: the breach
        card = ctx.pop.customers.primary_card[customer]
        natural = np.ones(card.size, np.int64)
        return Planned(card, group, exposed, rows, natural, extra.astype(np.float64))

    def merchants(self, plan: Planned) -> np.ndarray:
        return plan.extra[:, BREACH].astype(np.int64)

    def times(self, ctx: Context, plan: Planned, which: np.ndarray) -> RowTimes:
        episode, rank, h = natural_rows(ctx, plan, which, leading=1)  # 0: the exposing payment
        e = plan.extra[episode]
        fraud_time = e[:, EXPOSED] + e[:, LAG] + np.where(rank == 1, 0.0, h.random()) * e[:, SPAN]
        zone = ctx.pop.market_zone[e[:, MARKET].astype(np.int64)]
        fraud_time = daytime_at(ctx, fraud_time.astype(np.int64), zone, h.random())
        time = np.where(rank == 0, e[:, EXPOSED], fraud_time).astype(np.int64)
        return RowTimes(episode, rank, time, rank > 0)

    def rows(self, ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
        online = _online(ctx, plan, rows.episode)
        parts = [
            _exposures(ctx, plan, rows.take(np.flatnonzero(~rows.fraud)), ids),
            _online_frauds(ctx, plan, rows.take(np.flatnonzero(rows.fraud & online)), ids),
            _in_person_frauds(ctx, plan, rows.take(np.flatnonzero(rows.fraud & ~online)), ids),
        ]
        return concat(parts)


def _exposed_customers(ctx: Context, breach: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return a customer per victim who plausibly pays at its ``breach`` (sorted): regulars
    (the merchant among their habits) first, in random order, then customers of the breached
    merchant's country (online: the same), or anyone when it has none."""
    pop = ctx.pop
    habits = pop.customers.habits
    holder = np.repeat(np.arange(habits.ptr.size - 1), np.diff(habits.ptr))
    targets = np.unique(breach)
    slot = np.searchsorted(targets, habits.members)
    hit = (slot < targets.size) & (targets[np.minimum(slot, targets.size - 1)] == habits.members)
    people = np.int64(habits.ptr.size)  # a (merchant, customer) pair as one sortable key
    key = np.unique(habits.members[hit].astype(np.int64) * people + holder[hit])
    shuffle: np.ndarray = rng.random(key.size)
    key = key[np.lexsort((shuffle, key // people))]
    pairs = np.stack([key // people, key % people], axis=1)
    need_start = np.searchsorted(breach, targets)
    need = np.diff(np.r_[need_start, breach.size])
    have_start = np.searchsorted(pairs[:, 0], targets)
    have = np.diff(np.r_[have_start, pairs.shape[0]])
    rank = np.arange(breach.size) - np.repeat(need_start, need)  # victim's rank in its breach
    which = np.repeat(np.arange(targets.size), need)
    regular = rank < have[which]
    out = np.empty(breach.size, dtype=np.int64)
    out[regular] = pairs[have_start[which[regular]] + rank[regular], 1]
    country = pop.merchants.country[breach[~regular]]
    out[~regular] = _from_country(pop.customers.country, country, rng.random(country.size))
    return out


def _from_country(home: np.ndarray, country: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Return a customer uniformly among those whose ``home`` is each ``country`` (anyone
    when none lives there)."""
    by_country = np.argsort(home, kind="stable")
    first = np.searchsorted(home[by_country], country, side="left")
    count = np.searchsorted(home[by_country], country, side="right") - first
    pick = np.where(
        count > 0, first + (u * count).astype(np.int64), (u * home.size).astype(np.int64)
    )
    return np.where(count > 0, by_country[np.minimum(pick, home.size - 1)], pick)


def breach_mass(popularity: np.ndarray) -> np.ndarray:
    """Return how many cards each breach exposes, relatively: more at a busier merchant, but
    only as the fourth root of its popularity (an assumption: no public count of cards per
    breached merchant exists; with Zipf popularity a few big breaches would otherwise make a
    month's fraud, and the catalog places breach windows by this same mass so that each
    stretch of time gets its share)."""
    return np.asarray(popularity, dtype=np.float64) ** 0.25


def _reaching(ctx: Context) -> np.ndarray:
    """Return the breached merchants whose exposures can be used inside the range (a breach
    long before it exposed cards that were all used, or blocked, before the data begins)."""
    start, end = ctx.pop.merchants.compromise
    lead = breach_lead_ns(ctx.params.compromise_lag_days, ctx.params.pace)
    return np.flatnonzero((start != NEVER) & (end > ctx.first_ns - lead) & (start < ctx.stop_ns))


def _lag_cdf(ctx: Context, lag: np.ndarray) -> np.ndarray:
    # The plan is made on the driver: workers never load SciPy (0.12 s a process).
    from scipy.special import ndtr

    median = ctx.params.compromise_lag_days * NS_PER_DAY
    return ndtr((np.log(np.maximum(lag, 1.0)) - np.log(median)) / LAG_SIGMA)


def _share_in_range(ctx: Context, breach: np.ndarray, points: int = 64) -> np.ndarray:
    """Return, per breach, the share of its exposures whose first use falls in the range:
    the mean over its window of P(first - e <= lag < stop - e)."""
    start, end = (x[breach].astype(np.float64) for x in ctx.pop.merchants.compromise)
    e = start[:, None] + (np.arange(points) + 0.5)[None, :] / points * (end - start)[:, None]
    inside = _lag_cdf(ctx, ctx.stop_ns - e) - _lag_cdf(ctx, ctx.first_ns - e)
    return np.asarray(inside.mean(axis=1))


# Tries to draw a lag whose feasible exposures are many enough (rejection sampling), after which
# the last draw is kept: the lag's weight is how much of the window leads into the range.
LAG_TRIES = 16


def _timing(
    ctx: Context, breach: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (exposure time, lag, fraud span) of episodes whose first use falls inside the
    range, by construction: (exposure, lag) drawn from exposure uniform in the breach window
    and a lognormal lag, conditioned on the use landing in the range (a breach before the
    range contributes the uses that reach into it, as at a bank whose data begins while earlier
    breaches are still being cashed out)."""
    p = ctx.params
    n = breach.size
    start, end = (x[breach].astype(np.int64) for x in ctx.pop.merchants.compromise)
    end = np.maximum(np.minimum(end, ctx.stop_ns - NS_PER_HOUR), start + 1)
    span = rng.uniform(1, 3, n) * NS_PER_DAY / p.pace
    median = p.compromise_lag_days * NS_PER_DAY
    low = np.maximum(ctx.first_ns - end, NS_PER_HOUR)  # the lags some exposure can use
    high = np.maximum(ctx.stop_ns - start, low + NS_PER_HOUR)
    lag = np.zeros(n)
    todo = np.arange(n)
    for _ in range(LAG_TRIES):
        if todo.size == 0:
            break
        drawn = truncated_lognormal(rng, np.log(median), LAG_SIGMA, low[todo], high[todo])
        room = _feasible(ctx, start[todo], end[todo], drawn)
        lag[todo] = drawn
        todo = todo[rng.random(todo.size) * (end[todo] - start[todo]) >= room]
    earliest = np.maximum(start, ctx.first_ns - lag)
    latest = np.maximum(np.minimum(end, ctx.stop_ns - lag), earliest)
    exposed = earliest + (rng.random(n) * (latest - earliest)).astype(np.int64)
    return exposed, lag.astype(np.int64), span


def _feasible(ctx: Context, start: np.ndarray, end: np.ndarray, lag: np.ndarray) -> np.ndarray:
    """Return how long (ns) the part of each window is whose use after ``lag`` is in range."""
    lo = np.maximum(start, ctx.first_ns - lag)
    hi = np.minimum(end, ctx.stop_ns - lag)
    return np.maximum(hi - lo, 0.0)


def truncated_lognormal(
    rng: np.random.Generator, mu: float, sigma: float, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """Return one lognormal(``mu``, ``sigma``) draw per row, truncated to [low, high]."""
    from scipy.special import ndtr, ndtri

    a = ndtr((np.log(low) - mu) / sigma)
    b = ndtr((np.log(high) - mu) / sigma)
    u = a + rng.random(low.size) * (b - a)
    z = ndtri(np.clip(u, 1e-12, 1 - 1e-12))
    return np.asarray(np.clip(np.exp(mu + sigma * z), low, high))


def breach_lead_ns(compromise_lag_days: float, pace: float) -> int:
    """Return how long before the range a breach's exposures can still be used inside it: the
    99th percentile lag and the longest span of use."""
    lag = compromise_lag_days * np.exp(2.33 * LAG_SIGMA) * NS_PER_DAY
    return int(lag + 3 * NS_PER_DAY / pace + NS_PER_DAY)


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


def _online(ctx: Context, plan: Planned, episode: np.ndarray) -> np.ndarray:
    """Return whether each episode's card data is used online (else a cloned card)."""
    return plan.extra[episode, ONLINE] > 0


def _online_frauds(ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
    """Online purchases with the stolen number from the crew's devices: at its shops abroad;
    imitating, by a buyer of the number, mostly where the victim shops online, from the
    victim's country."""
    h = ctx.hashed("fraud.rows", ids[rows.episode], rows.row)
    pop = ctx.pop
    card = plan.card[rows.episode]
    owner = pop.cards.owner[card]
    stealthy = plan.extra[rows.episode, STEALTHY] > 0
    u, u2 = h.random(), h.random()
    merchant = crew_merchants(ctx, CODE, plan.group[rows.episode], u2, unbreached=True)
    basket = ctx.hashed("fraud.basket", ids[rows.episode], rows.row)
    victims_shop = victims_online_merchant(ctx, owner, u, u2, basket)
    anywhere = pop.markets.online_all.sample(np.zeros(card.size, dtype=np.int64), u)
    buyer = stealthy & (h.random() >= CREW_SHARE_IMITATING)
    shop = np.where(h.random() < BUYER_ABROAD_SHARE, anywhere, victims_shop)
    buyer &= pop.merchants.compromise[0][shop] == NEVER  # never a breached merchant
    merchant = np.where(buyer, shop, merchant)
    factor = cash_out_factor(ctx, stealthy, h.uniform(3.2, 5.2), h.uniform(3.0, 5.0))
    amount = amounts(pop, owner, merchant, factor, h.normal())
    channel, entry = online_entry(card.size)
    # Told straight, the breach's crew uses the stolen numbers from a few devices and IPs of
    # its own; imitating, the numbers were sold on (carding shops sell a breach's cards in
    # batches to many buyers): each buyer of the breach (``BUYERS_PER_CREW_DEVICE`` per crew
    # device) has a device and IP of their own, used for every card of their batch.
    infra = ctx.params.infrastructure
    breach = plan.group[rows.episode]
    slot = ctx.timing(plan, rows.episode, np.full(rows.episode.size, 1000))  # per episode
    device = infrastructure_key(CODE, breach, pool_slot(slot.random(), infra.crew_devices))
    ip = infrastructure_key(CODE, breach, pool_slot(slot.random(), infra.crew_ips), 1)
    buyer = pool_slot(slot.random(), BUYERS_PER_CREW_DEVICE * infra.crew_devices)
    device = np.where(stealthy, infrastructure_key(CODE, breach, buyer, 5), device)
    ip = np.where(stealthy, infrastructure_key(CODE, breach, buyer, 6), ip)
    kind = Hashed(ctx.seed, "fraud.campaign", device, np.zeros(device.size, np.int64))
    session = attacker_session(ctx, device, population_device_types(ctx, kind.random()), ip)
    spoof = stealthy & (slot.random() < spoof_at(ctx, plan, rows.episode))
    session = spoofed(ctx, session, owner, rows.time, spoof)
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
    avoid = breached | (pop.merchants.code == mcc.ATM)  # cash only where ``atm`` says
    merchant = pop.markets.in_store.sample_avoiding(market, u, avoid)
    # Counterfeits buy resaleable goods (electronics, jewellery) where such shops exist.
    goods = (pop.markets.resale.size()[market] > 0) & (h.random() < RESALE_SHARE)
    merchant[goods] = pop.markets.resale.sample_avoiding(market[goods], u[goods], avoid)
    atm = (h.random() < ATM_SHARE) & (pop.markets.atms.size()[market] > 0) & ~stealthy
    merchant[atm] = pop.markets.atms.sample(market[atm], u[atm])
    channel = np.where(atm, ATM, IN_STORE)
    # Counterfeits read the stripe (a chip cannot be cloned), unless the terminal reads a
    # copied chip profile's fallback; imitating fraud taps or inserts like the owner.
    entry = np.where(h.random() < 0.3, CHIP, MAGSTRIPE)
    entry = np.where(stealthy, np.where(h.random() < 0.5, CHIP, NFC), entry)
    factor = cash_out_factor(ctx, stealthy, h.uniform(1.5, 2.8), h.uniform(3.0, 5.0))
    amount = amounts(pop, owner, merchant, factor, h.normal())
    session = own_session(ctx, owner, rows.time, channel)
    place = at_merchant(ctx, merchant, rows.time)
    return make_rows(ctx, rows, ids, card, merchant, channel, entry, amount, session, place, CODE)
