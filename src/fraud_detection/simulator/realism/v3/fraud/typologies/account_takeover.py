"""account_takeover: a fraudster logs into the victim's account from a new device and buys.

Told straight (research note T2): one of the crew's few devices and IPs (new to the card,
shared with the crew's other victims), 1-6 online purchases within a day at 3-6x the owner's
usual ticket at the crew's shops abroad, often at night; the owner keeps paying as usual
meanwhile. Mimicry (per episode, with probability ``mimicry``): from the victim's own city,
often in the victim's own replayed session (``SPOOFED_DEVICE_SHARE``: their device, the
crew's IP), mostly at their habitual online merchants (the largest basket of a few:
``base.BASKET_PICKS``), at 2.2-4.2x their ticket (research note: about 3x), in waking hours,
spread over longer.
"""

from __future__ import annotations

import numpy as np

from .....reference import TYPOLOGIES
from ...world.behaviour import Sessions, amounts
from ...world.population import NS_PER_DAY
from ...world.rows import Rows
from ..draws import Hashed
from .base import (
    CREW_SHARE_IMITATING,
    NS_PER_HOUR,
    Context,
    Planned,
    RowTimes,
    Typology,
    at_home,
    at_market,
    attacker_session,
    cash_out_factor,
    choose,
    crew_merchants,
    draw_episodes,
    drifting_days,
    foreign_market,
    infrastructure_key,
    local_daytime,
    make_rows,
    natural_rows,
    online_entry,
    pool_slot,
    population_device_types,
    spoof_at,
    spoofed,
    victims,
    victims_online_merchant,
    waking_or_night,
)

CODE = TYPOLOGIES.index("account_takeover")
STEALTHY, SPAN, MARKET = 0, 1, 2
MAX_HOURS = 504  # an imitating takeover drains the account over up to three weeks


def _crews(ctx: Context, rng: np.random.Generator, n: int) -> np.ndarray:
    """Return a crew per episode: consecutive episodes in crews of lognormal size around the
    level's median (at least two victims each) [assumption: no public figure exists]."""
    median = ctx.params.infrastructure.crew_episodes
    sizes = np.maximum(2, np.round(rng.lognormal(np.log(median), 0.5, n // 2 + 1))).astype(np.int64)
    return np.repeat(np.arange(sizes.size), sizes)[:n]


class AccountTakeover(Typology):
    name = "account_takeover"

    def plan(self, ctx: Context, quota: int, rng: np.random.Generator) -> Planned:
        pace = ctx.params.pace
        rows, stealthy = draw_episodes(ctx, quota, rng, (1, 7), (2, 9))
        n = rows.size
        # Told straight a burst of purchases within hours (velocity); imitating, a slow drain.
        hours = np.where(stealthy, rng.uniform(72, MAX_HOURS, n), rng.uniform(1, 24, n)) / pace
        online = ctx.pop.customers.online_share[ctx.pop.cards.owner] > 0.05
        card = victims(ctx, n, rng, online.astype(np.float64))
        owner = ctx.pop.cards.owner[card]
        # Takeovers follow online shopping and come in waves around the peak shopping days.
        rhythm = ctx.pop.rhythm
        weight = rhythm.country_day["online"] * rhythm.wave[:, None]
        country = ctx.pop.customers.country[owner]
        day = drifting_days(ctx, rng, CODE, self.lead_ns(ctx), stealthy, weight, country, True)
        u = rng.random(n)
        anytime = day + (u * NS_PER_DAY).astype(np.int64)
        start = np.where(stealthy, local_daytime(ctx, owner, day, u), anytime)
        abroad = foreign_market(ctx, owner, rng.random(n))
        market = np.where(stealthy, ctx.pop.customers.market[owner], abroad)
        extra = np.stack([stealthy, hours * NS_PER_HOUR, market], axis=1).astype(np.float64)
        return Planned(card, _crews(ctx, rng, n), start, rows, np.zeros(n, np.int64), extra)

    def lead_ns(self, ctx: Context) -> int:
        """The slowest drain (504 hours at pace 1) and a day to reach daylight."""
        return int(MAX_HOURS * NS_PER_HOUR / ctx.params.pace + NS_PER_DAY)

    def times(self, ctx: Context, plan: Planned, which: np.ndarray) -> RowTimes:
        episode, rank, h = natural_rows(ctx, plan, which)
        offset = np.where(rank == 0, 0.0, h.random()) * plan.extra[episode, SPAN]
        time = plan.start[episode] + offset.astype(np.int64)
        # The fraudster's hours where they are, often at night told straight (imitating: the
        # victim's waking hours).
        market = plan.extra[episode, MARKET].astype(np.int64)
        zone = ctx.pop.market_zone[market]
        straight = plan.extra[episode, STEALTHY] == 0
        moved = waking_or_night(ctx, time, zone, h.random(), h.random(), straight)
        time = np.where(rank == 0, time, moved)
        return RowTimes(episode, rank, time, np.ones(episode.size, dtype=bool))

    def rows(self, ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
        h = ctx.hashed("fraud.rows", ids[rows.episode], rows.row)
        pop = ctx.pop
        card = plan.card[rows.episode]
        owner = pop.cards.owner[card]
        stealthy = plan.extra[rows.episode, STEALTHY] > 0
        crew = plan.group[rows.episode]
        basket = ctx.hashed("fraud.basket", ids[rows.episode], rows.row)
        merchant = self._merchants(ctx, owner, stealthy, crew, (h.random(), h.random()), basket)
        # Resaleable goods well above the owner's usual (research note: about 3x); imitating,
        # still above it, where the victim shops.
        factor = cash_out_factor(ctx, stealthy, h.uniform(2.2, 4.2), h.uniform(3.0, 6.0))
        amount = amounts(pop, owner, merchant, factor, h.normal())
        channel, entry = online_entry(card.size)
        session = self._session(ctx, plan, rows)
        market = plan.extra[rows.episode, MARKET].astype(np.int64)
        place = at_market(ctx, market, rows.time)
        home = at_home(ctx, owner, rows.time)
        place = choose(stealthy, home, place)
        return make_rows(ctx, rows, ids, card, merchant, channel, entry, amount, session,
                         place, CODE)  # fmt: skip

    def _session(self, ctx: Context, plan: Planned, rows: RowTimes) -> Sessions:
        """The crew's devices and IPs: each episode logs in from one of its crew's few devices
        (a device type of its own, as people's) behind one of the crew's IPs; a device serves
        several victims, the trace a graph of cards per device finds."""
        infra = ctx.params.infrastructure
        crew = plan.group[rows.episode]
        u = ctx.timing(plan, rows.episode, np.full(rows.episode.size, 1000))  # per episode
        device = infrastructure_key(CODE, crew, pool_slot(u.random(), infra.crew_devices))
        ip = infrastructure_key(CODE, crew, pool_slot(u.random(), infra.crew_ips), 1)
        kind = Hashed(ctx.seed, "fraud.campaign", device, np.zeros(device.size, np.int64))
        session = attacker_session(ctx, device, population_device_types(ctx, kind.random()), ip)
        # Imitating, the session is often the victim's own, replayed with stolen cookies
        # (``SPOOFED_DEVICE_SHARE``): their device, behind the crew's IP.
        stealthy = plan.extra[rows.episode, STEALTHY] > 0
        spoof = stealthy & (u.random() < spoof_at(ctx, plan, rows.episode))
        owner = ctx.pop.cards.owner[plan.card[rows.episode]]
        return spoofed(ctx, session, owner, rows.time, spoof)

    def _merchants(
        self, ctx: Context, owner: np.ndarray, stealthy: np.ndarray, crew: np.ndarray,
        uniforms: tuple[np.ndarray, np.ndarray], basket: Hashed,
    ) -> np.ndarray:  # fmt: skip
        """The crew's shops of resaleable goods online; imitating, what the victim buys
        online (their largest basket)."""
        u, u2 = uniforms
        crew_shop = crew_merchants(ctx, CODE, crew, u2)
        own = stealthy & (u >= CREW_SHARE_IMITATING)
        return np.where(own, victims_online_merchant(ctx, owner, u, u2, basket), crew_shop)
