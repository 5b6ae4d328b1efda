"""One chunk of transactions: a pure function of (config, chunk plan, catalogs, pools)."""

from __future__ import annotations

import numpy as np
import polars as pl

from .catalog import Catalogs, currency_of, sample_index
from .config import GeneratorConfig
from .features import amounts, ipv4_series, pick, user_agent_pool, uuid4_array, weighted_index
from .labeler import label_arrays
from .plan import ChunkPlan
from .reference import (
    CHANNEL_WEIGHTS,
    CHANNELS,
    COUNTRIES,
    ENTRY_MODE_GIVEN_CHANNEL,
    POS_ENTRY_MODES,
    SCHEME_NAMES,
)
from .schema import enforce_schema
from .streams import stream
from .temporal import times_in_cells

DEVICE_ID_NULL_SHARE = 0.10
RECURRING_SHARE = 0.10
# v2: share of a card's transactions made from its usual device and IP. Fraud comes from the
# card's own device less often (account takeover, stolen card details used elsewhere): a
# signal that per-card history reveals, worth about what amount alone is (AUC ~0.67).
HOME_SESSION_SHARE_LEGIT = 0.80
HOME_SESSION_SHARE_FRAUD = 0.45
_MERCHANT_COLS = [
    "risk",
    "mcc_code",
    "merchant_country",
    "local_time_offset",
    "latitude",
    "longitude",
]
_CARD_COLS = ["risk", "card_scheme", "pan_hash", "card_exp_month", "card_exp_year"]


def _gather(frame: pl.DataFrame, columns: list[str], idx: np.ndarray) -> pl.DataFrame:
    return frame.select(pl.col(columns).gather(idx))


def _entity_columns_v2(
    merchants: pl.DataFrame, cards: pl.DataFrame, rng: dict[str, np.random.Generator], n: int
) -> dict[str, pl.Series | np.ndarray]:
    """What belongs to the merchant or card comes from its catalog row; channel fits entry mode."""
    channel = weighted_index(rng["channel"], CHANNEL_WEIGHTS, n)
    given = np.cumsum([ENTRY_MODE_GIVEN_CHANNEL[c] for c in CHANNELS], axis=1)
    given /= given[:, -1:]
    u = rng["pos_entry_mode"].random(n)
    entry = np.minimum((u[:, None] >= given[channel]).sum(axis=1), len(POS_ENTRY_MODES) - 1)
    return {
        **{c: merchants[c] for c in ("mcc_code", "merchant_country", "local_time_offset")},
        "latitude": merchants["latitude"],
        "longitude": merchants["longitude"],
        **{c: cards[c] for c in ("card_scheme", "pan_hash", "card_exp_month", "card_exp_year")},
        "channel": pick(CHANNELS, channel),
        "pos_entry_mode": pick(POS_ENTRY_MODES, entry),
    }


def _entity_columns_v1(
    merchants: pl.DataFrame,
    cards: pl.DataFrame,
    rng: dict[str, np.random.Generator],
    n: int,
    first_year: int,
) -> dict[str, pl.Series | np.ndarray]:
    """The spec's legacy draws: country, scheme, expiry, channel and geo drawn per transaction."""
    geo = rng["geo"]
    return {
        "mcc_code": merchants["mcc_code"],
        "merchant_country": pick(
            [c[0] for c in COUNTRIES], rng["country"].integers(0, len(COUNTRIES), n)
        ),
        "local_time_offset": rng["local_time_offset"].integers(-720, 841, n).astype(np.int16),
        "latitude": np.round(geo.uniform(-90, 90, n), 6),
        "longitude": np.round(geo.uniform(-180, 180, n), 6),
        "card_scheme": pick(SCHEME_NAMES, rng["card_scheme"].integers(0, len(SCHEME_NAMES), n)),
        "pan_hash": cards["pan_hash"],
        "card_exp_month": rng["card_expiry"].integers(1, 13, n).astype(np.int8),
        "card_exp_year": (first_year + rng["card_expiry"].integers(1, 6, n)).astype(np.int16),
        "channel": pick(CHANNELS, rng["channel"].integers(0, len(CHANNELS), n)),
        "pos_entry_mode": pick(
            POS_ENTRY_MODES, rng["pos_entry_mode"].integers(0, len(POS_ENTRY_MODES), n)
        ),
    }


def _sessions_v2(
    cards: pl.DataFrame,
    card_idx: np.ndarray,
    labels: np.ndarray,
    has_device: np.ndarray,
    rng: dict[str, np.random.Generator],
) -> tuple[pl.Series, pl.Series]:
    """Return (device_id, ip_address): the card's usual ones for most transactions.

    A transaction is a home session (the card's usual device and IP) or not (a fresh device and
    IP, drawn only for those rows); rows without a captured device stay null either way.
    """
    n = card_idx.size
    home_share = np.where(labels, HOME_SESSION_SHARE_FRAUD, HOME_SESSION_SHARE_LEGIT)
    fresh_rows = np.flatnonzero(rng["home_session"].random(n) >= home_share)
    # Positions into [the catalog's usual values..., this chunk's fresh values...].
    pos = card_idx.astype(np.int64)
    pos[fresh_rows] = cards.height + np.arange(fresh_rows.size)
    devices = pl.concat(
        [cards["home_device_id"], pl.Series(uuid4_array(rng["device_id"], fresh_rows.size))]
    )
    ips = pl.concat([cards["home_ip_address"], ipv4_series(rng["ip_address"], fresh_rows.size)])
    positions = pl.Series(pos)
    device_id = devices.gather(positions.set(pl.Series(~has_device), None))
    return device_id.alias("device_id"), ips.gather(positions).alias("ip_address")


_PURPOSES = (
    "timestamps",
    "entities.customer",
    "entities.merchant",
    "entities.card",
    "amount",
    "local_time_offset",
    "device",
    "channel",
    "pos_entry_mode",
    "card_scheme",
    "card_expiry",
    "country",
    "geo",
    "transaction_id",
    "device_id",
    "ip_address",
    "user_agent",
    "is_recurring",
    "home_session",
    "label.logistic",
    "label.bursts",
)


def generate_chunk(
    chunk: ChunkPlan,
    cfg: GeneratorConfig,
    catalogs: Catalogs | None,
    user_agents: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """Return the chunk's transactions: labeled, sorted by time, in the output schema.

    ``user_agents`` is the pool built once by the driver (so workers need not import Faker);
    by default the same pool is built here.
    """
    rng = {p: stream(cfg.seed, p, chunk.index) for p in _PURPOSES}
    if cfg.realism == "v1":
        catalogs = Catalogs.build(cfg, chunk.index)
    elif catalogs is None:
        catalogs = Catalogs.build(cfg)
    n = chunk.rows
    times = times_in_cells(chunk.counts, chunk.start_ns, chunk.cell_ns, rng["timestamps"])
    cust_idx = sample_index(catalogs.customer_table, n, rng["entities.customer"])
    merch_idx = sample_index(catalogs.merchant_table, n, rng["entities.merchant"])
    card_idx = sample_index(catalogs.card_table, n, rng["entities.card"])
    merchants = _gather(catalogs.merchants, _MERCHANT_COLS, merch_idx)
    cards = _gather(catalogs.cards, _CARD_COLS, card_idx)
    if cfg.realism == "v2":
        entity = _entity_columns_v2(merchants, cards, rng, n)
    else:
        entity = _entity_columns_v1(merchants, cards, rng, n, cfg.temporal.start_date.year)

    amount = amounts(cfg.feature, rng["amount"], n)
    merch_risk = merchants["risk"].to_numpy()
    card_risk = cards["risk"].to_numpy()
    merchant_ids = merch_idx.astype(np.int64) + 1
    labels = label_arrays(
        amount, merch_risk, card_risk, times, merchant_ids, chunk.fraud_count,
        cfg.labeler, rng["label.logistic"], rng["label.bursts"], cfg.fraud_rate,
    )  # fmt: skip

    devices = list(cfg.feature.device_types)
    device_w = np.array(list(cfg.feature.device_types.values()))
    has_device = rng["device_id"].random(n) >= DEVICE_ID_NULL_SHARE
    if cfg.realism == "v2":
        device_id, ip_address = _sessions_v2(catalogs.cards, card_idx, labels, has_device, rng)
    else:
        device_id = pl.Series(uuid4_array(rng["device_id"], n, has_device))
        ip_address = ipv4_series(rng["ip_address"], n)
    ua_pool = pl.Series(user_agents or user_agent_pool(), dtype=pl.String)
    frame = pl.DataFrame(
        {
            "transaction_id": pl.Series(uuid4_array(rng["transaction_id"], n)),
            "event_time": pl.Series(times).cast(pl.Datetime("ns", "UTC")),
            "customer_id": cust_idx.astype(np.int64) + 1,
            "card_id": card_idx.astype(np.int64) + 1,
            "merchant_id": merchant_ids,
            "amount": amount,
            **entity,
            "device_type": pick(devices, weighted_index(rng["device"], device_w, n)),
            "device_id": device_id,
            "ip_address": ip_address,
            "user_agent": ua_pool.gather(rng["user_agent"].integers(0, ua_pool.len(), n)),
            "is_recurring": rng["is_recurring"].random(n) < RECURRING_SHARE,
            "label_fraud": labels,
        }
    )
    frame = frame.with_columns(currency_of(frame["merchant_country"]))
    return enforce_schema(frame)


# The spec's name for the chunk function.
_generate_chunk = generate_chunk

__all__ = ["_generate_chunk", "generate_chunk"]
