"""Delta Lake and Apache Iceberg tables (``output.format``), read back by two readers each.

The tables hold exactly the Parquet output's rows and columns (Delta adds its two partition
columns; Iceberg has no 8- or 16-bit integers), one commit per table and run; a rerun
replaces (or appends), an interrupted or failed run leaves the previous version readable and
complete, and S3 table locations work against moto_server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import polars as pl
import pytest
from deltalake import DeltaTable
from polars.testing import assert_frame_equal
from pyiceberg.catalog import Catalog, load_catalog

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.core import generate_to_parquet
from fraud_detection.simulator.errors import ConfigError
from fraud_detection.simulator.storage.delta import storage_options
from fraud_detection.simulator.storage.location import S3Location
from tests.conftest import REPO, write_yaml
from tests.integration.test_readers import tiny_v3

CATALOGS = ("customers", "merchants", "cards")
ORDER = ("event_time", "transaction_id")


def widened(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` as Iceberg holds it: its integers are 32 and 64 bits, so narrower
    columns (and list elements) read back as Int32."""

    def wide(dtype: pl.DataType) -> pl.DataType:
        if isinstance(dtype, pl.List):
            return pl.List(wide(dtype.inner))  # type: ignore[arg-type]
        return pl.Int32() if dtype in (pl.Int8, pl.Int16) else dtype

    return frame.cast({name: wide(dtype) for name, dtype in frame.schema.items()})


def sorted_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(ORDER)


def iceberg_catalog(out: Path) -> Catalog:
    """The default catalog of a run with out_dir ``out``, as a user opens it."""
    return load_catalog("fraud_simulator", type="sql", uri=f"sqlite:///{out}/iceberg/catalog.db")


def read_delta(out: Path, table: str = "payments", version: int | None = None) -> pl.DataFrame:
    return pl.read_delta(str(out / "delta" / table), version=version)


def read_iceberg(out: Path, table: str = "payments") -> pl.DataFrame:
    return pl.scan_iceberg(iceberg_catalog(out).load_table(f"fraud.{table}")).collect()


@pytest.fixture(scope="module")
def parquet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    """The Parquet output of the config the table tests use: transactions and catalogs."""
    result = generate_to_parquet(config_from_dict(tiny_v3(tmp_path_factory.mktemp("pq"))))
    frames = {"payments": pl.read_parquet(result.path)}
    for name in CATALOGS:
        frames[name] = pl.read_parquet(Path(str(result.catalog_dir)) / f"{name}.parquet")
    return frames


def test_delta_tables_hold_the_parquet_rows(
    tmp_path: Path, parquet: dict[str, pl.DataFrame]
) -> None:
    result = generate_to_parquet(config_from_dict(tiny_v3(tmp_path, output={"format": "delta"})))
    assert result.path == tmp_path / "delta" / "payments" and result.table_version == 0
    expected = sorted_rows(parquet["payments"])
    by_polars = read_delta(tmp_path)
    assert by_polars.columns == [*expected.columns, "year", "month"]
    assert by_polars.schema == pl.Schema({**expected.schema, "year": pl.Int32, "month": pl.Int32})
    # Ties in event_time (the same microsecond) come back in file order: compare sorted.
    assert_frame_equal(sorted_rows(by_polars.drop("year", "month")), expected)
    months = by_polars.select(
        (pl.col("year") == pl.col("event_time").dt.year())
        & (pl.col("month") == pl.col("event_time").dt.month())
    )
    assert months.to_series().all()
    table = DeltaTable(str(tmp_path / "delta" / "payments"))
    assert table.version() == 0 and table.metadata().partition_columns == ["year", "month"]
    by_deltalake = pl.from_arrow(table.to_pyarrow_table())
    assert isinstance(by_deltalake, pl.DataFrame)
    assert_frame_equal(sorted_rows(by_deltalake.select(expected.columns)), expected)
    for name in CATALOGS:
        assert_frame_equal(read_delta(tmp_path, name), parquet[name])


def test_iceberg_tables_hold_the_parquet_rows(
    tmp_path: Path, parquet: dict[str, pl.DataFrame]
) -> None:
    result = generate_to_parquet(config_from_dict(tiny_v3(tmp_path, output={"format": "iceberg"})))
    assert result.path == tmp_path / "iceberg" / "fraud" / "payments"
    expected = sorted_rows(widened(parquet["payments"]))
    table = iceberg_catalog(tmp_path).load_table("fraud.payments")
    assert str(table.spec().fields[0].transform) == "month"
    assert table.current_snapshot().snapshot_id == result.table_version  # type: ignore[union-attr]
    by_pyiceberg = pl.from_arrow(table.scan().to_arrow())
    assert isinstance(by_pyiceberg, pl.DataFrame)
    assert by_pyiceberg.schema == expected.schema
    assert_frame_equal(sorted_rows(by_pyiceberg), expected)
    assert_frame_equal(sorted_rows(read_iceberg(tmp_path)), expected)
    for name in CATALOGS:
        assert_frame_equal(read_iceberg(tmp_path, name), widened(parquet[name]))


@pytest.mark.parametrize("fmt", ["delta", "iceberg"])
def test_a_rerun_replaces_the_rows_and_keeps_the_history(tmp_path: Path, fmt: str) -> None:
    read = read_delta if fmt == "delta" else read_iceberg
    first = generate_to_parquet(config_from_dict(tiny_v3(tmp_path, output={"format": fmt})))
    before = read(tmp_path)
    cfg = config_from_dict(tiny_v3(tmp_path, seed=8, output={"format": fmt}))
    second = generate_to_parquet(cfg)
    after = read(tmp_path)
    assert after.height == before.height == 20_000
    assert set(after["transaction_id"]).isdisjoint(before["transaction_id"])
    if fmt == "delta":
        assert (first.table_version, second.table_version) == (0, 1)
        assert_frame_equal(read_delta(tmp_path, version=0), before)  # time travel
    else:
        table = iceberg_catalog(tmp_path).load_table("fraud.payments")
        old = table.scan(snapshot_id=first.table_version).to_arrow()
        assert old.num_rows == before.height
    for name in CATALOGS:  # the catalogs are the second run's
        assert read(tmp_path, name).height > 0


@pytest.mark.parametrize("fmt", ["delta", "iceberg"])
def test_append_adds_the_runs_rows(tmp_path: Path, fmt: str) -> None:
    read = read_delta if fmt == "delta" else read_iceberg
    generate_to_parquet(config_from_dict(tiny_v3(tmp_path, output={"format": fmt})))
    output = {"format": fmt, "write_mode": "append"}
    generate_to_parquet(config_from_dict(tiny_v3(tmp_path, seed=8, output=output)))
    assert read(tmp_path).height == 40_000
    assert read(tmp_path)["transaction_id"].n_unique() == 40_000
    v2 = tiny_v3(tmp_path, realism="v2", output=output)  # v2 writes 24 columns, not 27
    with pytest.raises(ConfigError, match=r"output.write_mode: append to .*fraud_type"):
        generate_to_parquet(config_from_dict(v2))
    assert read(tmp_path).height == 40_000


@pytest.mark.parametrize("fmt", ["delta", "iceberg"])
def test_a_rerun_of_another_realism_replaces_the_columns(tmp_path: Path, fmt: str) -> None:
    read = read_delta if fmt == "delta" else read_iceberg
    generate_to_parquet(config_from_dict(tiny_v3(tmp_path, output={"format": fmt})))
    generate_to_parquet(config_from_dict(tiny_v3(tmp_path, realism="v2", output={"format": fmt})))
    assert "fraud_type" not in read(tmp_path).columns
    assert "home_device_id" in read(tmp_path, "cards").columns  # v2's card catalog


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*.parquet")} if root.exists() else set()


@pytest.fixture
def run_cli() -> Iterator[Callable[[Path], subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []

    def start(config: Path) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        command = [sys.executable, "-m", "fraud_detection.simulator", "--config", str(config)]
        started.append(
            subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env,
                             start_new_session=True)
        )  # fmt: skip
        return started[-1]

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


@pytest.mark.parametrize("fmt", ["delta", "iceberg"])
def test_an_interrupted_run_keeps_the_previous_version(
    tmp_path: Path, fmt: str, run_cli: Callable[[Path], subprocess.Popen[str]]
) -> None:
    read = read_delta if fmt == "delta" else read_iceberg
    generate_to_parquet(config_from_dict(tiny_v3(tmp_path, output={"format": fmt})))
    before, kept = read(tmp_path), _files(tmp_path)
    big = tiny_v3(tmp_path, realism="v2", total_rows=3_000_000, batch_size=50_000,
                  output={"format": fmt})  # fmt: skip
    proc = run_cli(write_yaml(tmp_path / "big.yaml", big))
    deadline = time.monotonic() + 120
    while not _files(tmp_path) - kept:  # the run's first data files are in the table's folder
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "no data file written"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert_frame_equal(read(tmp_path), before)
    assert _files(tmp_path) - kept == set()  # the interrupted run's files are gone
    assert not (tmp_path / ".staging").exists()


@pytest.fixture
def bucket(aws_env: dict[str, str]) -> str:
    boto3.client("s3").create_bucket(Bucket="lake")
    return "lake"


def _keys(bucket: str, prefix: str) -> set[str]:
    listing = boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix)
    return {o["Key"] for o in listing.get("Contents", [])}


def test_delta_on_s3_commits_and_a_failed_run_leaves_the_previous_version(
    bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = f"s3://{bucket}/synthetic"
    first = generate_to_parquet(config_from_dict(tiny_v3(out, output={"format": "delta"})))
    assert str(first.path) == f"{out}/delta/payments"
    options = storage_options(S3Location.parse(out))
    before = pl.read_delta(f"{out}/delta/payments", storage_options=options)
    assert before.height == 20_000
    by_deltalake = DeltaTable(f"{out}/delta/customers", storage_options=options).to_pyarrow_table()
    assert by_deltalake.num_rows == 2_000
    keys = _keys(bucket, "synthetic/")

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("the commit failed")

    monkeypatch.setattr(DeltaTable, "create_write_transaction", refuse)
    with pytest.raises(OSError, match="the commit failed"):
        generate_to_parquet(config_from_dict(tiny_v3(out, seed=8, output={"format": "delta"})))
    assert_frame_equal(pl.read_delta(f"{out}/delta/payments", storage_options=options), before)
    assert _keys(bucket, "synthetic/") == keys  # its data files and staging were removed


def test_iceberg_on_s3_with_a_local_sql_catalog(bucket: str, tmp_path: Path) -> None:
    out = f"s3://{bucket}/synthetic"
    props = {
        "type": "sql",
        "uri": f"sqlite:///{tmp_path}/catalog.db",
        "warehouse": f"{out}/iceberg",
    }
    output = {"format": "iceberg", "iceberg": {"catalog": props}}
    first = generate_to_parquet(config_from_dict(tiny_v3(out, output=output)))
    second = generate_to_parquet(config_from_dict(tiny_v3(out, seed=8, output=output)))
    assert str(second.path) == f"{out}/iceberg/fraud/payments"
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    catalog = load_catalog(
        "fraud_simulator", **props, **{"s3.endpoint": endpoint, "s3.region": "us-east-1",
        "s3.access-key-id": "testing", "s3.secret-access-key": "testing"},
    )  # fmt: skip
    table = catalog.load_table("fraud.payments")
    assert table.scan().to_arrow().num_rows == 20_000
    assert table.scan(snapshot_id=first.table_version).to_arrow().num_rows == 20_000
    assert pl.scan_iceberg(table).select(pl.len()).collect().item() == 20_000
    assert catalog.load_table("fraud.merchants").scan().to_arrow().num_rows == 300
    assert not _keys(bucket, "synthetic/.staging/")
