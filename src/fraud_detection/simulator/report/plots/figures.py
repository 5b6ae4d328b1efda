"""Draw each plot entry's data as a PNG (matplotlib, object API: no pyplot, no global state).

Figures are sized for the page (``DISPLAY_DPI`` CSS pixels per inch: a 5.6 in figure is shown
560 px wide, half the page) and rendered at twice that (``DPI``), so they stay sharp on a
high-density laptop screen and in print. No text is smaller than ``MIN_FONT_PT`` points,
11 px at the display size.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .more import MORE_DRAWERS, MORE_SIZES
from .style import (
    DISPLAY_DPI,
    DPI,
    FRAUD,
    HALF,
    LATENCY_TICKS,
    LEGEND_PT,
    LEGIT,
    MIN_FONT_PT,
    MODEL_COLORS,
    TICK_PT,
    TYPE_COLORS,
    WIDE,
)
from .style import style as _style

__all__ = ["DISPLAY_DPI", "DPI", "MIN_FONT_PT", "figure", "png_size", "render"]


def _hour_panel(ax: Axes, hours: np.ndarray, counts: dict[str, Any], title: str) -> None:
    ax.bar(hours - 0.2, 100 * np.asarray(counts["legit_share"]), 0.4, color=LEGIT, label="legit")
    ax.bar(hours + 0.2, 100 * np.asarray(counts["fraud_share"]), 0.4, color=FRAUD, label="fraud")
    ax.set_xticks(range(0, 24, 2))
    ax.legend(fontsize=LEGEND_PT)
    _style(ax, title, "hour of day", "% of class's transactions")


def draw_hour(fig: Figure, data: dict[str, Any]) -> None:
    """Bars: share of each class's transactions per UTC hour and per local hour."""
    hours = np.asarray(data["hours"])
    local = data.get("local")
    axes = fig.subplots(1, 2 if local else 1, squeeze=False, sharey=True)[0]
    _hour_panel(axes[0], hours, data, "UTC hour")
    if local:
        _hour_panel(axes[1], hours, local, "Local hour at the point of sale")


def draw_amount(fig: Figure, data: dict[str, Any]) -> None:
    """Step histograms of amount on a log axis, one panel per currency, each class to 100%."""
    edges = np.asarray(data["edges"])
    panels = data.get("currencies") or [{"currency": None, **data}]
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
    for ax, panel in zip(axes, panels, strict=True):
        for key, color in (("legit", LEGIT), ("fraud", FRAUD)):
            shares = 100 * np.asarray(panel[f"{key}_share"])
            ax.stairs(shares, edges, color=color, linewidth=1.5, label=key)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}")
        )
        ax.legend(fontsize=LEGEND_PT)
        unit = panel["currency"] or "currency unknown"
        rows = f", {panel['rows']:,} rows" if panel.get("rows") else ""
        _style(ax, f"Amount in {unit}{rows}", f"amount ({unit}, log scale)", "% of class")


def draw_rank_frequency(fig: Figure, data: dict[str, Any]) -> None:
    """Log-log rank-frequency per entity, with the configured Zipf curve and the fitted line."""
    series = data["entities"]
    axes = fig.subplots(1, len(series), squeeze=False)[0]
    for ax, s in zip(axes, series, strict=True):
        ranks, counts = np.asarray(s["ranks"], float), np.asarray(s["counts"], float)
        ax.loglog(ranks, counts, ".", color=LEGIT, markersize=3, label="measured", zorder=3)
        if s["expected_counts"] is not None:
            label = f"configured slope -{s['configured_exponent']:g}"
            ax.loglog(ranks, s["expected_counts"], "--", color="black", linewidth=1, label=label)
        if s["fitted_slope"] is not None:
            fit_r = np.arange(1, s["fit_ranks"] + 1, dtype=float)
            fit_c = np.exp(s["fitted_intercept"]) * fit_r ** s["fitted_slope"]
            label = f"fit, ranks 1..{s['fit_ranks']}: {s['fitted_slope']:.2f}"
            ax.loglog(fit_r, fit_c, "-", color=FRAUD, linewidth=3, alpha=0.45, label=label)
        ax.legend(fontsize=LEGEND_PT)
        _style(ax, f"{s['entity']}s ({s['distinct']:,} seen)", "rank", "transactions")


def _category_label(row: dict[str, Any]) -> str:
    name = f" {row['name']}" if row.get("name") else ""
    return f"{row['category']}{name}  (n={row['rows']:,})"


def draw_rate_by(fig: Figure, data: dict[str, Any]) -> None:
    """Horizontal bars: fraud rate per value with its 95% interval; dashed: overall rate."""
    ax = fig.subplots()
    rows = data["rows"][::-1]
    y = np.arange(len(rows))
    rate = np.array([100 * (r["rate"] or 0.0) for r in rows])
    low = rate - np.array([100 * r["ci_low"] for r in rows])
    high = np.array([100 * r["ci_high"] for r in rows]) - rate
    err = np.clip(np.vstack([low, high]).reshape(2, -1), 0, None)
    ax.barh(y, rate, xerr=err, color=FRAUD, alpha=0.8, error_kw={"linewidth": 0.8})
    ax.set_yticks(y, [_category_label(r) for r in rows], fontsize=TICK_PT)
    if data["overall_rate"] is not None:
        overall = 100 * data["overall_rate"]
        ax.axvline(overall, color="black", linestyle="--", linewidth=1, label="overall rate")
        ax.legend(fontsize=LEGEND_PT, loc="lower right")
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=None))
    _style(ax, f"Fraud rate by {data['column']}", "fraud rate (line: 95% interval)", "")


def _dates(values: list[str]) -> list[date]:
    return [date.fromisoformat(v) for v in values]


def draw_daily(fig: Figure, data: dict[str, Any]) -> None:
    """Two panels sharing the day axis, both from zero: transactions and frauds per day."""
    top, bottom = fig.subplots(2, 1, sharex=True)
    days = _dates(data["days"])
    top.plot(days, data["rows"], color=LEGIT, linewidth=1.2)
    bottom.plot(days, data["frauds"], color=FRAUD, linewidth=1.2)
    for ax in (top, bottom):
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    _style(top, "Transactions per day (axis from zero)", "", "transactions")
    _style(bottom, "Frauds per day (axis from zero)", "day (UTC)", "frauds")
    fig.autofmt_xdate()


def draw_bursts(fig: Figure, data: dict[str, Any]) -> None:
    """Left: windows by frauds per merchant-window. Right: windows with >= 3 frauds over time."""
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    hist = data["histogram"]
    left.bar(hist["frauds"], hist["windows"], color=FRAUD)
    left.set_yscale("log")
    k = data["min_frauds_for_burst"]
    left.axvline(k - 0.5, color="black", linestyle="--", linewidth=1)
    burst_share = data.get("share_of_frauds_in_bursts")
    text = f"bursts (>= {k}):\n{100 * burst_share:.2g}% of frauds" if burst_share else "bursts"
    left.text(k - 0.3, 0.95, text, transform=left.get_xaxis_transform(), va="top",
              fontsize=LEGEND_PT)  # fmt: skip
    _style(left, "Merchant 30-min windows with fraud", "frauds in the window", "windows (log)")
    times = [datetime.fromisoformat(t) for t in data["timeline"]["window"]]
    right.scatter(times, data["timeline"]["frauds"], s=8, color=FRAUD, alpha=0.6)
    _style(right, f"Windows with >= {k} frauds over time", "window start (UTC)", "frauds")
    fig.autofmt_xdate()


def draw_risk(fig: Figure, data: dict[str, Any]) -> None:
    """Fraud rate by merchant-risk and card-risk decile, with 95% intervals."""
    axes = fig.subplots(1, len(data), squeeze=False)[0]
    for ax, (entity, rows) in zip(axes, data.items(), strict=True):
        x = [r["decile"] for r in rows]
        rate = np.array([100 * (r["rate"] or 0.0) for r in rows])
        low = rate - np.array([100 * r["ci_low"] for r in rows])
        high = np.array([100 * r["ci_high"] for r in rows]) - rate
        yerr = np.clip([low, high], 0, None)
        ax.errorbar(x, rate, yerr=yerr, fmt="o-", color=FRAUD, capsize=2)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=None))
        _style(ax, f"{entity} risk decile", "decile (1 = lowest risk)", "fraud rate")


def draw_leakage(fig: Figure, data: dict[str, Any]) -> None:
    """Horizontal bars of each column's ROC AUC; red beyond the labelled leak thresholds."""
    ax = fig.subplots()
    rows = [r for r in data["columns"] if r["auc"] is not None][::-1]
    y = np.arange(len(rows))
    colors = [FRAUD if r["warning"] else LEGIT for r in rows]
    ax.barh(y, [r["auc"] - 0.5 for r in rows], left=0.5, color=colors)
    for i, r in enumerate(rows):
        right = r["auc"] >= 0.5
        x = r["auc"] + (0.01 if right else -0.01)
        ax.text(x, i, f"{r['auc']:.3f}", va="center", ha="left" if right else "right",
                fontsize=LEGEND_PT)  # fmt: skip
    ax.set_yticks(y, [r["column"] for r in rows], fontsize=TICK_PT)
    warn = data["warn_separation"]
    top = len(rows) - 0.4
    for x, ha in ((1 - warn, "left"), (warn, "right")):
        ax.axvline(x, color=FRAUD, linestyle="--", linewidth=1)
        ax.text(x, top, f" leak beyond {x:g} ", color=FRAUD, ha=ha, va="bottom",
                fontsize=LEGEND_PT)  # fmt: skip
    ax.axvline(0.5, color="black", linewidth=0.8)
    ax.text(0.5, top, "no signal: 0.5", ha="center", va="bottom", fontsize=LEGEND_PT)
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(rows) + 0.6)
    _style(ax, "Single-column ROC AUC (test rows)", "ROC AUC", "")


def draw_model(fig: Figure, data: dict[str, Any]) -> None:
    """ROC curve (log false-positive axis) and precision-recall curve of both models."""
    roc, pr = fig.subplots(1, 2)
    for name, model in data["models"].items():
        color = MODEL_COLORS.get(name, LEGIT)
        fpr, tpr = np.asarray(model["roc_curve"]["x"]), np.asarray(model["roc_curve"]["y"])
        keep = fpr > 0
        roc.plot(fpr[keep], tpr[keep], color=color, label=f"{name}: AUC {model['roc_auc']:.3f}")
        label = f"{name}: AP {model['average_precision']:.3g}"
        recall, precision = np.asarray(model["pr_curve"]["x"]), np.asarray(model["pr_curve"]["y"])
        keep = recall > 0  # the curve's (0, 1) end point is a convention, not a measurement
        pr.plot(recall[keep], precision[keep], color=color, label=label)
    diagonal = np.geomspace(1e-4, 1, 50)
    roc.plot(diagonal, diagonal, color="black", linestyle="--", linewidth=0.8, label="random")
    roc.set_xscale("log")
    roc.set_xlim(left=1e-3)
    for x in (0.01, 0.05):
        roc.axvline(x, color="black", linestyle=":", linewidth=1)
        roc.text(x, 0.98, f" {x:.0%} FPR", transform=roc.get_xaxis_transform(), va="top",
                 fontsize=LEGEND_PT)  # fmt: skip
    base = data["base_rate"]
    pr.axhline(base, color="black", linestyle="--", linewidth=0.8, label=f"random: {base:.2%}")
    pr.set_yscale("log")
    roc.legend(fontsize=LEGEND_PT, loc="lower right")
    pr.legend(fontsize=LEGEND_PT)
    _style(roc, "ROC", "false-positive rate (log)", "recall")
    _style(pr, "Precision-recall", "recall", "precision (log)")


def draw_latency(fig: Figure, data: dict[str, Any]) -> None:
    """Cumulative share of fraud rows reported by each delay, per typology (log delay axis)."""
    ax = fig.subplots()
    days = np.asarray(data["days"])
    for name, shares in data["series"].items():
        width = 2.4 if name == "all fraud" else 1.5
        ax.plot(days, 100 * np.asarray(shares), linewidth=width,
                color=TYPE_COLORS.get(name, LEGIT), label=name)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xticks(list(LATENCY_TICKS), list(LATENCY_TICKS.values()))
    ax.set_xlim(days[0], data["max_days"])
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=None))
    ax.legend(fontsize=LEGEND_PT, loc="upper left")
    _style(ax, "Share of fraud rows reported within each delay", "delay after the payment (log)",
           "reported")  # fmt: skip


def draw_typology(fig: Figure, data: dict[str, Any]) -> None:
    """Horizontal bars: each typology's recall at 5% FPR with its 95% interval and n."""
    ax = fig.subplots()
    rows = data["rows"][::-1]
    y = np.arange(len(rows))
    recall = np.array([100 * (r["recall_at_5pct_fpr"] or 0.0) for r in rows])
    low = recall - np.array([100 * r["recall_ci"][0] for r in rows])
    high = np.array([100 * r["recall_ci"][1] for r in rows]) - recall
    colors = [TYPE_COLORS.get(r["type"], FRAUD) for r in rows]
    ax.barh(y, recall, xerr=np.clip(np.vstack([low, high]), 0, None), color=colors,
            error_kw={"linewidth": 0.8})  # fmt: skip
    ax.set_yticks(y, [f"{r['type']}  (n={r['test_frauds']:,})" for r in rows], fontsize=TICK_PT)
    if data.get("overall") is not None:
        ax.axvline(100 * data["overall"], color="black", linestyle="--", linewidth=1,
                   label=f"all frauds: {data['overall']:.0%}")  # fmt: skip
        ax.legend(fontsize=LEGEND_PT, loc="lower right")
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(PercentFormatter(decimals=None))
    _style(ax, "Recall at 5% FPR per typology", "frauds caught (line: 95% interval)", "")


Drawer = Callable[[Figure, dict[str, Any]], None]


def _size(entry: dict[str, Any]) -> tuple[float, float]:
    """Return the figure's size in inches, from its kind and the amount of data it shows."""
    kind, data = entry["kind"], entry["data"]
    if kind == "hour":
        return (WIDE, 3.4) if data.get("local") else (HALF, 3.4)
    if kind == "amount":
        return (WIDE, 3.4) if len(data.get("currencies") or []) > 1 else (HALF, 3.4)
    if kind == "rate_by":
        return (HALF, 1.3 + 0.26 * len(data["rows"]))
    if kind == "leakage":
        return (HALF + 1.0, 1.4 + 0.26 * len(data["columns"]))
    if kind == "typology":
        return (HALF, 1.3 + 0.32 * len(data["rows"]))
    return SIZES[kind]


DRAWERS: dict[str, Drawer] = {
    "hour": draw_hour,
    "amount": draw_amount,
    "rank_frequency": draw_rank_frequency,
    "rate_by": draw_rate_by,
    "daily": draw_daily,
    "bursts": draw_bursts,
    "risk": draw_risk,
    "leakage": draw_leakage,
    "model": draw_model,
    "latency": draw_latency,
    "typology": draw_typology,
    **MORE_DRAWERS,
}
SIZES = {
    "rank_frequency": (WIDE, 3.6),
    "daily": (WIDE, 4.2),
    "bursts": (WIDE, 3.8),
    "risk": (WIDE, 3.4),
    "model": (WIDE, 4.0),
    "latency": (HALF, 3.8),
    **MORE_SIZES,
}


def figure(entry: dict[str, Any]) -> Figure | None:
    """Return the drawn figure of a plot entry, or None when it was skipped."""
    if entry.get("data") is None:
        return None
    fig = Figure(figsize=_size(entry), dpi=DPI, layout="constrained")
    DRAWERS[entry["kind"]](fig, entry["data"])
    return fig


def render(entry: dict[str, Any]) -> bytes | None:
    """Return the PNG of a plot entry (at ``DPI``), or None when it was skipped."""
    fig = figure(entry)
    if fig is None:
        return None
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """Return (width, height) in pixels from a PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
