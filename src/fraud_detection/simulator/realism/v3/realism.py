"""v3: a behavioural world where cards belong to people, and fraud arrives as episodes.

People live in real cities and pay in their own local rhythm, mostly at habitual merchants,
with their own devices; subscriptions bill monthly; travel, new phones and one-off large
purchases happen. Fraud comes from six typologies planned as episodes (``fraud.episodes``),
with a difficulty preset and labels that arrive late (``reported_time``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl

from ...config import GeneratorConfig
from ...plan import ChunkPlan
from ...reference import TYPOLOGIES
from ...schema import Column, transaction_columns
from ...storage.layout import CATALOG_FILES
from ...temporal import times_in_cells
from ..base import Realism, Tables
from .fraud.episodes import EpisodePlan, plan_episodes, typology_quotas
from .fraud.presets import (
    FraudParams,
    resolve,
)
from .fraud.typologies import Context
from .fraud.typologies.merchant_compromise import breach_lead_ns, breach_mass
from .plan import plan_v3
from .world.behaviour import (
    AgentFamilies,
    Knobs,
    everyday,
)
from .world.build import (
    FraudSites,
    build_tables,
)
from .world.frame import to_frame
from .world.population import Population
from .world.rows import concat
from .world.schedule import (
    occurrences,
    subscription_rows,
)

NS_PER_DAY = 86_400_000_000_000
# Expected fraud rows per breached / rogue merchant: sets how many the catalog holds.
ROWS_PER_BREACH = 30
ROWS_PER_ROGUE = 15


@dataclass(frozen=True)
class V3World:
    """What a v3 chunk needs: the population, the episodes and the knobs."""

    pop: Population
    episodes: EpisodePlan
    ctx: Context
    knobs: Knobs
    paused: tuple[np.ndarray, np.ndarray, np.ndarray]


def fraud_sites(cfg: GeneratorConfig, params: FraudParams) -> FraudSites:
    """Return how many breached and rogue merchants the catalog needs, and their windows: one
    per ``ROWS_PER_BREACH`` / ``ROWS_PER_ROGUE`` fraud rows of the typology's quota (the same
    apportioned quota the episode plan fills, so a quota of one row gets its merchant)."""
    quotas = typology_quotas(cfg.fraud_count, params)
    compromise = int(quotas[TYPOLOGIES.index("merchant_compromise")])
    rogue = int(quotas[TYPOLOGIES.index("rogue_merchant")])
    return FraudSites(
        breaches=-(-compromise // ROWS_PER_BREACH),
        breach_days_median=45.0,
        rogues=-(-rogue // ROWS_PER_ROGUE),
        rogue_days_median=14.0 / params.pace,
        breach_lead_ns=breach_lead_ns(params.compromise_lag_days, params.pace),
        breach_mass=breach_mass,
    )


@lru_cache(maxsize=4)
def _families(user_agents: tuple[str, ...], device_types: tuple[str, ...]) -> AgentFamilies:
    return AgentFamilies.build(user_agents, device_types)


class V3(Realism):
    """People with habits in local time; fraud as episodes of six typologies."""

    name = "v3"
    summary = "people with habits, local time and fraud episodes"
    purposes = (
        "timestamps", "v3.zone", "v3.card", "v3.merchant", "v3.amount", "v3.channel",
        "v3.session", "v3.device_id", "v3.ip_address", "v3.transaction_id",
    )  # fmt: skip
    catalog_files = tuple(CATALOG_FILES.values())

    def tables(self, cfg: GeneratorConfig) -> dict[str, pl.DataFrame]:
        return build_tables(cfg, fraud_sites(cfg, resolve(cfg)))

    def world(self, cfg: GeneratorConfig, tables: Tables) -> V3World:
        pop = Population.from_tables(cfg, tables or self.tables(cfg))
        params = resolve(cfg)
        ctx = Context(cfg, pop, params, pop.clock.first_ns, pop.clock.stop_ns)
        episodes = plan_episodes(ctx)
        knobs = Knobs(cfg.population.habit_strength, cfg.population.large_purchase_share)
        return V3World(pop, episodes, ctx, knobs, episodes.pauses())

    def plan(self, cfg: GeneratorConfig, world: Any) -> list[ChunkPlan]:
        assert isinstance(world, V3World), "v3 plans from its world"
        return plan_v3(cfg, world.pop, world.episodes)

    def columns(self) -> tuple[Column, ...]:
        return transaction_columns("v3")

    def generate(
        self, chunk: ChunkPlan, cfg: GeneratorConfig, world: Any, user_agents: tuple[str, ...]
    ) -> pl.DataFrame:
        assert isinstance(world, V3World), "v3 chunks need the run's world"
        pop = world.pop
        rng = self.streams(cfg, chunk)
        families = _families(user_agents, pop.device_types)
        ctx = replace(world.ctx, families=families)
        times = times_in_cells(chunk.counts, chunk.start_ns, chunk.cell_ns, rng["timestamps"])
        legit = everyday(pop, world.knobs, times, rng, families, world.paused)
        bills = subscription_rows(pop, *occurrences(pop, chunk.start_ns, chunk.end_ns))
        fraud = world.episodes.rows_between(ctx, chunk.start_ns, chunk.end_ns)
        rows = concat([legit, bills, fraud])
        return to_frame(pop, rows, rng["v3.transaction_id"], user_agents)
