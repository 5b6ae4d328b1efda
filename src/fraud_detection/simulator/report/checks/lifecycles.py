"""Catalog checks of lifecycles (issue 18), when the catalogs have their columns: no row
before its card's ``issued_at`` or its customer's ``joined_at``, none after its card's
``blocked_at``, and a replacement card belongs to the customer of the card it replaces.
Each counts what differs, so the expected count is 0. Without the columns, no check is listed
(the lifecycles section says they are not in this dataset).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..inputs.catalogs import Catalogs
from ..inputs.columns import CARD, CUSTOMER, TIME
from ..inputs.dataset import Prepared
from .common import check

LABELS = {
    "before_issue": "Rows before their card's issued_at",
    "after_block": "Rows after their card's blocked_at",
    "replacement_owner": "Replacement cards whose customer is not the replaced card's",
    "before_join": "Rows before their customer's joined_at",
}


def _card_checks(data: Prepared, cards: pl.LazyFrame) -> list[dict[str, Any]]:
    joined = data.lf.select(CARD, TIME).join(cards, on=CARD, how="inner")
    before, after = (
        joined.select(
            (pl.col(TIME) < pl.col("issued_at")).sum().alias("before"),
            (pl.col(TIME) > pl.col("blocked_at")).sum().alias("after"),
        )
        .collect()
        .row(0)
    )
    owners = cards.select(CARD, CUSTOMER).rename({CARD: "replaces_card_id", CUSTOMER: "__old"})
    other = (
        cards.filter(pl.col("replaces_card_id").is_not_null())
        .join(owners, on="replaces_card_id", how="left")
        .select(pl.col(CUSTOMER).ne_missing(pl.col("__old")).sum())
        .collect()
        .item()
    )
    wrong = {"before_issue": before, "after_block": after, "replacement_owner": other}
    return [check(f"lifecycle.{name}", LABELS[name], 0, n, 0, n == 0) for name, n in wrong.items()]


def lifecycle_checks(data: Prepared, catalogs: Catalogs) -> list[dict[str, Any]]:
    """Return the lifecycle checks the catalogs' columns allow (none without them)."""
    out = []
    cards = catalogs.table("cards", (CARD, CUSTOMER, "issued_at", "blocked_at", "replaces_card_id"))
    if not isinstance(cards, str) and data.has(CARD):
        out += _card_checks(data, cards)
    customers = catalogs.table("customers", (CUSTOMER, "joined_at"))
    if not isinstance(customers, str) and data.has(CUSTOMER):
        early = (
            data.lf.select(CUSTOMER, TIME).join(customers, on=CUSTOMER, how="inner")
            .select((pl.col(TIME) < pl.col("joined_at")).sum()).collect().item()
        )  # fmt: skip
        out.append(check("lifecycle.before_join", LABELS["before_join"], 0, early, 0, early == 0))
    return out
