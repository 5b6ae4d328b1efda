"""v2: consistent entities. Catalogs built once; what belongs to a merchant or card is looked up."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ..catalog import Catalogs, catalog_tables
from ..config import GeneratorConfig
from ..features import ipv4_series, pick, uuid4_array, weighted_index
from ..layout import CATALOG_FILES
from ..plan import ChunkPlan
from ..reference import CHANNEL_WEIGHTS, CHANNELS, ENTRY_MODE_GIVEN_CHANNEL, POS_ENTRY_MODES
from .base import Streams, Tables
from .classic_recipe import COMMON_PURPOSES, ClassicRealism, Draws

# Share of a card's transactions made from its usual device and IP. Fraud comes from the
# card's own device less often (account takeover, stolen card details used elsewhere): a
# signal that per-card history reveals, worth about what amount alone is (AUC ~0.67).
HOME_SESSION_SHARE_LEGIT = 0.80
HOME_SESSION_SHARE_FRAUD = 0.45


class V2(ClassicRealism):
    """Shared catalogs; a card mostly uses its usual device and IP."""

    name = "v2"
    summary = "shared catalogs"
    purposes = (*COMMON_PURPOSES, "home_session")
    catalog_files = tuple(CATALOG_FILES.values())

    def tables(self, cfg: GeneratorConfig) -> dict[str, pl.DataFrame]:
        return catalog_tables(cfg)

    def world(self, cfg: GeneratorConfig, tables: Tables) -> Catalogs:
        return Catalogs.from_tables(dict(tables)) if tables else Catalogs.build(cfg)

    def chunk_catalogs(self, cfg: GeneratorConfig, chunk: ChunkPlan, world: Any) -> Catalogs:
        assert isinstance(world, Catalogs), "v2 chunks need the run's catalogs"
        return world

    def entity_columns(
        self, cfg: GeneratorConfig, draws: Draws, rng: Streams, n: int
    ) -> dict[str, pl.Series | np.ndarray]:
        """What belongs to the merchant or card comes from its catalog row; channel fits entry."""
        channel = weighted_index(rng["channel"], CHANNEL_WEIGHTS, n)
        given = np.cumsum([ENTRY_MODE_GIVEN_CHANNEL[c] for c in CHANNELS], axis=1)
        given /= given[:, -1:]
        u = rng["pos_entry_mode"].random(n)
        entry = np.minimum((u[:, None] >= given[channel]).sum(axis=1), len(POS_ENTRY_MODES) - 1)
        merchants, cards = draws.merchants, draws.cards
        return {
            **{c: merchants[c] for c in ("mcc_code", "merchant_country", "local_time_offset")},
            "latitude": merchants["latitude"],
            "longitude": merchants["longitude"],
            **{c: cards[c] for c in ("card_scheme", "pan_hash", "card_exp_month", "card_exp_year")},
            "channel": pick(CHANNELS, channel),
            "pos_entry_mode": pick(POS_ENTRY_MODES, entry),
        }

    def sessions(
        self, draws: Draws, labels: np.ndarray, has_device: np.ndarray, rng: Streams
    ) -> tuple[pl.Series, pl.Series]:
        """Return (device_id, ip_address): the card's usual ones for most transactions.

        A transaction is a home session (the card's usual device and IP) or not (a fresh device
        and IP, drawn only for those rows); rows without a captured device stay null either way.
        """
        cards, card_idx = draws.catalogs.cards, draws.card
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
