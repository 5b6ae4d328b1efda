"""Lifecycles: customers join, cards are issued, expire and are renewed, are blocked when a
fraud on them is reported and are replaced; all decided on the driver before any row.

A customer's card *slot* (one of the 1-3 cards the catalog gives them, with its activity and
risk) holds a line of physical cards over time: the card it had when the range began (or when
its customer joined), then a renewal near the end of each card's validity, and a replacement
after each block. The catalog's ``cards.parquet`` has one row per physical card (``issued_at``,
``blocked_at``, ``replaces_card_id``); a chunk asks ``Lines.live`` which card of a slot is in
use at a moment (none between a block and the replacement's arrival, nor before the customer
joined), so chunk edges and worker counts never change a row.

Numbers (sources in docs/sources-time-and-campaigns.md, section 6): cards valid 4 years (issuer
guides: credit 3-5, debit 2-3; Visa: 30% of accounts change number or expiry each year); a
renewal arrives 2-4 weeks before the end of the expiry month (issuer FAQs); a replacement after
a block arrives after a lognormal delay, median 7 days, at most 14 (issuers: 4-10 business
days); 15% of the book joins each year (Mercator: US issuers booked 66.6 M new accounts in 2017,
with 15% attrition).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

NS_PER_DAY = 86_400_000_000_000
NEVER = np.iinfo(np.int64).max
VALIDITY_DAYS = 4 * 365.25
NEW_CUSTOMERS_PER_YEAR = 0.15
RENEWAL_LEAD_DAYS = (14.0, 28.0)
DELIVERY_MEDIAN_DAYS, DELIVERY_SIGMA, DELIVERY_MAX_DAYS = 7.0, 0.35, 14.0
# Customers of the book before the range joined up to this long before it [assumption].
TENURE_YEARS = 8.0


def joined_at(rng: np.random.Generator, n: int, first: int, stop: int) -> np.ndarray:
    """Return when each customer joined (ns): ``NEW_CUSTOMERS_PER_YEAR`` of the book joins
    during each year of the range (evenly over it), the rest up to ``TENURE_YEARS`` before."""
    years = (stop - first) / (365.25 * NS_PER_DAY)
    new = rng.random(n) < 1 - np.exp(-NEW_CUSTOMERS_PER_YEAR * years)
    during = first + (rng.random(n) * (stop - first)).astype(np.int64)
    before = first - NS_PER_DAY - (rng.random(n) * TENURE_YEARS * 365.25 * NS_PER_DAY)
    return np.where(new, during, before.astype(np.int64))


def first_cards(
    rng: np.random.Generator, joined: np.ndarray, first: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return (issued, expiry end) of each slot's first card (ns): a customer of the book holds
    a card issued up to 4 years before the range (so as many expire in each month to come); a
    customer who joins is issued theirs that day."""
    validity = int(VALIDITY_DAYS * NS_PER_DAY)
    issued = first - (rng.random(joined.size) * validity).astype(np.int64)
    issued = np.where(joined >= first, joined, np.maximum(issued, joined))
    return issued, month_end(issued + validity)


def month_end(times: np.ndarray) -> np.ndarray:
    """Return the first moment after the month of each time (an expiry's exclusive end)."""
    month = times.astype("datetime64[ns]").astype("datetime64[M]")
    return (month + 1).astype("datetime64[ns]").astype(np.int64)


@dataclass(frozen=True)
class Card:
    """Physical cards, one entry each, in catalog order (the first ``slots`` are the slots'
    first cards)."""

    slot: np.ndarray
    start: np.ndarray  # ns: issued (in use from then on)
    expiry: np.ndarray  # ns: the end of the expiry month
    blocked: np.ndarray  # ns, NEVER if not blocked
    replaces: np.ndarray  # index of the card it replaces, -1 for a slot's first card


# Per card, (a uniform for its renewal's lead, a standard normal for a replacement's delivery),
# given its slot and generation (0 for the slot's first card): keyed draws, so one slot's
# blocks never move another slot's dates.
CardDraws = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def lineage(
    slot_start: np.ndarray, slot_expiry: np.ndarray, blocks: tuple[np.ndarray, np.ndarray],
    stop: int, draws: CardDraws,
) -> Card:  # fmt: skip
    """Return every physical card the slots hold until ``stop``: each card in use until it is
    blocked (``blocks``: slot, time) or its renewal arrives, then the next one."""
    n = slot_start.size
    slot, start, expiry = np.arange(n), slot_start.copy(), slot_expiry.copy()
    blocked = np.full(n, NEVER, dtype=np.int64)
    replaces = np.full(n, -1, dtype=np.int64)
    generation = np.zeros(n, dtype=np.int64)
    block_slot, block_time = blocks
    order = np.lexsort((block_time, block_slot))
    block_slot, block_time = block_slot[order], block_time[order]
    live = np.arange(n)  # the latest card of each slot that may still change
    while live.size:
        nxt = _next_block(block_slot, block_time, slot[live], start[live])
        u, z = draws(slot[live], generation[live])
        low, high = RENEWAL_LEAD_DAYS
        renew = (expiry[live] - (low + u * (high - low)) * NS_PER_DAY).astype(np.int64)
        is_block = nxt < np.minimum(renew, stop)
        ends = np.where(is_block, nxt, renew)
        go = (ends < stop) | is_block
        live, ends, is_block, z = live[go], ends[go], is_block[go], z[go]
        blocked[live[is_block]] = ends[is_block]
        delay = np.minimum(
            np.exp(np.log(DELIVERY_MEDIAN_DAYS) + DELIVERY_SIGMA * z), DELIVERY_MAX_DAYS
        )
        new_start = np.where(is_block, ends + (delay * NS_PER_DAY).astype(np.int64), ends)
        keep = new_start < stop
        live, new_start = live[keep], new_start[keep]
        first_new = slot.size
        slot = np.concatenate([slot, slot[live]])
        start = np.concatenate([start, new_start])
        expiry = np.concatenate([expiry, month_end(new_start + int(VALIDITY_DAYS * NS_PER_DAY))])
        blocked = np.concatenate([blocked, np.full(live.size, NEVER, dtype=np.int64)])
        replaces = np.concatenate([replaces, live])
        generation = np.concatenate([generation, generation[live] + 1])
        live = np.arange(first_new, slot.size)
    return Card(slot, start, expiry, blocked, replaces)


def _next_block(
    block_slot: np.ndarray, block_time: np.ndarray, slot: np.ndarray, after: np.ndarray
) -> np.ndarray:
    """Return, per (slot, moment), the first block of that slot at or after the moment."""
    if block_slot.size == 0:
        return np.full(slot.size, NEVER, dtype=np.int64)
    lo = np.searchsorted(block_slot, slot, side="left")
    hi = np.searchsorted(block_slot, slot, side="right")
    out = np.full(slot.size, NEVER, dtype=np.int64)
    for k in range(int((hi - lo).max(initial=0))):  # blocks per slot: almost always 0 or 1
        at = np.minimum(lo + k, block_slot.size - 1)
        hit = (lo + k < hi) & (block_time[at] >= after) & (out == NEVER)
        out[hit] = block_time[at][hit]
    return out


@dataclass(frozen=True)
class Lines:
    """Which physical card of a slot is in use at a moment: intervals sorted by (slot, start)."""

    card: np.ndarray  # physical card index, sorted by (slot, start)
    slot: np.ndarray
    start: np.ndarray
    end: np.ndarray  # exclusive: blocked, the next card's arrival, or its expiry
    ptr: np.ndarray  # slot s's intervals are ptr[s]:ptr[s + 1] (CSR over the sorted intervals)

    @classmethod
    def build(cls, cards: Card) -> Lines:
        order = np.lexsort((cards.start, cards.slot))
        slot, start = cards.slot[order], cards.start[order]
        expiry, blocked = cards.expiry[order], cards.blocked[order]
        following = np.r_[start[1:], NEVER]
        same = np.r_[slot[1:] == slot[:-1], False]
        end = np.minimum(np.minimum(expiry, blocked), np.where(same, following, NEVER))
        ptr = np.searchsorted(slot, np.arange(int(slot.max(initial=-1)) + 2))
        return cls(order, slot, start, end, ptr)

    def live(self, slot: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Return the physical card of each slot in use at each moment, -1 where none is.

        A slot's intervals are disjoint and in time order, and most slots have one or two:
        each row walks its slot's intervals from the first while they start by its moment.
        """
        out = np.full(slot.size, -1, dtype=np.int64)
        if self.slot.size == 0 or slot.size == 0:
            return out
        ptr = self.ptr
        inside = slot < ptr.size - 1
        row = np.flatnonzero(inside)
        k, stop = ptr[slot[row]], ptr[slot[row] + 1]
        keep = k < stop
        row, k, stop = row[keep], k[keep], stop[keep]
        while row.size:
            t = times[row]
            started = self.start[k] <= t
            hit = started & (t < self.end[k])
            out[row[hit]] = self.card[k[hit]]
            more = started & ~hit & (k + 1 < stop)
            row, k, stop = row[more], k[more] + 1, stop[more]
        return out

    def end_of(self, card: np.ndarray) -> np.ndarray:
        """Return when each physical card stops being used (ns)."""
        by_card = np.empty(self.card.size, dtype=np.int64)
        by_card[self.card] = self.end
        return by_card[card]
