"""The calendar as the v3 world uses it: how busy each time zone is on each local date, which
groups and channels a day favours, and the days fraud stories start on.

The calendar (``calendar.py``) weighs a day per (country, merchant group, channel). A zone's
weight on a date is the weights of its customers' countries mixed by what they ordinarily buy
(their habits, by card activity), so the plan gives a German Sunday fewer rows; within a day,
everyday payments keep a merchant and channel with probability ``weight / peak`` (redrawn
otherwise), so those rows are mostly online.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from . import mcc
from .calendar import GROUP_OF_MCC, GROUPS, IN_STORE, ONLINE, Calendar, build_calendar, fraud_wave
from .markets import Groups

NS_PER_DAY = 86_400_000_000_000
# Fraud stories start up to this long before the range (their lead; calendar.py covers it).
LEAD_DAYS = 90


@dataclass(frozen=True)
class Rhythm:
    """Day weights by zone and country, and what keeps a row's merchant and channel."""

    calendar: Calendar
    zone_day: np.ndarray  # (days, zones): spending on each local date, 1 an ordinary day
    peak: np.ndarray  # (days, countries): the largest weight of a group and channel that day
    country_day: dict[str, np.ndarray]  # "all", "in_store", "online" -> (days, countries)
    wave: np.ndarray  # (days,): fraud attacks starting, relative to an ordinary day

    @property
    def origin(self) -> int:
        return self.calendar.origin

    def keep(
        self, day: np.ndarray, country: np.ndarray, merchant_code: np.ndarray, online: np.ndarray
    ) -> np.ndarray:
        """Return the probability each row keeps its merchant and channel on its local date."""
        c = np.maximum(country, 0)
        weight = self.calendar.weight[
            day, c, GROUP_OF_MCC[merchant_code], np.where(online, ONLINE, IN_STORE)
        ]
        return np.asarray(weight / self.peak[day, c])


def build_rhythm(
    countries: tuple[str, ...], first: date, last: date, on: bool, people: Mix
) -> Rhythm:
    """Return the world's rhythm over [first - LEAD_DAYS, last] (fraud stories start earlier)."""
    start = first - timedelta(days=LEAD_DAYS)
    calendar = build_calendar(countries, start, last, on)
    base = people.base(len(countries))
    days = calendar.mix(base)  # (days, countries)
    kinds = {"all": days}
    for name, k in (("online", ONLINE), ("in_store", IN_STORE)):
        only = np.zeros_like(base)
        only[..., k] = base[..., k]
        kinds[name] = calendar.mix(only / np.maximum(only.sum(axis=(1, 2), keepdims=True), 1e-12))
    present = (base > 0)[None]
    peak = np.where(present, calendar.weight, 0.0).max(axis=(2, 3))
    zone_day = days @ people.zone_country.T  # (days, zones)
    wave = fraud_wave(start, last, on)
    return Rhythm(calendar, zone_day, np.maximum(peak, 1e-6), kinds, wave)


@dataclass(frozen=True)
class Mix:
    """What customers ordinarily buy, by country, and where each zone's customers live."""

    country: np.ndarray  # per customer, index into the countries (-1: none)
    activity: np.ndarray  # per customer: their cards' summed activity
    habits: Groups  # customer -> habitual merchants by visit share
    merchant_code: np.ndarray  # per merchant, index into mcc.MCCS
    zone_country: np.ndarray  # (zones, countries): share of each zone's activity by country

    def base(self, countries: int) -> np.ndarray:
        """Return (countries, groups, 2): each country's share of spending by merchant group
        and channel on an ordinary day (habitual merchants, by visit share and activity)."""
        habits = self.habits
        owner = np.repeat(np.arange(habits.ptr.size - 1), np.diff(habits.ptr))
        within = habits.keys - owner  # keys: owner + cumulative visit share
        first = np.r_[True, owner[1:] != owner[:-1]] if owner.size else np.zeros(0, bool)
        share = np.where(first, within, within - np.r_[0.0, within[:-1]][: within.size])
        weight = share * self.activity[owner]
        code = self.merchant_code[habits.members]
        online = mcc.ONLINE_SHARE[code]
        c = self.country[owner]
        ok = c >= 0
        out = np.zeros((countries, len(GROUPS), 2))
        for k, part in ((ONLINE, online), (IN_STORE, 1 - online)):
            channel = np.full(int(ok.sum()), k, dtype=np.int64)
            np.add.at(out, (c[ok], GROUP_OF_MCC[code[ok]], channel), (weight * part)[ok])
        total = out.sum(axis=(1, 2), keepdims=True)
        # A country nobody lives in: an even mix (its merchants still sell online).
        return np.where(total > 0, out / np.maximum(total, 1e-300), 1 / out[0].size)


def zone_country_share(
    zone: np.ndarray, country: np.ndarray, activity: np.ndarray, zones: int, countries: int
) -> np.ndarray:
    """Return (zones, countries): each zone's customer activity by home country (rows sum to
    1; a zone with nobody takes its countries evenly)."""
    out = np.zeros((zones, countries))
    ok = country >= 0
    np.add.at(out, (zone[ok], country[ok]), activity[ok])
    total = out.sum(axis=1, keepdims=True)
    return np.where(total > 0, out / np.maximum(total, 1e-300), 1 / countries)
