"""Named, independent random streams: one ``numpy.random.Generator`` per (purpose, index).

Every purpose has a fixed number, so adding a purpose (a new column) leaves the values of all
other streams unchanged, and chunk ``i`` draws the same values whichever worker runs it.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

# Never renumber: the numbers are part of what makes a seed reproduce a dataset.
PURPOSES = MappingProxyType(
    {
        "plan.days": 1,
        "plan.cells": 2,
        "catalog.merchants": 11,
        "catalog.cards": 12,
        "timestamps": 20,
        "entities.customer": 21,
        "entities.merchant": 22,
        "entities.card": 23,
        "amount": 30,
        "local_time_offset": 31,
        "device": 32,
        "channel": 33,
        "pos_entry_mode": 34,
        "card_scheme": 35,
        "card_expiry": 36,
        "country": 37,
        "geo": 38,
        "transaction_id": 39,
        "device_id": 40,
        "ip_address": 41,
        "user_agent": 42,
        "is_recurring": 43,
        "home_session": 44,
        "label.logistic": 50,
        "label.bursts": 51,
        "label_fraud": 52,
        "sample_timestamps": 60,
        "sample_entities": 61,
        # v3: the world's catalogs (driver), one stream each.
        "v3.merchants": 100,
        "v3.customers": 101,
        "v3.cards": 102,
        "v3.habits": 103,
        "v3.subscriptions": 104,
        "v3.travel": 105,
        "v3.devices": 106,
        "v3.breaches": 107,
        "v3.plan": 108,
        "v3.households": 109,
        # v3: everyday rows, per chunk.
        "v3.zone": 110,
        "v3.card": 111,
        "v3.merchant": 112,
        "v3.amount": 113,
        "v3.channel": 114,
        "v3.session": 115,
        "v3.device_id": 116,
        "v3.ip_address": 117,
        "v3.transaction_id": 118,
        "v3.scheduled": 119,
        "v3.lifecycle": 120,
        # v3: fraud episodes; index = the episode (its draws never depend on the chunk).
        "fraud.plan": 130,
        "fraud.episode": 131,
        "fraud.latency": 132,
        "fraud.rows": 133,
        "fraud.session": 134,
        "fraud.campaign": 135,
        "fraud.drift": 136,
        "fraud.own_session": 137,
        "fraud.basket": 138,
    }
)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix(x: np.ndarray) -> np.ndarray:
    """Return SplitMix64's finaliser of ``x`` (uint64, wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def stream(seed: int, purpose: str, index: int = 0) -> np.random.Generator:
    """Return the generator for ``purpose`` (a key of ``PURPOSES``) in chunk ``index``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(PURPOSES[purpose], index))
    return np.random.Generator(np.random.PCG64(sequence))


def as_generator(seed: int | np.random.Generator | None, purpose: str) -> np.random.Generator:
    """Return ``seed`` if it is a Generator, else the ``purpose`` stream of that integer seed."""
    if isinstance(seed, np.random.Generator):
        return seed
    return stream(0 if seed is None else int(seed), purpose)
