"""The figures of the time and campaign sections: the calendar, the weekday x local-hour grid,
the drift curve by test week and the campaign sizes (``figures`` draws the others)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from .style import COUNTRY_COLORS, FRAUD, HALF, LEGEND_PT, LEGIT, TICK_PT, TYPE_COLORS, WIDE, style

WEEKEND_SHADE = "#EDEDED"


def _shade_weekends(ax: Any, days: list[date]) -> None:
    for day in days:
        if day.weekday() >= 5:
            noon = datetime.combine(day, time(12))
            ax.axvspan(noon - timedelta(hours=24), noon, color=WEEKEND_SHADE, linewidth=0,
                       zorder=0)  # fmt: skip


def _holiday_marks(ax: Any, data: dict[str, Any]) -> None:
    """One row of triangles per main home country at the top of ``ax``, on its holidays."""
    for i, country in enumerate(data["countries"]):
        days = [date.fromisoformat(h["date"]) for h in data["holidays"] if h["country"] == country]
        color = COUNTRY_COLORS[i % len(COUNTRY_COLORS)]
        ax.plot(days, [1.0 - 0.07 * (i + 1)] * len(days), "v", color=color, markersize=6,
                transform=ax.get_xaxis_transform(), label=f"{country} holiday", clip_on=False,
                linestyle="none")  # fmt: skip


def draw_calendar(fig: Figure, data: dict[str, Any]) -> None:
    """Two panels over the local days: legitimate payments and frauds per day, weekends
    shaded, the main home countries' public holidays marked."""
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.4, 1]})
    days = [date.fromisoformat(d) for d in data["days"]]
    top.plot(days, data["legit"], color=LEGIT, linewidth=1.2, label="legitimate")
    bottom.plot(days, data["frauds"], color=FRAUD, linewidth=1.2, label="fraud")
    for ax in (top, bottom):
        _shade_weekends(ax, days)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    _holiday_marks(top, data)
    top.legend(fontsize=LEGEND_PT, loc="lower left", ncol=5)
    when = "local date" if data["local"] else "UTC date"
    style(top, "Legitimate payments per day (grey: weekends)", "", "payments")
    style(bottom, "Frauds per day", when, "frauds")
    fig.autofmt_xdate()


def draw_heatmap(fig: Figure, data: dict[str, Any]) -> None:
    """Weekday x local hour: each cell's share of legitimate payments, and its fraud rate."""
    left, right = fig.subplots(1, 2, sharey=True)
    rows, frauds = np.asarray(data["rows"], float), np.asarray(data["frauds"], float)
    legit = rows - frauds
    panels = (
        (left, 100 * legit / max(legit.sum(), 1), "Blues", "% of legitimate payments"),
        (right, 100 * np.divide(frauds, rows, out=np.zeros_like(rows), where=rows > 0), "Reds",
         "fraud rate, %"),
    )  # fmt: skip
    hour = "local hour" if data["local"] else "UTC hour"
    for ax, values, cmap, label in panels:
        image = ax.imshow(values, aspect="auto", cmap=cmap, interpolation="nearest")
        bar = fig.colorbar(image, ax=ax, fraction=0.05)
        bar.ax.tick_params(labelsize=TICK_PT)
        ax.set_xticks(range(0, 24, 3))
        ax.set_yticks(range(7), data["weekdays"])
        style(ax, label.capitalize() + " per cell", hour, "")
        ax.grid(False)


def draw_drift(fig: Figure, data: dict[str, Any]) -> None:
    """ROC AUC (and AP / base rate) of the history model per test week after go-live."""
    ax = fig.subplots()
    weeks = data["weeks"]
    scored = [w for w in weeks if w["roc_auc"] is not None]
    x = [w["week"] for w in scored]
    ax.plot(x, [w["roc_auc"] for w in scored], "o-", color=LEGIT, label="ROC AUC")
    for w in weeks:
        if w["roc_auc"] is None:
            ax.axvline(w["week"], color=FRAUD, linestyle=":", linewidth=1)
            ax.text(w["week"], 0.02, f" {w['frauds']} frauds:\n too few", color=FRAUD,
                    transform=ax.get_xaxis_transform(), fontsize=LEGEND_PT)  # fmt: skip
    ax.set_ylim(0.5, 1.0)
    twin = ax.twinx()
    twin.plot(x, [w["ap_lift"] for w in scored], "s--", color=FRAUD, label="AP / base rate")
    twin.set_ylim(bottom=0)
    twin.tick_params(labelsize=TICK_PT)
    twin.set_ylabel("AP / base rate", fontsize=TICK_PT)
    ax.set_xticks([w["week"] for w in weeks])
    lines = ax.get_legend_handles_labels(), twin.get_legend_handles_labels()
    ax.legend(lines[0][0] + lines[1][0], lines[0][1] + lines[1][1], fontsize=LEGEND_PT,
              loc="lower left")  # fmt: skip
    style(ax, "History model by test week (trained once)", "week after go-live", "ROC AUC")


def draw_campaigns(fig: Figure, data: dict[str, Any]) -> None:
    """Cards and fraud rows per campaign, one colour per typology (log axes)."""
    ax = fig.subplots()
    types = np.asarray(data["type"], dtype=object)
    cards, rows = np.asarray(data["cards"], float), np.asarray(data["rows"], float)
    for name in sorted(set(types.tolist())):
        mine = types == name
        ax.scatter(cards[mine], rows[mine], s=14, alpha=0.7, label=name,
                   color=TYPE_COLORS.get(name, FRAUD))  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.legend(fontsize=LEGEND_PT)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    style(ax, "Campaigns: cards and fraud rows", "cards in the campaign (log)", "fraud rows (log)")


MORE_DRAWERS: dict[str, Callable[[Figure, dict[str, Any]], None]] = {
    "calendar": draw_calendar,
    "heatmap": draw_heatmap,
    "drift": draw_drift,
    "campaigns": draw_campaigns,
}
MORE_SIZES = {
    "calendar": (WIDE, 4.6), "heatmap": (WIDE, 3.2), "drift": (HALF, 3.4),
    "campaigns": (HALF, 3.8),
}  # fmt: skip
