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
    }
)


def stream(seed: int, purpose: str, index: int = 0) -> np.random.Generator:
    """Return the generator for ``purpose`` (a key of ``PURPOSES``) in chunk ``index``."""
    sequence = np.random.SeedSequence(seed, spawn_key=(PURPOSES[purpose], index))
    return np.random.Generator(np.random.PCG64(sequence))


def as_generator(seed: int | np.random.Generator | None, purpose: str) -> np.random.Generator:
    """Return ``seed`` if it is a Generator, else the ``purpose`` stream of that integer seed."""
    if isinstance(seed, np.random.Generator):
        return seed
    return stream(0 if seed is None else int(seed), purpose)
