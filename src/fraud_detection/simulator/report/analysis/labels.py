"""Labels as data: which fraud typologies a dataset holds and how late their labels arrive.

Both come from every fraud row (no sampling). ``typologies`` adds the baseline's recall per
typology (at the history model's 5% false-positive operating point, on the test window);
``label_latency`` measures each fraud row's delay from its payment to its ``reported_time``.
Only for a realism whose report profile has the typologies section, and data with its three
label columns; otherwise both are ``None``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ...reference import TYPOLOGIES
from ..inputs.columns import EPISODE, LABEL, REPORTED, TIME, TYPE
from ..inputs.dataset import Prepared
from ..plots.data import plot

WITHIN_DAYS = (1, 7, 30, 90)
CURVE_POINTS = 160  # the latency figure's delays: log-spaced from an hour to the longest
NS_PER_DAY = 86_400 * 10**9


def in_order(names: set[str]) -> list[str]:
    """Return typology names in the reference order (``reference.TYPOLOGIES``), others after."""
    return [t for t in TYPOLOGIES if t in names] + sorted(names - set(TYPOLOGIES))


def _groups(delays: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    parts = {str(key[0]): group for key, group in delays.group_by(TYPE)}
    return [(name, parts[name]) for name in in_order(set(parts))]


def has_labels(data: Prepared) -> bool:
    """Return whether the dataset carries the typology, episode and report-time columns."""
    return data.has(TYPE, EPISODE, REPORTED)


def fraud_delays(data: Prepared) -> pl.DataFrame:
    """Return each fraud row's type and delay in days to its report (null: never reported)."""
    delay = (pl.col(REPORTED) - pl.col(TIME)).dt.total_nanoseconds() / NS_PER_DAY
    return (
        data.lf.filter(pl.col(LABEL))
        .select(pl.col(TYPE).fill_null("(none)"), delay.alias("days"))
        .collect()
    )


def typologies(data: Prepared, expected: dict[str, float] | None,
               recall: dict[str, Any] | None) -> dict[str, Any] | None:  # fmt: skip
    """Return per fraud_type: rows, episodes, share of fraud rows (and the config's share),
    and the baseline's test frauds, catches and recall at 5% FPR."""
    if not has_labels(data):
        return None
    frame = (
        data.lf.filter(pl.col(LABEL))
        .group_by(pl.col(TYPE).fill_null("(none)"))
        .agg(pl.len().alias("rows"), pl.col(EPISODE).n_unique().alias("episodes"))
        .sort(TYPE)
        .collect()
    )
    total = int(frame["rows"].sum())
    names = in_order(set(frame[TYPE].to_list()) | set(expected or {}))
    found = {t: (r, e) for t, r, e in frame.iter_rows()}
    out = {}
    for name in names:
        rows, episodes = found.get(name, (0, 0))
        test = (recall or {}).get(name) or {}
        out[name] = {
            "rows": rows, "episodes": episodes, "share": rows / total if total else None,
            "expected_share": None if expected is None else expected.get(name, 0.0),
            "test_frauds": test.get("test_rows"), "caught": test.get("caught"),
            "recall_at_5pct_fpr": test.get("recall_at_5pct_fpr"),
            "recall_ci": test.get("recall_ci"),
        }  # fmt: skip
    return out


def _within(days: np.ndarray, total: int) -> dict[str, float | None]:
    return {str(d): (float((days <= d).sum()) / total if total else None) for d in WITHIN_DAYS}


def _by_type(delays: pl.DataFrame) -> dict[str, dict[str, Any]]:
    out = {}
    for name, group in _groups(delays):
        days = group["days"].drop_nulls().to_numpy()
        out[name] = {
            "frauds": group.height,
            "reported": int(days.size),
            "never": 1 - days.size / group.height,
            "median_days": float(np.median(days)) if days.size else None,
            "within_days": _within(days, group.height),
        }
    return out


def label_latency(
    data: Prepared, max_days: float
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return (report.json's ``label_latency``, the latency figure's entry, its delays up to
    ``max_days``); (None, None) without the label columns."""
    if not has_labels(data):
        return None, None
    delays = fraud_delays(data)
    reported = delays["days"].drop_nulls().to_numpy()
    total = delays.height
    section = {
        "measured_from": "each fraud row's event_time to its reported_time",
        "frauds": total,
        "reported": int(reported.size),
        "within_days": _within(reported, total),
        "never": 1 - reported.size / total if total else None,
        "median_days": float(np.median(reported)) if reported.size else None,
        "by_type": _by_type(delays),
    }
    return section, latency_plot(delays, max_days)


def _curve(days: np.ndarray, total: int, grid: np.ndarray) -> list[float]:
    ordered = np.sort(days)
    return (np.searchsorted(ordered, grid, side="right") / max(total, 1)).tolist()


def latency_plot(delays: pl.DataFrame, max_days: float) -> dict[str, Any]:
    """Return the figure's entry: cumulative share of fraud rows reported by each delay up to
    ``max_days``, overall and per type (never-reported rows stay in the denominator)."""
    grid = np.geomspace(1 / 24, max_days, CURVE_POINTS)
    series = {"all fraud": _curve(delays["days"].drop_nulls().to_numpy(), delays.height, grid)}
    for name, group in _groups(delays):
        series[name] = _curve(group["days"].drop_nulls().to_numpy(), group.height, grid)
    data = {"days": grid.tolist(), "series": series, "max_days": max_days}
    title = "Label latency: share of fraud rows reported within each delay"
    return plot("label_latency", title, "latency", data, section="typologies")


def recall_plot(typology: dict[str, Any] | None, overall: float | None) -> dict[str, Any] | None:
    """Return the per-typology recall figure's entry (None without typologies)."""
    if typology is None:
        return None
    rows = [
        {"type": name, **{k: t[k] for k in ("test_frauds", "caught", "recall_at_5pct_fpr",
                                             "recall_ci")}}
        for name, t in typology.items()
        if t.get("test_frauds")
    ]  # fmt: skip
    title = "Recall at 5% FPR per typology (history model, test window)"
    data = {"rows": rows, "overall": overall}
    skipped = None if rows else "no fraud in the test window, or no model"
    return plot("typology_recall", title, "typology", data if rows else None, "typologies", skipped)
