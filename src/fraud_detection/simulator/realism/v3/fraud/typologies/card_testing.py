"""card_testing: a bot tests stolen cards with micro-payments, then working ones are cashed out.

Told straight (research note T1, anchored on section 2.2): a bot tests 10-200 cards (median
14) within 1-6 hours from a few device fingerprints behind a proxy pool (``Infrastructure``
by level), with 1-3 approved micro-payments each ($0.01-$1 for 40%, $1-$10 for 60%) at 1-3
low-friction online merchants (digital goods, charities); after a lag (median 3 days, 1 hour
to 30 days) 45% of the cards are spent online by the campaign's crew: 2-8 purchases over
1-48 hours at 3-10x the owner's ticket at the crew's shops abroad, often at night. Mimicry
(per attack): tests of $1-15 at popular online merchants; the cash-out from the victim's own
country at 2-4x their ticket, mostly where the victim shops online.
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
from ..drift import progress, test_amount_growth
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
    by_weight,
    cash_out_factor,
    choose,
    crew_merchants,
    draw_distinct,
    drift_scale,
    foreign_market,
    infrastructure_key,
    make_rows,
    natural_rows,
    of_role,
    online_entry,
    pool_slot,
    random_moments,
    victims_online_merchant,
    waking_or_night,
)

CODE = TYPOLOGIES.index("card_testing")
TESTS, CASHED, LAG, CASH_ROWS, SPAN, STEALTHY, START, DURATION, MARKET, MERCH = range(10)
CARDS = MERCH + 4  # the campaign's cards
CASHED_OUT_SHARE = 0.45
MAX_LAG = 30 * NS_PER_DAY
# Cards a campaign tests: lognormal, median 14, 10 to 200 (real attacks run to hundreds or
# thousands of cards, research note section 8; an issuer sees its own few among them, and a
# dataset of a million rows should hold several campaigns).
CARDS_MEDIAN, MIN_CARDS, MAX_CARDS = 14, 10, 200
# Expected fraud rows of an attack: its cards x (2 tests + 45% cashed out x 5 purchases).
ROWS_PER_ATTACK = 16 * (2.0 + CASHED_OUT_SHARE * 5.0)
CARDS_PER_DEVICE = 5  # at least: a campaign's fingerprints each test several cards


class CardTesting(Typology):
    name = "card_testing"

    def plan(self, ctx: Context, quota: int, rng: np.random.Generator) -> Planned:
        if quota <= 0:
            return Planned.empty(CARDS + 1)
        # Attacks in batches (vectorised) until their rows reach the quota: a batch is sized
        # by the expected rows of an attack, so one or two batches do.
        batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        total = attacks = 0
        while total < quota:
            k = max(1, int(np.ceil(1.2 * (quota - total) / ROWS_PER_ATTACK)))
            extra, card, attack = self._attacks(ctx, rng, k)
            batches.append((extra, card, attack + attacks))
            attacks += k
            total += int((extra[:, TESTS] + extra[:, CASHED] * extra[:, CASH_ROWS]).sum())
        extra = np.concatenate([b[0] for b in batches])
        card = np.concatenate([b[1] for b in batches])
        group = np.concatenate([b[2] for b in batches])
        rows = (extra[:, TESTS] + extra[:, CASHED] * extra[:, CASH_ROWS]).astype(np.int64)
        start = extra[:, START].astype(np.int64)
        return Planned(card, group, start, rows, np.zeros(card.size, np.int64), extra)

    def lead_ns(self, ctx: Context) -> int:
        """Tests, the longest lag and the cash-out span, and a day to reach daylight."""
        return int(MAX_LAG + (6 + 48) * NS_PER_HOUR / ctx.params.pace + NS_PER_DAY)

    def _attacks(
        self, ctx: Context, rng: np.random.Generator, k: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (per-card numbers, victim cards, attack of each card) of ``k`` attacks."""
        pace = ctx.params.pace
        drawn = np.round(rng.lognormal(np.log(CARDS_MEDIAN), 0.5, k))
        cards = np.clip(drawn, MIN_CARDS, MAX_CARDS).astype(np.int64)
        attack = np.repeat(np.arange(k), cards)
        n = attack.size
        card = draw_distinct(ctx.pop.cards.risk, n, rng)  # victims by card risk
        stealthy = rng.random(k) < ctx.params.mimicry
        # Attacks come in waves around the peak shopping days (when tested cards blend in),
        # and drift (imitating attacks likelier late as imitation rises).
        lead, wave = self.lead_ns(ctx), ctx.pop.rhythm.wave
        start = np.empty(k, dtype=np.int64)
        for flag in (True, False):
            these = np.flatnonzero(stealthy == flag)
            weight = wave * drift_scale(ctx, CODE, flag)
            mass = cards[these].astype(np.float64)
            start[these] = random_moments(ctx, rng, these.size, lead, mass, weight)
        duration = rng.uniform(1, 6, k) * NS_PER_HOUR / pace
        lag = np.clip(rng.lognormal(np.log(3 * NS_PER_DAY), 1.0, n), NS_PER_HOUR, MAX_LAG)
        span = rng.uniform(1, 48, n) * NS_PER_HOUR / pace
        cashed = rng.random(n) < CASHED_OUT_SHARE
        merchants, count = self._test_merchants(ctx, rng, stealthy)
        first_card = np.r_[0, np.cumsum(cards)[:-1]]
        market = foreign_market(ctx, ctx.pop.cards.owner[card[first_card]], rng.random(k))
        columns = np.zeros((n, CARDS + 1))
        columns[:, TESTS] = 1 + rng.binomial(2, 0.5, n)
        columns[:, CASHED] = cashed
        columns[:, LAG], columns[:, CASH_ROWS], columns[:, SPAN] = lag, rng.integers(2, 9, n), span
        columns[:, STEALTHY], columns[:, START] = stealthy[attack], start[attack]
        columns[:, DURATION], columns[:, MARKET] = duration[attack], market[attack]
        columns[:, MERCH : MERCH + 3] = merchants[attack]
        columns[:, MERCH + 3] = count[attack]
        columns[:, CARDS] = cards[attack]
        return columns, card, attack

    def _test_merchants(
        self, ctx: Context, rng: np.random.Generator, stealthy: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (3 merchants, how many of them it uses) per attack: low-friction shops by
        risk, busier ones more often (their regulars then pay where the tests left a trail:
        the false alarms a merchant's fraud rate raises); imitating, popular online merchants
        of any kind, like a real first purchase."""
        k = stealthy.size
        u = rng.random((k, 3))
        testers = of_role(ctx, "testing", online=True)
        weight = ctx.pop.merchants.risk * np.sqrt(ctx.pop.merchants.weight)
        straight = by_weight(testers, weight, u.ravel()).reshape(k, 3)
        popular = ctx.pop.markets.online_all.sample(np.zeros(3 * k, np.int64), u.ravel())
        merchants = np.where(stealthy[:, None], popular.reshape(k, 3), straight)
        return merchants, rng.integers(1, 4, k)

    def times(self, ctx: Context, plan: Planned, which: np.ndarray) -> RowTimes:
        extra = plan.extra
        episode, rank, h = natural_rows(ctx, plan, which)
        u = h.random()
        tests = extra[episode, TESTS]
        test_time = extra[episode, START] + u * extra[episode, DURATION]
        cash_rank = rank - tests
        cash_time = (extra[episode, START] + extra[episode, LAG]
                     + np.where(cash_rank == 0, 0.0, u) * extra[episode, SPAN])  # fmt: skip
        # Bots test at any hour; the crew cashes out in its waking hours, often at night told
        # straight.
        zone = ctx.pop.market_zone[extra[episode, MARKET].astype(np.int64)]
        straight = extra[episode, STEALTHY] == 0
        cash_time = waking_or_night(
            ctx, cash_time.astype(np.int64), zone, h.random(), h.random(), straight
        )
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
        crew_cash = crew_merchants(ctx, CODE, plan.group[rows.episode], u)
        own = stealthy & (h.random() >= CREW_SHARE_IMITATING)
        basket = ctx.hashed("fraud.basket", ids[rows.episode], rows.row)
        victims_shop = victims_online_merchant(ctx, owner, u, h.random(), basket)
        cash_merchant = np.where(own, victims_shop, crew_cash)
        merchant = np.where(test, test_merchant, cash_merchant)
        # Tests stay small at every level: micro-payments told straight, a few dollars at
        # popular merchants when imitating a first purchase.
        micro = np.where(h.random() < 0.4, h.uniform(0.01, 1.0), h.uniform(1.0, 10.0))
        at = progress(rows.time, ctx.first_ns, ctx.stop_ns)
        grown = np.minimum(micro * test_amount_growth(ctx.params.drift, at), 20.0)
        test_amount = np.where(stealthy, h.uniform(1.0, 15.0), grown)
        factor = cash_out_factor(ctx, stealthy, h.uniform(2.0, 4.0), h.uniform(3.0, 10.0))
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
        """The campaign's bot for tests (a few device fingerprints, each testing several cards,
        behind a pool of proxy IPs), its crew's devices and IPs for cash-outs; a desktop told
        straight, a phone browser when imitating shoppers."""
        del owner, ids
        infra = ctx.params.infrastructure
        e = plan.extra[rows.episode]
        campaign = plan.group[rows.episode]
        u = ctx.timing(plan, rows.episode, rows.row + 1000)  # a pool member per row
        cards = e[:, CARDS].astype(np.int64)
        devices = np.where(
            test, np.minimum(infra.test_devices, cards // CARDS_PER_DEVICE), infra.crew_devices
        )
        ips = np.where(test, np.maximum(2, cards // infra.cards_per_test_ip), infra.crew_ips)
        role = (~test).astype(np.int64)
        device = infrastructure_key(CODE, campaign * 2 + role, pool_slot(u.random(), devices))
        ip = infrastructure_key(CODE, campaign * 2 + role, pool_slot(u.random(), ips), 1)
        types = ctx.pop.device_types
        desktop = types.index("desktop") if "desktop" in types else 0
        mobile = ctx.pop.mobile_type if ctx.pop.mobile_type >= 0 else desktop
        return attacker_session(ctx, device, np.where(stealthy, mobile, desktop), ip)
