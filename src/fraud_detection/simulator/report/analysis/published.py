"""The dataset against published card-fraud figures: what a fraud analyst compares first.

Each figure names its source and a band that the published numbers support; the dataset's
value is in band, out of band, or not measured (a column or the customers' home countries
missing, or no fraud where the figure needs some). Amounts in different currencies are added
as they are (the generator draws every currency on one scale).

- Remote (online) share of fraud value: 70-90%. EBA/ECB 2025 joint report on payment fraud
  (2024 data): 80-85% of EEA card fraud by value is remote (card not present); UK Finance:
  remote purchase fraud is about 70% of UK card fraud losses.
- Fraud rate by value, online / in store: at least 3x (the same reports: card-not-present
  fraud rates are several times the card-present ones).
- Fraud rate by count, cross-border / domestic (cross-border: ``merchant_country`` is not the
  customer's ``home_country``): at least 5x. EBA/ECB 2025: card fraud is 17 times higher
  where the payee is outside the EEA.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from ..inputs.catalogs import Catalogs
from ..inputs.columns import CUSTOMER, HOME, LABEL
from ..inputs.dataset import Prepared

ONLINE, IN_STORE = "ONLINE", "IN_STORE"
EBA = "EBA/ECB 2025 report on payment fraud (2024 data)"
UK = "UK Finance Annual Fraud Report"


@dataclass(frozen=True)
class Published:
    """One published figure: its name, words (and short words), source, band (None: open)
    and unit."""

    name: str
    label: str
    short: str
    source: str
    low: float | None
    high: float | None
    unit: str  # share | ratio

    def holds(self, value: float) -> bool:
        """Return whether ``value`` lies in the band."""
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)


FIGURES = (
    Published(
        "remote_share_of_fraud_value", "Remote (online) share of fraud value",
        "remote share of fraud value",
        f"{EBA}: 80-85% of EEA card fraud value is remote; {UK}: remote purchase about 70% of "
        "UK card fraud losses", 0.70, 0.90, "share",
    ),
    Published(
        "online_vs_in_store_rate_by_value", "Fraud rate by value, online / in store",
        "online / in-store fraud rate by value",
        f"{EBA} and {UK}: card-not-present fraud rates are several times card-present ones",
        3.0, None, "ratio",
    ),
    Published(
        "cross_border_vs_domestic_rate_by_count",
        "Fraud rate by count, cross-border / domestic (merchant country vs home country)",
        "cross-border / domestic fraud rate",
        f"{EBA}: card fraud 17 times higher where the payee is outside the EEA", 5.0, None,
        "ratio",
    ),
)  # fmt: skip


def _channel_values(data: Prepared) -> tuple[dict[str, tuple[float, float]], str | None]:
    """Return per channel (fraud value, total value), or why it cannot be measured. Summed by
    NumPy in row order: a parallel float sum could differ in its last bits from run to run."""
    if not data.has("channel", "amount"):
        return {}, "no channel or amount column"
    frame = data.lf.select(
        pl.col("channel").cast(pl.String).fill_null("(null)"),
        pl.col("amount").cast(pl.Float64).fill_null(0.0),
        pl.col(LABEL).fill_null(False),
    ).collect()
    names = frame["channel"].unique().sort().to_list()
    code = frame["channel"].rank("dense").cast(pl.Int64).to_numpy() - 1
    amount, fraud = frame["amount"].to_numpy(), frame[LABEL].to_numpy()
    totals = np.bincount(code, weights=amount, minlength=len(names))
    frauds = np.bincount(code, weights=np.where(fraud, amount, 0.0), minlength=len(names))
    values = {str(n): (float(f), float(t)) for n, f, t in zip(names, frauds, totals, strict=True)}
    return values, None


def _remote_share(values: dict[str, tuple[float, float]]) -> tuple[float | None, str]:
    fraud = sum(f for f, _ in values.values())
    online = values.get(ONLINE, (0.0, 0.0))[0]
    if not fraud:
        return None, "no fraud value"
    return online / fraud, f"{online:,.0f} of {fraud:,.0f} fraud value online"


def _rate_ratio(values: dict[str, tuple[float, float]]) -> tuple[float | None, str]:
    (online, online_all), (store, store_all) = (
        values.get(c, (0.0, 0.0)) for c in (ONLINE, IN_STORE)
    )
    if not online_all or not store_all:
        return None, "no online or no in-store payments"
    if not store:
        return None, "no in-store fraud: the ratio is unbounded"
    rate_online, rate_store = online / online_all, store / store_all
    return rate_online / rate_store, f"online {rate_online:.3%} of value, in store {rate_store:.3%}"


def _cross_border(data: Prepared, catalogs: Catalogs) -> tuple[float | None, str]:
    homes = catalogs.table("customers", (CUSTOMER, HOME))
    if isinstance(homes, str):
        return None, f"needs the customers' home countries: {homes}"
    if not data.has(CUSTOMER, "merchant_country"):
        return None, "no customer_id or merchant_country column"
    cross = (pl.col("merchant_country") != pl.col(HOME)).alias("cross")
    frame = (
        data.lf.select(CUSTOMER, "merchant_country", LABEL)
        .join(homes, on=CUSTOMER, how="inner")
        .group_by(cross)
        .agg(pl.len().alias("rows"), pl.col(LABEL).sum().alias("frauds"))
        .collect()
    )
    found = {bool(c): (int(n), int(f)) for c, n, f in frame.iter_rows() if c is not None}
    (n_cross, f_cross), (n_home, f_home) = found.get(True, (0, 0)), found.get(False, (0, 0))
    if not n_cross or not n_home or not f_home:
        return None, "no cross-border payments, or no domestic fraud"
    ratio = (f_cross / n_cross) / (f_home / n_home)
    text = (
        f"cross-border {f_cross / n_cross:.3%} of {n_cross:,} rows, "
        f"domestic {f_home / n_home:.3%} of {n_home:,}"
    )
    return ratio, text


def _row(figure: Published, value: float | None, detail: str) -> dict[str, Any]:
    status = (
        "not measured" if value is None else ("in band" if figure.holds(value) else "out of band")
    )
    return {
        "name": figure.name, "label": figure.label, "short": figure.short,
        "source": figure.source, "value": value,
        "low": figure.low, "high": figure.high, "unit": figure.unit, "status": status,
        "detail": detail,
    }  # fmt: skip


def published_figures(data: Prepared, catalogs: Catalogs) -> dict[str, Any]:
    """Return report.json's ``published_figures``: each figure's value, band and status, and
    how many are measured, in band and out of band."""
    values, why = _channel_values(data)
    measured = [
        _remote_share(values) if why is None else (None, why),
        _rate_ratio(values) if why is None else (None, why),
        _cross_border(data, catalogs),
    ]
    rows = [_row(f, v, d) for f, (v, d) in zip(FIGURES, measured, strict=True)]
    counts = {
        s: sum(r["status"] == s for r in rows) for s in ("in band", "out of band", "not measured")
    }
    return {
        "figures": rows,
        "in_band": counts["in band"],
        "out_of_band": counts["out of band"],
        "not_measured": counts["not measured"],
        "amounts": "currencies added as they are",
    }
