"""One chunk of transactions: a pure function of (config, chunk plan, world, pools).

``generate_chunk`` dispatches to the config's realism and enforces that realism's output
schema; everything a realism does to make rows lives behind ``realism.Realism``.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from .config import GeneratorConfig
from .features import user_agent_pool
from .plan import ChunkPlan
from .realism.registry import get_realism
from .schema import enforce_schema, with_time_unit


def generate_chunk(
    chunk: ChunkPlan,
    cfg: GeneratorConfig,
    world: Any = None,
    user_agents: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """Return the chunk's transactions: labeled, sorted by time, in the output schema (its
    datetimes in ``output.timestamp_unit``).

    ``world`` is what the realism's workers load (v2: the catalogs); when it is None it is
    built here from the config. ``user_agents`` is the pool built once by the driver (so
    workers need not import Faker); by default the same pool is built here.
    """
    realism = get_realism(cfg.realism)
    if world is None:
        world = realism.world(cfg, realism.tables(cfg))
    frame = realism.generate(chunk, cfg, world, user_agents or user_agent_pool())
    return enforce_schema(frame, with_time_unit(realism.columns(), cfg.output.timestamp_unit))


__all__ = ["generate_chunk"]
