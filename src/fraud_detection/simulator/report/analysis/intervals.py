"""Counting intervals that hold a moment, for many moments at once: the one tool behind the
windowed features that need more than a rolling sum (other cards on a device in the last 7
days, a merchant's frauds known by now in a delayed window).

Times are integers (nanoseconds); an interval ``[start, end)`` belongs to a group (a device, a
merchant). ``covering`` answers, for each query (group, time), how many intervals of its group
hold the time: ``#(start <= t) - #(end <= t)`` within the group, two binary searches over
sorted keys. Times are replaced by their rank among every time involved, so a (group, rank)
key fits one 64-bit integer without losing a nanosecond. Ranks come from Polars (a binary
search of a million unsorted values into three million is several times slower).
"""

from __future__ import annotations

import numpy as np
import polars as pl


def _sorted(values: np.ndarray) -> np.ndarray:
    return np.sort(values, kind="stable")


def _ranked(*arrays: np.ndarray) -> tuple[list[np.ndarray], int]:
    """Return each array's values as ranks among all of them (equal values, equal ranks), and
    one more than the largest rank."""
    whole = np.concatenate(arrays)
    ranks = pl.Series(whole).rank("min").cast(pl.Int64).to_numpy() - 1
    return np.split(ranks, np.cumsum([a.size for a in arrays])[:-1]), whole.size


def covering_many(
    query_group: np.ndarray,
    query_time: np.ndarray,
    intervals: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> list[np.ndarray]:
    """Return, for each (group, start, end) set of ``intervals`` and each query, how many of the
    set's intervals ``[start, end)`` of the query's group hold its time.

    Groups are non-negative integers; empty intervals (``end <= start``) count for nothing.
    The sets share one ranking of the times and one sort of the queries.
    """
    kept = [(g[e > s], s[e > s], e[e > s]) for g, s, e in intervals]
    ranked, ranks = _ranked(query_time, *(a for _, s, e in kept for a in (s, e)))
    width = np.int64(ranks + 1)  # groups x ranks stays far below 2**63
    key = query_group.astype(np.int64) * width + ranked[0]
    order = np.argsort(key, kind="stable")
    probe = key[order]
    out = []
    for i, (group, _, _) in enumerate(kept):
        base = group.astype(np.int64) * width
        starts, ends = _sorted(base + ranked[1 + 2 * i]), _sorted(base + ranked[2 + 2 * i])
        held = np.empty(key.size, dtype=np.int64)
        began = np.searchsorted(starts, probe, "right")
        held[order] = began - np.searchsorted(ends, probe, "right")
        out.append(held)
    return out


def covering(
    query_group: np.ndarray,
    query_time: np.ndarray,
    group: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """Return, for each query, how many intervals ``[start, end)`` of its group hold its time."""
    return covering_many(query_group, query_time, [(group, start, end)])[0]


def _dense(values: np.ndarray) -> np.ndarray:
    return pl.Series(values).rank("dense").cast(pl.Int64).to_numpy() - 1


def dense_codes(*columns: np.ndarray) -> np.ndarray:
    """Return one dense integer code (0, 1, ...) per distinct combination of the integer
    columns, numbered in the order of the combinations."""
    code = _dense(columns[0].astype(np.int64))
    for column in columns[1:]:
        rank = _dense(column.astype(np.int64))
        code = _dense(code * np.int64(int(rank.max(initial=0)) + 1) + rank)
    return code


def by_group_and_time(group: np.ndarray, time: np.ndarray) -> np.ndarray:
    """Return the order of the rows by group, then time (``runs`` and ``seen_before`` take it
    when a caller needs both)."""
    by_time = np.argsort(time, kind="stable")
    return by_time[np.argsort(group[by_time], kind="stable")]


def seen_before(
    group: np.ndarray, time: np.ndarray, reach: int, order: np.ndarray | None = None
) -> np.ndarray:
    """Return, per row, whether its group has a row at an earlier time in ``[t - reach, t)``
    (``order``: ``by_group_and_time``'s, when known)."""
    order = by_group_and_time(group, time) if order is None else order
    g, t = group[order], time[order]
    tie = np.ones(g.size, dtype=bool)
    tie[1:] = (g[1:] != g[:-1]) | (t[1:] != t[:-1])
    previous = np.maximum.accumulate(np.where(tie, np.arange(g.size), 0)) - 1
    earlier = np.clip(previous, 0, None)
    held = (previous >= 0) & (g[earlier] == g) & (t - t[earlier] <= reach)
    out = np.empty(g.size, dtype=bool)
    out[order] = held
    return out


def runs(
    group: np.ndarray, time: np.ndarray, reach: int, order: np.ndarray | None = None
) -> tuple[np.ndarray, ...]:
    """Return (group, start, end) of the merged intervals ``(t, t + reach]`` of each group's
    times, as half-open integer intervals ``[t + 1, t + reach + 1)``: the moments whose window
    ``[moment - reach, moment)`` holds one of the group's times. Times need not be sorted
    (``order``: ``by_group_and_time``'s, when known)."""
    order = by_group_and_time(group, time) if order is None else order
    g, t = group[order], time[order]
    new = np.ones(g.size, dtype=bool)
    new[1:] = (g[1:] != g[:-1]) | (t[1:] - t[:-1] > reach)
    first = np.flatnonzero(new)
    last = np.append(first[1:], g.size) - 1
    return g[first], t[first] + 1, t[last] + reach + 1
