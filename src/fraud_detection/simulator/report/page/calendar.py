"""The page's calendar section (days, weekends, holidays, local hours) and its published-figures
section (the dataset against published card-fraud statistics, with its verdict)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .markup import Page, figures, para, table
from .text import DASH, band_text, count, day, figure_value, pct

CAPTIONS = {
    "calendar": "Grey bands are weekends; triangles mark the public holidays of the main home "
    "countries (one row each, from the holidays package). The first and last days hold only "
    "the hours of the zones the data's UTC range covers.",
    "weekday_hour": "Left: where legitimate payments fall in the week, by local hour. Right: "
    "the fraud rate of each cell (few frauds per cell: read the pattern, not a cell).",
}


def _holidays(country: Mapping[str, Any]) -> str:
    parts = [f"{h['name']} {day(h['date'])}: {pct(h['vs_usual'])}" for h in country["holidays"]]
    return "; ".join(parts) or DASH


def _country_rows(countries: list[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (c["country"], count(c["rows"]), pct(c["weekend_vs_weekday"], 3), _holidays(c))
        for c in countries
    ]


def calendar_section(page: Page) -> str | None:
    """Return the calendar: weekends and holidays per main home country, and the figures."""
    cal = page.report.get("calendar")
    if cal is None:
        return None
    intro = para(
        f"Days are {cal['days']}. Over the {count(cal['full_days'])} full days, a weekend day "
        f"carries {pct(cal['weekend_vs_weekday'], 3)} of a weekday's payments, and daily "
        f"counts vary by {pct(cal['daily_cv'], 2)} (coefficient of variation; flat days: "
        "about 1%)."
    )
    body = intro
    if cal["countries"]:
        measured = cal["countries"][0]["holidays_measured_on"]
        body += para(
            "The main home countries (customers.parquet's home_country, by rows): their "
            "customers' weekend days against weekdays, and each public holiday's "
            f"{measured} against the median of the same weekday in its month."
        )
        headers = ("home country", "rows", "weekend / weekday", "holidays (vs a usual day)")
        body += table(headers, _country_rows(cal["countries"]), numeric=(1, 2))
    else:
        body += para(f"Holidays not marked: {cal['countries_note']}.", "note")
    return body + figures(page, "calendar", CAPTIONS)


def published_rows(section: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Return one table row per published figure."""
    return [
        (r["label"], r["source"], DASH if r["value"] is None else figure_value(r), band_text(r),
         r["status"], r["detail"])
        for r in section["figures"]
    ]  # fmt: skip


def published_section(page: Page) -> str | None:
    """Return the published figures: each with its source, this dataset's value and band."""
    section = page.report.get("published_figures")
    if section is None:
        return None
    verdict = page.report["verdict"]["published_figures"]
    intro = para(
        "What public statistics say of card fraud, against this dataset. A figure out of its "
        "band is not a defect of the run (the problems list leaves it out): it says where the "
        "data's fraud differs from what banks report. Amounts in different currencies are "
        "added as they are."
    )
    headers = ("figure", "source", "this dataset", "band", "status", "detail")
    return intro + para(verdict["sentence"]) + table(headers, published_rows(section), numeric=(2,))
