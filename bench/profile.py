"""Where a chunk's time goes: pyinstrument over in-process chunks, summed by stage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


# The driver's start-up, by what it does: pyinstrument frames as module.function (realism/v3).
STARTUP_STAGES = {
    "build.build_customers": "catalogs: customers (homes, devices, habits, travel, subscriptions)",
    "build.build_merchants": "catalogs: merchants",
    "build.cities_for": "catalogs: cities (GeoNames)",
    "build.build_cards": "catalogs: cards (PAN hashes)",
    "population.from_tables": "population (clock, calendar and rhythm, habits as arrays)",
    "blocks.resolve": "card blocks and replacements (fitting stories on cards)",
    "episodes.plan_episodes": "episode plan (twice: before and after the blocks)",
    "episodes.rows_between": "episode rows (the episodes table)",
    "plan.plan_v3": "chunk plan",
}


def startup_breakdown() -> list[tuple[str, float]]:
    """Return (stage, seconds) of the driver's start-up at the shipped sizes: catalogs, world
    and chunk plan, profiled in a fresh process (imports done, the library cache on disk)."""
    command = [sys.executable, "-m", "bench.profile"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return [(name, seconds) for name, seconds in json.loads(done.stdout)]


def _startup_here() -> list[tuple[str, float]]:
    from pyinstrument import Profiler

    from fraud_detection.simulator.config import load_config
    from fraud_detection.simulator.realism.registry import get_realism

    cfg = load_config(ROOT / "generator_config.yaml")
    realism = get_realism(cfg.realism)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    world = realism.world(cfg, realism.tables(cfg))
    realism.plan(cfg, world)
    profiler.stop()
    root = profiler.last_session.root_frame() if profiler.last_session else None
    totals: dict[str, float] = defaultdict(float)
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        name = f"{Path(node.file_path or '').stem}.{node.function.rsplit('.', 1)[-1]}"
        if name in STARTUP_STAGES:
            totals[STARTUP_STAGES[name]] += node.time
        else:
            stack.extend(node.children)
    total = root.time if root is not None else 0.0
    ranked = sorted(totals.items(), key=lambda item: -item[1])
    return [*ranked, ("everything else", total - sum(totals.values())), ("total", total)]


if __name__ == "__main__":
    print(json.dumps(_startup_here()))
