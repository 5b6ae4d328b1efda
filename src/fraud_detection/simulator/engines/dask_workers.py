"""What our own LocalCluster's workers do when they start (imported only with the dask extra)."""

from __future__ import annotations

import signal
from typing import Any

from distributed import WorkerPlugin


class IgnoreSigint(WorkerPlugin):
    """Ignore SIGINT in a worker once Polars is imported, so that Ctrl-C is the driver's alone.

    Workers our LocalCluster starts have SIGINT blocked (``workers_block_sigint``) unless its
    event loop thread existed before (a caller's earlier cluster in the same process). There a
    worker's SIGINT is Python's, and importing Polars (2.x) installs its own handler, which
    aborts the running query with ``KeyboardInterrupt``: a Ctrl-C in the terminal would print a
    traceback from every worker. ``setup`` runs on the worker's main thread (its event loop),
    where handlers can be set, and again in a worker the nanny restarts.
    """

    name = "fraud-simulator-ignore-sigint"

    def setup(self, worker: Any) -> None:
        import polars  # noqa: F401  (its import installs the handler this replaces)

        signal.signal(signal.SIGINT, signal.SIG_IGN)
