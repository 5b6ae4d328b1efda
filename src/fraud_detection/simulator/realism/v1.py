"""v1, the spec's legacy behaviour: catalogs rebuilt in every chunk, attributes drawn per row."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from ..catalog import Catalogs
from ..config import GeneratorConfig
from ..features import pick
from ..plan import ChunkPlan
from ..reference import CHANNELS, COUNTRIES, POS_ENTRY_MODES, SCHEME_NAMES
from .base import Streams
from .classic_recipe import COMMON_PURPOSES, ClassicRealism, Draws, fresh_sessions


class V1(ClassicRealism):
    """Catalogs from each chunk's own stream; country, scheme, expiry, geo drawn per row."""

    name = "v1"
    summary = "spec's legacy per-chunk catalogs"
    purposes = (
        *COMMON_PURPOSES,
        "local_time_offset",
        "card_scheme",
        "card_expiry",
        "country",
        "geo",
    )

    def chunk_catalogs(self, cfg: GeneratorConfig, chunk: ChunkPlan, world: Any) -> Catalogs:
        return Catalogs.build(cfg, chunk.index)

    def entity_columns(
        self, cfg: GeneratorConfig, draws: Draws, rng: Streams, n: int
    ) -> dict[str, pl.Series | np.ndarray]:
        first_year = cfg.temporal.start_date.year
        geo = rng["geo"]
        return {
            "mcc_code": draws.merchants["mcc_code"],
            "merchant_country": pick(
                [c[0] for c in COUNTRIES], rng["country"].integers(0, len(COUNTRIES), n)
            ),
            "local_time_offset": rng["local_time_offset"].integers(-720, 841, n).astype(np.int16),
            "latitude": np.round(geo.uniform(-90, 90, n), 6),
            "longitude": np.round(geo.uniform(-180, 180, n), 6),
            "card_scheme": pick(SCHEME_NAMES, rng["card_scheme"].integers(0, len(SCHEME_NAMES), n)),
            "pan_hash": draws.cards["pan_hash"],
            "card_exp_month": rng["card_expiry"].integers(1, 13, n).astype(np.int8),
            "card_exp_year": (first_year + rng["card_expiry"].integers(1, 6, n)).astype(np.int16),
            "channel": pick(CHANNELS, rng["channel"].integers(0, len(CHANNELS), n)),
            "pos_entry_mode": pick(
                POS_ENTRY_MODES, rng["pos_entry_mode"].integers(0, len(POS_ENTRY_MODES), n)
            ),
        }

    def sessions(
        self, draws: Draws, labels: np.ndarray, has_device: np.ndarray, rng: Streams
    ) -> tuple[pl.Series, pl.Series]:
        return fresh_sessions(has_device, rng)
