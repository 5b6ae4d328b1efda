"""Habits: the merchants each customer returns to, near home and online.

A customer has ``1 + Poisson(habitual_merchants - 1)`` habitual merchants: in-store ones drawn
from their market by popularity, online ones from the online merchants by popularity (4 times
as likely to be domestic), as many online as their online share makes likely. Visit shares are
Dirichlet(1) within each side, online summing to the customer's online share.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from .markets import Markets

MAX_HABITS = 40


def habit_counts(
    rng: np.random.Generator, n: int, mean: float, online_share: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (in-store, online) habit counts per customer."""
    total = np.minimum(1 + rng.poisson(max(mean - 1.0, 0.0), n), MAX_HABITS)
    online = rng.binomial(total, online_share)
    return total - online, online


Picks = tuple[np.ndarray, np.ndarray]  # (count per owner, values owner by owner)


def first_distinct(owner: np.ndarray, picks: np.ndarray, k: np.ndarray) -> Picks:
    """Return per owner the first ``k[owner]`` distinct values of its picks (non-negative
    integers), in draw order (``owner`` ascending): how many each owner got, and the values
    owner after owner.

    The first distinct values of a sequence of weighted draws with replacement are a weighted
    sample without replacement (successive sampling), so this is what Gumbel-top-k gives,
    at the cost of one draw per candidate instead of one per (owner, merchant).
    """
    if owner.size == 0:
        return np.zeros(k.size, dtype=np.int64), picks[:0]
    # Owner, then value, then draw order: a stable sort of one combined key (lexsort's order).
    order = np.argsort(owner.astype(np.int64) * (int(picks.max()) + 1) + picks, kind="stable")
    first = np.r_[
        True, (owner[order][1:] != owner[order][:-1]) | (picks[order][1:] != picks[order][:-1])
    ]
    keep = np.sort(order[first])  # first occurrences, back in draw order
    kept_owner = owner[keep]
    start = np.searchsorted(kept_owner, kept_owner, side="left")
    rank = np.arange(keep.size) - start
    keep = keep[rank < k[kept_owner]]
    return np.bincount(owner[keep], minlength=k.size).astype(np.int64), picks[keep]


def _candidates(k: np.ndarray) -> np.ndarray:
    """Return each owner once per candidate draw: 3k + 5 draws leave room for repeats."""
    return np.repeat(np.arange(k.size), np.where(k > 0, 3 * k + 5, 0))


def local_habits(
    rng: np.random.Generator, markets: Markets, market: np.ndarray, k: np.ndarray
) -> Picks:
    """Return each customer's in-store habitual merchants (positions), from its market."""
    k = np.minimum(k, markets.in_store.size()[market])
    owner = _candidates(k)
    picks = markets.in_store.sample(market[owner], rng.random(owner.size))
    return first_distinct(owner, picks, k)


def online_habits(
    rng: np.random.Generator, markets: Markets, country: np.ndarray, k: np.ndarray
) -> Picks:
    """Return each customer's online habitual merchants (positions), mostly domestic."""
    k = np.minimum(k, markets.online_all.size()[0])
    owner = _candidates(k)
    u_home, u = rng.random(owner.size), rng.random(owner.size)
    return first_distinct(owner, markets.online_for(country[owner], u_home, u), k)


def habits_table(
    rng: np.random.Generator, local: Picks, online: Picks, online_share: np.ndarray,
    merchant_ids: np.ndarray,
) -> pl.DataFrame:  # fmt: skip
    """Return ``habit_merchants`` (ids) and ``habit_weights`` list columns, one row a customer.

    Visit shares are Dirichlet(1) per side (normalised exponentials); online habits get the
    customer's online share of visits (all of them when the other side is empty).
    """
    (n_loc, loc_values), (n_web, web_values) = local, online
    sizes = n_loc + n_web
    offsets = np.r_[0, np.cumsum(sizes)]
    is_web = np.arange(offsets[-1]) - np.repeat(offsets[:-1], sizes) >= np.repeat(n_loc, sizes)
    values = np.empty(offsets[-1], dtype=np.int64)  # each customer's local, then online
    values[~is_web], values[is_web] = loc_values, web_values
    side = np.repeat(np.arange(sizes.size), sizes) * 2 + is_web
    draws = rng.exponential(size=values.size)
    side_sum = np.bincount(side, weights=draws, minlength=2 * sizes.size)
    web_share = np.where(n_web == 0, 0.0, np.where(n_loc == 0, 1.0, online_share))
    share = np.where(is_web, np.repeat(web_share, sizes), np.repeat(1 - web_share, sizes))
    weights = draws / side_sum[side] * share
    return pl.DataFrame(
        {
            "habit_merchants": list_column(offsets, merchant_ids[values.astype(np.int64)]),
            "habit_weights": list_column(offsets, weights),
        }
    )


def list_column(offsets: np.ndarray, values: np.ndarray) -> pl.Series:
    """Return a List series whose row i is ``values[offsets[i]:offsets[i + 1]]``."""
    # Through Polars: ``pa.array`` on a NumPy array imports pandas (0.2 s) to check its type.
    array = pa.ListArray.from_arrays(
        pl.Series(offsets.astype(np.int32)).to_arrow(), pl.Series(values).to_arrow()
    )
    series = pl.from_arrow(array)
    assert isinstance(series, pl.Series)
    return series
