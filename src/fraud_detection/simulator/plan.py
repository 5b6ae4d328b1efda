"""The plan: how many rows (and frauds) each chunk has, drawn once from the seed.

A chunk is a contiguous time interval made of whole plan cells, holding about ``batch_size``
rows. The plan depends on the config only, never on the worker count or engine.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from .config import GeneratorConfig
from .streams import stream
from .temporal import NS_PER_SECOND, day_ns, draw_cell_counts


@dataclass(frozen=True)
class ChunkPlan:
    """One chunk: rows per cell from ``start_ns`` and the exact fraud count to label.

    ``counts`` are the rows drawn per plan cell; ``extra_rows`` are rows the chunk makes at
    moments of their own inside its interval (v3's subscriptions and fraud episodes).
    """

    index: int
    start_ns: int
    cell_ns: int
    counts: np.ndarray
    fraud_count: int
    extra_rows: int = 0

    @property
    def rows(self) -> int:
        return int(self.counts.sum()) + self.extra_rows

    @property
    def end_ns(self) -> int:
        """Exclusive end of the chunk's interval."""
        return self.start_ns + self.counts.size * self.cell_ns


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Return integers summing to ``total``, proportional to ``weights`` (largest remainder)."""
    quotas = total * weights / weights.sum()
    base = np.floor(quotas).astype(np.int64)
    short = total - int(base.sum())
    if short:
        # Stable sort: ties go to the earlier chunk, so the result is deterministic.
        order = np.argsort(-(quotas - base), kind="stable")
        base[order[:short]] += 1
    return base


def chunk_pieces(counts: np.ndarray, total_rows: int, batch_size: int) -> list[tuple[int, int]]:
    """Return [first cell, end cell) of each chunk: consecutive cells of about ``batch_size``
    rows (``counts`` rows per cell), empty pieces dropped."""
    cumulative = np.cumsum(counts)
    n_chunks = math.ceil(total_rows / batch_size)
    targets = np.arange(1, n_chunks, dtype=np.int64) * batch_size
    inner = np.searchsorted(cumulative, targets, side="left") + 1
    bounds = np.unique(np.concatenate([[0], inner, [counts.size]]))
    return [(int(a), int(b)) for a, b in itertools.pairwise(bounds) if counts[a:b].any()]


def make_plan(cfg: GeneratorConfig) -> list[ChunkPlan]:
    """Return the chunks of the dataset ``cfg`` describes, in time order."""
    counts, width = draw_cell_counts(
        cfg.total_rows,
        cfg.temporal.start_date,
        cfg.temporal.last_day,
        stream(cfg.seed, "plan.days"),
        stream(cfg.seed, "plan.cells"),
    )
    pieces = chunk_pieces(counts, cfg.total_rows, cfg.batch_size)
    rows = np.array([counts[a:b].sum() for a, b in pieces], dtype=np.float64)
    frauds = apportion(cfg.fraud_count, rows)
    first_ns = day_ns(cfg.temporal.start_date)
    cell_ns = width * NS_PER_SECOND
    return [
        ChunkPlan(i, first_ns + a * cell_ns, cell_ns, counts[a:b].copy(), int(frauds[i]))
        for i, (a, b) in enumerate(pieces)
    ]
