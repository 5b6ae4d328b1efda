"""Catalog consistency (v2): what belongs to a merchant or card matches its catalog row.

Also the fraud rate by merchant-risk and card-risk decile: the labeler draws fraud by risk, so
the rate should rise with the decile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ..storage.layout import CATALOG_FILES
from .dataset import LABEL, Prepared
from .errors import ReportInputError
from .fidelity import check
from .plotdata import plot
from .values import share, wilson

ATTRIBUTES = {
    "merchant": ("merchant_id", ("mcc_code", "merchant_country")),
    "card": ("card_id", ("card_scheme", "pan_hash", "card_exp_month", "card_exp_year")),
}
DECILES = 10


def load_catalog(catalog_dir: Path, entity: str) -> pl.DataFrame:
    """Return one catalog (``merchant`` or ``card``); raise ``ReportInputError`` if unreadable."""
    path = catalog_dir / CATALOG_FILES[f"{entity}s"]
    try:
        return pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise ReportInputError(f"{path}: not a readable catalog ({exc})") from None


def _attribute_checks(data: Prepared, catalog: pl.DataFrame, entity: str) -> list[dict[str, Any]]:
    key, attributes = ATTRIBUTES[entity]
    shared = [a for a in attributes if data.has(a) and a in catalog.columns]
    if not data.has(key) or key not in catalog.columns:
        return []
    right = catalog.lazy().select(key, *(pl.col(a).alias(f"{a}__cat") for a in shared))
    right = right.with_columns(pl.lit(True).alias("__known"))
    joined = data.lf.select(key, *shared).join(right, on=key, how="left")
    exprs = [pl.col("__known").is_null().sum().alias("unknown")]
    exprs += [
        (pl.col(a).cast(pl.String).ne_missing(pl.col(f"{a}__cat").cast(pl.String))).sum().alias(a)
        for a in shared
    ]
    counts = joined.select(exprs).collect().row(0, named=True)
    out = [
        check(
            f"catalog.{entity}.unknown_ids", f"{key} values present in the {entity} catalog",
            0, counts["unknown"], 0, counts["unknown"] == 0,
        )
    ]  # fmt: skip
    for a in shared:
        label = f"{a} equals the {entity}'s catalog value (rows that differ)"
        out.append(check(f"catalog.{entity}.{a}", label, 0, counts[a], 0, counts[a] == 0))
    return out


def _risk_deciles(data: Prepared, catalog: pl.DataFrame, entity: str) -> list[dict[str, Any]]:
    """Return fraud rate per risk decile: entities by risk, cut at tenths of transactions."""
    key = ATTRIBUTES[entity][0]
    if not data.has(key) or "risk" not in catalog.columns:
        return []
    per_entity = (
        data.lf.group_by(key)
        .agg(pl.len().alias("rows"), pl.col(LABEL).sum().alias("frauds"))
        .join(catalog.lazy().select(key, "risk"), on=key, how="inner")
        .sort("risk", key)
    )
    frame = per_entity.collect()
    return _decile_rows(
        frame["rows"].to_numpy().astype(np.int64),
        frame["frauds"].to_numpy().astype(np.int64),
        frame["risk"].to_numpy().astype(np.float64),
    )


def _decile_rows(n: np.ndarray, frauds: np.ndarray, risk: np.ndarray) -> list[dict[str, Any]]:
    """Return per decile of rows (entities sorted by risk): rows, frauds, rate, mean risk.

    NumPy sums in a fixed order, so the same data gives the same bits on every run.
    """
    if n.size == 0:
        return []
    before = np.cumsum(n) - n
    decile = before * DECILES // n.sum()
    rows_d = np.bincount(decile, weights=n, minlength=DECILES)
    frauds_d = np.bincount(decile, weights=frauds, minlength=DECILES)
    risk_d = np.bincount(decile, weights=risk * n, minlength=DECILES)
    rows = []
    for d in np.flatnonzero(rows_d):
        total, bad = int(rows_d[d]), int(frauds_d[d])
        low, high = wilson(bad, total)
        rows.append(
            {"decile": int(d) + 1, "rows": total, "frauds": bad, "mean_risk": risk_d[d] / total,
             "rate": share(bad, total), "ci_low": low, "ci_high": high}
        )  # fmt: skip
    return rows


def catalog_check(data: Prepared, catalog_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (the consistency checks, the risk-decile plot entry) for ``catalog_dir``."""
    checks: list[dict[str, Any]] = []
    deciles: dict[str, Any] = {}
    for entity in ATTRIBUTES:
        catalog = load_catalog(catalog_dir, entity)
        checks += _attribute_checks(data, catalog, entity)
        deciles[entity] = _risk_deciles(data, catalog, entity)
    section = {
        "catalog_dir": str(catalog_dir),
        "passed": sum(c["status"] == "pass" for c in checks),
        "failed": sum(c["status"] == "fail" for c in checks),
        "checks": checks,
    }
    title = "Fraud rate by catalog risk decile (entities by risk, cut at tenths of rows)"
    figure = plot("risk_deciles", title, "risk", deciles, section="catalog_check")
    return section, figure
