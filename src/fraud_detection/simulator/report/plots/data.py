"""The data behind each plot, aggregated lazily over the whole dataset (no sampling).

Each function returns ``{"name", "title", "section", "kind", "data"}`` or, when a column it
needs is missing, the same with ``"skipped"`` naming the reason. ``figures`` draws them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from ...config import GeneratorConfig
from ..analysis.zipf import expected_counts, fit_zipf, plot_ranks, rank_counts
from ..inputs.columns import ENTITY_COLUMNS, LABEL, MERCHANT, TIME
from ..inputs.dataset import Prepared
from ..values import jsonable, share, wilson
from .mcc import mcc_name

AMOUNT_BINS = 60
RATE_COLUMNS = ("channel", "pos_entry_mode", "device_type", "card_scheme", "mcc_code")
TOP_CATEGORIES = 25
MAX_CURRENCIES = 3
OFFSET = "local_time_offset"
BURST_WINDOW = "30m"
BURST_MIN_FRAUDS = 3
TOP_BURSTS = 20
MAX_TIMELINE_POINTS = 2000


def plot(
    name: str,
    title: str,
    kind: str,
    data: dict[str, Any] | None,
    section: str = "plots",
    skipped: str | None = None,
) -> dict[str, Any]:
    """Return a plot entry (``data`` None and ``skipped`` set when it cannot be drawn)."""
    entry: dict[str, Any] = {"name": name, "title": title, "section": section, "kind": kind}
    entry["data"] = jsonable(data) if data is not None else None
    if skipped:
        entry["skipped"] = skipped
    return entry  # fmt: skip


def _by_label(frame: pl.DataFrame, key: str, keys: list[Any]) -> tuple[list[int], list[int]]:
    """Return (legit counts, fraud counts) aligned with ``keys``."""
    found = {(k, bool(f)): int(n) for k, f, n in frame.select(key, LABEL, "n").iter_rows()}
    return [found.get((k, False), 0) for k in keys], [found.get((k, True), 0) for k in keys]


def _shares(counts: list[int]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def _hour_counts(data: Prepared, hour: pl.Expr) -> dict[str, list[Any]]:
    frame = data.lf.group_by(hour.alias("hour"), LABEL).agg(pl.len().alias("n")).collect()
    legit, fraud = _by_label(frame, "hour", list(range(24)))
    return {
        "legit": legit,
        "fraud": fraud,
        "legit_share": _shares(legit),
        "fraud_share": _shares(fraud),
    }


def hour_of_day(data: Prepared) -> dict[str, Any]:
    """Return transactions per hour of day, legit vs fraud: in UTC (top level) and, with
    ``local_time_offset``, in local time at the point of sale (``local``)."""
    title = "Hour of day, UTC and local, legit vs fraud"
    payload: dict[str, Any] = {"hours": list(range(24))}
    payload |= _hour_counts(data, pl.col(TIME).dt.hour())
    payload["local"] = None
    if data.has(OFFSET):
        local = pl.col(TIME) + pl.duration(minutes=pl.col(OFFSET).cast(pl.Int64).fill_null(0))
        payload["local"] = _hour_counts(data, local.dt.hour())
    return plot("hour_of_day", title, "hour", payload)


def amount_distribution(data: Prepared) -> dict[str, Any]:
    """Return a log-spaced amount histogram, legit vs fraud (counts and shares of class)."""
    title = "Amount distribution (log scale), legit vs fraud"
    if not data.has("amount"):
        return plot("amount", title, "amount", None, skipped="no usable amount column")
    positive = data.lf.filter(pl.col("amount") > 0)
    lo, hi = (
        positive.select(pl.col("amount").min().alias("lo"), pl.col("amount").max().alias("hi"))
        .collect()
        .row(0)
    )
    if lo is None:
        return plot("amount", title, "amount", None, skipped="no positive amounts")
    a, b = math.log10(lo), math.log10(hi) + 1e-9
    width = max((b - a) / AMOUNT_BINS, 1e-9)
    bin_expr = ((pl.col("amount").log10() - a) / width).floor().clip(0, AMOUNT_BINS - 1)
    currency = pl.col("currency") if data.has("currency") else pl.lit(None, pl.String)
    frame = (
        positive.group_by(
            bin_expr.cast(pl.Int64).alias("bin"), currency.fill_null("?").alias("currency"), LABEL
        )
        .agg(pl.len().alias("n"))
        .collect()
    )
    edges = [10 ** (a + i * width) for i in range(AMOUNT_BINS + 1)]
    payload: dict[str, Any] = {"edges": edges, **_amount_counts(frame)}
    payload["currencies"] = _per_currency(frame) if data.has("currency") else []
    return plot("amount", title, "amount", payload)


def _amount_counts(frame: pl.DataFrame) -> dict[str, list[Any]]:
    """Return legit and fraud counts and shares per amount bin."""
    totals = frame.group_by("bin", LABEL).agg(pl.col("n").sum())
    legit, fraud = _by_label(totals, "bin", list(range(AMOUNT_BINS)))
    return {
        "legit": legit,
        "fraud": fraud,
        "legit_share": _shares(legit),
        "fraud_share": _shares(fraud),
    }


def _per_currency(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Return the amount histogram of each of the top currencies by rows (amounts in two
    currencies on one axis would add dollars to euros)."""
    volume = frame.group_by("currency").agg(pl.col("n").sum().alias("rows"))
    top = volume.sort(["rows", "currency"], descending=[True, False]).head(MAX_CURRENCIES)
    out = []
    for currency, rows in top.iter_rows():
        counts = _amount_counts(frame.filter(pl.col("currency") == currency))
        out.append({"currency": currency, "rows": rows, **counts})
    return out


def _rank_series(
    entity: str, counts: np.ndarray, rows: int, cfg: GeneratorConfig | None
) -> dict[str, Any]:
    size = int(getattr(cfg.catalog, f"num_{entity}s")) if cfg else int(counts.size)
    ranks = plot_ranks(int(counts.size))
    fit = fit_zipf(counts, size)
    series: dict[str, Any] = {
        "entity": entity,
        "distinct": int(counts.size),
        "ranks": ranks,
        "counts": counts[ranks - 1] if ranks.size else [],
        "fitted_slope": fit.slope if fit else None,
        "fitted_intercept": fit.intercept if fit else None,
        "fit_ranks": fit.ranks if fit else None,
        "configured_exponent": None,
        "expected_counts": None,
    }
    if cfg is not None and ranks.size:
        exponent = float(getattr(cfg.catalog, f"{entity}_zipf_exponent"))
        series["configured_exponent"] = exponent
        series["expected_counts"] = expected_counts(ranks, rows, size, exponent)
    return series


def rank_frequency(
    counts: dict[str, np.ndarray], rows: int, cfg: GeneratorConfig | None
) -> dict[str, Any]:
    """Return per entity the rank-frequency points, the fitted slope and the configured curve."""
    title = "Rank-frequency per entity (log-log)"
    if not counts:
        return plot("rank_frequency", title, "rank_frequency", None, skipped="no entity columns")
    series = [_rank_series(e, c, rows, cfg) for e, c in counts.items()]
    return plot("rank_frequency", title, "rank_frequency", {"entities": series})


def _categories(data: Prepared, column: str) -> pl.DataFrame:
    """Return rows and frauds per value of ``column``, largest first."""
    return (
        data.lf.group_by(pl.col(column).cast(pl.String).fill_null("(null)").alias("category"))
        .agg(pl.len().alias("rows"), pl.col(LABEL).sum().alias("frauds"))
        .sort(["rows", "category"], descending=[True, False])
        .collect()
    )


def _category_rows(frame: pl.DataFrame, column: str) -> list[dict[str, Any]]:
    out = []
    for category, rows, frauds in frame.iter_rows():
        low, high = wilson(int(frauds), int(rows))
        rate = share(frauds, rows)
        name = mcc_name(category) if column == "mcc_code" else None
        out.append(
            {"category": category, "name": name, "rows": rows, "frauds": frauds, "rate": rate,
             "ci_low": low, "ci_high": high}
        )  # fmt: skip
    return out


def fraud_rate_by(data: Prepared, column: str, overall: float | None) -> dict[str, Any]:
    """Return the fraud rate (with 95% Wilson interval) per value, top 25 values by volume.

    Merchant category codes carry their ISO 18245 name.
    """
    name, title = f"fraud_rate_by.{column}", f"Fraud rate by {column}"
    if not data.has(column):
        return plot(name, title, "rate_by", None, skipped=f"no usable {column} column")
    frame = _categories(data, column)
    if frame.height > TOP_CATEGORIES:
        title += f" (top {TOP_CATEGORIES} of {frame.height:,} by rows)"
    payload = {
        "column": column,
        "overall_rate": overall,
        "distinct": frame.height,
        "rows": _category_rows(frame.head(TOP_CATEGORIES), column),
    }
    return plot(name, title, "rate_by", payload)


def daily(data: Prepared) -> dict[str, Any]:
    """Return transactions and frauds per UTC day."""
    frame = (
        data.lf.group_by(pl.col(TIME).dt.date().alias("day"))
        .agg(pl.len().alias("rows"), pl.col(LABEL).sum().alias("frauds"))
        .sort("day")
        .collect()
    )
    payload = {
        "days": frame["day"].to_list(),
        "rows": frame["rows"].to_list(),
        "frauds": frame["frauds"].to_list(),
    }
    return plot("daily", "Daily volume and daily fraud count", "daily", payload)


def bursts(data: Prepared) -> dict[str, Any]:
    """Return frauds per (merchant, 30-minute window): histogram, top windows and timeline."""
    title = "Bursts: frauds per merchant per 30-minute window"
    if not data.has(MERCHANT):
        return plot("bursts", title, "bursts", None, skipped="no usable merchant_id column")
    windows = (
        data.lf.group_by(MERCHANT, pl.col(TIME).dt.truncate(BURST_WINDOW).alias("window"))
        .agg(pl.len().alias("rows"), pl.col(LABEL).sum().alias("frauds"))
        .filter(pl.col("frauds") > 0)
        .collect()
    )
    hist = windows.group_by("frauds").agg(pl.len().alias("windows")).sort("frauds")
    total = int(windows["frauds"].sum())
    clustered = int(windows.filter(pl.col("frauds") >= BURST_MIN_FRAUDS)["frauds"].sum())
    ranked = windows.sort(["frauds", "window", MERCHANT], descending=[True, False, False])
    # Sorted by merchant too: windows of one time at several merchants come out of the
    # group-by in any order, and the same data must give the same report.
    timeline = windows.filter(pl.col("frauds") >= BURST_MIN_FRAUDS).sort("window", MERCHANT)
    payload = {
        "window_minutes": 30,
        "min_frauds_for_burst": BURST_MIN_FRAUDS,
        "windows_with_fraud": windows.height,
        "histogram": {"frauds": hist["frauds"].to_list(), "windows": hist["windows"].to_list()},
        "share_of_frauds_in_bursts": share(clustered, total),
        "frauds_in_bursts": clustered,
        "frauds_total": total,
        "top_windows": ranked.head(TOP_BURSTS).to_dicts(),
        "timeline": {
            "window": timeline["window"].head(MAX_TIMELINE_POINTS).to_list(),
            "frauds": timeline["frauds"].head(MAX_TIMELINE_POINTS).to_list(),
        },
    }
    return plot("bursts", title, "bursts", payload)


def entity_counts(data: Prepared) -> dict[str, np.ndarray]:
    """Return per available entity the transaction counts by rank (largest first)."""
    return {e: rank_counts(data.lf, c) for e, c in ENTITY_COLUMNS.items() if data.has(c)}


def dataset_plots(
    data: Prepared,
    counts: dict[str, np.ndarray],
    overview: dict[str, Any],
    cfg: GeneratorConfig | None,
) -> list[dict[str, Any]]:
    """Return every dataset plot entry in display order."""
    overall = overview["fraud_rate"]
    return [
        hour_of_day(data),
        amount_distribution(data),
        rank_frequency(counts, overview["rows"], cfg),
        *(fraud_rate_by(data, column, overall) for column in RATE_COLUMNS),
        daily(data),
        bursts(data),
    ]  # fmt: skip


def analysis_plots(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the leakage and model figures' entries (their data is in those sections)."""
    leak = report["leakage"]
    entries = [
        plot(
            "leakage_auc", "Single-column ROC AUC on the test rows", "leakage",
            {"columns": leak["columns"], "warn_separation": leak["warn_separation"]},
            section="leakage",
        )
    ]  # fmt: skip
    models = report["model"].get("models")
    if models:
        data = {"models": models, "base_rate": report["model"]["test_base_rate"]}
        entries.append(plot("model_curves", "ROC and PR curves", "model", data, section="model"))
    drift = report["model"].get("drift")
    if drift and any(w["roc_auc"] is not None for w in drift["weeks"]):
        title = "Drift: the history model by test week after go-live"
        entries.append(plot("drift", title, "drift", drift, section="model"))
    return entries
