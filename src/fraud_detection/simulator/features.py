"""Vectorised column builders: UUIDs from random bytes, IPv4 from integers, pooled strings.

Nothing here loops over rows in Python; Faker is only used to fill small pools once.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl
import pyarrow as pa

from .config import FeatureConfig
from .libcache import cached_json

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# Two ASCII hex digits per byte value, as one uint16 (little-endian: first digit first).
_HEX_PAIRS = _HEX[np.arange(256) >> 4].astype(np.uint16) | (
    _HEX[np.arange(256) & 15].astype(np.uint16) << 8
)
# Hex-digit ranges of the five dash-separated groups: 8-4-4-4-12.
_UUID_GROUPS = ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))
USER_AGENT_POOL_SIZE = 500
_POOL_SEED = 20_250_101
# First octets of routable unicast space (no 0, 10, 127, 169, 172, 192, >= 224).
_FIRST_OCTETS = np.array(
    [o for o in range(1, 224) if o not in (10, 127, 169, 172, 192)], dtype=np.uint32
)


def uuid4_array(
    rng: np.random.Generator, n: int, valid: np.ndarray | None = None
) -> pa.StringArray:
    """Return ``n`` RFC 4122 version-4 UUID strings from random bytes (null where not ``valid``)."""
    raw = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    return uuid4_from_bytes(raw, valid)


def uuid4_from_words(high: np.ndarray, low: np.ndarray) -> pa.StringArray:
    """Return one version-4 UUID string per pair of 64-bit words."""
    words = np.stack([high.astype(np.uint64), low.astype(np.uint64)], axis=1)
    return uuid4_from_bytes(words.view(np.uint8).reshape(-1, 16).copy())


def uuid4_from_bytes(raw: np.ndarray, valid: np.ndarray | None = None) -> pa.StringArray:
    """Return UUID strings of ``raw`` (n x 16 bytes), version and variant bits set."""
    n = raw.shape[0]
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexed = _HEX_PAIRS[raw].view(np.uint8)  # (n, 32): two hex digits per byte
    text = np.empty((n, 36), dtype=np.uint8)
    text[:, [8, 13, 18, 23]] = ord("-")
    for start, (lo, hi) in zip((0, 9, 14, 19, 24), _UUID_GROUPS, strict=True):
        text[:, start : start + hi - lo] = hexed[:, lo:hi]
    offsets = np.arange(0, 36 * (n + 1), 36, dtype=np.int32)
    bitmap = None
    null_count = 0
    if valid is not None:
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        null_count = int(n - np.count_nonzero(valid))
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(text.reshape(-1)), bitmap, null_count
    )


def ipv4_series(rng: np.random.Generator, n: int) -> pl.Series:
    """Return ``n`` dotted-quad IPv4 addresses in routable unicast space."""
    first = _FIRST_OCTETS[rng.integers(0, _FIRST_OCTETS.size, n)]
    rest = rng.integers(0, 1 << 24, n, dtype=np.uint32)
    return _dotted(first, rest)


def ipv4_from_words(words: np.ndarray) -> pl.Series:
    """Return one routable IPv4 address per 64-bit word."""
    w = words.astype(np.uint64)
    first = _FIRST_OCTETS[(w % np.uint64(_FIRST_OCTETS.size)).astype(np.int64)]
    rest = ((w >> np.uint64(16)) & np.uint64(0xFFFFFF)).astype(np.uint32)
    return _dotted(first, rest)


def _dotted(first: np.ndarray, rest: np.ndarray) -> pl.Series:
    octets = [
        pl.Series(first),
        pl.Series((rest >> 16) & 0xFF),
        pl.Series((rest >> 8) & 0xFF),
        pl.Series(np.maximum(rest & 0xFF, 1)),
    ]
    return pl.select(pl.concat_str([o.cast(pl.String) for o in octets], separator=".")).to_series()


@cache
def user_agent_pool() -> tuple[str, ...]:
    """Return a fixed pool of realistic user agents (Faker, seeded; once per process, and
    kept in the library cache for the installed Faker)."""
    key = [_POOL_SEED, USER_AGENT_POOL_SIZE]
    return tuple(cached_json("user-agents", "faker", key, _faker_agents))


def _faker_agents() -> list[str]:
    from faker import Faker  # slow to import: only where a pool is built

    fake = Faker()
    fake.seed_instance(_POOL_SEED)
    return [fake.user_agent() for _ in range(USER_AGENT_POOL_SIZE)]


def agent_family(ua: str) -> str:
    """Return the device family a user agent names: tablet, mobile or desktop."""
    if "iPad" in ua or "Tablet" in ua:
        return "tablet"
    if any(token in ua for token in ("iPhone", "iPod", "Android", "Mobile")):
        return "mobile"
    return "desktop"


def pick(values: tuple[str, ...] | list[str], idx: np.ndarray) -> pl.Series:
    """Return ``values[idx]`` as a String series without building Python strings per row."""
    return pl.Series(values, dtype=pl.String).gather(idx)


def weighted_index(
    rng: np.random.Generator, weights: np.ndarray | tuple[float, ...], n: int
) -> np.ndarray:
    """Return ``n`` indices into ``weights`` drawn with those (relative) weights."""
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w) / w.sum()
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), w.size - 1)


def amounts(feature: FeatureConfig, rng: np.random.Generator, n: int) -> np.ndarray:
    """Return ``n`` positive amounts rounded to cents from the configured distribution."""
    p = feature.amount
    if feature.amount_distribution == "lognormal":
        values = rng.lognormal(p["mean"], p["sigma"], n)
    elif feature.amount_distribution == "normal":
        values = rng.normal(p["loc"], p["scale"], n)
        # Redraw non-positive values: a truncated normal, not a spike at the floor.
        for _ in range(100):
            bad = np.flatnonzero(values < 0.01)
            if bad.size == 0:
                break
            values[bad] = rng.normal(p["loc"], p["scale"], bad.size)
    else:
        values = rng.uniform(p["low"], p["high"], n)
    return np.maximum(np.round(values, 2), 0.01)
