"""Parquet encoding, and one file assembled from encoded chunks that appears when complete."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import polars as pl

from .layout import temp_sibling
from .local import move
from .parquet_concat import ParquetConcatenator


def parquet_bytes(
    frame: pl.DataFrame, row_group_size: int, metadata: Mapping[str, str] | None = None
) -> bytes:
    """Return ``frame`` encoded as Snappy Parquet, in row groups of about ``row_group_size``.

    A chunk a few rows over the size stays one row group instead of leaving a tiny one behind.
    ``metadata`` goes into the footer's key-value metadata. Polars' writer: about 15% faster
    than pyarrow's here, and the files are smaller.
    """
    groups = max(1, round(frame.height / row_group_size))
    sink = io.BytesIO()
    frame.write_parquet(
        sink,
        compression="snappy",
        row_group_size=-(-frame.height // groups),
        statistics=True,
        metadata=dict(metadata) if metadata else None,
    )
    return sink.getvalue()


class ParquetFileWriter:
    """Append encoded Parquet chunks (as bytes) to a temporary file; ``commit`` renames it.

    The temporary file is ``tmp`` (a run's staging), else a hidden sibling of ``path``. Used
    as a context manager, an exception (or interrupt) inside the block removes it, so a
    failed run never leaves anything at the final path.
    """

    def __init__(self, path: Path, tmp: Path | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = tmp or temp_sibling(self.path)
        self.tmp.parent.mkdir(parents=True, exist_ok=True)
        self._file: BinaryIO | None = open(self.tmp, "wb")  # noqa: SIM115 - closed in commit/abort
        self._parquet = ParquetConcatenator(self._file)

    @property
    def rows(self) -> int:
        return self._parquet.rows

    def append(self, parquet: bytes | Path) -> None:
        """Append the row groups of one encoded Parquet chunk (bytes, or a file then deleted)."""
        assert self._file is not None, "writer already closed"
        if isinstance(parquet, Path):
            self._parquet.append_file(parquet)
            parquet.unlink()
        else:
            self._parquet.append(parquet)

    def commit(self) -> Path:
        """Write the footer, close the file and move it to its final path; return that path."""
        assert self._file is not None, "writer already closed"
        self._parquet.finish()
        self._file.close()
        self._file = None
        move(self.tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Close and delete the temporary file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> ParquetFileWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self.abort()
