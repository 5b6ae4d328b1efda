"""Fidelity to the config: each check has the expected value, the measured one and pass/fail.

Tolerances (stated in each check's ``tolerance``):
- row count and fraud count: exact (fraud count == round(fraud_rate * rows));
- Zipf slope: |slope + exponent| <= 0.15 over the top ranks (see ``zipf``);
- shares (device types, device_id nulls, is_recurring): |measured - expected| <= max(0.01,
  4 binomial standard deviations), so small datasets do not fail by chance;
- lognormal amount: mean and sd of log(amount) within max(0.02, 4 standard errors).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import polars as pl

from ..config import GeneratorConfig
from ..reference import DEVICE_ID_NULL_SHARE, RECURRING_SHARE
from .dataset import ENTITY_COLUMNS, LABEL, TIME, Prepared
from .values import jsonable, share
from .zipf import fit_zipf

ZIPF_TOLERANCE = 0.15
SHARE_FLOOR = 0.01
SHARE_SIGMAS = 4.0
LOG_AMOUNT_FLOOR = 0.02


def check(
    name: str,
    label: str,
    expected: Any,
    measured: Any,
    tolerance: Any,
    passed: bool | None,
    detail: str = "",
    unit: str = "count",
) -> dict[str, Any]:
    """Return one check row; ``passed=None`` means skipped (``detail`` says why).

    ``unit`` tells the page how to print the numbers: ``count``, ``share`` (a proportion,
    tolerance in percentage points), ``number`` or ``text``.
    """
    status = "skipped" if passed is None else ("pass" if passed else "fail")
    return {
        "name": name,
        "label": label,
        "expected": jsonable(expected),
        "measured": jsonable(measured),
        "tolerance": jsonable(tolerance),
        "unit": unit,
        "status": status,
        "detail": detail,
    }


def share_tolerance(expected: float, rows: int) -> float:
    """Return the allowed absolute error of a share: max(0.01, 4 binomial sd)."""
    sd = math.sqrt(max(expected * (1 - expected), 0.0) / max(rows, 1))
    return max(SHARE_FLOOR, SHARE_SIGMAS * sd)


def _share_check(
    name: str, label: str, expected: float, count: int | None, rows: int
) -> dict[str, Any]:
    tol = share_tolerance(expected, rows)
    if count is None:
        return check(
            name, label, expected, None, tol, None, "column missing or unusable", unit="share"
        )
    measured = share(count, rows)
    ok = measured is not None and abs(measured - expected) <= tol
    return check(name, label, expected, measured, tol, ok, unit="share")


def count_checks(cfg: GeneratorConfig, rows: int, frauds: int) -> list[dict[str, Any]]:
    """Return the row-count and exact fraud-count checks."""
    want = round(cfg.fraud_rate * rows)
    return [
        check("rows", "Rows equal total_rows", cfg.total_rows, rows, 0, rows == cfg.total_rows),
        check(
            "fraud_count",
            f"Fraud count is exactly round(fraud_rate x rows) = round({cfg.fraud_rate:g} x {rows})",
            want,
            frauds,
            0,
            frauds == want,
            f"fraud rate {100 * frauds / rows:.3g}% vs {100 * cfg.fraud_rate:.3g}%" if rows else "",
        ),
    ]


def _entity_config(cfg: GeneratorConfig, entity: str) -> tuple[int, float]:
    size = getattr(cfg.catalog, f"num_{entity}s")
    exponent = getattr(cfg.catalog, f"{entity}_zipf_exponent")
    return int(size), float(exponent)


def zipf_checks(cfg: GeneratorConfig, counts: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Return per entity: fitted rank-frequency slope vs minus the configured exponent."""
    out = []
    for entity in ENTITY_COLUMNS:
        size, exponent = _entity_config(cfg, entity)
        name, label = f"zipf.{entity}", f"{entity.capitalize()} rank-frequency slope"
        if entity not in counts:
            out.append(
                check(
                    name, label, -exponent, None, ZIPF_TOLERANCE, None, "column missing", "number"
                )
            )
            continue
        fit = fit_zipf(counts[entity], size)
        if fit is None:
            out.append(
                check(
                    name,
                    label,
                    -exponent,
                    None,
                    ZIPF_TOLERANCE,
                    None,
                    "too few frequent ranks",
                    "number",
                )
            )
            continue
        ok = abs(fit.slope + exponent) <= ZIPF_TOLERANCE
        detail = f"fitted over ranks 1..{fit.ranks} (each with >= 20 transactions)"
        out.append(check(name, label, -exponent, fit.slope, ZIPF_TOLERANCE, ok, detail, "number"))
    return out


def _value_counts(data: Prepared, column: str) -> dict[str, int]:
    frame = data.lf.group_by(column).agg(pl.len().alias("n")).collect()
    return {str(k): int(v) for k, v in frame.iter_rows()}


def device_checks(cfg: GeneratorConfig, data: Prepared, rows: int) -> list[dict[str, Any]]:
    """Return each device type's share vs its weight, and the share of unexpected types."""
    weights = cfg.feature.device_types
    total = sum(weights.values())
    counts = _value_counts(data, "device_type") if data.has("device_type") else None
    out = []
    for device, weight in weights.items():
        got = None if counts is None else counts.get(device, 0)
        label = f"device_type {device!r} share vs weight {weight:g}/{total:g}"
        expected = round(weight / total, 12)  # 0.6, not 0.6000000000000001
        out.append(_share_check(f"device_type.{device}", label, expected, got, rows))
    others = None if counts is None else sum(n for k, n in counts.items() if k not in weights)
    label = "Rows with a device_type not in feature.device_types"
    out.append(
        check(
            "device_type.unexpected", label, 0, others, 0, None if others is None else others == 0
        )
    )
    return out


def _sum_or_none(data: Prepared, expr: pl.Expr, *needs: str) -> int | None:
    if not data.has(*needs):
        return None
    return int(data.lf.select(expr).collect().item() or 0)


def share_checks(data: Prepared, rows: int) -> list[dict[str, Any]]:
    """Return the null share of device_id and the is_recurring share vs the generator's 10%."""
    nulls = _sum_or_none(data, pl.col("device_id").null_count(), "device_id")
    recurring = _sum_or_none(data, pl.col("is_recurring").sum(), "is_recurring")
    return [
        _share_check(
            "device_id.null_share", "Share of rows with no device_id", DEVICE_ID_NULL_SHARE,
            nulls, rows,
        ),
        _share_check(
            "is_recurring.share", "Share of recurring payments", RECURRING_SHARE, recurring, rows
        ),
    ]  # fmt: skip


def date_check(
    cfg: GeneratorConfig, start: datetime | None, end: datetime | None
) -> dict[str, Any]:
    """Return whether every event falls inside the configured days (UTC)."""
    first = datetime.combine(cfg.temporal.start_date, datetime.min.time(), timezone.utc)
    stop = datetime.combine(cfg.temporal.last_day, datetime.min.time(), timezone.utc)
    stop += timedelta(days=1)
    expected = f"{cfg.temporal.start_date} .. {cfg.temporal.last_day} (UTC)"
    if start is None or end is None:
        return check(
            "date_range", "Events inside the configured days", expected, None, 0, None, unit="text"
        )
    seconds = "%Y-%m-%d %H:%M:%S"
    measured = f"{start.strftime(seconds)} .. {end.strftime(seconds)} (UTC)"
    ok = first <= start and end < stop
    return check(
        "date_range", "Events inside the configured days", expected, measured, 0, ok, unit="text"
    )


def id_range_checks(cfg: GeneratorConfig, data: Prepared) -> list[dict[str, Any]]:
    """Return per entity whether every id lies in 1..N of the catalog config."""
    out = []
    for entity, column in ENTITY_COLUMNS.items():
        size, _ = _entity_config(cfg, entity)
        label, name = f"{column} within 1..num_{entity}s", f"id_range.{entity}"
        if not data.has(column):
            out.append(check(name, label, f"1..{size}", None, 0, None, "column missing", "text"))
            continue
        lo, hi = (
            data.lf.select(pl.col(column).min().alias("lo"), pl.col(column).max().alias("hi"))
            .collect()
            .row(0)
        )
        ok = lo is not None and hi is not None and lo >= 1 and hi <= size
        out.append(check(name, label, f"1..{size}", f"{lo}..{hi}", 0, ok, unit="text"))
    return out


def amount_checks(cfg: GeneratorConfig, data: Prepared, rows: int) -> list[dict[str, Any]]:
    """Return mean and sd of log(amount) vs the lognormal's parameters (lognormal only)."""
    if cfg.feature.amount_distribution != "lognormal" or not data.has("amount") or rows < 2:
        return []
    params = cfg.feature.amount
    # NumPy, not a Polars reduction: a parallel sum may differ in the last bit between runs.
    amount = data.lf.select(pl.col("amount").filter(pl.col("amount") > 0)).collect()
    log_amount = np.log(amount["amount"].to_numpy())
    mean = float(log_amount.mean()) if log_amount.size else None
    sd = float(log_amount.std(ddof=1)) if log_amount.size > 1 else None
    sigma = params["sigma"]
    tol_mean = max(LOG_AMOUNT_FLOOR, SHARE_SIGMAS * sigma / math.sqrt(rows))
    tol_sd = max(LOG_AMOUNT_FLOOR, SHARE_SIGMAS * sigma / math.sqrt(2 * rows))
    return [
        check(
            "amount.log_mean", "Mean of log(amount) vs lognormal mean", params["mean"], mean,
            tol_mean, mean is not None and abs(mean - params["mean"]) <= tol_mean, unit="number",
        ),
        check(
            "amount.log_sd", "Sd of log(amount) vs lognormal sigma", sigma, sd, tol_sd,
            sd is not None and abs(sd - sigma) <= tol_sd, unit="number",
        ),
    ]  # fmt: skip


def fidelity(
    cfg: GeneratorConfig, data: Prepared, overview: dict[str, Any], counts: dict[str, np.ndarray]
) -> dict[str, Any]:
    """Return the config (as JSON) and every fidelity check, with pass/fail/skipped totals."""
    rows, frauds = overview["rows"], overview["fraud_count"]
    bounds = (
        data.lf.select(pl.col(TIME).min().alias("lo"), pl.col(TIME).max().alias("hi"))
        .collect()
        .row(0)
    )
    checks = [
        *count_checks(cfg, rows, frauds),
        *zipf_checks(cfg, counts),
        *device_checks(cfg, data, rows),
        *share_checks(data, rows),
        date_check(cfg, *bounds),
        *id_range_checks(cfg, data),
        *amount_checks(cfg, data, rows),
    ]
    return checks_section(cfg, checks)


def checks_section(cfg: GeneratorConfig, checks: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the fidelity section: the config (as JSON), the checks and their tallies."""
    tally = {s: sum(c["status"] == s for c in checks) for s in ("pass", "fail", "skipped")}
    return {
        "config": cfg.model_dump(mode="json"),
        "label_column": LABEL,
        "passed": tally["pass"],
        "failed": tally["fail"],
        "skipped": tally["skipped"],
        "checks": checks,
    }
