"""The baseline's graph feature: other cards seen on this payment's device or IP lately.

For each row, ``other_cards_7d`` counts the cards other than the row's own that paid with the
row's device, or from its IP, in the 7 days before it (``[t - 7 days, t)``; nulls never link;
null when the row has neither). A crew's shared infrastructure (a testing bot's device, a
proxy IP) shows up here, where one card's own history sees nothing.

Counted as (cards on the device) + (cards on the IP) - (cards on both in one payment), each a
count of distinct cards over intervals (``intervals``), so the whole dataset takes a few
vectorised sorts and no per-row Python. A card seen on the device in one payment and on the IP
in another, never together, is counted twice: households and phones that change networks do
that occasionally, a bot's cards rarely (they pay on the bot's device and proxy together).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from ..inputs.columns import CARD, DEVICE, IP, TIME
from .intervals import by_group_and_time, covering, dense_codes, runs, seen_before

GRAPH_FEATURE = "other_cards_7d"
# The graph family of the baseline: every feature that links a payment to other cards through
# shared infrastructure (the distinct cards seen before on its device and IP, and the graph
# feature). Their gain is measured together: each alone is largely redundant with the others.
GRAPH_FAMILY = ("cards_per_device", "cards_per_ip", GRAPH_FEATURE)
WINDOW = timedelta(days=7)
NS = 1_000_000_000


def _codes(frame: pl.DataFrame, *keys: str) -> np.ndarray:
    """Return a dense code >= 0 per distinct (non-null) combination of ``keys``, -1 where any
    is null."""
    present = np.ones(frame.height, dtype=bool)
    parts = []
    for key in keys:
        ranked = frame[key].rank("dense")  # 1, 2, ... by value; null stays null
        present &= ranked.is_not_null().to_numpy()
        parts.append(ranked.fill_null(0).cast(pl.Int64).to_numpy())
    if len(parts) == 1:
        return np.where(present, parts[0] - 1, -1)
    codes = np.full(frame.height, -1, dtype=np.int64)
    if present.any():
        codes[present] = dense_codes(*(p[present] for p in parts))
    return codes


def distinct_others(key: np.ndarray, card: np.ndarray, time: np.ndarray, reach: int) -> np.ndarray:
    """Return, per row, the distinct other cards with a row of the same ``key`` (code >= 0;
    -1: none, counts 0) in ``[time - reach, time)``."""
    out = np.zeros(key.size, dtype=np.int64)
    rows = np.flatnonzero(key >= 0)
    if rows.size == 0:
        return out
    k, c, t = key[rows], card[rows], time[rows]
    pair = dense_codes(k, c)
    pair_key = np.zeros(int(pair.max()) + 1, dtype=np.int64)
    pair_key[pair] = k
    order = by_group_and_time(pair, t)
    run_pair, start, end = runs(pair, t, reach, order)
    every = covering(k, t, pair_key[run_pair], start, end)
    out[rows] = every - seen_before(pair, t, reach, order)
    return out


def other_cards(frame: pl.DataFrame, window: timedelta = WINDOW) -> pl.Series:
    """Return ``other_cards_7d`` for every row of ``frame`` (see the module doc), in its order."""
    reach = int(window.total_seconds() * NS)
    time = frame[TIME].dt.epoch("ns").to_numpy()
    card = frame[CARD].fill_null(-1).cast(pl.Int64).to_numpy()
    has = [k for k in (DEVICE, IP) if k in frame.columns]
    counts = np.zeros(frame.height, dtype=np.int64)
    present = np.zeros(frame.height, dtype=bool)
    for key in has:
        codes = _codes(frame, key)
        present |= codes >= 0
        counts += distinct_others(codes, card, time, reach)
    if len(has) == 2:
        counts -= distinct_others(_codes(frame, *has), card, time, reach)
    values = np.where(present, counts, np.nan)
    return pl.Series(GRAPH_FEATURE, values, dtype=pl.Float64).fill_nan(None)
