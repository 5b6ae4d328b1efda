from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fraud_detection.simulator.storage.parquet import parquet_bytes
from fraud_detection.simulator.storage.parquet_concat import (
    ParquetConcatenator,
    ParquetFormatError,
    encode_footer,
    read_footer,
)


def _frame(seed: int, rows: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "id": np.arange(rows, dtype=np.int64) + seed * 1_000_000,
            "x": rng.normal(size=rows),
            "s": pl.Series(rng.choice(["a", "bb", "ccc", None], rows).tolist(), dtype=pl.String),
            "flag": rng.random(rows) < 0.3,
            "t": pl.Series(rng.integers(0, 10**18, rows)).cast(pl.Datetime("ns", "UTC")),
        }
    )


def _concat(blobs: list[bytes]) -> bytes:
    out = io.BytesIO()
    writer = ParquetConcatenator(out)
    for blob in blobs:
        writer.append(blob)
    writer.finish()
    return out.getvalue()


def test_footer_round_trips_byte_for_byte() -> None:
    blob = parquet_bytes(_frame(1, 5_000), 1_000)
    meta, start = read_footer(blob)
    assert encode_footer(meta) == blob[start:]


@pytest.mark.parametrize("row_group_size", [700, 10_000])
def test_concatenation_equals_the_frames_in_order(row_group_size: int) -> None:
    frames = [_frame(seed, rows) for seed, rows in ((1, 3_000), (2, 1), (3, 4_567))]
    data = _concat([parquet_bytes(f, row_group_size) for f in frames])
    whole = pl.concat(frames)
    assert pl.read_parquet(io.BytesIO(data)).equals(whole)
    table = pq.read_table(io.BytesIO(data))
    assert table.equals(whole.to_arrow())
    meta = pq.ParquetFile(io.BytesIO(data)).metadata
    expected_groups = sum(max(1, round(f.height / row_group_size)) for f in frames)
    assert meta.num_rows == whole.height and meta.num_row_groups == expected_groups
    # Statistics survive: readers can still prune row groups.
    assert meta.row_group(0).column(0).statistics.min == 1_000_000


def test_different_schemas_are_refused() -> None:
    out = io.BytesIO()
    writer = ParquetConcatenator(out)
    writer.append(parquet_bytes(_frame(1, 10), 10))
    other = parquet_bytes(pl.DataFrame({"y": [1.0]}), 10)
    with pytest.raises(ParquetFormatError, match="different schemas"):
        writer.append(other)


def test_not_parquet_and_empty() -> None:
    with pytest.raises(ParquetFormatError, match="not a Parquet file"):
        read_footer(b"hello world, not parquet")
    with pytest.raises(ParquetFormatError, match="nothing to write"):
        ParquetConcatenator(io.BytesIO()).finish()


def test_large_string_columns_and_many_groups() -> None:
    rng = np.random.default_rng(0)
    strings = pa.array(["x" * int(k) for k in rng.integers(0, 300, 20_000)], type=pa.large_string())
    frame = pl.DataFrame(pa.table({"s": strings}))
    data = _concat([parquet_bytes(frame, 1_000) for _ in range(20)])
    assert pl.read_parquet(io.BytesIO(data)).equals(pl.concat([frame] * 20))


def test_appending_files_equals_appending_bytes(tmp_path: Path) -> None:
    frames = [_frame(seed, rows) for seed, rows in ((1, 3_000), (2, 20), (3, 4_567))]
    blobs = [parquet_bytes(f, 1_000) for f in frames]
    paths = []
    for i, blob in enumerate(blobs):
        paths.append(tmp_path / f"c{i}.parquet")
        paths[-1].write_bytes(blob)
    with (tmp_path / "out.parquet").open("wb") as sink:
        writer = ParquetConcatenator(sink)
        for path in paths:
            writer.append_file(path)
        writer.finish()
    assert (tmp_path / "out.parquet").read_bytes() == _concat(blobs)
    assert pl.read_parquet(tmp_path / "out.parquet").equals(pl.concat(frames))


def test_appending_a_file_that_is_not_parquet(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.parquet"
    bogus.write_bytes(b"PAR1 but then nothing sensible at all")
    with pytest.raises(ParquetFormatError, match="not a Parquet file"):
        ParquetConcatenator(io.BytesIO()).append_file(bogus)
