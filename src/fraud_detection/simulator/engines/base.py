"""Engines run ``run_chunk`` somewhere and hand results back in chunk order.

Every engine keeps at most ``window`` chunks in flight (2 x workers), so memory stays
O(batch_size x workers) whatever ``total_rows`` is.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

from ..config import GeneratorConfig
from ..plan import ChunkPlan
from .tasks import ChunkResult, Output, WorldSource, run_chunk

TaskArgs = tuple[ChunkPlan, GeneratorConfig, WorldSource, Output]


class Pending(Protocol):
    def result(self) -> ChunkResult: ...


class Engine:
    """Runs ``run_chunk`` somewhere; ``map`` yields results in plan order, ``window`` in flight."""

    def __init__(self, cfg: GeneratorConfig, window: int = 1) -> None:
        self.cfg, self.window = cfg, window

    def submit(self, args: TaskArgs) -> Pending:
        raise NotImplementedError

    def map(
        self, plan: Sequence[ChunkPlan], source: WorldSource, output: Output
    ) -> Iterator[ChunkResult]:
        cfg = self.cfg
        pending: deque[Pending] = deque()
        todo = iter(plan)
        for chunk in todo:
            pending.append(self.submit((chunk, cfg, source, output)))
            if len(pending) >= self.window:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(self.submit((nxt, cfg, source, output)))
            yield result


class _Deferred:
    """Runs the chunk in this process when its result is asked for."""

    def __init__(self, args: TaskArgs) -> None:
        self.args = args

    def result(self) -> ChunkResult:
        return run_chunk(*self.args)


class InProcess(Engine):
    """Runs every chunk in the driver's own process, one at a time."""

    def submit(self, args: TaskArgs) -> Pending:
        return _Deferred(args)


@contextmanager
def single_threaded_polars() -> Iterator[None]:
    """Child processes started inside get POLARS_MAX_THREADS=1: processes use the cores."""
    before = os.environ.get("POLARS_MAX_THREADS")
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("POLARS_MAX_THREADS", None)
        else:
            os.environ["POLARS_MAX_THREADS"] = before
