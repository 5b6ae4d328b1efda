"""The benchmark's floor writes exactly the generator's schema (else the ratio means nothing)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from bench.floor import floor_table, write_floor
from fraud_detection.simulator.schema import arrow_schema, polars_schema


def test_floor_table_has_the_output_schema(tmp_path: Path) -> None:
    table = floor_table(np.random.default_rng(0), 1_000)
    assert table.schema == arrow_schema() and table.num_rows == 1_000
    write_floor(tmp_path / "f.parquet", 2_500, batch_size=1_000)
    frame = pl.read_parquet(tmp_path / "f.parquet")
    assert frame.schema == polars_schema() and frame.height == 2_500
