"""card_testing: a bot tests stolen cards with micro-payments, then working ones are cashed out.

Told straight (research note T1, anchored on section 2.2): one device and IP test 3-80 cards
(median 15) within 1-6 hours with 1-3 approved micro-payments each ($0.01-$1 for 40%,
$1-$10 for 60%) at
1-3 low-friction online merchants (digital goods, charities); after a lag (median 3 days,
1 hour to 30 days) 45% of the cards are spent online: 2-8 purchases over 1-48 hours at 3-10x
the owner's ticket, from another country, on a device of the cash-out crew. Mimicry (per
attack): tests of $5-20 at popular merchants, one device and IP per card (no fan-in), cash-out
from the victim's own country at 1-2.5x their ticket.
"""

from __future__ import annotations

import numpy as np

from .....reference import TYPOLOGIES
from ...world.behaviour import (
    Sessions,
    amounts,
)
from ...world.population import NS_PER_DAY
from ...world.rows import Rows
from .base import (
    NS_PER_HOUR,
    Context,
    Planned,
    RowTimes,
    Typology,
    at_home,
    at_market,
    attacker_session,
    by_weight,
    choose,
    daytime_at,
    draw_distinct,
    foreign_market,
    make_rows,
    natural_rows,
    of_role,
    online_entry,
    victims_online_merchant,
)

CODE = TYPOLOGIES.index("card_testing")
TESTS, CASHED, LAG, CASH_ROWS, SPAN, STEALTHY, START, DURATION, MARKET, MERCH = range(10)
CASHED_OUT_SHARE = 0.45


class CardTesting(Typology):
    name = "card_testing"

    def plan(self, ctx: Context, quota: int, rng: np.random.Generator) -> Planned:
        attacks: list[np.ndarray] = []
        cards: list[np.ndarray] = []
        total = 0
        risk = np.cumsum(ctx.pop.cards.risk)  # victims by card risk
        while total < quota:
            extra, card = self._attack(ctx, rng, risk)
            attacks.append(extra)
            cards.append(card)
            total += int((extra[:, TESTS] + extra[:, CASHED] * extra[:, CASH_ROWS]).sum())
        extra = np.concatenate(attacks)
        card = np.concatenate(cards)
        group = np.repeat(np.arange(len(attacks)), [a.shape[0] for a in attacks])
        rows = (extra[:, TESTS] + extra[:, CASHED] * extra[:, CASH_ROWS]).astype(np.int64)
        start = extra[:, START].astype(np.int64)
        return Planned(card, group, start, rows, np.zeros(card.size, np.int64), extra)

    def _attack(
        self, ctx: Context, rng: np.random.Generator, risk: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (per-card numbers, victim cards) of one attack (``risk``: cumulative)."""
        pace = ctx.params.pace
        n = int(np.clip(round(rng.lognormal(np.log(15), 0.6)), 3, 80))
        card = draw_distinct(risk, n, rng)
        stealthy = rng.random() < ctx.params.mimicry
        span_all = ctx.stop_ns - ctx.first_ns
        start = ctx.first_ns + int(rng.random() * span_all)
        duration = rng.uniform(1, 6) * NS_PER_HOUR / pace
        lag = np.clip(rng.lognormal(np.log(3 * NS_PER_DAY), 1.0, n), NS_PER_HOUR, 30 * NS_PER_DAY)
        span = rng.uniform(1, 48, n) * NS_PER_HOUR / pace
        cashed = rng.random(n) < CASHED_OUT_SHARE
        testers = of_role(ctx, "testing", online=True)
        if stealthy:  # popular online merchants of any kind, like a real first purchase
            merchants = ctx.pop.markets.online_all.sample(np.zeros(3, np.int64), rng.random(3))
        else:
            # Low-friction shops by risk, busier ones more often (their regulars then pay
            # where the tests left a trail: the false alarms a merchant's fraud rate raises).
            weight = ctx.pop.merchants.risk * np.sqrt(ctx.pop.merchants.weight)
            merchants = by_weight(testers, weight, rng.random(3))
        merchants = merchants[: rng.integers(1, 4)]
        market = foreign_market(ctx, ctx.pop.cards.owner[card[:1]], rng.random(1))[0]
        columns = np.zeros((n, MERCH + 4))
        columns[:, TESTS] = 1 + rng.binomial(2, 0.5, n)
        columns[:, CASHED] = cashed
        columns[:, LAG], columns[:, CASH_ROWS], columns[:, SPAN] = lag, rng.integers(2, 9, n), span
        columns[:, STEALTHY], columns[:, START], columns[:, DURATION] = stealthy, start, duration
        columns[:, MARKET] = market
        columns[:, MERCH : MERCH + 3] = np.resize(merchants, 3)
        columns[:, MERCH + 3] = merchants.size
        return columns, card

    def times(self, ctx: Context, plan: Planned, which: np.ndarray) -> RowTimes:
        extra = plan.extra
        episode, rank, h = natural_rows(ctx, plan, which)
        u = h.random()
        tests = extra[episode, TESTS]
        test_time = extra[episode, START] + u * extra[episode, DURATION]
        cash_rank = rank - tests
        cash_time = (extra[episode, START] + extra[episode, LAG]
                     + np.where(cash_rank == 0, 0.0, u) * extra[episode, SPAN])  # fmt: skip
        # Bots test at any hour; people cash out in their daytime.
        zone = ctx.pop.market_zone[extra[episode, MARKET].astype(np.int64)]
        cash_time = daytime_at(ctx, cash_time.astype(np.int64), zone, h.random())
        time = np.where(rank < tests, test_time, cash_time).astype(np.int64)
        return RowTimes(episode, rank, time, np.ones(episode.size, dtype=bool))

    def rows(self, ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
        h = ctx.hashed("fraud.rows", ids[rows.episode], rows.row)
        pop, e = ctx.pop, plan.extra[rows.episode]
        card = plan.card[rows.episode]
        owner = pop.cards.owner[card]
        test = rows.row < e[:, TESTS]
        stealthy = e[:, STEALTHY] > 0
        u = h.random()
        pick = np.minimum((u * e[:, MERCH + 3]).astype(np.int64), 2)
        test_merchant = e[np.arange(card.size), MERCH + pick].astype(np.int64)
        straight_cash = by_weight(of_role(ctx, "cashout", online=True), pop.merchants.weight, u)
        cash_merchant = np.where(
            stealthy, victims_online_merchant(ctx, owner, u, h.random()), straight_cash
        )
        merchant = np.where(test, test_merchant, cash_merchant)
        micro = np.where(h.random() < 0.4, h.uniform(0.01, 1.0), h.uniform(1.0, 10.0))
        test_amount = np.where(stealthy, h.uniform(5.0, 20.0), micro)
        factor = np.where(stealthy, h.uniform(1.0, 2.5), h.uniform(3.0, 10.0))
        cash_amount = amounts(pop, owner, merchant, factor, h.normal())
        amount = np.where(test, test_amount, cash_amount)
        channel, entry = online_entry(card.size)
        session = self._session(ctx, plan, rows, ids, test, stealthy, owner)
        bot = at_market(ctx, e[:, MARKET].astype(np.int64), rows.time)
        place = choose(stealthy, at_home(ctx, owner, rows.time), bot)
        return make_rows(ctx, rows, ids, card, merchant, channel, entry, amount, session,
                         place, CODE)  # fmt: skip

    def _session(
        self, ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray, test: np.ndarray,
        stealthy: np.ndarray, owner: np.ndarray,
    ) -> Sessions:  # fmt: skip
        """The bot's device and IP for tests, the crew's for cash-outs (one per card when
        imitating); a desktop unless imitating the victim's device type."""
        group = plan.group[rows.episode]
        attack_key = ((CODE + 1) << 40) + group * 2 + (~test).astype(np.int64)
        card_key = ids[rows.episode] * 2 + (~test).astype(np.int64)
        key = np.where(stealthy, -card_key - 1, attack_key)
        types = ctx.pop.device_types
        desktop = types.index("desktop") if "desktop" in types else 0
        device_type = np.where(stealthy, ctx.pop.customers.device_type[owner], desktop)
        return attacker_session(ctx, key, device_type)
