"""What the table sinks (Delta Lake, Apache Iceberg) share: workers write the transactions'
data files straight into the table's location, one per chunk and event month; ``commit`` adds
them to the table in one transaction, then replaces each catalog table in one of its own.

Until that commit no reader of the table sees a file of this run: an interrupted or failed run
leaves the table's previous version as it was, and removes the files it wrote (a run killed
with -9 leaves them unreferenced: the table format's vacuum or orphan-file clean-up removes
them). The libraries are imported only when a table is written (the ``lake`` extra).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pyarrow as pa

from ..result import PartInfo
from .location import Location
from .outputs import ChunkResult, PartFiles
from .sinks import Run, Sink, Written, possible_parts


def arrow_schema(schema: pl.Schema) -> pa.Schema:
    """Return ``schema`` as the Arrow schema of the written files (large strings and lists)."""
    return arrow_table(pl.DataFrame(schema=schema)).schema


def arrow_table(frame: pl.DataFrame) -> pa.Table:
    """Return ``frame`` as Arrow with the types every table library reads (no string views)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.oldest())


def catalog_tables(run: Run) -> dict[str, pa.Table]:
    """Return the run's catalogs as they are published, by table name (``customers``, ...)."""
    if run.catalogs is None:
        return {}
    return {Path(f).stem: arrow_table(frame) for f, frame in run.catalogs.published.items()}


class TableSink(Sink):
    """Workers write the transactions' files under ``data`` (a table's data location); the
    subclass commits them to the payments table, then writes the catalog tables."""

    kind = "table"

    def __init__(self, data: Location, run: Run, chunks: Sequence[tuple[int, int, int]]) -> None:
        token = run.staging.token
        self.run, self.data = run, data
        self.output = PartFiles(data, run.row_group_size, run.metadata, token, "", True)
        # A failed or interrupted run removes every data file it may have written.
        run.staging.track(data, possible_parts(chunks, token, by_month=True))
        self.parts: list[PartInfo] = []

    def write(self, result: ChunkResult) -> None:
        self.parts.extend(result.parts)

    def abort(self) -> None:
        self.parts.clear()  # the files go with the run's staging (tracked above)

    def commit(self) -> Written:
        version = self.commit_transactions()
        self.run.staging.committed()  # the files are the table's now
        for name, table in catalog_tables(self.run).items():
            self.commit_catalog(name, table)
        if self.run.catalogs:
            self.run.catalogs.committed = True
        rows, frauds = sum(p.rows for p in self.parts), sum(p.fraud_count for p in self.parts)
        return Written(self.location, rows, frauds, list(self.parts), None, version)

    @property
    @abstractmethod
    def location(self) -> Location:
        """Where the payments table is (what the run reports as written)."""

    @abstractmethod
    def commit_transactions(self) -> int:
        """Add the written files to the payments table in one commit; return its version."""

    @abstractmethod
    def commit_catalog(self, name: str, table: pa.Table) -> None:
        """Replace the rows of catalog table ``name`` with ``table`` in one commit."""
