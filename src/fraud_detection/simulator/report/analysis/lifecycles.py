"""Lifecycles: customers join, cards are issued, blocked after fraud and replaced.

Read from catalog columns (issue 18): ``cards.parquet``'s ``issued_at``, ``blocked_at`` (null:
never blocked) and ``replaces_card_id`` (null: replaces none), ``customers.parquet``'s
``joined_at``. A dataset whose catalogs lack them (older ones, v1/v2) says "not in this
dataset". What a fraud team feels of them: how many cards were blocked and replaced, and how
many payments come from cards younger than ``YOUNG_DAYS`` (a new card has no history: cold
start). The checks that no row falls outside its card's or customer's life are catalog checks
(``checks.lifecycles``).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ..inputs.catalogs import Catalogs
from ..inputs.columns import CARD, CUSTOMER, LABEL, REPORTED, TIME
from ..inputs.dataset import Prepared
from ..values import share

CARD_COLUMNS = ("issued_at", "blocked_at", "replaces_card_id")
CUSTOMER_COLUMNS = ("joined_at",)
YOUNG_DAYS = 30
NOT_HERE = "not in this dataset"


def _cards(cards: pl.LazyFrame, start: Any, end: Any) -> dict[str, Any]:
    inside = pl.col("issued_at").is_between(start, end)
    blocked = pl.col("blocked_at").is_not_null()
    row = (
        cards.select(
            pl.len().alias("cards"),
            inside.sum().alias("issued_in_range"),
            blocked.sum().alias("blocked"),
            pl.col("blocked_at").is_between(start, end).sum().alias("blocked_in_range"),
            pl.col("replaces_card_id").is_not_null().sum().alias("replacements"),
        )
        .collect()
        .row(0, named=True)
    )
    return {k: int(v) for k, v in row.items()}


def _young_rows(data: Prepared, cards: pl.LazyFrame) -> dict[str, Any]:
    """Return the share of rows (and of fraud rows) on cards issued less than 30 days before."""
    age = pl.col(TIME) - pl.col("issued_at")
    young = (age < pl.duration(days=YOUNG_DAYS)).fill_null(False)
    rows, frauds, young_rows, young_frauds = (
        data.lf.select(CARD, TIME, LABEL)
        .join(cards.select(CARD, "issued_at"), on=CARD, how="left")
        .select(
            pl.len().alias("rows"),
            pl.col(LABEL).sum().alias("frauds"),
            young.sum().alias("young"),
            (young & pl.col(LABEL)).sum().alias("young_frauds"),
        )
        .collect()
        .row(0)
    )
    return {
        "days": YOUNG_DAYS,
        "rows": int(young_rows),
        "share_of_rows": share(young_rows, rows),
        "frauds": int(young_frauds),
        "share_of_frauds": share(young_frauds, frauds),
    }


def _blocked_after_report(data: Prepared, cards: pl.LazyFrame) -> dict[str, Any] | None:
    """Return the cards with a reported fraud, how many are blocked, and the median days from
    their first report to the block."""
    if not data.has(REPORTED):
        return None
    reported = (
        data.lf.filter(pl.col(LABEL) & pl.col(REPORTED).is_not_null())
        .group_by(CARD)
        .agg(pl.col(REPORTED).min().alias("first_report"))
        .join(cards.select(CARD, "blocked_at"), on=CARD, how="left")
    )
    delay = (pl.col("blocked_at") - pl.col("first_report")).dt.total_seconds() / 86_400
    n, blocked, days = (
        reported.select(
            pl.len().alias("cards"),
            pl.col("blocked_at").is_not_null().sum().alias("blocked"),
            delay.median().alias("days"),
        )
        .collect()
        .row(0)
    )
    return {"cards_with_a_reported_fraud": int(n), "blocked": int(blocked),
            "share_blocked": share(blocked, n), "median_days_report_to_block": days}  # fmt: skip


def lifecycles(data: Prepared, catalogs: Catalogs, span: tuple[Any, Any]) -> dict[str, Any]:
    """Return report.json's ``lifecycles`` (``status``: measured, or ``not in this dataset``
    with the reason); ``span``: the data's first and last event times."""
    cards = catalogs.table("cards", (CARD, CUSTOMER, *CARD_COLUMNS))
    if isinstance(cards, str):
        return {"status": NOT_HERE, "note": cards}
    customers = catalogs.table("customers", (CUSTOMER, *CUSTOMER_COLUMNS))
    joined = None
    if not isinstance(customers, str):
        joined = int(customers.select(pl.col("joined_at").is_between(*span).sum()).collect().item())
    return {
        "status": "measured",
        "note": None if joined is not None else customers,
        "cards": _cards(cards, *span),
        "customers_joined_in_range": joined,
        "young_cards": _young_rows(data, cards) if data.has(CARD) else None,
        "blocked_after_report": _blocked_after_report(data, cards) if data.has(CARD) else None,
    }
