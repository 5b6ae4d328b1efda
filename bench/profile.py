"""Where a chunk's time goes: pyinstrument over in-process chunks, summed by stage."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _children_of(frame: Any, name: str) -> list[Any]:
    """Return the children of every frame called ``name`` (depth-first)."""
    found: list[Any] = []
    stack = [frame]
    while stack:
        node = stack.pop()
        if node.function == name:
            found.extend(node.children)
        else:
            stack.extend(node.children)
    return found


def stage_breakdown(chunks: int = 10) -> list[tuple[str, float]]:
    """Return (stage, seconds per chunk) for generating and encoding a 100k-row chunk."""
    os.environ.setdefault("POLARS_MAX_THREADS", "1")  # as in a worker
    from pyinstrument import Profiler

    from fraud_detection.simulator.config import load_config
    from fraud_detection.simulator.engines import ChunkTask, RunSpec, run_chunk
    from fraud_detection.simulator.features import user_agent_pool
    from fraud_detection.simulator.realism.registry import get_realism, remember_world
    from fraud_detection.simulator.storage.outputs import Encoded

    cfg = load_config(ROOT / "generator_config.yaml")
    realism = get_realism(cfg.realism)
    tables = realism.tables(cfg)
    world = realism.world(cfg, tables)
    plan = realism.plan(cfg, world)[:chunks]
    remember_world("bench", world)
    run = RunSpec("bench", cfg, None, user_agent_pool())
    run_chunk(ChunkTask(plan[0], run, Encoded(100_000)))  # warm-up: pools, imports
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for chunk in plan:
        run_chunk(ChunkTask(chunk, run, Encoded(100_000)))
    profiler.stop()
    root = profiler.last_session.root_frame() if profiler.last_session else None
    totals: dict[str, float] = defaultdict(float)
    for node in _children_of(root, "run_chunk"):
        if node.function == "generate_chunk":
            # generate_chunk -> the realism's generate -> its stages.
            inner_nodes = [
                leaf
                for inner in node.children
                for leaf in (inner.children if inner.function == "generate" else [inner])
            ]
            for inner in inner_nodes:
                totals[f"generate: {inner.function}"] += inner.time
        else:
            totals[node.function] += node.time
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    return [
        (name, seconds / len(plan)) for name, seconds in ranked if seconds / len(plan) >= 0.0005
    ]
