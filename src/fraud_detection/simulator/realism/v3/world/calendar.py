"""v3's calendar: how much each day of each home country spends, by merchant group and channel.

A weight per (day, country, group, channel) multiplies an ordinary day: the weekly rhythm of
each group (groceries and retail peak on Saturday, business bills on weekdays), Sunday trading
restrictions, public holidays (the ``holidays`` package), the month of the year, the days
before Christmas, Black Friday and Cyber Monday, and paydays. Days are calendar dates in the
country (a row's local date). The weights are drawn from nothing: they are fixed tables, so
the same config gives the same calendar. ``population.calendar: false`` makes every weight 1.

Sources (``docs/sources-time-and-campaigns.md``; [assumption] where none was found): weekly
shapes from Snipp (groceries), Paymark and Barclaycard (retail), Square and Toast (restaurants),
GasBuddy (fuel), hotel metasearch data (travel bookings), Zanox and the Worldline data in the
Fraud Detection Handbook (online); Sunday and holiday closures from the shop-opening laws of
DE, AT, CH, NO, PL, FR and England & Wales; month indices from the US Census Bureau's combined
seasonal factors for retail sales (2024-25); the pre-Christmas week from Dutch card data
(Betaalvereniging, 2019); Black Friday and Cyber Monday from Adobe Analytics (US, 2024),
Worldline (Europe, 2020) and Tietoevry (Nordics, 2023); paydays from Gelman et al. (Science,
2014) and Olafsson and Pagel, with pay frequencies from the BLS (US) and ASHE (GB).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType

import numpy as np

from ....libcache import cached_json
from . import mcc

GROUPS = (
    "grocery", "retail", "restaurant", "fuel", "travel", "commute", "digital", "bills", "cash",
    "quick",
)  # fmt: skip
GROCERY, RETAIL, RESTAURANT, FUEL, TRAVEL, COMMUTE, DIGITAL, BILLS, CASH, QUICK = range(10)
ONLINE, IN_STORE = 0, 1  # the calendar's channel axis (an ATM is in person)
_GROUP_OF_MCC = {
    "5411": GROCERY, "5912": GROCERY, "5311": RETAIL, "5999": RETAIL, "5732": RETAIL,
    "5691": RETAIL, "5942": RETAIL, "5944": RETAIL, "5200": RETAIL, "5812": RESTAURANT,
    "5814": QUICK, "5813": RESTAURANT, "7832": RESTAURANT, "5541": FUEL, "4511": TRAVEL,
    "4722": TRAVEL, "7011": TRAVEL, "4111": COMMUTE, "4121": COMMUTE, "4814": BILLS,
    "4899": BILLS, "4900": BILLS, "7997": BILLS, "5967": DIGITAL, "5817": DIGITAL,
    "5815": DIGITAL, "5816": DIGITAL, "8398": DIGITAL, "7995": DIGITAL, "6011": CASH,
}  # fmt: skip
GROUP_OF_MCC = np.array([_GROUP_OF_MCC[code] for code in mcc.CODES], dtype=np.int64)

# Day indices Monday..Sunday (each averages 1): "this day / the mean day of the week".
_ONLINE_WEEK = (1.155, 1.06, 1.05, 1.016, 0.963, 0.838, 0.918)  # Zanox; Worldline (FDH): ~0.86
_WEEK = {
    # in store, online
    GROCERY: ((0.98, 0.91, 0.91, 0.84, 1.05, 1.19, 1.12), _ONLINE_WEEK),  # Snipp receipts
    # Paymark and Barclaycard measure value (Saturday baskets are bigger): by count flatter.
    RETAIL: ((0.90, 0.90, 0.93, 0.96, 1.07, 1.28, 0.96), _ONLINE_WEEK),
    RESTAURANT: ((0.80, 0.82, 0.90, 0.95, 1.20, 1.28, 1.05), _ONLINE_WEEK),  # Square, Toast
    FUEL: ((0.95, 0.97, 1.00, 1.05, 1.11, 1.02, 0.90), _ONLINE_WEEK),  # GasBuddy
    # Stays peak at the weekend (HotelTonight), bookings on weekdays (hotel metasearch).
    TRAVEL: (
        (0.85, 0.85, 0.90, 1.00, 1.10, 1.25, 1.05),
        (1.16, 1.13, 1.01, 1.01, 1.01, 0.77, 0.92),
    ),
    COMMUTE: ((1.20, 1.20, 1.20, 1.20, 1.20, 0.60, 0.40),) * 2,  # [assumption]: work trips
    DIGITAL: (_ONLINE_WEEK, _ONLINE_WEEK),
    BILLS: ((1.28, 1.28, 1.28, 1.28, 1.28, 0.40, 0.20),) * 2,  # [assumption]: business days
    CASH: ((0.95, 0.95, 0.95, 1.00, 1.20, 1.15, 0.80), _ONLINE_WEEK),  # [assumption]
    # Fast food leans on weekday lunches (Square: 18-21% of restaurant transactions) [assumption].
    QUICK: ((1.02, 1.02, 1.02, 1.02, 1.06, 0.98, 0.88), _ONLINE_WEEK),
}
# Per day of each month (US Census combined seasonal factors for retail sales, 2024-25,
# divided by the days of the month): a December peak, a January dip.
MONTH = (0.90, 0.96, 0.98, 1.02, 1.03, 1.00, 1.01, 1.00, 0.98, 1.00, 1.03, 1.09)
# Travel spells start by month (Eurostat: July and August 16% and 17% of EU residents' tourism
# nights, August 3.5 x January; the other months interpolated [assumption]).
TRAVEL_MONTH = (0.59, 0.62, 0.67, 0.79, 0.84, 1.12, 1.93, 2.06, 1.12, 0.79, 0.60, 0.86)
# Shops closed on Sundays and public holidays (shop-opening laws): in-store groceries, retail
# and cash at this share of an ordinary day (station and petrol-station shops stay open);
# FR: food shops until 13:00; GB: large shops six hours.
SUNDAY = MappingProxyType({"DE": 0.15, "AT": 0.15, "CH": 0.15, "NO": 0.15, "PL": 0.15,
                           "FR": 0.5, "GB": 0.8})  # fmt: skip
CLOSED_ON_HOLIDAYS = frozenset({"DE", "AT", "CH", "NO", "PL"})
# Of a closed Sunday's spending, the share Saturday takes (Hungary's Sunday ban, 2015-16:
# Saturday's share of the week's card spending rose about 4 points, a quarter of a Sunday's).
SUNDAY_TO_SATURDAY = 0.25
# Where Black Friday is a shopping event [assumption from Worldline's and Tietoevry's data].
BLACK_FRIDAY = frozenset({"US", "CA", "GB", "IE", "FR", "DE", "ES", "IT", "NL", "BE", "AT",
                          "PT", "PL", "SE", "NO", "DK", "FI", "CH", "BR", "MX", "AU", "NZ",
                          "ZA"})  # fmt: skip
# Share of workers paid monthly, on the last working day (BLS: 11% of US establishments; ASHE:
# over three quarters in GB; the EU norm for full-time jobs, 0.9 elsewhere [assumption]).
MONTHLY_PAY = MappingProxyType({"US": 0.11, "CA": 0.2, "AU": 0.3, "NZ": 0.3, "GB": 0.78})
DEFAULT_MONTHLY_PAY = 0.9
# A paid customer's discretionary spending on payday and the next two days (Gelman et al.:
# about +40% once recurring bills are removed; Olafsson and Pagel: over half raise it 25%+),
# and in the last week before it, so a pay cycle averages 1.
PAYDAY = (1.30, 1.15, 1.07)
BEFORE_PAYDAY = 0.93
DISCRETIONARY = (RETAIL, RESTAURANT, CASH, QUICK)
SHOPPING_HOLIDAYS = ("Washington", "Memorial", "Labor Day", "Columbus", "Veterans", "Boxing",
                     "Bank Holiday")  # fmt: skip


@dataclass(frozen=True)
class Calendar:
    """Day weights from ``origin`` (a UTC midnight, ns) for ``days`` days, by country."""

    origin: int
    weight: np.ndarray  # (days, countries, groups, 2) float32, 1 = an ordinary day
    countries: tuple[str, ...]

    @property
    def days(self) -> int:
        return int(self.weight.shape[0])

    def day_of(self, times_ns: np.ndarray, offset_minutes: np.ndarray) -> np.ndarray:
        """Return each moment's local calendar day (index from ``origin``), clipped in."""
        local = times_ns + offset_minutes.astype(np.int64) * 60_000_000_000
        return np.clip((local - self.origin) // NS_PER_DAY, 0, self.days - 1)

    def mix(self, base: np.ndarray) -> np.ndarray:
        """Return (days, countries): each day's spending, given each country's ordinary mix
        ``base`` (countries, groups, 2; rows summing to 1)."""
        return np.einsum("dcgk,cgk->dc", self.weight, base.astype(np.float32))


NS_PER_DAY = 86_400_000_000_000


@dataclass(frozen=True)
class Days:
    """The days of a calendar as arrays: date, weekday (Monday 0), month (1-12), day of month."""

    first: date
    dates: np.ndarray  # datetime64[D]
    weekday: np.ndarray
    month: np.ndarray
    day: np.ndarray

    @classmethod
    def span(cls, first: date, last: date) -> Days:
        dates = np.arange(np.datetime64(first), np.datetime64(last) + 1)
        ordinal = dates.astype(np.int64)
        months = dates.astype("datetime64[M]")
        day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
        return cls(first, dates, (ordinal + 3) % 7, months.astype(np.int64) % 12 + 1, day)

    def index(self, day: date) -> int | None:
        """Return the position of ``day``, None outside the span."""
        d = (day - self.first).days
        return d if 0 <= d < self.dates.size else None

    @property
    def years(self) -> range:
        return range(self.first.year, int(str(self.dates[-1])[:4]) + 1)


def build_calendar(
    countries: tuple[str, ...], first_day: date, last_day: date, on: bool = True
) -> Calendar:
    """Return the weights of ``countries`` for every day from ``first_day`` to ``last_day``."""
    days = Days.span(first_day, last_day)
    origin = int(np.datetime64(first_day, "ns").astype(np.int64))
    weight = np.ones((days.dates.size, len(countries), len(GROUPS), 2), dtype=np.float32)
    if on:
        weight *= _weekly(days)[:, None]
        weight *= _monthly(days)[:, None]
        christmas = _christmas(days)
        for c, country in enumerate(countries):
            weight[:, c] *= christmas[int(country in CLOSED_ON_HOLIDAYS)]
            _sundays(weight[:, c], country, days)
            _paydays(weight[:, c], country, days)
            _holidays(weight[:, c], country, days)
            _black_friday(weight[:, c], country, days)
    return Calendar(origin, weight, countries)


def _weekly(days: Days) -> np.ndarray:
    """Return (days, groups, 2): each group's weekday index on each day."""
    # _WEEK holds (in store, online); the calendar's channel axis is (online, in store).
    table = np.array([[_WEEK[g][1], _WEEK[g][0]] for g in range(len(GROUPS))])  # (G, 2, 7)
    return np.transpose(table[:, :, days.weekday], (2, 0, 1)).astype(np.float32)


def _monthly(days: Days) -> np.ndarray:
    """Return (days, groups, 2): the month's index (bills are the same every month)."""
    out = np.ones((days.dates.size, len(GROUPS), 2), dtype=np.float32)
    out *= np.array(MONTH, np.float32)[days.month - 1][:, None, None]
    out[:, BILLS] = 1.0
    return out


def _sundays(out: np.ndarray, country: str, days: Days) -> None:
    closed = SUNDAY.get(country)
    if closed is None:
        return
    for g in (GROCERY, RETAIL, CASH):
        week = _WEEK[g][0]
        out[days.weekday == 6, g, IN_STORE] *= closed
        # Part of the closed Sunday's shopping moves to Saturday.
        out[days.weekday == 5, g, IN_STORE] *= (
            1 + SUNDAY_TO_SATURDAY * (1 - closed) * week[6] / week[5]
        )


def _paydays(out: np.ndarray, country: str, days: Days) -> None:
    """Paid customers spend more in the days after the last working day of the month."""
    share = MONTHLY_PAY.get(country, DEFAULT_MONTHLY_PAY)
    off = _public_holidays(country, days.years.start, days.years.stop - 1)
    months = {
        (int(str(m)[:4]), int(str(m)[5:7])) for m in np.unique(days.dates.astype("datetime64[M]"))
    }
    for year, month in months:
        payday = _last_working_day(int(year), int(month), off)
        for k, boost in enumerate(PAYDAY):
            d = days.index(payday + timedelta(days=k))
            if d is not None:
                out[d, DISCRETIONARY, :] *= 1 + share * (boost - 1)
        for k in range(1, 8):
            d = days.index(payday - timedelta(days=k))
            if d is not None:
                out[d, DISCRETIONARY, :] *= 1 + share * (BEFORE_PAYDAY - 1)


def _last_working_day(year: int, month: int, off: dict[date, str]) -> date:
    day = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    while day.weekday() >= 5 or day in off:
        day -= timedelta(days=1)
    return day


def _christmas(days: Days) -> np.ndarray:
    """Return (2, days, groups, 2): the weeks before Christmas where shops open on Christmas
    Eve (0) and where they close early (1). The busiest shopping days of the year come before
    Christmas (Dutch card data: +15% in the week to 22 December, online +47% on the Friday
    before; Visa Europe: 23 December the busiest UK high-street day)."""
    out = np.ones((2, days.dates.size, len(GROUPS), 2), dtype=np.float32)
    december = days.month == 12
    for g in (GROCERY, RETAIL):
        out[:, december & (days.day >= 18) & (days.day <= 22), g, IN_STORE] *= 1.35
        out[:, december & (days.day == 23), g, IN_STORE] *= 1.5
    for g in (RETAIL, DIGITAL):
        out[:, december & (days.day >= 16) & (days.day <= 20), g, ONLINE] *= 1.3
    out[0, december & (days.day == 24), :, IN_STORE] *= 1.2
    out[1, december & (days.day == 24), :, IN_STORE] *= 0.6
    return out


def _holidays(out: np.ndarray, country: str, days: Days) -> None:
    """Public holidays of the country: shops shut or quiet, online goes on."""
    for day, name in _public_holidays(country, days.years.start, days.years.stop - 1).items():
        d = days.index(day)
        if d is not None:
            out[d] *= _holiday_factors(country, day, name)


def _holiday_factors(country: str, day: date, name: str) -> np.ndarray:
    """Return (groups, 2) multipliers of one public holiday [assumption: no measured in-store
    index exists; closure laws set the floor]."""
    f = np.ones((len(GROUPS), 2), dtype=np.float32)
    f[BILLS, :] = 0.2
    f[COMMUTE, :] = 0.6
    if (day.month, day.day) == (12, 25):
        f[:, IN_STORE], f[:, ONLINE] = 0.15, 0.6
        f[RESTAURANT, IN_STORE], f[TRAVEL, IN_STORE] = 0.5, 0.9
    elif (day.month, day.day) == (1, 1):
        f[:, IN_STORE], f[:, ONLINE] = 0.35, 0.9
        f[RESTAURANT, IN_STORE], f[TRAVEL, IN_STORE] = 0.7, 0.9
    elif "Thanksgiving" in name and country == "US":
        f[:, IN_STORE], f[RESTAURANT, IN_STORE] = 0.4, 0.6
        f[(RETAIL, DIGITAL), ONLINE] = 2.0  # Adobe 2024: 2.2 x an ordinary day by value
    elif country in CLOSED_ON_HOLIDAYS:
        f[(GROCERY, RETAIL, CASH), IN_STORE], f[FUEL, IN_STORE] = 0.2, 0.8
    elif any(s in name for s in SHOPPING_HOLIDAYS):
        f[RETAIL, IN_STORE], f[RESTAURANT, IN_STORE] = 1.05, 1.1
        f[(GROCERY, CASH, QUICK), IN_STORE], f[FUEL, IN_STORE] = 0.8, 0.9
    else:
        f[(GROCERY, RETAIL, CASH, QUICK), IN_STORE], f[FUEL, IN_STORE] = 0.8, 0.9
    f[BILLS, :] = min(float(f[BILLS, 0]), 0.3)
    return f


def _black_friday(out: np.ndarray, country: str, days: Days) -> None:
    """Black Friday (the day after US Thanksgiving) and Cyber Monday: online peaks (US: Adobe
    2024, about 3.9 x and 4.9 x an ordinary day by value with baskets 37% larger, so 3.0 x and
    3.5 x by count; Europe: Worldline 2020, +40-57% and +12-39%), a smaller in-store one."""
    if country not in BLACK_FRIDAY:
        return
    us = country == "US"
    for year in days.years:
        friday = thanksgiving(year) + timedelta(days=1)
        steps = ((0, 3.0 if us else 1.5, 1.3 if us else 1.13), (1, 2.0 if us else 1.1, 1.0),
                 (2, 2.0 if us else 1.1, 1.0), (3, 3.5 if us else 1.2, 1.0))  # fmt: skip
        for k, online, in_store in steps:
            d = days.index(friday + timedelta(days=k))
            if d is not None:
                out[d, (RETAIL, DIGITAL), ONLINE] *= online
                out[d, RETAIL, IN_STORE] *= in_store


def warp(u: np.ndarray, daily: np.ndarray) -> np.ndarray:
    """Return positions ``u`` in [0, 1) over a span of days moved so that each day gets the
    share ``daily`` gives it (inverse of the cumulative weights; within a day, in order)."""
    cdf = np.cumsum(np.asarray(daily, dtype=np.float64))
    cdf /= cdf[-1]
    day = np.minimum(np.searchsorted(cdf, u, side="right"), daily.size - 1)
    start = np.r_[0.0, cdf][day]
    within = (u - start) / np.maximum(cdf[day] - start, 1e-300)
    return (day + np.clip(within, 0.0, 1.0 - 1e-12)) / daily.size


def thanksgiving(year: int) -> date:
    """Return US Thanksgiving: the fourth Thursday of November."""
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def fraud_wave(first_day: date, last_day: date, on: bool = True) -> np.ndarray:
    """Return (days,): how many more fraud attacks start on each day [assumption on vendor
    data: iovation, fraud declines 15% of orders Thanksgiving-Cyber Monday vs 10% over the
    year; Feedzai, November card-not-present fraud 3 x June]: x1.2 over November and December,
    x1.5 from Thanksgiving to Cyber Monday."""
    days = Days.span(first_day, last_day)
    out = np.ones(days.dates.size, dtype=np.float32)
    if not on:
        return out
    out[np.isin(days.month, (11, 12))] = 1.2
    for year in days.years:
        for k in range(5):
            d = days.index(thanksgiving(year) + timedelta(days=k))
            if d is not None:
                out[d] = 1.5
    return out


@cache
def _public_holidays(country: str, first_year: int, last_year: int) -> dict[date, str]:
    """Return the national public holidays of ``country`` (the ``holidays`` package; kept in
    the library cache for its installed version); none for a code it does not know."""

    def derive() -> list[tuple[str, str]]:
        import holidays  # imported when a calendar is built: it is not needed elsewhere

        try:
            found = holidays.country_holidays(country, years=range(first_year, last_year + 1))
        except NotImplementedError:
            return []
        return [(day.isoformat(), str(name)) for day, name in found.items()]

    key = [country, first_year, last_year]
    pairs = cached_json("holidays", "holidays", key, derive)
    return {date.fromisoformat(day): name for day, name in pairs}
