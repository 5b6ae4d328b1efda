"""v3's plan: everyday rows per cell follow each zone's local rhythm; scheduled rows add theirs.

Subscription bills and fraud episodes happen at moments of their own, all known in advance.
The everyday rows are what is left of ``total_rows``: per day by the calendar (each zone's
weight on its local date: weekdays, holidays, seasons; ``world/calendar.py``), then per cell by
the diurnal mixture in local time summed over the time zones (weighted by the activity of the
cards living there), so nights are quiet where people sleep and the UTC profile is flatter.
Chunks group consecutive cells by all their rows.
"""

from __future__ import annotations

import numpy as np

from ...config import GeneratorConfig
from ...errors import ConfigError
from ...plan import ChunkPlan, chunk_pieces
from ...streams import stream
from ...temporal import NS_PER_SECOND, cell_seconds
from .fraud.episodes import EpisodePlan
from .world.population import (
    NS_PER_DAY,
    Population,
)
from .world.schedule import occurrences


def local_cell_mass(pop: Population, days: int, width_s: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (each day's share of everyday rows, (days, cells per day) each day's share of
    activity per UTC cell): the zones' activity times their calendar weight on their local
    date, by the diurnal rhythm at their local time."""
    clock, rhythm = pop.clock, pop.rhythm
    offsets = clock.daily[:days]  # minutes from UTC per (day, zone)
    unique, which = np.unique(offsets, return_inverse=True)
    which = which.reshape(offsets.shape)
    minutes = np.arange(1440)
    local = minutes[None, :] + unique[:, None]  # (offsets, 1440)
    first = (clock.first_ns - rhythm.origin) // NS_PER_DAY  # the calendar's index of day 0
    rows = np.repeat(np.arange(days), offsets.shape[1])
    mass = np.zeros((days, 1440))
    for shift in (-1, 0, 1):  # the local date is the UTC date's, the day before, or after
        dated = np.clip(first + np.arange(days) + shift, 0, rhythm.zone_day.shape[0] - 1)
        zone_w = pop.cards.zone_weight[None, :] * rhythm.zone_day[dated]  # (days, zones)
        weight = np.zeros((days, unique.size))
        np.add.at(weight, (rows, which.ravel()), zone_w.ravel())
        on_that_day = local // 1440 == shift
        mass += weight @ np.where(on_that_day, clock.minute_mass[local % 1440], 0.0)
    per_cell = max(width_s // 60, 1)
    if width_s >= 86_400:
        cells = mass.sum(axis=1, keepdims=True)
    else:
        cells = mass.reshape(days, 1440 // per_cell, per_cell).sum(axis=2)
    day_mass = cells.sum(axis=1)
    return day_mass / day_mass.sum(), cells / day_mass[:, None]


def plan_v3(cfg: GeneratorConfig, pop: Population, episodes: EpisodePlan) -> list[ChunkPlan]:
    """Return the chunks: everyday rows by local rhythm, plus scheduled rows, in time order."""
    first, stop = pop.clock.first_ns, pop.clock.stop_ns
    days = int((stop - first) // NS_PER_DAY)
    width = cell_seconds(days)
    cell_ns = width * NS_PER_SECOND
    _, bills = occurrences(pop, first, stop)
    episode_times, fraud = episodes.all_times()
    everyday = cfg.total_rows - bills.size - episode_times.size
    if everyday < 0:
        raise ConfigError(
            f"total_rows: {cfg.total_rows:,} rows cannot hold {bills.size:,} subscription bills"
            f" and {episode_times.size:,} fraud-episode rows; raise total_rows or lower"
            " population.recurring_share or fraud_rate"
        )
    rng_days, rng_cells = stream(cfg.seed, "v3.plan", 0), stream(cfg.seed, "v3.plan", 1)
    day_share, cell_share = local_cell_mass(pop, days, width)
    per_day = rng_days.multinomial(everyday, day_share)
    counts = rng_cells.multinomial(per_day, cell_share).reshape(-1)
    n_cells = counts.size
    scheduled = _per_cell(np.concatenate([bills, episode_times]), first, cell_ns, n_cells)
    frauds = _per_cell(episode_times[fraud], first, cell_ns, n_cells)
    pieces = chunk_pieces(counts + scheduled, cfg.total_rows, cfg.batch_size)
    return [
        ChunkPlan(i, first + a * cell_ns, cell_ns, counts[a:b].astype(np.int64).copy(),
                  int(frauds[a:b].sum()), int(scheduled[a:b].sum()))
        for i, (a, b) in enumerate(pieces)
    ]  # fmt: skip


def _per_cell(times: np.ndarray, first: int, cell_ns: int, cells: int) -> np.ndarray:
    return np.bincount((times - first) // cell_ns, minlength=cells)[:cells]
