"""Fraud drift: how the fraud stories change over the window (``fraud.drift``).

Drift is a schedule of the fraud knobs, decided once from the seed: each typology's pace
wanders from month to month (a log random walk), imitation of the victims rises as fraudsters
adapt, and at ``strong`` card tests grow from micro-payments to a few dollars, account
takeovers, absent in the first half, appear and swell, and spoofed devices spread (imitating
attackers on the victim's own device: none in the first third, all of them by the end,
decided by each episode's start). Everything else acts through when episodes start (day weights: an
imitating episode is likelier late in the window, a straight one early),
so the exact fraud count and each typology's share stay what the mix says; a model trained on
the early months meets a later fraud it has seen less of. Magnitudes are assumptions (no
published measurement of card-fraud drift by month was found; research note section 7: BAF's
monthly fraud prevalence moves between 0.85% and 1.5%); issue 18's test fixes their floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ....streams import stream


@dataclass(frozen=True)
class Schedule:
    """A drift level's sizes."""

    walk: float  # sd of a typology's log pace from one month to the next
    imitation: float  # mimicry rises by this much from the window's start to its end
    late_takeovers: bool  # account takeovers start halfway and swell to the end
    growing_tests: bool  # card tests grow from micro-payments to a few dollars
    spreading_spoofs: bool  # imitating sessions on the victim's spoofed device spread


SCHEDULES = MappingProxyType(
    {
        "none": Schedule(0.0, 0.0, False, False, False),
        "mild": Schedule(0.15, 0.1, False, False, False),
        "strong": Schedule(0.3, 0.5, True, True, True),
    }
)


def schedule(level: str) -> Schedule:
    return SCHEDULES[level]


def progress(times: np.ndarray, first: int, stop: int) -> np.ndarray:
    """Return where each moment lies in the window, 0 at its start and 1 at its end."""
    return np.clip((times - first) / max(stop - first, 1), 0.0, 1.0)


def mimicry_at(base: float, level: str, at: np.ndarray) -> np.ndarray:
    """Return the share of episodes imitating their victims at window positions ``at``:
    ``base`` on average, rising by the schedule's ``imitation`` over the window."""
    rise = schedule(level).imitation
    return np.clip(base + rise * (at - 0.5), 0.0, 1.0)


def day_weights(
    level: str, seed: int, typology: int, days: int, first_day: int, window: tuple[int, int],
    base_mimicry: float, stealthy: bool | None,
) -> np.ndarray:  # fmt: skip
    """Return (days,) multipliers of the days episodes of ``typology`` start on (days from
    ``first_day``, an index into the window's days ``window`` = (first, stop) day numbers):
    the monthly pace walk times, for an imitating (``stealthy`` True) or straight episode, the
    likelihood of imitating that day relative to the average."""
    s = schedule(level)
    day = first_day + np.arange(days)
    at = np.clip((day - window[0]) / max(window[1] - window[0], 1), 0.0, 1.0)
    out = np.ones(days)
    if s.walk > 0:
        months = (day - window[0]) // 30
        steps = stream(seed, "fraud.drift", typology).normal(0.0, s.walk, 64)
        walk = np.cumsum(steps)
        out *= np.exp(walk[np.clip(months, 0, walk.size - 1)] - walk.mean())
    if stealthy is not None and s.imitation > 0 and 0 < base_mimicry < 1:
        m = mimicry_at(base_mimicry, level, at)
        out *= m / base_mimicry if stealthy else (1 - m) / (1 - base_mimicry)
    return np.maximum(out, 1e-6)


def takeover_ramp(level: str, at: np.ndarray) -> np.ndarray:
    """Return how many account takeovers start at window positions ``at`` at ``strong``: none
    in the first half, then growing to the end."""
    if not schedule(level).late_takeovers:
        return np.ones_like(at)
    return np.where(at < 0.5, 1e-6, (at - 0.5) * 4.0)


def test_amount_growth(level: str, at: np.ndarray) -> np.ndarray:
    """Return the factor on card-test amounts at window positions ``at`` (``strong``: micro-
    payments early, a few dollars late)."""
    if not schedule(level).growing_tests:
        return np.ones_like(at)
    return 1.0 + 9.0 * at


def spoof_share(level: str, base: float, at: np.ndarray) -> np.ndarray:
    """Return the share of imitating sessions on the victim's spoofed device for episodes
    starting at window positions ``at``: ``base`` throughout, but at ``strong`` none in the
    first third, then rising to all of them by the end (a technique that spreads)."""
    if not schedule(level).spreading_spoofs:
        return np.full(at.shape, base)
    return np.clip(1.5 * (at - 1.0 / 3.0), 0.0, 1.0)
