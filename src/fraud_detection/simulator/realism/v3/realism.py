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
from ...features import user_agent_pool
from ...plan import ChunkPlan
from ...reference import TYPOLOGIES
from ...schema import Column, transaction_columns
from ...storage.layout import CATALOG_FILES, EPISODES_FILE
from ...temporal import times_in_cells
from ..base import Realism, Tables
from .catalog import assign_slots, card_table, episode_table
from .fraud.blocks import resolve as resolve_blocks
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
from .world.population import Population, physical_cards
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


# The last world ``V3.tables`` built, with its episodes table: ``V3.world`` on the driver
# returns it for the very same tables instead of building it again.
_BUILT: list[tuple[object, V3World]] = []


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
    catalog_files = (*CATALOG_FILES.values(), EPISODES_FILE)

    def tables(self, cfg: GeneratorConfig) -> dict[str, pl.DataFrame]:
        """Return the catalogs: the world's (``world.build``), then, once the fraud episodes
        are planned, every card's life (renewals, blocks at reports, replacements) and the
        episodes table; the world a worker builds from these is the driver's."""
        params = resolve(cfg)
        base = build_tables(cfg, fraud_sites(cfg, params))
        pop = Population.from_tables(cfg, base)
        ctx = Context(cfg, pop, params, pop.clock.first_ns, pop.clock.stop_ns)
        slots = base[CATALOG_FILES["cards"]]
        start = slots["issued_at"].dt.epoch("ns").to_numpy()
        expiry = pop.physical.lines.end_of(np.arange(slots.height))
        plan, cards = resolve_blocks(plan_episodes(ctx), ctx, start, expiry)
        final = card_table(slots, cards, cfg.seed)
        pop = replace(pop, physical=physical_cards(final))
        tables = {**base, CATALOG_FILES["cards"]: final, EPISODES_FILE: episode_table(plan, pop)}
        world = self._world(cfg, pop, tables)
        ctx = replace(world.ctx, families=_families(user_agent_pool(), pop.device_types))
        rows = world.episodes.rows_between(ctx, world.ctx.first_ns, world.ctx.stop_ns)
        tables[EPISODES_FILE] = episode_table(world.episodes, pop, rows)
        _BUILT[:] = [(tables[EPISODES_FILE], world)]  # the driver's world: see ``world``
        return tables

    def world(self, cfg: GeneratorConfig, tables: Tables) -> V3World:
        tables = tables or self.tables(cfg)
        built = [w for key, w in _BUILT if tables.get(EPISODES_FILE) is key]
        if built:  # the driver built this world with these tables a moment ago
            return built[0]
        return self._world(cfg, Population.from_tables(cfg, tables), tables)

    def _world(self, cfg: GeneratorConfig, pop: Population, tables: Tables) -> V3World:
        params = resolve(cfg)
        ctx = Context(cfg, pop, params, pop.clock.first_ns, pop.clock.stop_ns)
        episodes = plan_episodes(ctx)
        if EPISODES_FILE in tables:  # the cards the driver fitted the stories on
            assign_slots(episodes, pop, tables[EPISODES_FILE])
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
