"""The calendar: how volume and fraud fall on days, weekends, holidays and hours.

Days are local dates at the point of sale (``event_time`` + ``local_time_offset``; UTC dates
without the offset), so a German Sunday is a Sunday. The main home countries are the
``TOP_COUNTRIES`` with the most rows by their customers' ``home_country`` (customers.parquet);
their public holidays come from the ``holidays`` package, as the generator's calendar takes
them. Per country: its customers' rows per local date, weekend days against weekdays, and each
holiday against the median of the same weekday in its month (in store where the data has a
channel: shops close, online goes on). The weekday x local-hour grid counts rows and frauds.
"""

from __future__ import annotations

from datetime import date
from statistics import median
from typing import Any

import holidays
import numpy as np
import polars as pl

from ..inputs.catalogs import Catalogs
from ..inputs.columns import CUSTOMER, HOME, LABEL, OFFSET, TIME
from ..inputs.dataset import Prepared
from ..plots.data import plot
from ..values import share

TOP_COUNTRIES = 4
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
IN_STORE = "IN_STORE"


def local_time(data: Prepared) -> pl.Expr:
    """Return the local time at the point of sale (UTC without ``local_time_offset``)."""
    if not data.has(OFFSET):
        return pl.col(TIME)
    return pl.col(TIME) + pl.duration(minutes=pl.col(OFFSET).cast(pl.Int64).fill_null(0))


def public_holidays(country: str, first: date, last: date) -> dict[date, str]:
    """Return ``country``'s national public holidays from ``first`` to ``last`` (none for a
    country the ``holidays`` package does not know)."""
    try:
        found = holidays.country_holidays(country, years=range(first.year, last.year + 1))
    except NotImplementedError:
        return {}
    return {day: str(name) for day, name in sorted(found.items()) if first <= day <= last}


def _daily(data: Prepared, span: tuple[date, date]) -> pl.DataFrame:
    """Return rows and frauds per local date from the first to the last UTC date (the local
    dates outside hold a few hours of the zones that were already or still there)."""
    day = local_time(data).dt.date().alias("day")
    return (
        data.lf.group_by(day)
        .agg(pl.len().alias("rows"), pl.col(LABEL).sum().alias("frauds"))
        .filter(pl.col("day").is_between(*span))
        .sort("day")
        .collect()
    )


def _weekend_ratio(days: list[date], rows: list[int]) -> float | None:
    """Mean rows of a weekend day / mean rows of a weekday."""
    weekend = [r for d, r in zip(days, rows, strict=True) if d.weekday() >= 5]
    weekday = [r for d, r in zip(days, rows, strict=True) if d.weekday() < 5]
    if not weekend or not weekday:
        return None
    return (sum(weekend) / len(weekend)) / (sum(weekday) / len(weekday))


def _holiday_ratio(day: date, by_day: dict[date, int], holiday_days: set[date]) -> float | None:
    """This day's rows / the median of the same weekday in its month (other holidays out)."""
    usual = [
        n for d, n in by_day.items()
        if d.weekday() == day.weekday() and (d.year, d.month) == (day.year, day.month)
        and d not in holiday_days
    ]  # fmt: skip
    return share(by_day.get(day, 0), median(usual)) if usual else None


def _country_rows(data: Prepared, homes: pl.LazyFrame) -> pl.DataFrame:
    """Return rows (and in-store rows) per (home country, local date)."""
    in_store = pl.col("channel") == IN_STORE if data.has("channel") else pl.lit(False)
    return (
        data.lf.select(CUSTOMER, local_time(data).dt.date().alias("day"), in_store.alias("store"))
        .join(homes, on=CUSTOMER, how="inner")
        .group_by(HOME, "day")
        .agg(pl.len().alias("rows"), pl.col("store").sum().alias("store_rows"))
        .collect()
    )


def _country(
    name: str, frame: pl.DataFrame, span: tuple[date, date], store: bool
) -> dict[str, Any]:
    """Return one home country's calendar: rows, weekend ratio, holidays against usual days."""
    mine = frame.filter(pl.col(HOME) == name).sort("day")
    days, rows = mine["day"].to_list(), mine["rows"].to_list()
    column = "store_rows" if store else "rows"
    by_day = dict(zip(days, mine[column].to_list(), strict=True))
    found = public_holidays(name, *span)
    return {
        "country": name,
        "rows": int(sum(rows)),
        "weekend_vs_weekday": _weekend_ratio(days, rows),
        "holidays": [
            {"date": day, "name": title, "vs_usual": _holiday_ratio(day, by_day, set(found))}
            for day, title in found.items()
        ],
        "holidays_measured_on": "in-store rows" if store else "rows",
    }


def countries(
    data: Prepared, catalogs: Catalogs, span: tuple[date, date]
) -> tuple[list[dict[str, Any]], str | None]:
    """Return (the main home countries' calendars, None) or ([], why there are none)."""
    homes = catalogs.table("customers", (CUSTOMER, HOME))
    if isinstance(homes, str):
        return [], homes
    if not data.has(CUSTOMER):
        return [], "no customer_id column"
    frame = _country_rows(data, homes)
    totals = (
        frame.group_by(HOME)
        .agg(pl.col("rows").sum())
        .sort(["rows", HOME], descending=[True, False])
    )
    top = [str(c) for c in totals[HOME].head(TOP_COUNTRIES).to_list() if c is not None]
    store = data.has("channel")
    return [_country(name, frame, span, store) for name in top], None


def weekday_hour(data: Prepared) -> dict[str, Any]:
    """Return rows and frauds per (local weekday, local hour): 7 x 24 counts, Monday first."""
    local = local_time(data)
    frame = (
        data.lf.group_by(local.dt.weekday().alias("weekday"), local.dt.hour().alias("hour"))
        .agg(pl.len().alias("rows"), pl.col(LABEL).sum().alias("frauds"))
        .collect()
    )
    rows, frauds = np.zeros((7, 24), dtype=np.int64), np.zeros((7, 24), dtype=np.int64)
    for weekday, hour, n, f in frame.iter_rows():  # at most 168 cells
        rows[weekday - 1, hour], frauds[weekday - 1, hour] = n, f
    return {"weekdays": list(WEEKDAYS), "hours": list(range(24)), "rows": rows, "frauds": frauds,
            "local": data.has(OFFSET)}  # fmt: skip


def _full_days(daily: pl.DataFrame, span: tuple[date, date]) -> pl.DataFrame:
    """The local dates every time zone saw whole: strictly inside the UTC range's first and
    last dates (a local date at an edge holds only some zones' hours)."""
    return daily.filter((pl.col("day") > span[0]) & (pl.col("day") < span[1]))


def calendar(
    data: Prepared, catalogs: Catalogs, span: tuple[date, date]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return (report.json's ``calendar``, the calendar and weekday x hour figures' entries);
    ``span``: the first and last UTC dates of the data."""
    daily = _daily(data, span)
    full = _full_days(daily, span)
    homes, why = countries(data, catalogs, span)
    rows = full["rows"].to_numpy()
    section = {
        "days": "local dates at the point of sale" if data.has(OFFSET) else "UTC dates",
        "full_days": full.height,
        "weekend_vs_weekday": _weekend_ratio(full["day"].to_list(), full["rows"].to_list()),
        "daily_cv": float(rows.std() / rows.mean()) if rows.size and rows.mean() else None,
        "countries": homes,
        "countries_note": why,
    }
    marks = [{"date": h["date"], "country": c["country"], "name": h["name"]}
             for c in homes for h in c["holidays"]]  # fmt: skip
    payload = {
        "days": daily["day"].to_list(), "rows": daily["rows"].to_list(),
        "frauds": daily["frauds"].to_list(),
        "legit": (daily["rows"] - daily["frauds"]).to_list(), "holidays": marks,
        "countries": [c["country"] for c in homes], "local": data.has(OFFSET),
    }  # fmt: skip
    title = "Calendar: payments and frauds per local day, weekends shaded, holidays marked"
    grid = "Weekday x local hour: share of payments and fraud rate"
    return section, [
        plot("calendar", title, "calendar", payload, section="calendar"),
        plot("weekday_hour", grid, "heatmap", weekday_hour(data), section="calendar"),
    ]
