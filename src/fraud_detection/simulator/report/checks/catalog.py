"""Catalog consistency: what belongs to a merchant or card matches its catalog row.

Where the catalogs have them, the lifecycle columns (``checks.lifecycles``) and the episodes
table (``checks.episodes``) are checked against the rows too. Also the fraud rate by
merchant-risk and card-risk decile: the labeler draws fraud by risk, so
the rate should rise with the decile.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ..inputs.catalogs import Catalogs
from ..inputs.columns import CARD, LABEL, MERCHANT
from ..inputs.dataset import Prepared
from ..plots.data import plot
from ..values import share, wilson
from .common import check
from .episodes import episode_checks
from .lifecycles import lifecycle_checks

ATTRIBUTES = {
    "merchant": (MERCHANT, ("mcc_code", "merchant_country")),
    "card": (CARD, ("card_scheme", "pan_hash", "card_exp_month", "card_exp_year")),
}
DECILES = 10
RISK_TITLE = "Fraud rate by catalog risk decile (entities by risk, cut at tenths of rows)"


def _attribute_checks(data: Prepared, catalogs: Catalogs, entity: str) -> list[dict[str, Any]]:
    key, attributes = ATTRIBUTES[entity]
    columns = catalogs.columns(f"{entity}s")
    shared = [a for a in attributes if data.has(a) and a in columns]
    catalog = catalogs.table(f"{entity}s", (key, *shared))
    if not data.has(key) or isinstance(catalog, str):
        return []
    right = catalog.select(key, *(pl.col(a).alias(f"{a}__cat") for a in shared))
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


def _risk_deciles(data: Prepared, catalogs: Catalogs, entity: str) -> list[dict[str, Any]]:
    """Return fraud rate per risk decile: entities by risk, cut at tenths of transactions."""
    key = ATTRIBUTES[entity][0]
    catalog = catalogs.table(f"{entity}s", (key, "risk"))
    if not data.has(key) or isinstance(catalog, str):
        return []
    per_entity = (
        data.lf.group_by(key)
        .agg(pl.len().alias("rows"), pl.col(LABEL).sum().alias("frauds"))
        .join(catalog, on=key, how="inner")
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


def catalog_check(data: Prepared, catalogs: Catalogs) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (the consistency checks, the risk-decile plot entry) against usable catalogs."""
    checks: list[dict[str, Any]] = []
    deciles: dict[str, Any] = {}
    for entity in ATTRIBUTES:
        checks += _attribute_checks(data, catalogs, entity)
        deciles[entity] = _risk_deciles(data, catalogs, entity)
    checks += lifecycle_checks(data, catalogs) + episode_checks(data, catalogs)
    section = {
        "catalog_dir": str(catalogs.directory),
        "passed": sum(c["status"] == "pass" for c in checks),
        "failed": sum(c["status"] == "fail" for c in checks),
        "checks": checks,
    }
    return section, plot("risk_deciles", RISK_TITLE, "risk", deciles, section="catalog_check")


def catalog_section(
    data: Prepared, catalogs: Catalogs
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return (the catalog section, the risk-decile plot), both None without a catalog
    directory; with one whose rows are not checked, the section says why (``skipped``)."""
    if catalogs.directory is None:
        return None, None
    reason = catalogs.skipped
    if reason is None:
        section, risk_plot = catalog_check(data, catalogs)
        return section | {"checksums": dict(catalogs.match), "skipped": None}, risk_plot
    section = {
        "catalog_dir": str(catalogs.directory),
        "passed": 0,
        "failed": 0,
        "checks": [],
        "checksums": dict(catalogs.match),
        "skipped": reason,
    }
    return section, plot("risk_deciles", RISK_TITLE, "risk", None, "catalog_check", reason)
