"""The dask engine: chunks mapped over a dask.distributed cluster (the optional extra)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from ..config import GeneratorConfig
from ..errors import ConfigError
from .base import (
    Engine,
    Pending,
    capped_workers,
    single_threaded_polars,
    workers_block_sigint,
)
from .tasks import ChunkTask, run_chunk

log = logging.getLogger("fraud_detection.simulator")


@contextmanager
def dask_client(cfg: GeneratorConfig) -> Iterator[Any]:
    """Yield a ``distributed.Client``: to ``dask.scheduler_address``, else a new LocalCluster."""
    try:
        # Importing distributed starts threads that later start the workers: they must be
        # started with SIGINT blocked (see ``workers_block_sigint``).
        with workers_block_sigint():
            from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the config validator checks this first
        raise ConfigError(
            "engine: dask needs the dask extra: pip install -e '.[dask]' (from the repository's"
            " clone)"
        ) from None
    with ExitStack() as stack:
        address = cfg.dask.scheduler_address
        if address:
            try:
                client = Client(address, timeout=cfg.dask.connect_timeout_s)
            except OSError as exc:
                raise ConfigError(
                    f"dask.scheduler_address: cannot connect to {address}: {exc}"
                ) from None
            log.info("Dask: connected to %s", address)
        else:
            workers = capped_workers(cfg.num_workers)
            with single_threaded_polars(), workers_block_sigint():
                cluster = LocalCluster(  # its processes log only what is critical (below)
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=_cluster_log_level(),
                )  # fmt: skip
            stack.enter_context(cluster)
            client = Client(cluster)
            from .dask_workers import IgnoreSigint

            client.register_plugin(IgnoreSigint())
            log.info("Dask: started a LocalCluster with %d workers", workers)
        stack.enter_context(client)
        yield client


def _cluster_log_level() -> int:
    """Return the level a LocalCluster's processes log from: WARNING when this run logs at
    DEBUG, else CRITICAL. A worker's failed heartbeat to the scheduler an interrupt had closed
    printed a traceback into the run's stderr (the CLI's filter sees only its own process's
    records); a task's error still reaches the run through its future."""
    return logging.WARNING if log.isEnabledFor(logging.DEBUG) else logging.CRITICAL


class DaskEngine(Engine):
    """Chunks run as tasks on a Dask cluster, ``2 x workers`` in flight."""

    def __init__(self, client: Any) -> None:
        super().__init__(2 * max(1, len(client.scheduler_info().get("workers", {}))))
        self.client = client

    def submit(self, task: ChunkTask) -> Pending:
        future: Pending = self.client.submit(run_chunk, task, pure=False)
        return future


@contextmanager
def dask_engine(cfg: GeneratorConfig) -> Iterator[Engine]:
    """Yield a started Dask engine (connected or local cluster); closed on exit."""
    with dask_client(cfg) as client:
        yield DaskEngine(client)
