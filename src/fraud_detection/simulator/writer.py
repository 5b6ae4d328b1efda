"""Parquet output that appears at its final path only when complete."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from types import TracebackType

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from .schema import arrow_schema


def temp_path_for(path: Path) -> Path:
    """Return a hidden, unique sibling of ``path`` to write into before renaming."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")


class ParquetChunkWriter:
    """Append frames as Snappy row groups to a temporary file; ``commit`` renames it into place.

    Used as a context manager, an exception (or interrupt) inside the block removes the
    temporary file, so nothing is ever left at the final path by a failed run.
    """

    def __init__(self, path: Path, row_group_size: int, schema: pa.Schema | None = None) -> None:
        self.path = Path(path)
        self.row_group_size = row_group_size
        self.schema = schema if schema is not None else arrow_schema()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = temp_path_for(self.path)
        self.rows = 0
        self._writer: pq.ParquetWriter | None = pq.ParquetWriter(
            self.tmp, self.schema, compression="snappy"
        )

    def write(self, frame: pl.DataFrame) -> None:
        """Append ``frame`` (already in schema order and types)."""
        assert self._writer is not None, "writer already closed"
        table = frame.to_arrow()
        if table.schema != self.schema:
            table = table.cast(self.schema)
        self._writer.write_table(table, row_group_size=self.row_group_size)
        self.rows += frame.height

    def commit(self) -> Path:
        """Close the file and move it to its final path; return that path."""
        assert self._writer is not None, "writer already closed"
        self._writer.close()
        self._writer = None
        os.replace(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Close and delete the temporary file (idempotent)."""
        if self._writer is not None:
            try:
                self._writer.close()
            finally:
                self._writer = None
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> ParquetChunkWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None or self._writer is not None:
            self.abort()
