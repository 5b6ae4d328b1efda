"""What v1 and v2 share: the spec's row recipe over Zipf catalogs, labeled by the logistic draw.

Entities are drawn independently by their catalog weights, features per row, then the chunk is
labeled with its exact fraud count (``fraud.labeler``). v1 and v2 differ in where entity
attributes come from (per row vs the catalog) and in devices (fresh vs the card's usual one).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import numpy as np
import polars as pl

from ..catalog import Catalogs, currency_of, sample_index
from ..config import GeneratorConfig
from ..features import amounts, ipv4_series, pick, uuid4_array, weighted_index
from ..fraud.labeler import label_arrays
from ..plan import ChunkPlan
from ..reference import DEVICE_ID_NULL_SHARE, RECURRING_SHARE
from ..temporal import times_in_cells
from .base import Realism, Streams

# Streams both draw from (their numbers are fixed in ``streams.PURPOSES``).
COMMON_PURPOSES = (
    "timestamps",
    "entities.customer",
    "entities.merchant",
    "entities.card",
    "amount",
    "device",
    "channel",
    "pos_entry_mode",
    "transaction_id",
    "device_id",
    "ip_address",
    "user_agent",
    "is_recurring",
    "label.logistic",
    "label.bursts",
)
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


class Draws:
    """A chunk's entity draws: positions into each catalog and the rows gathered from it."""

    def __init__(self, catalogs: Catalogs, n: int, rng: Streams) -> None:
        self.catalogs = catalogs
        self.customer = sample_index(catalogs.customer_table, n, rng["entities.customer"])
        self.merchant = sample_index(catalogs.merchant_table, n, rng["entities.merchant"])
        self.card = sample_index(catalogs.card_table, n, rng["entities.card"])
        self.merchants = _gather(catalogs.merchants, _MERCHANT_COLS, self.merchant)
        self.cards = _gather(catalogs.cards, _CARD_COLS, self.card)


class ClassicRealism(Realism):
    """The spec's recipe; subclasses say where catalogs and entity attributes come from."""

    @abstractmethod
    def chunk_catalogs(self, cfg: GeneratorConfig, chunk: ChunkPlan, world: Any) -> Catalogs:
        """Return the catalogs ``chunk`` samples from."""

    @abstractmethod
    def entity_columns(
        self, cfg: GeneratorConfig, draws: Draws, rng: Streams, n: int
    ) -> dict[str, pl.Series | np.ndarray]:
        """Return merchant, card, channel and entry-mode columns."""

    @abstractmethod
    def sessions(
        self, draws: Draws, labels: np.ndarray, has_device: np.ndarray, rng: Streams
    ) -> tuple[pl.Series, pl.Series]:
        """Return (device_id, ip_address)."""

    def generate(
        self, chunk: ChunkPlan, cfg: GeneratorConfig, world: Any, user_agents: tuple[str, ...]
    ) -> pl.DataFrame:
        rng = self.streams(cfg, chunk)
        n = chunk.rows
        times = times_in_cells(chunk.counts, chunk.start_ns, chunk.cell_ns, rng["timestamps"])
        draws = Draws(self.chunk_catalogs(cfg, chunk, world), n, rng)
        entity = self.entity_columns(cfg, draws, rng, n)
        amount = amounts(cfg.feature, rng["amount"], n)
        merchant_ids = draws.merchant.astype(np.int64) + 1
        labels = label_arrays(
            amount, draws.merchants["risk"].to_numpy(), draws.cards["risk"].to_numpy(), times,
            merchant_ids, chunk.fraud_count, cfg.labeler, rng["label.logistic"],
            rng["label.bursts"], cfg.fraud_rate,
        )  # fmt: skip
        frame = pl.DataFrame(
            {
                "transaction_id": pl.Series(uuid4_array(rng["transaction_id"], n)),
                "event_time": pl.Series(times).cast(pl.Datetime("ns", "UTC")),
                "customer_id": draws.customer.astype(np.int64) + 1,
                "card_id": draws.card.astype(np.int64) + 1,
                "merchant_id": merchant_ids,
                "amount": amount,
                **entity,
                **self._row_features(cfg, draws, labels, rng, user_agents, n),
                "is_recurring": rng["is_recurring"].random(n) < RECURRING_SHARE,
                "label_fraud": labels,
            }
        )
        return frame.with_columns(currency_of(frame["merchant_country"]))

    def _row_features(
        self,
        cfg: GeneratorConfig,
        draws: Draws,
        labels: np.ndarray,
        rng: Streams,
        user_agents: tuple[str, ...],
        n: int,
    ) -> dict[str, pl.Series]:
        """Return device type, device id, IP and user agent (in the streams' draw order)."""
        devices = list(cfg.feature.device_types)
        device_w = np.array(list(cfg.feature.device_types.values()))
        has_device = rng["device_id"].random(n) >= DEVICE_ID_NULL_SHARE
        device_id, ip_address = self.sessions(draws, labels, has_device, rng)
        ua_pool = pl.Series(user_agents, dtype=pl.String)
        return {
            "device_type": pick(devices, weighted_index(rng["device"], device_w, n)),
            "device_id": device_id,
            "ip_address": ip_address,
            "user_agent": ua_pool.gather(rng["user_agent"].integers(0, ua_pool.len(), n)),
        }


def fresh_sessions(has_device: np.ndarray, rng: Streams) -> tuple[pl.Series, pl.Series]:
    """Return a fresh device (null where not captured) and a fresh IP for every row."""
    n = has_device.size
    device_id = pl.Series(uuid4_array(rng["device_id"], n, has_device))
    return device_id, ipv4_series(rng["ip_address"], n)
