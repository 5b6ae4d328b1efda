"""Fidelity of v1/v2 data to the distributions its config sets directly.

Tolerances (stated in each check's ``tolerance``):
- Zipf slope: |slope + exponent| <= 0.15 over the top ranks (see ``analysis.zipf``);
- shares (device types, device_id nulls, is_recurring): |measured - expected| <= max(0.01,
  4 binomial standard deviations), so small datasets do not fail by chance;
- lognormal amount: mean and sd of log(amount) within max(0.02, 4 standard errors).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl

from ...config import GeneratorConfig
from ...reference import DEVICE_ID_NULL_SHARE, RECURRING_SHARE
from ..analysis.zipf import fit_zipf
from ..inputs.columns import ENTITY_COLUMNS
from ..inputs.dataset import Prepared
from .common import SHARE_SIGMAS, check, common_checks, entity_config, share_check

ZIPF_TOLERANCE = 0.15
LOG_AMOUNT_FLOOR = 0.02


def zipf_checks(cfg: GeneratorConfig, counts: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """Return per entity: fitted rank-frequency slope vs minus the configured exponent."""
    out = []
    for entity in ENTITY_COLUMNS:
        size, exponent = entity_config(cfg, entity)
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
        out.append(share_check(f"device_type.{device}", label, expected, got, rows))
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
        share_check(
            "device_id.null_share", "Share of rows with no device_id", DEVICE_ID_NULL_SHARE,
            nulls, rows,
        ),
        share_check(
            "is_recurring.share", "Share of recurring payments", RECURRING_SHARE, recurring, rows
        ),
    ]  # fmt: skip


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


def distribution_checks(
    cfg: GeneratorConfig, data: Prepared, overview: dict[str, Any], counts: dict[str, np.ndarray]
) -> list[dict[str, Any]]:
    """Return every v1/v2 fidelity check, in the page's order."""
    rows, frauds = overview["rows"], overview["fraud_count"]
    counted, dates, ids = common_checks(cfg, data, rows, frauds)
    return [
        *counted,
        *zipf_checks(cfg, counts),
        *device_checks(cfg, data, rows),
        *share_checks(data, rows),
        dates,
        *ids,
        *amount_checks(cfg, data, rows),
    ]
