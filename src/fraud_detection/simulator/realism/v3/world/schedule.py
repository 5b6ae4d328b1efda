"""Subscriptions as rows: each bills on its day of the month at its minute of the night.

The billing moment is a function of the subscription and the day only (its local minute, the
merchant's UTC offset that day, a fixed second), so the plan and every chunk agree on it.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from ..fraud.draws import Hashed
from .population import (
    NS_PER_DAY,
    Population,
)
from .rows import (
    ECOM,
    MERCHANT,
    NONE,
    ONLINE,
    Rows,
    unlabelled,
)

NS_PER_MINUTE = 60_000_000_000


def occurrences(pop: Population, start_ns: int, end_ns: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (subscription index, billing time) of every bill in [start_ns, end_ns)."""
    subs = pop.subscriptions
    if subs.owner.size == 0 or end_ns <= start_ns:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    by_day = subs.by_day
    first_day = (start_ns - NS_PER_DAY) // NS_PER_DAY  # local night can be the UTC day before
    last_day = end_ns // NS_PER_DAY + 1
    midnights = np.arange(first_day, last_day + 1, dtype=np.int64) * NS_PER_DAY
    dom = pl.Series(midnights).cast(pl.Datetime("ns")).dt.day().to_numpy()
    idx_parts, time_parts = [], []
    for midnight, d in zip(midnights, dom, strict=True):
        which = by_day[d] if d <= 28 else by_day[0]
        if which.size == 0:
            continue
        zone = pop.merchants.zone[subs.merchant[which]]
        noon = np.full(which.size, midnight + NS_PER_DAY // 2)
        offset = pop.clock.offsets.at(zone, noon)
        second = (which * 7919) % 60 * 1_000_000_000
        t = midnight + (subs.minute[which] - offset.astype(np.int64)) * NS_PER_MINUTE + second
        keep = (t >= start_ns) & (t < end_ns)
        idx_parts.append(which[keep])
        time_parts.append(t[keep])
    if not idx_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    idx, times = np.concatenate(idx_parts), np.concatenate(time_parts)
    keep = _charged(pop, idx, times)
    idx, times = idx[keep], times[keep]
    order = np.lexsort((idx, times))
    return idx[order], times[order]


# Of subscriptions billing a card just replaced (within a month of its arrival), the share
# whose first charge fails before the merchant has the new card (Elavon: 20-30% of recurring
# payments decline after a reissue; account updaters move the rest).
FIRST_CHARGE_FAILS = 0.25


def _charged(pop: Population, idx: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Return which bills are charged: the owner's busiest slot holds a card then (not before
    the customer joined, nor while a blocked card's replacement is on its way), and the bill is
    not the first on a replacement whose merchant had the old card (then it fails once)."""
    slot = pop.customers.primary_card[pop.subscriptions.owner[idx]]
    card = pop.physical.live(slot, times)
    safe = np.maximum(card, 0)
    fresh = pop.physical.replaces[safe] >= 0
    fresh &= times - pop.physical.issued[safe] < 31 * NS_PER_DAY
    fails = Hashed(int(pop.salt), "v3.scheduled", idx, safe).random() < FIRST_CHARGE_FAILS
    return (card >= 0) & ~(fresh & fails)


def subscription_rows(pop: Population, idx: np.ndarray, times: np.ndarray) -> Rows:
    """Return the bills as rows: the owner's busiest card, online, merchant-initiated (no
    device, IP or user agent), the same amount every month, ``is_recurring`` true."""
    subs, cust = pop.subscriptions, pop.customers
    owner = subs.owner[idx]
    n = idx.size
    zone = cust.zone[owner]
    merchant_initiated = len(pop.device_types) - 3 + MERCHANT
    return Rows(
        time=times, card=pop.physical.live(cust.primary_card[owner], times), customer=owner,
        merchant=subs.merchant[idx],
        channel=np.full(n, ONLINE, np.int8), entry=np.full(n, ECOM, np.int8),
        amount=subs.amount[idx], device_type=np.full(n, merchant_initiated, np.int8),
        device_kind=np.full(n, NONE, np.int8), device_ref=owner, ip_kind=np.full(n, NONE, np.int8),
        ip_ref=owner, agent=np.full(n, -1, np.int64), latitude=cust.latitude[owner],
        longitude=cust.longitude[owner], offset=pop.clock.offsets.at(zone, times),
        recurring=np.ones(n, dtype=bool), **unlabelled(n),
        fresh_devices=pa.nulls(0, pa.string()), fresh_ips=pa.nulls(0, pa.string()),
    )  # fmt: skip
