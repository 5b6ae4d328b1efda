"""Draw each plot entry's data as a PNG (matplotlib, object API: no pyplot, no global state)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

LEGIT, FRAUD = "#4C72B0", "#D1495B"
MODEL_COLORS = {"raw": "#8C8C8C", "raw_history": "#2A9D8F"}
DPI = 100


def _style(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3, linewidth=0.6)


def draw_hour(fig: Figure, data: dict[str, Any]) -> None:
    """Bars: share of each class's transactions per UTC hour."""
    ax = fig.subplots()
    hours = np.asarray(data["hours"])
    ax.bar(hours - 0.2, 100 * np.asarray(data["legit_share"]), 0.4, color=LEGIT, label="legit")
    ax.bar(hours + 0.2, 100 * np.asarray(data["fraud_share"]), 0.4, color=FRAUD, label="fraud")
    ax.set_xticks(range(0, 24, 2))
    ax.legend(fontsize=8)
    _style(ax, "Hour of day (UTC)", "hour (UTC)", "% of class's transactions")


def draw_amount(fig: Figure, data: dict[str, Any]) -> None:
    """Step histograms of amount on a log axis, each class normalised to 100%."""
    ax = fig.subplots()
    edges = np.asarray(data["edges"])
    for key, color in (("legit", LEGIT), ("fraud", FRAUD)):
        shares = 100 * np.asarray(data[f"{key}_share"])
        ax.stairs(shares, edges, color=color, linewidth=1.5, label=key)
    ax.set_xscale("log")
    ax.legend(fontsize=8)
    _style(ax, "Amount (log scale)", "amount", "% of class's transactions")


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
            label = f"fit (ranks 1..{s['fit_ranks']}): {s['fitted_slope']:.3f}"
            ax.loglog(fit_r, fit_c, "-", color=FRAUD, linewidth=3, alpha=0.45, label=label)
        ax.legend(fontsize=7)
        _style(ax, f"{s['entity']} ({s['distinct']:,} seen)", "rank", "transactions")


def draw_rate_by(fig: Figure, data: dict[str, Any]) -> None:
    """Horizontal bars: fraud rate per value with its 95% interval; dashed: overall rate."""
    ax = fig.subplots()
    rows = data["rows"][::-1]
    y = np.arange(len(rows))
    rate = np.array([100 * (r["rate"] or 0.0) for r in rows])
    err = (
        np.array(
            [
                [rate[i] - 100 * r["ci_low"], 100 * r["ci_high"] - rate[i]]
                for i, r in enumerate(rows)
            ]
        )
        .T.reshape(2, -1)
        .clip(min=0)
    )
    ax.barh(y, rate, xerr=err, color=FRAUD, alpha=0.8, error_kw={"linewidth": 0.8})
    ax.set_yticks(y, [f"{r['category']}  (n={r['rows']:,})" for r in rows], fontsize=8)
    if data["overall_rate"] is not None:
        ax.axvline(100 * data["overall_rate"], color="black", linestyle="--", linewidth=1)
    _style(ax, f"Fraud rate by {data['column']}", "fraud rate (%)", "")


def _dates(values: list[str]) -> list[date]:
    return [date.fromisoformat(v) for v in values]


def draw_daily(fig: Figure, data: dict[str, Any]) -> None:
    """Two panels sharing the day axis: transactions per day and frauds per day."""
    top, bottom = fig.subplots(2, 1, sharex=True)
    days = _dates(data["days"])
    top.plot(days, data["rows"], color=LEGIT, linewidth=1.2)
    bottom.plot(days, data["frauds"], color=FRAUD, linewidth=1.2)
    _style(top, "Daily volume", "", "transactions")
    _style(bottom, "Daily fraud count", "day (UTC)", "frauds")
    fig.autofmt_xdate()


def draw_bursts(fig: Figure, data: dict[str, Any]) -> None:
    """Left: windows by frauds per merchant-window. Right: windows with >= 3 frauds over time."""
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    hist = data["histogram"]
    left.bar(hist["frauds"], hist["windows"], color=FRAUD)
    left.set_yscale("log")
    _style(left, "Merchant 30-min windows with fraud", "frauds in the window", "windows (log)")
    times = [datetime.fromisoformat(t) for t in data["timeline"]["window"]]
    right.scatter(times, data["timeline"]["frauds"], s=8, color=FRAUD, alpha=0.6)
    title = f"Windows with >= {data['min_frauds_for_burst']} frauds over time"
    _style(right, title, "window start (UTC)", "frauds in the window")
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
        _style(ax, f"{entity} risk decile", "decile (1 = lowest risk)", "fraud rate (%)")


def draw_leakage(fig: Figure, data: dict[str, Any]) -> None:
    """Horizontal bars of each column's ROC AUC; red beyond the warning threshold."""
    ax = fig.subplots()
    rows = [r for r in data["columns"] if r["auc"] is not None][::-1]
    y = np.arange(len(rows))
    colors = [FRAUD if r["warning"] else LEGIT for r in rows]
    ax.barh(y, [r["auc"] - 0.5 for r in rows], left=0.5, color=colors)
    for i, r in enumerate(rows):
        right = r["auc"] >= 0.5
        x = r["auc"] + (0.01 if right else -0.01)
        ax.text(x, i, f"{r['auc']:.3f}", va="center", ha="left" if right else "right", fontsize=7)
    ax.set_yticks(y, [r["column"] for r in rows], fontsize=8)
    warn = data["warn_separation"]
    for x in (1 - warn, warn):
        ax.axvline(x, color=FRAUD, linestyle="--", linewidth=1)
    ax.axvline(0.5, color="black", linewidth=0.8)
    ax.set_xlim(0, 1)
    _style(ax, "Single-column ROC AUC (test rows)", "ROC AUC (0.5 = no signal)", "")


def draw_model(fig: Figure, data: dict[str, Any]) -> None:
    """ROC curve (log false-positive axis) and precision-recall curve of both models."""
    roc, pr = fig.subplots(1, 2)
    for name, model in data["models"].items():
        color = MODEL_COLORS.get(name, LEGIT)
        fpr, tpr = np.asarray(model["roc_curve"]["x"]), np.asarray(model["roc_curve"]["y"])
        keep = fpr > 0
        label = f"{name}: AUC {model['roc_auc']:.3f}"
        roc.plot(fpr[keep], tpr[keep], color=color, label=label)
        label = f"{name}: AP {model['average_precision']:.3f}"
        recall, precision = np.asarray(model["pr_curve"]["x"]), np.asarray(model["pr_curve"]["y"])
        keep = recall > 0  # the curve's (0, 1) end point is a convention, not a measurement
        pr.plot(recall[keep], precision[keep], color=color, label=label)
    diagonal = np.geomspace(1e-4, 1, 50)
    roc.plot(diagonal, diagonal, color="black", linestyle="--", linewidth=0.8, label="random")
    roc.set_xscale("log")
    roc.set_xlim(left=1e-3)
    roc.axvline(0.01, color="black", linestyle=":", linewidth=1)
    base = data["base_rate"]
    pr.axhline(base, color="black", linestyle="--", linewidth=0.8, label=f"random: {base:.4f}")
    pr.set_yscale("log")
    roc.legend(fontsize=8)
    pr.legend(fontsize=8)
    _style(roc, "ROC (dotted: 1% FPR)", "false-positive rate (log)", "recall")
    _style(pr, "Precision-recall", "recall", "precision (log)")


DRAWERS: dict[str, tuple[Callable[[Figure, dict[str, Any]], None], tuple[float, float]]] = {
    "hour": (draw_hour, (7.5, 3.4)),
    "amount": (draw_amount, (7.5, 3.4)),
    "rank_frequency": (draw_rank_frequency, (12, 3.6)),
    "rate_by": (draw_rate_by, (6, 4)),
    "daily": (draw_daily, (9, 4.2)),
    "bursts": (draw_bursts, (12, 3.8)),
    "risk": (draw_risk, (9, 3.4)),
    "leakage": (draw_leakage, (7.5, 0.0)),
    "model": (draw_model, (11, 4)),
}


def render(entry: dict[str, Any]) -> bytes | None:
    """Return the PNG of a plot entry, or None when it was skipped."""
    if entry.get("data") is None:
        return None
    draw, (width, height) = DRAWERS[entry["kind"]]
    if entry["kind"] == "leakage":  # one bar per column
        height = 1.2 + 0.24 * len(entry["data"]["columns"])
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    draw(fig, entry["data"])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
