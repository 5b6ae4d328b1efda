"""The episodes table against the rows (issue 19): ``catalog/episodes.parquet``, when present,
holds one row per fraud episode in the data, and what it says of each episode is what the
rows say: its rows, first and last fraud time, typology, card and customer, amount, report
time (one per episode; ``never_reported`` when its rows have none) and campaign. Each check
counts the episodes that differ, so the expected count is 0. Without the table, no check is
listed. ``merchant_id`` is not compared: a compromised merchant is where the card was stolen,
not where it was used.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..inputs.catalogs import Catalogs
from ..inputs.columns import CAMPAIGN, CARD, CUSTOMER, EPISODE, LABEL, REPORTED, TIME, TYPE
from ..inputs.dataset import Prepared
from .common import check

AMOUNT_TOLERANCE = 0.01  # per row: amounts are in cents, sums of floats round
TABLE = (EPISODE, TYPE, CARD, CUSTOMER, "first_fraud_time", "last_fraud_time", "rows", "amount",
         REPORTED, "never_reported")  # fmt: skip
LABELS = {
    "rows": "rows",
    "times": "first and last fraud time",
    "type": "fraud_type",
    "owner": "card_id and customer_id",
    "amount": f"amount (within {AMOUNT_TOLERANCE} per row)",
    "reported": "reported_time and never_reported",
    "campaign": "fraud_campaign_id",
}


def _from_rows(data: Prepared) -> pl.LazyFrame:
    """Return what the rows say of each episode (``__`` columns)."""
    exprs = [
        pl.len().alias("__rows"), pl.col(TIME).min().alias("__first"),
        pl.col(TIME).max().alias("__last"), pl.col(TYPE).first().alias("__type"),
        pl.col(TYPE).n_unique().alias("__types"), pl.col(CARD).first().alias("__card"),
        pl.col(CUSTOMER).first().alias("__customer"), pl.col("amount").sum().alias("__amount"),
        pl.col(REPORTED).min().alias("__reported"), pl.col(REPORTED).max().alias("__reported_last"),
        pl.col(REPORTED).is_null().all().alias("__never"),
    ]  # fmt: skip
    if data.has(CAMPAIGN):
        exprs.append(pl.col(CAMPAIGN).first().alias("__campaign"))
    return (
        data.lf.filter(pl.col(LABEL) & pl.col(EPISODE).is_not_null()).group_by(EPISODE).agg(exprs)
    )


def _differ(campaign: bool) -> dict[str, pl.Expr]:
    """Return per field whether an episode differs from its rows."""
    ne = pl.Expr.ne_missing
    out = {
        "rows": ne(pl.col("rows"), pl.col("__rows")),
        "times": ne(pl.col("first_fraud_time"), pl.col("__first"))
        | ne(pl.col("last_fraud_time"), pl.col("__last")),
        "type": ne(pl.col(TYPE), pl.col("__type")) | (pl.col("__types") > 1),
        "owner": ne(pl.col(CARD), pl.col("__card")) | ne(pl.col(CUSTOMER), pl.col("__customer")),
        "amount": (pl.col("amount") - pl.col("__amount")).abs()
        > AMOUNT_TOLERANCE * pl.col("__rows"),
        "reported": ne(pl.col(REPORTED), pl.col("__reported"))
        | ne(pl.col(REPORTED), pl.col("__reported_last"))
        | ne(pl.col("never_reported"), pl.col("__never")),
    }
    if campaign:
        out["campaign"] = ne(pl.col(CAMPAIGN), pl.col("__campaign"))
    return out


def episode_checks(data: Prepared, catalogs: Catalogs) -> list[dict[str, Any]]:
    """Return the episodes table's checks against the rows (none without the table)."""
    campaign = CAMPAIGN in catalogs.columns("episodes") and data.has(CAMPAIGN)
    table = catalogs.table("episodes", (*TABLE, CAMPAIGN) if campaign else TABLE)
    if isinstance(table, str) or not data.has(EPISODE, TYPE, CARD, CUSTOMER, REPORTED, "amount"):
        return []
    rows = _from_rows(data)
    ids = table.select(pl.len(), pl.col(EPISODE).n_unique()).collect().row(0)
    missing = rows.join(table, on=EPISODE, how="anti").select(pl.len()).collect().item()
    extra = table.join(rows, on=EPISODE, how="anti").select(pl.len()).collect().item()
    both = table.join(rows, on=EPISODE, how="inner")
    counts = both.select(e.sum().alias(k) for k, e in _differ(campaign).items()).collect()
    out = [
        check("episodes.unique", "fraud_episode_id listed more than once in episodes.parquet",
              0, ids[0] - ids[1], 0, ids[0] == ids[1]),
        check("episodes.missing", "Episodes in the rows missing from episodes.parquet",
              0, missing, 0, missing == 0),
        check("episodes.extra", "Episodes in episodes.parquet with no fraud row", 0, extra, 0,
              extra == 0),
    ]  # fmt: skip
    for name, n in counts.row(0, named=True).items():
        label = f"Episodes whose {LABELS[name]} differ from their rows"
        out.append(check(f"episodes.{name}", label, 0, int(n), 0, n == 0))
    return out
