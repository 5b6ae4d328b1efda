"""friendly_fraud: the cardholder disputes an ordinary payment of their own.

Nothing about the payment differs from their everyday ones (their card, a habitual merchant,
a session drawn as theirs are, a normal amount at a normal local hour): it is label noise by
design, the part of fraud no model can learn (research note T6; 21% to "up to 75%" of
chargebacks are first-party misuse by Mastercard's and Visa's counts). Its one weak trace is
where: people dispute what they bought online (digital goods, subscriptions, travel: the note's
T6 signature) far more than what they carried out of a shop.
"""

from __future__ import annotations

import numpy as np

from .....reference import TYPOLOGIES
from ...world import mcc
from ...world.behaviour import (
    amounts,
    channels,
    places,
)
from ...world.rows import Rows
from .base import (
    Context,
    Planned,
    RowTimes,
    Typology,
    drift_scale,
    local_daytime,
    make_rows,
    own_session,
    random_days,
    victims,
)

CODE = TYPOLOGIES.index("friendly_fraud")
# Share of disputes about an online purchase (else any habitual merchant): most first-party
# misuse is card-not-present, "item not received" and digital goods (research note T6, 2.6)
# [assumption: the share].
ONLINE_SHARE = 0.7


class FriendlyFraud(Typology):
    name = "friendly_fraud"
    campaigns = False  # the cardholder alone

    def plan(self, ctx: Context, quota: int, rng: np.random.Generator) -> Planned:
        # Repeat disputers: by card risk times activity (frequent shoppers dispute more).
        card = victims(ctx, quota, rng, ctx.pop.cards.weight)
        # The disputed payment is an ordinary one: on days people pay (more in December, so
        # disputes follow the holidays by their report delay).
        country = ctx.pop.customers.country[ctx.pop.cards.owner[card]]
        weight = ctx.pop.rhythm.country_day["all"] * drift_scale(ctx, CODE)[:, None]
        day = random_days(ctx, rng, card.size, 0, weight, country)
        start = local_daytime(ctx, ctx.pop.cards.owner[card], day, rng.random(card.size))
        ones = np.ones(card.size, dtype=np.int64)
        return Planned(card, np.arange(card.size), start, ones, ones * 0, np.zeros((card.size, 0)))

    def times(self, ctx: Context, plan: Planned, which: np.ndarray) -> RowTimes:
        return RowTimes(which, np.zeros(which.size, np.int64), plan.start[which],
                        np.ones(which.size, dtype=bool))  # fmt: skip

    def rows(self, ctx: Context, plan: Planned, rows: RowTimes, ids: np.ndarray) -> Rows:
        h = ctx.hashed("fraud.rows", ids[rows.episode], rows.row)
        card = plan.card[rows.episode]
        customer = ctx.pop.cards.owner[card]
        # One of their habitual merchants: an online one (of up to three looks) when the
        # dispute is about an online purchase.
        habits = ctx.pop.customers.habits
        merchant = habits.sample(customer, h.random())
        wants = h.random() < ONLINE_SHARE
        for _ in range(3):
            look = habits.sample(customer, h.random())
            found = wants & (mcc.ONLINE_SHARE[ctx.pop.merchants.code[look]] >= 0.5)
            merchant = np.where(found, look, merchant)
            wants &= ~found
        channel, entry = channels(ctx.pop, merchant, h.random(), h.random())
        amount = amounts(ctx.pop, customer, merchant, np.ones(card.size), h.normal())
        spell = ctx.pop.travel.at(customer, rows.time)
        place = places(ctx.pop, customer, merchant, channel, spell, rows.time)
        session = own_session(ctx, customer, rows.time, channel)
        return make_rows(ctx, rows, ids, card, merchant, channel, entry, amount, session,
                         place, CODE)  # fmt: skip
