"""The task every engine runs: generate one chunk and deliver it as the run's sink asks.

A task is ``run_chunk(ChunkTask)``: a pure function of its argument (the chunk's slice of
time, the run it belongs to, the output), so any engine (in-process, a process pool, a Dask
cluster) gives the same rows. Engines never look inside a task.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ..chunk import generate_chunk
from ..config import GeneratorConfig
from ..plan import ChunkPlan
from ..realism.registry import cached_world, get_realism
from ..storage.location import Location
from ..storage.outputs import ChunkResult, Output, deliver
from ..storage.store import read_tables


@dataclass(frozen=True)
class RunSpec:
    """What every chunk of a run shares: the config its realism builds the world from (once
    per process), where the world's tables are, and the user-agent pool."""

    token: str
    config: GeneratorConfig
    location: Location | None
    files: tuple[str, ...]
    user_agents: tuple[str, ...]
    suffix: str = ""  # the table files are stored as name + suffix (``.tmp`` while staged)


@dataclass(frozen=True)
class ChunkTask:
    """One chunk to make: its plan, its run, and what to do with the rows."""

    chunk: ChunkPlan
    run: RunSpec
    output: Output


def load_world(run: RunSpec) -> Any:
    """Return the run's world, read from its tables once per process."""
    cfg = run.config
    realism = get_realism(cfg.realism)

    def tables() -> dict[str, Any]:
        if run.location is None or not run.files:
            return {}
        return read_tables(run.location, list(run.files), run.suffix)

    return cached_world(realism, cfg, run.token, tables)


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Return one chunk generated and delivered as ``task.output`` asks."""
    start = time.perf_counter()
    run = task.run
    frame = generate_chunk(task.chunk, run.config, load_world(run), run.user_agents)
    return deliver(task.chunk.index, frame, task.output, time.perf_counter() - start)
