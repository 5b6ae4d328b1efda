"""The task every engine runs: generate one chunk and deliver it as the run's sink asks.

A task is ``run_chunk(ChunkTask)``: a pure function of its argument (the chunk's slice of
time, the run it belongs to, the output), so any engine (in-process, a process pool, a Dask
cluster) gives the same rows. Engines never look inside a task.
"""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..chunk import generate_chunk
from ..config import GeneratorConfig
from ..plan import ChunkPlan
from ..realism.registry import cached_world, get_realism
from ..storage.destination import read_bytes
from ..storage.location import Location
from ..storage.outputs import ChunkResult, Output, deliver


@dataclass(frozen=True)
class RunSpec:
    """What every chunk of a run shares: its config, where the driver staged its world (None:
    the process has it already, or builds it from the config), and the user-agent pool."""

    token: str
    config: GeneratorConfig
    world: tuple[Location, str] | None
    user_agents: tuple[str, ...]


@dataclass(frozen=True)
class ChunkTask:
    """One chunk to make: its plan, its run, and what to do with the rows."""

    chunk: ChunkPlan
    run: RunSpec
    output: Output


def load_world(run: RunSpec) -> Any:
    """Return the run's world: this process's cached one, else the driver's as staged (loaded
    once per process), else built here from the config."""
    cfg = run.config
    realism = get_realism(cfg.realism)

    def staged() -> Any:
        if run.world is None:
            return realism.world(cfg, {})
        location, name = run.world
        if isinstance(location, Path):  # streamed, without a copy of the file in memory
            with (location / name).open("rb") as file:
                return pickle.load(file)
        return pickle.loads(read_bytes(location, name))

    return cached_world(run.token, staged)


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Return one chunk generated and delivered as ``task.output`` asks."""
    start = time.perf_counter()
    run = task.run
    frame = generate_chunk(task.chunk, run.config, load_world(run), run.user_agents)
    return deliver(task.chunk.index, frame, task.output, time.perf_counter() - start)
