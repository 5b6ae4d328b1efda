"""v3's catalog files once the frauds are known: every physical card with its life, and the
fraud episodes.

``cards.parquet`` holds the slots' first cards (ids 1..num_cards, as built), then each renewal
and replacement (``issued_at``, ``blocked_at``, ``replaces_card_id``; a replacement carries the
slot's activity, risk and scheme, a new PAN and expiry). ``episodes.parquet`` has one row per
fraud episode in the data: ids, story, victim card and customer, the merchant of a breach or a
rogue merchant, its first and last fraud row, rows, amount and report.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ...entities import pan_hashes
from ...reference import CARD_SCHEMES, TYPOLOGIES
from ...streams import stream
from .fraud.episodes import EpisodePlan
from .fraud.typologies import TYPOLOGY_CLASSES
from .world.lifecycle import NEVER, Card
from .world.population import Population
from .world.rows import Rows

DATETIME = pl.Datetime("ns", "UTC")
CARD_COLUMNS = ("issued_at", "blocked_at", "replaces_card_id")


def card_table(slots: pl.DataFrame, cards: Card, seed: int) -> pl.DataFrame:
    """Return ``slots`` (the first cards) followed by the renewals and replacements of
    ``cards``, each with its ``issued_at``, ``blocked_at`` and ``replaces_card_id``."""
    n = slots.height
    new = np.arange(n, cards.slot.size)
    source = slots.gather(cards.slot[new])
    codes = {s[0]: k for k, s in enumerate(CARD_SCHEMES)}
    code = source["card_scheme"].replace_strict(codes, return_dtype=pl.Int64).to_numpy()
    rng = stream(seed, "v3.lifecycle", 2)
    expiry = (cards.expiry[new] - 86_400_000_000_000).astype("datetime64[ns]")
    months = expiry.astype("datetime64[M]").astype(np.int64)
    renewals = source.with_columns(
        card_id=pl.Series(np.arange(n + 1, n + new.size + 1, dtype=np.int64)),
        pan_hash=pl.Series(pan_hashes(code, rng), dtype=pl.String),
        card_exp_month=pl.Series(months % 12 + 1, dtype=pl.Int8),
        card_exp_year=pl.Series(1970 + months // 12, dtype=pl.Int16),
        issued_at=pl.Series(cards.start[new]).cast(DATETIME),
    )
    table = pl.concat([slots, renewals])
    blocked = pl.Series(cards.blocked).set(pl.Series(cards.blocked == NEVER), None)
    replaces = pl.Series(cards.replaces + 1).set(pl.Series(cards.replaces < 0), None)
    return table.with_columns(blocked_at=blocked.cast(DATETIME), replaces_card_id=replaces)


def episode_table(plan: EpisodePlan, pop: Population, rows: Rows | None = None) -> pl.DataFrame:
    """Return one row per episode; amounts from ``rows`` (every fraud row of the plan), 0 when
    not given (the draft the world is built from: it only needs the cards)."""
    frames = []
    for p in plan.parts:
        typology = TYPOLOGY_CLASSES[p.code]
        card = pop.physical.live(p.planned.card, p.started)
        fraud = p.rows.fraud
        count = np.bincount(p.rows.episode[fraud], minlength=p.ids.size)
        first = np.full(p.ids.size, NEVER, dtype=np.int64)
        last = np.full(p.ids.size, -NEVER, dtype=np.int64)
        np.minimum.at(first, p.rows.episode[fraud], p.rows.time[fraud])
        np.maximum.at(last, p.rows.episode[fraud], p.rows.time[fraud])
        merchant = typology.merchants(p.planned)
        frames.append(
            pl.DataFrame(
                {
                    "fraud_episode_id": p.ids,
                    "fraud_campaign_id": _nullable(p.campaign),
                    "fraud_type": [TYPOLOGIES[p.code]] * p.ids.size,
                    "card_id": pop.physical.frame["card_id"].to_numpy()[np.maximum(card, 0)],
                    "customer_id": pop.physical.owner[np.maximum(card, 0)] + 1,
                    "merchant_id": _nullable(None if merchant is None else merchant + 1, card.size),
                    "first_fraud_time": pl.Series(first).cast(DATETIME),
                    "last_fraud_time": pl.Series(last).cast(DATETIME),
                    "rows": count.astype(np.int64),
                    "reported_time": _times(p.report),
                    "never_reported": p.report < 0,
                }
            )
        )
    table = pl.concat(frames) if frames else _empty()
    return table.with_columns(amount=_amounts(table, rows)).sort("fraud_episode_id")


def _times(ns: np.ndarray) -> pl.Series:
    """Return a Datetime column, null where negative."""
    return pl.Series(ns).set(pl.Series(ns < 0), None).cast(DATETIME)


def _nullable(values: np.ndarray | None, n: int = 0) -> pl.Series:
    """Return an Int64 column, null where a value is negative (or everywhere when None)."""
    if values is None:
        return pl.Series([None] * n, dtype=pl.Int64)
    return pl.Series(values.astype(np.int64)).set(pl.Series(values < 0), None)


def _amounts(table: pl.DataFrame, rows: Rows | None) -> pl.Series:
    if rows is None or table.height == 0:
        return pl.Series("amount", np.zeros(table.height))
    fraud = rows.label
    sums = pl.DataFrame({"fraud_episode_id": rows.episode[fraud], "amount": rows.amount[fraud]})
    sums = sums.group_by("fraud_episode_id").agg(pl.col("amount").sum().round(2))
    joined = table.select("fraud_episode_id").join(sums, on="fraud_episode_id", how="left")
    return joined["amount"].fill_null(0.0)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "fraud_episode_id": pl.Int64, "fraud_campaign_id": pl.Int64, "fraud_type": pl.String,
            "card_id": pl.Int64, "customer_id": pl.Int64, "merchant_id": pl.Int64,
            "first_fraud_time": DATETIME, "last_fraud_time": DATETIME, "rows": pl.Int64,
            "reported_time": DATETIME, "never_reported": pl.Boolean,
        }
    )  # fmt: skip


def assign_slots(plan: EpisodePlan, pop: Population, episodes: pl.DataFrame) -> None:
    """Put each planned episode on the slot of its card in the ``episodes`` table (what the
    driver decided when it fitted the stories around the cards' lives)."""
    ids = episodes["fraud_episode_id"].to_numpy()
    order = np.argsort(ids)
    card_ids = pop.physical.frame["card_id"].to_numpy()
    card = np.searchsorted(card_ids, episodes["card_id"].to_numpy())
    for p in plan.parts:
        at = order[np.searchsorted(ids[order], p.ids)]
        p.planned.card = pop.physical.slot[card[at]]
