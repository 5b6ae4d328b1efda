"""What users read the data with reads it as written, with no settings (issue 20).

Spark (local mode, one session for the module), DuckDB, pandas and Polars read the default
single file, a parts directory, an ``event_date`` directory and the catalogs of one small v3
run; every timestamp they see equals what ``generate_dataframe`` returns, to the microsecond.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.core import generate_dataframe, generate_to_parquet
from fraud_detection.simulator.storage.timestamps import cast_time_unit
from tests.conftest import merged, small_config_dict

TIMES = ("event_time", "reported_time")


def tiny_v3(out_dir: Path | str, **overrides: Any) -> dict[str, Any]:
    """Return a v3 config of 20,000 rows over three weeks that span a month's end."""
    data = small_config_dict(
        out_dir,
        realism="v3",
        total_rows=20_000,
        batch_size=5_000,
        num_workers=1,  # in this process: the tests read what is written, not how
        catalog={"num_customers": 2_000, "num_merchants": 300, "num_cards": 3_000},
        temporal={"start_date": "2025-01-20", "end_date": "2025-02-09"},
    )
    return merged(data, overrides)


@dataclass(frozen=True)
class Written:
    expected: pl.DataFrame  # what generate_dataframe returns
    single: Path
    parts: Path
    by_month: Path
    catalog: Path


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    root = tmp_path_factory.mktemp("readers")
    expected = generate_dataframe(config_from_dict(tiny_v3(root / "api")))
    single = generate_to_parquet(config_from_dict(tiny_v3(root / "single")))
    parts = generate_to_parquet(
        config_from_dict(tiny_v3(root / "parts", output={"layout": "parts"}))
    )
    by_month = generate_to_parquet(
        config_from_dict(
            tiny_v3(root / "month", output={"layout": "parts", "partition_by": "event_date"})
        )
    )
    assert single.catalog_dir is not None
    paths = (single.path, parts.path, by_month.path, single.catalog_dir)
    assert all(isinstance(p, Path) for p in paths)
    return Written(expected, *(Path(str(p)) for p in paths))


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local Spark session for the module, with no Parquet setting of ours."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("fraud-simulator-readers")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def micros(frame: pl.DataFrame, columns: tuple[str, ...] = TIMES) -> pl.DataFrame:
    """Return ``transaction_id`` and ``columns`` as microseconds since the epoch, sorted."""
    return frame.select(
        "transaction_id", *(pl.col(c).dt.epoch("us").alias(c) for c in columns)
    ).sort("transaction_id")


def spark_micros(df: Any, columns: tuple[str, ...] = TIMES) -> pl.DataFrame:
    selected = df.selectExpr(
        "transaction_id", *(f"unix_micros({c}) AS {c}" for c in columns)
    ).collect()
    schema = {"transaction_id": pl.String, **dict.fromkeys(columns, pl.Int64)}
    return pl.DataFrame([r.asDict() for r in selected], schema=schema, orient="row").sort(
        "transaction_id"
    )


def test_the_python_api_returns_microseconds_utc(written: Written) -> None:
    for column in TIMES:
        assert written.expected.schema[column] == pl.Datetime("us", "UTC")
    assert_frame_equal(pl.read_parquet(written.single), written.expected)


@pytest.mark.parametrize("layout", ["single", "parts", "by_month"])
def test_spark_reads_every_layout_with_the_generators_timestamps(
    spark: Any, written: Written, layout: str
) -> None:
    df = spark.read.parquet(str(getattr(written, layout)))
    types = dict(df.dtypes)
    assert types["event_time"] == types["reported_time"] == "timestamp"
    assert df.count() == written.expected.height
    assert_frame_equal(spark_micros(df), micros(written.expected))
    if layout == "single":  # the payments folder as a whole: year, month are the run date's
        whole = spark.read.parquet(str(written.single.parents[2]))
        assert whole.columns == [*written.expected.columns, "year", "month"]
        assert_frame_equal(spark_micros(whole), micros(written.expected))
    if layout == "by_month":  # Spark finds the partition columns in the folder names
        months = df.selectExpr("year", "month", "month(event_time) AS m").distinct().collect()
        assert {(r.year, r.month) for r in months} == {(2025, 1), (2025, 2)}
        assert all(r.month == r.m for r in months)  # month(): session time zone, here UTC


def test_spark_reads_the_catalogs_timestamps_and_lists(spark: Any, written: Written) -> None:
    for name, columns in {
        "customers": ("new_device_at",),
        "merchants": ("compromise_start", "compromise_end", "rogue_start", "rogue_end"),
    }.items():
        expected = pl.read_parquet(written.catalog / f"{name}.parquet")
        key = f"{name[:-1]}_id"
        df = spark.read.parquet(str(written.catalog / f"{name}.parquet"))
        got = df.selectExpr(key, *(f"unix_micros({c}) AS {c}" for c in columns)).collect()
        frame = pl.DataFrame(
            [r.asDict() for r in got],
            schema={key: pl.Int64, **dict.fromkeys(columns, pl.Int64)},
            orient="row",
        ).sort(key)
        want = expected.select(key, *(pl.col(c).dt.epoch("us") for c in columns)).sort(key)
        assert_frame_equal(frame, want)
    customers = pl.read_parquet(written.catalog / "customers.parquet")
    travel = spark.read.parquet(str(written.catalog / "customers.parquet")).selectExpr(
        "customer_id", "transform(travel_starts, t -> unix_micros(t)) AS starts"
    )
    got = {r.customer_id: list(r.starts) for r in travel.collect()}
    want = customers.select(
        "customer_id", pl.col("travel_starts").list.eval(pl.element().dt.epoch("us"))
    )
    assert got == dict(want.iter_rows())
    assert sum(len(v) for v in got.values()) > 0
    cards = spark.read.parquet(str(written.catalog / "cards.parquet"))
    assert cards.count() == pl.read_parquet(written.catalog / "cards.parquet").height


def test_duckdb_subtracts_timestamps(written: Written) -> None:
    rows = duckdb.sql(
        f"SELECT transaction_id, reported_time - event_time AS delay"
        f" FROM read_parquet('{written.single}') WHERE reported_time IS NOT NULL"
    ).fetchall()
    assert rows and all(isinstance(delay, dt.timedelta) for _, delay in rows)
    want = written.expected.filter(pl.col("reported_time").is_not_null()).select(
        "transaction_id", delay=pl.col("reported_time") - pl.col("event_time")
    )
    assert dict(rows) == dict(want.iter_rows())
    (hive,) = duckdb.sql(
        f"SELECT count(*), min(event_time) FROM read_parquet('{written.by_month}/*/*/*.parquet',"
        " hive_partitioning = true)"
    ).fetchall()
    assert hive[0] == written.expected.height
    first = written.expected["event_time"].min()
    assert isinstance(first, dt.datetime)
    assert hive[1] == first


def test_pandas_reads_microseconds_utc(written: Written) -> None:
    df = pd.read_parquet(written.single)
    assert str(df["event_time"].dtype) == "datetime64[us, UTC]"
    assert len(df) == written.expected.height
    assert_frame_equal(pl.from_pandas(df[list(TIMES)]), written.expected.select(TIMES))


def test_polars_reads_every_layout(written: Written) -> None:
    for path in (written.single, written.parts):
        assert_frame_equal(pl.read_parquet(path), written.expected)
    by_month = pl.scan_parquet(written.by_month, hive_partitioning=True).collect()
    assert_frame_equal(by_month.drop("year", "month"), written.expected)


def test_nanoseconds_on_request_are_the_same_instants(written: Written, tmp_path: Path) -> None:
    result = generate_to_parquet(
        config_from_dict(tiny_v3(tmp_path, output={"timestamp_unit": "ns"}))
    )
    frame = pl.read_parquet(Path(str(result.path)))
    assert frame.schema["event_time"] == pl.Datetime("ns", "UTC")
    assert_frame_equal(cast_time_unit(frame, "us"), written.expected)
    customers = pl.read_parquet(Path(str(result.catalog_dir)) / "customers.parquet")
    assert customers.schema["travel_starts"] == pl.List(pl.Datetime("ns", "UTC"))
    published = pl.read_parquet(written.catalog / "customers.parquet")
    assert published.schema["travel_starts"] == pl.List(pl.Datetime("us", "UTC"))
    assert_frame_equal(cast_time_unit(customers, "us"), published)
