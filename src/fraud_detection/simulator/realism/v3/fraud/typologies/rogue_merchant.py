"""rogue_merchant: a new merchant pushes charges through many different cards, then vanishes.

A rogue merchant (catalog columns ``rogue_start`` / ``rogue_end``: a small online merchant of
a category where this hides, direct marketing or misc retail, with no legitimate customers)
charges stolen card numbers 1-2 times each over days to weeks (research note T5; FDH's
28-day compromised-terminal window is the template). Told straight: amounts under a review
threshold (40-99.99) and mostly at night in the merchant's time zone. Mimicry: the
category's ordinary tickets at ordinary hours.
"""

from __future__ import annotations

import numpy as np

from .....plan import apportion
from .....reference import TYPOLOGIES
from ...world import mcc
from ...world.population import (
    NEVER,
    NS_PER_DAY,
)
from ...world.rows import Rows
from ..draws import Hashed
from .base import (
    NS_PER_HOUR,
    Context,
    Planned,
    RowTimes,
    Typology,
    at_home,
    attacker_session,
    fill_each,
    infrastructure_key,
    make_rows,
    natural_rows,
    online_entry,
    pool_slot,
    population_device_types,
    victims,
)

CODE = TYPOLOGIES.index("rogue_merchant")
STEALTHY, MERCHANT_POS, TIME = 0, 1, 2
REVIEW_THRESHOLD = 100.0  # charges stay just under it


class RogueMerchant(Typology):
    name = "rogue_merchant"
    merchant_groups = True

    def plan(self, ctx: Context, quota: int, rng: np.random.Generator) -> Planned:
        m = ctx.pop.merchants
        rogues = np.flatnonzero(m.rogue[0] != NEVER)
        if rogues.size == 0 or quota == 0:
            return Planned.empty(3)
        length = (m.rogue[1] - m.rogue[0])[rogues].astype(np.float64)
        quotas = apportion(quota, length)
        drawn = fill_each(quotas, lambda k: 1 + (rng.random(k) < 0.3).astype(np.int64))
        merchant = rogues[drawn[:, -1]]
        rows_all = drawn[:, 0].astype(np.int64)
        n = rows_all.size
        card = victims(ctx, n, rng)
        stealthy = rng.random(n) < ctx.params.mimicry
        start = m.rogue[0][merchant]
        end = np.maximum(m.rogue[1][merchant], start + NS_PER_HOUR)
        first = start + (rng.random(n) * (end - start)).astype(np.int64)
        extra = np.stack([stealthy, merchant, first], axis=1).astype(np.float64)
        group = merchant.astype(np.int64)  # the campaign: the rogue merchant
        return Planned(card, group, first, rows_all, np.zeros(n, np.int64), extra)

    def merchants(self, plan: Planned) -> np.ndarray:
        return plan.extra[:, MERCHANT_POS].astype(np.int64)

    def times(self, ctx: Context, plan: Planned, which: np.ndarray) -> RowTimes:
        episode, rank, h = natural_rows(ctx, plan, which)
        merchant = plan.extra[episode, MERCHANT_POS].astype(np.int64)
        day = plan.start[episode] // NS_PER_DAY * NS_PER_DAY + rank * 7 * NS_PER_DAY
        zone = ctx.pop.merchants.zone[merchant]
        offset = ctx.pop.clock.offsets.at(zone, day).astype(np.int64) * 60_000_000_000
        stealthy = plan.extra[episode, STEALTHY] > 0
        night = ~stealthy & (h.random() < 0.6)  # local hours: mostly at night when straight
        hour = np.where(night, h.uniform(0, 5), h.uniform(8, 22))
        time = day + (hour * NS_PER_HOUR).astype(np.int64) - offset
        return RowTimes(episode, rank, time, np.ones(episode.size, dtype=bool))

    def rows(self, ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
        h = ctx.hashed("fraud.rows", ids[rows.episode], rows.row)
        pop = ctx.pop
        card = plan.card[rows.episode]
        owner = pop.cards.owner[card]
        merchant = plan.extra[rows.episode, MERCHANT_POS].astype(np.int64)
        code = pop.merchants.code[merchant]
        ticket = np.exp(np.log(mcc.TICKET_MEDIAN[code]) + mcc.TICKET_SIGMA[code] * h.normal())
        pushed = np.round(h.uniform(0.4, 1.0) * REVIEW_THRESHOLD - 0.01, 2)
        amount = np.where(plan.extra[rows.episode, STEALTHY] > 0, ticket, pushed)
        channel, entry = online_entry(card.size)
        stealthy = plan.extra[rows.episode, STEALTHY] > 0
        # The merchant's own checkout submits the charges: one server for all its cards, or
        # one device per card when imitating shoppers, behind the merchant's few IPs.
        rogue = plan.group[rows.episode]
        server = infrastructure_key(CODE, rogue, np.zeros(rogue.size, np.int64))
        key = np.where(stealthy, -(ids[rows.episode] + 1), server)  # a shopper per card
        ips = ctx.params.infrastructure.rogue_ips
        ip = infrastructure_key(CODE, rogue, pool_slot(h.random(), ips), 1)
        kind = Hashed(ctx.seed, "fraud.campaign", key, np.zeros(key.size, np.int64))
        session = attacker_session(ctx, key, population_device_types(ctx, kind.random()), ip)
        return make_rows(ctx, rows, ids, card, merchant, channel, entry, amount, session,
                         at_home(ctx, owner, rows.time), CODE)  # fmt: skip
