"""Counter-based random numbers: a value is a hash of (seed, purpose, episode, row, draw).

Fraud rows are drawn for many episodes at once, in whichever chunk they fall. Hashing the
counters (SplitMix64's finaliser) gives every row its own reproducible numbers without a
generator per episode, so where a chunk edge cuts an episode never changes a value: the same
row gets the same numbers on any worker count or engine. ``Hashed`` offers the part of
``numpy.random.Generator``'s interface the row builders use; each call is one more draw.
"""

from __future__ import annotations

import numpy as np

from ....streams import (
    PURPOSES,
    mix,
)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_TO_UNIT = 2.0**-53


def _u64(values: np.ndarray | int) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype(np.uint64)


class Hashed:
    """Uniforms (and a few distributions) for rows identified by (episode, row)."""

    def __init__(self, seed: int, purpose: str, episode: np.ndarray, row: np.ndarray) -> None:
        base = mix(mix(_u64(np.array([seed])) ^ _u64(np.array([PURPOSES[purpose]]))))[0]
        with np.errstate(over="ignore"):
            self._key = mix(mix(_u64(episode) + base) + _u64(row))
        self._draw = 0
        self.size = int(np.asarray(episode).size)

    def _next(self) -> np.ndarray:
        self._draw += 1
        with np.errstate(over="ignore"):
            return mix(self._key + np.uint64(self._draw) * _GOLDEN)

    def random(self, shape: int | tuple[int, int] | None = None) -> np.ndarray:
        """Return uniforms in [0, 1): one per row, or ``(k, rows)`` for ``shape=(k, rows)``."""
        if isinstance(shape, tuple):
            return np.stack([self.random() for _ in range(shape[0])])
        return (self._next() >> np.uint64(11)).astype(np.float64) * _TO_UNIT

    def uniform(self, low: float | np.ndarray, high: float | np.ndarray) -> np.ndarray:
        return low + (np.asarray(high) - low) * self.random()

    def normal(self, loc: float | np.ndarray = 0.0, scale: float | np.ndarray = 1.0) -> np.ndarray:
        """Return normal draws (Box-Muller: two uniforms per row)."""
        u1 = np.maximum(self.random(), 1e-300)
        u2 = self.random()
        return loc + np.asarray(scale) * np.sqrt(-2.0 * np.log(u1)) * np.cos(2 * np.pi * u2)

    def lognormal(self, mean: float | np.ndarray, sigma: float | np.ndarray) -> np.ndarray:
        return np.exp(self.normal(mean, sigma))

    def integers(self, low: int | np.ndarray, high: int | np.ndarray) -> np.ndarray:
        """Return integers in [low, high) (``high > low`` row by row)."""
        span = np.asarray(high, dtype=np.int64) - np.asarray(low, dtype=np.int64)
        return np.asarray(low, dtype=np.int64) + (self.random() * span).astype(np.int64)

    def words(self) -> np.ndarray:
        """Return one raw 64-bit word per row (for identifiers: devices, IPs)."""
        return self._next()
