"""From ``Rows`` to the output frame: sorted by time, strings resolved, labels as columns."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from ....features import uuid4_array
from ....reference import TYPOLOGIES
from .population import Population
from .rows import (
    CHANNELS,
    ENTRY_MODES,
    FRESH,
    NEXT,
    NONE,
    SECOND,
    Rows,
)

DATETIME = pl.Datetime("ns", "UTC")


def _strings(
    kind: np.ndarray, ref: np.ndarray, own: pa.StringArray, fresh: pa.Array, customers: int
) -> pl.Series:
    """Return a string column gathered from the customers' values and the fresh ones.

    ``own`` holds one value per customer (for devices and agents: then each customer's next
    device, then their second device); ``fresh`` follows it in one Arrow gather (concatenating
    copies the customers' strings, a few MB: cheaper than two gathers and a zip).
    """
    pos = np.where(kind == NEXT, customers + ref, ref)
    pos = np.where(kind == SECOND, 2 * customers + ref, pos)
    pos = np.where(kind == FRESH, len(own) + ref, pos)
    pool = pa.concat_arrays([own, fresh.cast(pa.string())]) if len(fresh) else own
    taken = pool.take(_with_nulls(pos, kind == NONE))
    out = pl.from_arrow(taken)
    assert isinstance(out, pl.Series)
    return out


def _with_nulls(values: np.ndarray, null: np.ndarray) -> pa.Array:
    """Return ``values`` as an Arrow array, null where ``null`` (``pa.array(values,
    mask=null)`` without its type check, which imports pandas: 0.2 s of a worker's start)."""
    values = np.ascontiguousarray(values)
    valid = pa.py_buffer(np.packbits(~null, bitorder="little"))
    return pa.Array.from_buffers(
        pa.from_numpy_dtype(values.dtype), values.size, [valid, pa.py_buffer(values)]
    )


def to_frame(
    pop: Population, rows: Rows, rng: np.random.Generator, user_agents: tuple[str, ...]
) -> pl.DataFrame:
    """Return the rows as the v3 output frame, sorted by ``event_time`` (ties: input order)."""
    rows = rows.take(np.argsort(rows.time, kind="stable"))
    cards = pop.physical.frame.gather(rows.card)
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
    pool = pl.Series(user_agents, dtype=pl.String).to_arrow()
    return {
        "device_type": pl.Series(pop.device_types, dtype=pl.String).gather(rows.device_type),
        "device_id": _strings(
            rows.device_kind,
            rows.device_ref,
            cust.devices,
            rows.fresh_devices,
            cust.size,
        ),
        "ip_address": _strings(rows.ip_kind, rows.ip_ref, cust.ips, rows.fresh_ips, cust.size),
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
        "fraud_campaign_id": pl.Series(rows.campaign).set(pl.Series(rows.campaign < 0), None),
        "reported_time": reported.cast(DATETIME),
    }
