"""From ``Rows`` to the output frame: sorted by time, strings resolved, labels as columns."""

from __future__ import annotations

import numpy as np
import polars as pl

from ..features import uuid4_array
from ..reference import TYPOLOGIES
from .population import Population
from .rows import CHANNELS, ENTRY_MODES, FRESH, NEXT, NONE, SECOND, Rows

DATETIME = pl.Datetime("ns", "UTC")


def _strings(
    kind: np.ndarray, ref: np.ndarray, own: pl.Series, fresh: pl.Series, customers: int
) -> pl.Series:
    """Return a string column gathered from the customers' values and the fresh ones.

    ``own`` holds one value per customer (for devices and agents: then each customer's next
    device, then their second device).
    """
    pos = np.where(kind == NEXT, customers + ref, ref)
    pos = np.where(kind == SECOND, 2 * customers + ref, pos)
    is_fresh = kind == FRESH
    # Two gathers, not one over [own, fresh]: concatenating copies every customer's string.
    mine = own.gather(np.where(is_fresh | (kind == NONE), 0, pos))
    if fresh.len():
        theirs = fresh.cast(pl.String).gather(np.where(is_fresh, ref, 0))
        mine = mine.zip_with(pl.Series(~is_fresh), theirs)
    return mine.set(pl.Series(kind == NONE), None)


def to_frame(
    pop: Population, rows: Rows, rng: np.random.Generator, user_agents: tuple[str, ...]
) -> pl.DataFrame:
    """Return the rows as the v3 output frame, sorted by ``event_time`` (ties: input order)."""
    rows = rows.take(np.argsort(rows.time, kind="stable"))
    cards = pop.cards.frame.gather(rows.card)
    merchants = pop.merchants.frame.gather(rows.merchant)
    return pl.DataFrame(
        {
            "transaction_id": pl.Series(uuid4_array(rng, rows.size)),
            "event_time": pl.Series(rows.time).cast(DATETIME),
            "local_time_offset": rows.offset,
            "customer_id": rows.customer.astype(np.int64) + 1,
            "card_id": cards["card_id"],
            "merchant_id": merchants["merchant_id"],
            "amount": rows.amount,
            **{c: merchants[c] for c in ("currency", "merchant_country", "mcc_code")},
            **{c: cards[c] for c in ("card_scheme", "pan_hash", "card_exp_month", "card_exp_year")},
            "channel": pl.Series(CHANNELS, dtype=pl.String).gather(rows.channel),
            "pos_entry_mode": pl.Series(ENTRY_MODES, dtype=pl.String).gather(rows.entry),
            **_session_columns(pop, rows, user_agents),
            "latitude": rows.latitude,
            "longitude": rows.longitude,
            "is_recurring": rows.recurring,
            "label_fraud": rows.label,
            **_label_columns(rows),
        }
    )


def _session_columns(
    pop: Population, rows: Rows, user_agents: tuple[str, ...]
) -> dict[str, pl.Series]:
    """Return device_type, device_id, ip_address and user_agent."""
    cust = pop.customers
    pool = pl.Series(user_agents, dtype=pl.String)
    return {
        "device_type": pl.Series(pop.device_types, dtype=pl.String).gather(rows.device_type),
        "device_id": _strings(
            rows.device_kind,
            rows.device_ref,
            cust.devices,
            pl.Series(rows.fresh_devices),
            cust.size,
        ),
        "ip_address": _strings(
            rows.ip_kind, rows.ip_ref, cust.ips, pl.Series(rows.fresh_ips), cust.size
        ),
        "user_agent": _strings(
            rows.device_kind,
            np.where(rows.device_kind == FRESH, rows.agent, rows.device_ref),
            cust.agents,
            pool,
            cust.size,
        ),
    }


def _label_columns(rows: Rows) -> dict[str, pl.Series]:
    """Return fraud_type, fraud_episode_id and reported_time (null on legitimate rows)."""
    not_fraud = pl.Series(rows.fraud_type < 0)
    fraud_type = pl.Series(TYPOLOGIES, dtype=pl.String).gather(np.maximum(rows.fraud_type, 0))
    reported = pl.Series(rows.reported).set(pl.Series(rows.reported < 0), None)
    return {
        "fraud_type": fraud_type.set(not_fraud, None),
        "fraud_episode_id": pl.Series(rows.episode).set(not_fraud, None),
        "reported_time": reported.cast(DATETIME),
    }
