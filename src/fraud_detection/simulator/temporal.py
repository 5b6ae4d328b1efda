"""Event times: a diurnal Gaussian mixture over uniformly drawn days.

The whole range is cut into fixed cells (1 minute for ranges up to ~8 years). A plan draws the
rows per day (multinomial, uniform over days) and per cell of each day (multinomial over the
mixture's mass per cell); a row's time is then uniform inside its cell. ``plan.py`` groups
consecutive cells into chunks, so every chunk is a contiguous slice of time.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from .streams import as_generator

NS_PER_SECOND = 1_000_000_000
SECONDS_PER_DAY = 86_400

# (mean hour, sd in hours, weight): morning, midday and evening peaks (UTC hours).
DIURNAL_COMPONENTS: tuple[tuple[float, float, float], ...] = (
    (9.0, 1.6, 0.30),
    (13.5, 1.5, 0.35),
    (19.5, 1.8, 0.30),
)
# Share spread evenly over the day, so there is night-time activity (and night-time fraud).
NIGHT_FLOOR = 0.05
_CELL_SECONDS = (60, 300, 900, 3600)
_MAX_CELLS = 4_200_000


def cell_seconds(days: int) -> int:
    """Return the width of a plan cell: 1 minute unless the range is very long."""
    for width in _CELL_SECONDS:
        if days * SECONDS_PER_DAY // width <= _MAX_CELLS:
            return width
    return SECONDS_PER_DAY


def diurnal_cell_mass(cell_s: int) -> np.ndarray:
    """Return the mixture's probability mass of each ``cell_s``-second cell of a day (sums to 1)."""
    mid_hours = (np.arange(SECONDS_PER_DAY // cell_s) + 0.5) * cell_s / 3600.0
    density = np.full(mid_hours.shape, NIGHT_FLOOR / 24.0)
    for mean, sd, weight in DIURNAL_COMPONENTS:
        for wrap in (-24.0, 0.0, 24.0):  # the day is a circle: evening spills past midnight
            z = (mid_hours - mean - wrap) / sd
            density += (1 - NIGHT_FLOOR) * weight * np.exp(-0.5 * z * z) / (sd * np.sqrt(2 * np.pi))
    return density / density.sum()


def day_ns(day: date) -> int:
    """Return midnight UTC of ``day`` in nanoseconds since the epoch."""
    return int(np.datetime64(day, "ns").astype(np.int64))


def draw_cell_counts(
    total_rows: int,
    start_date: date,
    end_date: date,
    rng_days: np.random.Generator,
    rng_cells: np.random.Generator,
) -> tuple[np.ndarray, int]:
    """Return (rows per cell over the whole range, cell width in seconds)."""
    days = (end_date - start_date).days + 1
    width = cell_seconds(days)
    per_day = rng_days.multinomial(total_rows, np.full(days, 1.0 / days))
    counts = rng_cells.multinomial(per_day, diurnal_cell_mass(width))
    return counts.reshape(-1).astype(np.int64), width


def times_in_cells(
    counts: np.ndarray, first_cell_ns: int, cell_ns: int, rng: np.random.Generator
) -> np.ndarray:
    """Return sorted int64 nanosecond times: ``counts[i]`` rows uniform inside cell ``i``."""
    starts = first_cell_ns + np.arange(counts.size, dtype=np.int64) * cell_ns
    times = np.repeat(starts, counts)
    times += rng.integers(0, cell_ns, size=times.size, dtype=np.int64)
    times.sort()
    return times


def sample_timestamps(
    total_rows: int,
    start_date: date,
    end_date: date | None,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Return ``total_rows`` sorted ``datetime64[ns]`` times (UTC) in [start_date, end_date].

    Days are uniform; the time of day follows the diurnal mixture. ``end_date`` is inclusive and
    defaults to today.
    """
    end = end_date or date.today()
    if end < start_date:
        raise ValueError(f"end_date {end} is before start_date {start_date}")
    rng = as_generator(seed, "sample_timestamps")
    counts, width = draw_cell_counts(total_rows, start_date, end, rng, rng)
    times = times_in_cells(counts, day_ns(start_date), width * NS_PER_SECOND, rng)
    return times.view("datetime64[ns]")


def span_ns(start_date: date, end_date: date) -> tuple[int, int]:
    """Return [midnight of ``start_date``, midnight after ``end_date``) in ns (UTC)."""
    return day_ns(start_date), range_end_ns(end_date)


def range_end_ns(end_date: date) -> int:
    """Return the exclusive end of an inclusive ``end_date`` (next midnight UTC)."""
    return day_ns(end_date + timedelta(days=1))
