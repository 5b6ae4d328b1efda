"""The realism interface: one object per realism, behind which a whole way of making rows lives.

A realism says what it prepares once on the driver (``tables``: catalogs, written by the
caller's store), what its chunks need built from those tables (``world``: built by the driver,
which stages it for workers in other processes; ``cached_world`` keeps one per process), the
random-stream purposes its chunks draw from, how the run is planned (``plan``) and how a
chunk's columns are generated (``generate``). ``chunk.generate_chunk``
dispatches to it and enforces the output schema.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np
import polars as pl

from ..config import GeneratorConfig
from ..plan import ChunkPlan, make_plan
from ..schema import Column, transaction_columns
from ..streams import stream

Tables = Mapping[str, pl.DataFrame]
Streams = dict[str, np.random.Generator]


class Realism(ABC):
    """How rows are made; subclasses are stateless singletons registered by ``name``."""

    name: ClassVar[str]
    summary: ClassVar[str]
    purposes: ClassVar[tuple[str, ...]]
    # Catalog tables (file names) that ``tables`` builds and the run writes to ``catalog/``.
    catalog_files: ClassVar[tuple[str, ...]] = ()

    def tables(self, cfg: GeneratorConfig) -> dict[str, pl.DataFrame]:
        """Return the tables built once on the driver, keyed by file name (none by default)."""
        del cfg
        return {}

    def world(self, cfg: GeneratorConfig, tables: Tables) -> Any:
        """Return what a worker needs besides the chunk plan, built from ``tables`` (the driver
        builds it too, to plan the run and to run chunks in its own process)."""
        del cfg, tables
        return None

    def plan(self, cfg: GeneratorConfig, world: Any) -> list[ChunkPlan]:
        """Return the run's chunks in time order (the plan drawn from the seed by default)."""
        del world
        return make_plan(cfg)

    def columns(self) -> tuple[Column, ...]:
        """Return the output columns this realism writes (the packaged schema by default)."""
        return transaction_columns()

    def streams(self, cfg: GeneratorConfig, chunk: ChunkPlan) -> Streams:
        """Return one generator per purpose for ``chunk``."""
        return {p: stream(cfg.seed, p, chunk.index) for p in self.purposes}

    @abstractmethod
    def generate(
        self, chunk: ChunkPlan, cfg: GeneratorConfig, world: Any, user_agents: tuple[str, ...]
    ) -> pl.DataFrame:
        """Return the chunk's rows: every output column (types are enforced by the caller)."""


_WORLD: tuple[str, Any] | None = None


def cached_world(token: str, load: Callable[[], Any]) -> Any:
    """Return the world of run ``token``, obtained once per process from ``load()``."""
    global _WORLD
    if _WORLD is None or _WORLD[0] != token:
        _WORLD = (token, load())
    return _WORLD[1]


def remember_world(token: str, world: Any) -> None:
    """Make ``world`` this process's cached world of run ``token`` (the driver built it)."""
    global _WORLD
    _WORLD = (token, world)
