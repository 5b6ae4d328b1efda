"""How people pay: when (local time), with which card, where, how much, through what.

``everyday`` makes a chunk's ordinary payments; its parts (``pick_zones``, ``merchants_for``,
``channels``, ``amounts``, ``sessions``, ``places``) are also what fraud stories use when they
imitate their victim. All of it is vectorised over rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa

from ....features import (
    agent_family,
    ipv4_from_words,
    ipv4_series,
    uuid4_array,
    uuid4_from_words,
)
from ....streams import mix
from . import mcc
from .population import (
    NS_PER_DAY,
    Population,
)
from .rows import (
    ATM,
    ATM_TERMINAL,
    CHIP,
    ECOM,
    FRESH,
    IN_STORE,
    MAGSTRIPE,
    MERCHANT,
    NEXT,
    NFC,
    NONE,
    ONLINE,
    POS,
    SECOND,
    USUAL,
    Rows,
    unlabelled,
)

SLOT_MINUTES = 15
# Assumptions: a fifth of payments start an errand run; each next stop follows within two
# hours and the run goes on with probability one half (runs of 2-6 payments).
ERRAND_SHARE = 0.2
ERRAND_CONTINUE = 0.5
ERRAND_MAX_STEPS = 5
SPREE_SHARE = 0.3  # of errand runs (an assumption)
SPREE_AMOUNT = (1.0, 2.5)
# Card-present entry modes (assumptions: EMV chip and contactless nearly everywhere, a little
# magstripe fallback; ATMs read the chip).
IN_STORE_ENTRY = ((CHIP, 0.50), (NFC, 0.45), (MAGSTRIPE, 0.05))
ATM_ENTRY = ((CHIP, 0.95), (MAGSTRIPE, 0.05))
# Of a customer's online sessions, the share on a housemate's device (their card, the
# family's phone or laptop): new to the card, but at home (an assumption).
HOUSEMATE_DEVICE_SHARE = 0.08
# Online sessions: one of the customer's own devices 95% of the time (the second one, for
# those who have one, in 30% of those); at home the home IP 60% of the time (Hopsworks'
# ccfraud generator keeps 60% of consecutive payments on one IP subnet).
USUAL_DEVICE_SHARE = 0.95  # a one-off large purchase: half of them on another device
SECOND_DEVICE_SHARE = 0.30
USUAL_IP_SHARE = 0.60
# Of the sessions on a device that is not the customer's, the share on a public computer
# (library, hotel, internet cafe) that many customers use over time (an assumption).
PUBLIC_DEVICE_SHARE = 0.4
# A one-off large purchase is 2-6x its big-ticket category's usual ticket: a holiday package,
# a laptop (5-20x made them a third of all spending; an assumption, docs/decisions.md).
LARGE_FACTOR = (2.0, 6.0)


@dataclass(frozen=True)
class AgentFamilies:
    """The run's user-agent pool and, per agent, the device type its family implies."""

    pool: tuple[str, ...]
    device_type: np.ndarray  # index into Population.device_types
    by_type: tuple[np.ndarray, ...]  # agents of each device type (all agents when none)

    @classmethod
    def build(cls, pool: tuple[str, ...], device_types: tuple[str, ...]) -> AgentFamilies:
        """Classify each agent (tablet, mobile, desktop) and map it to a configured type."""
        own = {t: i for i, t in enumerate(device_types)}
        codes = np.array(
            [own.get(agent_family(ua), own.get("desktop", 0)) for ua in pool], dtype=np.int8
        )
        every = np.arange(len(pool))
        by_type = tuple(
            np.flatnonzero(codes == t) if (codes == t).any() else every
            for t in range(len(device_types))
        )
        return cls(pool, codes, by_type)

    def pick(self, device_type: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Return an agent of each row's device type (``u`` uniform per row)."""
        out = np.zeros(device_type.size, dtype=np.int64)
        for t, members in enumerate(self.by_type):
            rows = device_type == t
            out[rows] = members[(u[rows] * members.size).astype(np.int64)]
        return out


@dataclass(frozen=True)
class Knobs:
    """The population knobs a chunk needs (from ``population`` in the config)."""

    habit_strength: float
    large_share: float


def pick_zones(pop: Population, times: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Return a time zone per row: by the zone's activity times its calendar weight on its
    local date times the diurnal mass at its local time (15-minute slots), so each zone is busy
    in its own day and quiet in its own night, on its holidays and Sundays."""
    clock, rhythm = pop.clock, pop.rhythm
    rel = times - clock.first_ns
    slots_per_day = 24 * 60 // SLOT_MINUTES
    combo = (rel // NS_PER_DAY) * slots_per_day + (rel % NS_PER_DAY) // (SLOT_MINUTES * 60 * 10**9)
    unique, row_combo = np.unique(combo, return_inverse=True)
    day, slot = unique // slots_per_day, unique % slots_per_day
    minute = slot[:, None] * SLOT_MINUTES + SLOT_MINUTES // 2 + clock.daily[day]
    dated = (clock.first_ns - rhythm.origin) // NS_PER_DAY + day[:, None] + minute // 1440
    dated = np.clip(dated, 0, rhythm.zone_day.shape[0] - 1)
    zones = pop.cards.zone_weight.size
    calendar = rhythm.zone_day[dated, np.arange(zones)[None, :]]
    weight = pop.cards.zone_weight[None, :] * clock.minute_mass[minute % 1440] * calendar
    cdf = np.cumsum(weight, axis=1)
    cdf /= cdf[:, -1:]
    keys = (np.arange(unique.size)[:, None] + cdf).ravel()
    pos = np.searchsorted(keys, row_combo + rng.random(times.size), side="right")
    return np.minimum(pos - row_combo * zones, zones - 1)


def pick_cards(
    pop: Population, zone: np.ndarray, times: np.ndarray, rng: np.random.Generator,
    paused: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Return (card, spree) per row: a slot from the row's zone, by activity, in errand runs,
    and the physical card it holds then. A slot that holds no card at that moment (its customer
    has not joined yet, a blocked card's replacement is on its way) or is ``paused`` (slot,
    start, end: a stolen card's owner stops paying) is drawn again. ``spree`` marks the later
    payments of a shopping spree."""
    slot, spree = errands(pop.cards.by_zone.sample(zone, rng.random(zone.size)), times, rng)
    card = pop.physical.live(slot, times)
    for _ in range(20):
        hit = card < 0
        if paused is not None and paused[0].size:
            hit |= _paused(slot, times, paused)
        if not hit.any():
            break
        slot[hit] = pop.cards.by_zone.sample(zone[hit], rng.random(int(hit.sum())))
        spree[hit] = False
        card[hit] = pop.physical.live(slot[hit], times[hit])
    return np.maximum(card, 0), spree


def errands(
    card: np.ndarray, times: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return (card, spree): ``ERRAND_SHARE`` of payments start an errand run, the next
    payment of the same card 10-120 minutes later, and so on while the run continues
    (``ERRAND_CONTINUE``): people pay in clusters, not at independent moments. A run is a
    spree (``SPREE_SHARE``) when its later stops are new shops and bigger buys (a shopping
    day, a move, setting up a new phone): legitimate bursts like a stolen card's."""
    n = card.size
    card = card.copy()
    spree = np.zeros(n, dtype=bool)
    lead = np.flatnonzero(rng.random(n) < ERRAND_SHARE)
    is_spree = np.zeros(n, dtype=bool)
    is_spree[lead] = rng.random(lead.size) < SPREE_SHARE
    for _ in range(ERRAND_MAX_STEPS):
        if lead.size == 0:
            break
        target = times[lead] + (rng.uniform(10, 120, lead.size) * 60e9).astype(np.int64)
        follow = np.searchsorted(times, target)
        inside = follow < n
        lead, follow = lead[inside], follow[inside]
        follow, first = np.unique(follow, return_index=True)  # one leader per follower
        card[follow] = card[lead[first]]
        spree[follow] = is_spree[follow] = is_spree[lead[first]]
        lead = follow[rng.random(follow.size) < ERRAND_CONTINUE]
    return card, spree


def _paused(card: np.ndarray, times: np.ndarray, paused: tuple[np.ndarray, ...]) -> np.ndarray:
    """Return which rows fall in a pause of their card (``paused``: card, from, until)."""
    pcard, start, end = paused
    near = (start < times.max()) & (end > times.min()) if times.size else start < start
    pcard, start, end = pcard[near], start[near], end[near]
    hit = np.zeros(card.size, dtype=bool)
    if pcard.size == 0:
        return hit
    order = np.argsort(pcard, kind="stable")
    pcard, start, end = pcard[order], start[order], end[order]
    marked = np.zeros(max(int(card.max()), int(pcard.max())) + 1, dtype=bool)
    marked[pcard] = True
    candidates = np.flatnonzero(marked[card])  # a linear pass; few rows are candidates
    first = np.searchsorted(pcard, card[candidates], side="left")
    count = np.searchsorted(pcard, card[candidates], side="right") - first
    for k in range(int(count.max()) if count.size else 0):  # pauses per card: almost always 1
        has = count > k
        rows, at = candidates[has], first[has] + k
        hit[rows] |= (times[rows] >= start[at]) & (times[rows] < end[at])
    return hit


def merchants_for(
    pop: Population, customer: np.ndarray, spell: np.ndarray, rng: np.random.Generator,
    knobs: Knobs, spree: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Return (merchant, large) per row: a habitual merchant (``habit_strength``), else a
    popular one online or in the market where the customer is; abroad the in-store ones are
    local. ``large`` marks the one-off big purchases (a big-ticket online merchant)."""
    n = customer.size
    u_habit, u_pick, u_online, u_home = rng.random((4, n))
    cust = pop.customers
    merchant = pop.customers.habits.sample(customer, u_pick)
    market = pop.travel.market_or(spell, cust.market[customer])
    online = u_online < cust.online_share[customer]
    explore = u_habit >= knobs.habit_strength
    if spree is not None:
        explore |= spree
    web = explore & online
    merchant[web] = pop.markets.online_for(cust.country[customer[web]], u_home[web], u_pick[web])
    in_store_habit = (spell >= 0) & (mcc.ONLINE_SHARE[pop.merchants.code[merchant]] < 0.5)
    store = (explore & ~online) | in_store_habit
    merchant[store] = pop.markets.in_store.sample(market[store], u_pick[store])
    large = rng.random(n) < knobs.large_share
    if pop.merchants.big_online.members.size:
        merchant[large] = pop.merchants.big_online.sample(
            np.zeros(int(large.sum()), dtype=np.int64), u_pick[large]
        )
    else:
        large[:] = False
    return merchant, large


# Draws of merchant and channel a row gets before its calendar keeps whatever it drew.
CALENDAR_ROUNDS = 12


def merchants_on_day(
    pop: Population, customer: np.ndarray, spell: np.ndarray, times: np.ndarray,
    rng: np.random.Generator, rng_channel: np.random.Generator, knobs: Knobs,
    spree: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Return (merchant, large, channel, entry) per row, as the calendar of the customer's
    local date favours them: a draw is kept with probability weight / the day's peak (a
    German Sunday keeps online payments, rarely a shop's), else drawn again."""
    merchant, large = merchants_for(pop, customer, spell, rng, knobs, spree)
    channel, entry = channels(pop, merchant, *rng_channel.random((2, times.size)))
    rhythm = pop.rhythm
    offset = pop.clock.offsets.at(pop.customers.zone[customer], times)
    day = rhythm.calendar.day_of(times, offset)
    country = pop.customers.country[customer]
    todo = np.arange(times.size)
    for _ in range(CALENDAR_ROUNDS):
        code = pop.merchants.code[merchant[todo]]
        keep = rhythm.keep(day[todo], country[todo], code, channel[todo] == ONLINE)
        todo = todo[rng.random(todo.size) >= keep]
        if todo.size == 0:
            break
        m, big = merchants_for(pop, customer[todo], spell[todo], rng, knobs, spree[todo])
        merchant[todo], large[todo] = m, big
        channel[todo], entry[todo] = channels(pop, m, *rng_channel.random((2, todo.size)))
    return merchant, large, channel, entry


def channels(
    pop: Population, merchant: np.ndarray, u_channel: np.ndarray, u_entry: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (channel, entry mode): the merchant's MCC decides online vs in store; card-
    present payments read chip or contactless, now and then the stripe; online is ECOM."""
    code = pop.merchants.code[merchant]
    channel = np.where(u_channel < mcc.ONLINE_SHARE[code], ONLINE, IN_STORE).astype(np.int8)
    channel[code == mcc.ATM] = ATM
    entry = np.full(merchant.size, ECOM, dtype=np.int8)
    for kind, table in ((IN_STORE, IN_STORE_ENTRY), (ATM, ATM_ENTRY)):
        rows = channel == kind
        modes = np.array([m for m, _ in table], dtype=np.int8)
        cdf = np.cumsum([p for _, p in table])
        pick = np.searchsorted(cdf, u_entry[rows], side="right")
        entry[rows] = modes[np.minimum(pick, modes.size - 1)]
    return channel, entry


def amounts(
    pop: Population, customer: np.ndarray, merchant: np.ndarray, scale: np.ndarray,
    z: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Return amounts: the customer's spending level x a ticket of the merchant's MCC (``z``
    standard normal per row) x ``scale``; ATM withdrawals in multiples of 20."""
    code = pop.merchants.code[merchant]
    ticket = np.exp(np.log(mcc.TICKET_MEDIAN[code]) + mcc.TICKET_SIGMA[code] * z)
    value = pop.customers.spending[customer] * ticket * scale
    value = np.where(code == mcc.ATM, 20.0 * np.maximum(1.0, np.round(value / 20.0)), value)
    return np.maximum(np.round(value, 2), 0.5)


@dataclass(frozen=True)
class Sessions:
    """Device type, device, IP and user agent of some rows (see ``Rows``)."""

    device_type: np.ndarray
    device_kind: np.ndarray
    device_ref: np.ndarray
    ip_kind: np.ndarray
    ip_ref: np.ndarray
    agent: np.ndarray
    fresh_devices: pa.StringArray
    fresh_ips: pa.StringArray

    def columns(self) -> dict[str, Any]:
        """Return these as ``Rows`` keywords (the names are the same)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Identities:
    """Where the fresh sessions of some rows get their identifiers, for the rows marked in a
    mask: user agents (indices into the pool), device ids and IPs away from home. Everyday rows
    draw them from their chunk's generators; fraud rows from words keyed by the row, so every
    chunk draws the same (``fraud.typologies.base.own_session``)."""

    agents: Callable[[np.ndarray], np.ndarray]
    device_ids: Callable[[np.ndarray], pa.StringArray]
    ips: Callable[[np.ndarray], pl.Series]


def sessions(
    pop: Population, customer: np.ndarray, times: np.ndarray, channel: np.ndarray,
    spell: np.ndarray, rng: np.random.Generator, rng_device: np.random.Generator,
    rng_ip: np.random.Generator, families: AgentFamilies, large: np.ndarray | None = None,
) -> Sessions:  # fmt: skip
    """Return the sessions of rows (``draw_sessions``) from the chunk's generators."""
    u = rng.random((4, customer.size))
    ids = Identities(
        lambda rows: rng.integers(0, len(families.pool), int(rows.sum())),
        lambda rows: uuid4_array(rng_device, int(rows.sum())),
        lambda rows: ipv4_series(rng_ip, int(rows.sum())),
    )
    return draw_sessions(pop, customer, times, channel, spell, u, ids, families, large)


def draw_sessions(
    pop: Population, customer: np.ndarray, times: np.ndarray, channel: np.ndarray,
    spell: np.ndarray, u: np.ndarray, ids: Identities, families: AgentFamilies,
    large: np.ndarray | None = None,
) -> Sessions:  # fmt: skip
    """Return the sessions of rows: card-present rows carry the terminal's type and no device,
    IP or user agent; online rows mostly one of the customer's own devices and, at home, often
    their home IP, else a mobile carrier's shared IP or another network's. ``u`` holds four
    uniforms per row (device, second device, IP, slot); ``ids`` makes the fresh identifiers."""
    online = channel == ONLINE
    u_device, u_second, u_ip, u_slot = u
    own_share = USUAL_DEVICE_SHARE if large is None else np.where(large, 0.5, USUAL_DEVICE_SHARE)
    device_kind, device_type = _own_devices(
        pop, customer, times, online, u_device < own_share, u_second
    )
    fresh_device = device_kind == FRESH
    agent = np.full(customer.size, -1, dtype=np.int64)
    agent[fresh_device] = ids.agents(fresh_device)
    device_type[fresh_device] = families.device_type[agent[fresh_device]]
    terminal = len(pop.device_types) - 3
    device_type[channel == IN_STORE] = terminal + POS
    device_type[channel == ATM] = terminal + ATM_TERMINAL
    device_ref = _refs(customer, fresh_device)
    _borrow_housemates(pop, customer, device_kind, device_ref, device_type, u_slot)
    public = fresh_device & (u_second < PUBLIC_DEVICE_SHARE)  # u_second: unused when fresh
    at_home = online & (spell < 0) & ~public
    ip_kind = np.where(at_home & (u_ip < USUAL_IP_SHARE), USUAL, np.where(online, FRESH, NONE))
    fresh_ip = ip_kind == FRESH
    slot = (u_slot * pop.public_devices).astype(np.int64)
    devices = pl.Series(ids.device_ids(fresh_device))
    devices = devices.scatter(np.flatnonzero(public[fresh_device]), _public(pop, slot[public], 0))
    mobile = fresh_ip & (device_type == pop.mobile_type)
    ips = pl.Series(_fresh_ips(pop, customer, fresh_ip, mobile, u_slot, ids.ips))
    on_public = public[fresh_ip]
    ips = ips.scatter(np.flatnonzero(on_public), _public(pop, slot[fresh_ip][on_public], 1))
    return Sessions(
        device_type, device_kind, device_ref, ip_kind.astype(np.int8), _refs(customer, fresh_ip),
        agent, devices.to_arrow(), ips.to_arrow(),
    )  # fmt: skip


def _borrow_housemates(
    pop: Population, customer: np.ndarray, kind: np.ndarray, ref: np.ndarray,
    device_type: np.ndarray, u: np.ndarray,
) -> None:  # fmt: skip
    """Move ``HOUSEMATE_DEVICE_SHARE`` of own-device sessions onto a housemate's device."""
    mate = pop.customers.housemate[customer]
    borrowed = (kind == USUAL) & (mate >= 0) & (u < HOUSEMATE_DEVICE_SHARE)
    ref[borrowed] = mate[borrowed]
    device_type[borrowed] = pop.customers.device_type[mate[borrowed]]


def _public(pop: Population, slot: np.ndarray, what: int) -> pl.Series:
    """Return the device id (``what`` 0) or IP (1) of public computers ``slot``: a library's
    or a hotel's, used by many customers over time."""
    key = mix(slot.astype(np.uint64) * np.uint64(4) + np.uint64(what) + pop.salt)
    if what:
        return ipv4_from_words(key)
    return pl.Series(uuid4_from_words(key, mix(key)))


def _own_devices(
    pop: Population, customer: np.ndarray, times: np.ndarray, online: np.ndarray,
    on_own: np.ndarray, u_second: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Return (device kind, device type): the usual device (its successor after a new phone),
    the second device (laptop or phone) for some sessions, now and then a fresh one."""
    cust = pop.customers
    upgraded = times >= cust.next_device_at[customer]
    own = online & on_own
    second = own & (cust.second_type[customer] >= 0) & (u_second < SECOND_DEVICE_SHARE)
    kind = np.where(own, np.where(upgraded, NEXT, USUAL), NONE)
    kind = np.where(second, SECOND, kind)
    kind = np.where(online & ~own, FRESH, kind).astype(np.int8)
    device_type = np.where(second, cust.second_type[customer], cust.device_type[customer])
    return kind, device_type.astype(np.int8)


def _refs(customer: np.ndarray, fresh: np.ndarray) -> np.ndarray:
    """Return per row its customer, or for a fresh row its position among the fresh ones."""
    ref = customer.astype(np.int64).copy()
    ref[fresh] = np.arange(int(fresh.sum()))
    return ref


def _fresh_ips(
    pop: Population, customer: np.ndarray, fresh: np.ndarray, mobile: np.ndarray,
    u_slot: np.ndarray, draw: Callable[[np.ndarray], pl.Series],
) -> pa.StringArray:  # fmt: skip
    """Return the IPs of the ``fresh`` rows' sessions away from the home network: a phone's
    (``mobile``) are its carrier's (one of a national pool shared by many customers, like
    carrier-grade NAT), the others anyone's (``draw``)."""
    ips = draw(fresh)
    mobile = mobile[fresh]
    if mobile.any():
        country = np.maximum(pop.customers.country[customer[fresh][mobile]], 0)
        slot = (u_slot[fresh][mobile] * pop.carrier_ips[country]).astype(np.int64)
        words = mix(
            (country.astype(np.uint64) << np.uint64(32)) + slot.astype(np.uint64) + pop.salt
        )
        ips = ips.scatter(np.flatnonzero(mobile), ipv4_from_words(words))
    return ips.to_arrow()


def _merchant_initiated(
    pop: Population, sess: Sessions, merchant: np.ndarray, channel: np.ndarray,
    rng: np.random.Generator,
) -> Sessions:  # fmt: skip
    """Return ``sess`` with the merchant-initiated online payments (``mcc.MERCHANT_INITIATED``)
    carrying no device, IP or user agent, like subscription bills."""
    code = pop.merchants.code[merchant]
    mit = (channel == ONLINE) & (rng.random(merchant.size) < mcc.MERCHANT_INITIATED[code])
    if not mit.any():
        return sess
    none = np.int8(NONE)
    return replace(
        sess,
        device_type=np.where(mit, len(pop.device_types) - 3 + MERCHANT, sess.device_type),
        device_kind=np.where(mit, none, sess.device_kind),
        ip_kind=np.where(mit, none, sess.ip_kind),
    )


def places(
    pop: Population, customer: np.ndarray, merchant: np.ndarray, channel: np.ndarray,
    spell: np.ndarray, times: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Return (latitude, longitude, UTC offset) of where each payer is: the store for card-
    present payments, else the customer's home, or the market they are visiting."""
    m, cust = pop.merchants, pop.customers
    travelling = spell >= 0
    market = pop.travel.market_or(spell, cust.market[customer])
    lat = np.where(travelling, pop.markets.latitude[market], cust.latitude[customer])
    lon = np.where(travelling, pop.markets.longitude[market], cust.longitude[customer])
    zone = np.where(travelling, pop.market_zone[market], cust.zone[customer])
    present = channel != ONLINE
    lat = np.where(present, m.latitude[merchant], lat)
    lon = np.where(present, m.longitude[merchant], lon)
    zone = np.where(present, m.zone[merchant], zone)
    return np.round(lat, 6), np.round(lon, 6), pop.clock.offsets.at(zone, times)


def everyday(
    pop: Population, knobs: Knobs, times: np.ndarray, rng: dict[str, np.random.Generator],
    families: AgentFamilies, paused: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Rows:  # fmt: skip
    """Return ordinary payments at ``times`` (sorted): zone by local rhythm, card by activity,
    then owner, merchant, channel, amount, session and place."""
    zone = pick_zones(pop, times, rng["v3.zone"])
    card, spree = pick_cards(pop, zone, times, rng["v3.card"], paused)
    customer = pop.physical.owner[card]
    spell = pop.travel.at(customer, times)
    merchant, large, channel, entry = merchants_on_day(
        pop, customer, spell, times, rng["v3.merchant"], rng["v3.channel"], knobs, spree
    )
    amount_rng = rng["v3.amount"]
    scale = np.where(large, amount_rng.uniform(*LARGE_FACTOR, times.size), 1.0)
    scale *= np.where(spree, amount_rng.uniform(*SPREE_AMOUNT, times.size), 1.0)
    amount = amounts(pop, customer, merchant, scale, amount_rng.standard_normal(times.size))
    sess = sessions(
        pop, customer, times, channel, spell, rng["v3.session"], rng["v3.device_id"],
        rng["v3.ip_address"], families, large,
    )  # fmt: skip
    lat, lon, offset = places(pop, customer, merchant, channel, spell, times)
    sess = _merchant_initiated(pop, sess, merchant, channel, rng["v3.session"])
    n = times.size
    return Rows(
        time=times, card=card, customer=customer, merchant=merchant, channel=channel,
        entry=entry, amount=amount, **sess.columns(), latitude=lat, longitude=lon,
        offset=offset, recurring=np.zeros(n, dtype=bool), **unlabelled(n),
    )  # fmt: skip
