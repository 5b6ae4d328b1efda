"""lost_stolen: a card lost or stolen on the victim's daily round is spent in person.

Told straight (research note T3): the first use 5-120 minutes after the theft, 3-15 in-store
payments within 1-12 hours at merchants around where it was taken, contactless under the
no-PIN limit, ATM withdrawals when the PIN came with it; the owner's own payments stop until
they report it. Mimicry: a few payments at 2-4x the owner's usual over 2-8 hours at
ordinary shops of the neighbourhood, inserted or tapped as people do, no ATM (a thief does not
know the owner's habitual shops, only where the card was taken).
"""

from __future__ import annotations

import numpy as np

from .....reference import TYPOLOGIES
from ...world import mcc
from ...world.behaviour import amounts
from ...world.rows import (
    ATM,
    CHIP,
    IN_STORE,
    NFC,
    Rows,
)
from .base import (
    NS_PER_HOUR,
    NS_PER_MINUTE,
    Context,
    Planned,
    RowTimes,
    Typology,
    at_merchant,
    draw_episodes,
    drifting_days,
    local_daytime,
    make_rows,
    natural_rows,
    own_session,
    victims,
)

CODE = TYPOLOGIES.index("lost_stolen")
STEALTHY, DELAY, SPAN, PIN = 0, 1, 2, 3
CONTACTLESS_LIMIT = 95.0  # just under the no-PIN limits of 100 (USD/EUR); UK GBP 100 since 2021
ATM_SHARE = 0.3
MAX_SPREE_HOURS = 24.0


class LostStolen(Typology):
    name = "lost_stolen"

    def plan(self, ctx: Context, quota: int, rng: np.random.Generator) -> Planned:
        pace = ctx.params.pace
        rows, stealthy = draw_episodes(ctx, quota, rng, (3, 16), (2, 7))
        n = rows.size
        delay = rng.uniform(5, 120, n) * NS_PER_MINUTE / pace
        # A spree within hours at every level (research note section 8: first use minutes
        # after the theft, spending within hours; median 3 h, capped at a day): told straight
        # lognormal around 3 h, imitating spread over a working day.
        straight = np.minimum(rng.lognormal(np.log(3.0), 0.9, n), MAX_SPREE_HOURS)
        hours = np.minimum(np.where(stealthy, rng.uniform(2, 8, n), straight) / pace,
                           MAX_SPREE_HOURS)  # fmt: skip
        pin = ~stealthy & (rng.random(n) < 0.25)
        card = victims(ctx, n, rng)
        # Cards are lost where people shop in person: on busy shopping days, rarely when
        # shops are shut (the calendar's in-store weight of the victim's country).
        country = ctx.pop.customers.country[ctx.pop.cards.owner[card]]
        in_store = ctx.pop.rhythm.country_day["in_store"]
        day = drifting_days(ctx, rng, CODE, self.lead_ns(ctx), stealthy, in_store, country)
        theft = local_daytime(ctx, ctx.pop.cards.owner[card], day, rng.random(n))
        extra = np.stack([stealthy, delay, hours * NS_PER_HOUR, pin], axis=1).astype(np.float64)
        return Planned(card, np.arange(n), theft, rows, np.zeros(n, np.int64), extra)

    def lead_ns(self, ctx: Context) -> int:
        """The longest delay after the theft and the longest spree."""
        return int(120 * NS_PER_MINUTE / ctx.params.pace + MAX_SPREE_HOURS * NS_PER_HOUR)

    def times(self, ctx: Context, plan: Planned, which: np.ndarray) -> RowTimes:
        episode, rank, h = natural_rows(ctx, plan, which)
        first = plan.start[episode] + plan.extra[episode, DELAY].astype(np.int64)
        offset = np.where(rank == 0, 0.0, h.random()) * plan.extra[episode, SPAN]
        return RowTimes(episode, rank, first + offset.astype(np.int64),
                        np.ones(episode.size, dtype=bool))  # fmt: skip

    def pauses(self, plan: Planned) -> tuple[np.ndarray, np.ndarray]:
        """Return (card, theft time) of each episode: the owner stops paying from then on."""
        return plan.card, plan.start

    def rows(self, ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
        h = ctx.hashed("fraud.rows", ids[rows.episode], rows.row)
        pop = ctx.pop
        card = plan.card[rows.episode]
        owner = pop.cards.owner[card]
        stealthy = plan.extra[rows.episode, STEALTHY] > 0
        atm = (plan.extra[rows.episode, PIN] > 0) & (h.random() < ATM_SHARE)
        merchant = self._merchants(ctx, owner, stealthy, atm, h.random())
        code = pop.merchants.code[merchant]
        atm &= code == mcc.ATM
        channel = np.where(atm, ATM, IN_STORE)
        pin = plan.extra[rows.episode, PIN] > 0
        # Without the PIN a stolen card taps; imitating fraud inserts it as often as people do.
        entry = np.where(atm | ((pin | stealthy) & (h.random() < 0.5)), CHIP, NFC)
        # Told straight a thief spends as much as each payment allows: taps just under the
        # no-PIN limit, resaleable goods with the PIN (research note: about 2.5x the card's
        # usual), ATM withdrawals near the daily maximum; imitating, a little above the owner's
        # usual at their kind of shops.
        spend = amounts(pop, owner, merchant, h.uniform(2.0, 5.0), h.normal())
        contactless = h.uniform(0.6, 1.0) * CONTACTLESS_LIMIT
        amount = np.where(entry == NFC, contactless, spend)
        amount = np.where(atm, 20.0 * h.integers(15, 26), amount)
        scale = ctx.params.imitation_spend * h.uniform(2.0, 4.0)
        ordinary = amounts(pop, owner, merchant, scale, h.normal())
        amount = np.where(stealthy, ordinary, np.round(amount, 2))
        session = own_session(ctx, owner, rows.time, channel)
        place = at_merchant(ctx, merchant, rows.time)
        return make_rows(ctx, rows, ids, card, merchant, channel, entry, amount, session,
                         place, CODE)  # fmt: skip

    def _merchants(
        self, ctx: Context, owner: np.ndarray, stealthy: np.ndarray, atm: np.ndarray,
        u: np.ndarray,
    ) -> np.ndarray:  # fmt: skip
        """Shops of the victim's market, told straight half of them selling resaleable goods
        (electronics, jewellery: their delayed fraud rate shows); ATMs only for cash (a
        shop's payment never lands on an ATM's terminal)."""
        pop = ctx.pop
        market = pop.customers.market[owner]
        merchant = pop.markets.in_store.sample_avoiding(market, u, pop.merchants.code == mcc.ATM)
        resale = pop.markets.resale.size()[market] > 0
        goods = resale & (u < 0.5) & ~stealthy
        merchant[goods] = pop.markets.resale.sample(market[goods], u[goods] * 2)
        atm = atm & (pop.markets.atms.size()[market] > 0)
        merchant[atm] = pop.markets.atms.sample(market[atm], u[atm])
        return merchant
