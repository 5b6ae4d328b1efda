"""Same rows whatever the engine, layout or worker count; the parts layout and its manifest."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.core import (
    _job,
    config_hash,
    generate_dataframe,
    generate_to_parquet,
)
from fraud_detection.simulator.engines import ChunkTask, local, run_chunk
from fraud_detection.simulator.engines.base import InProcess
from fraud_detection.simulator.engines.local import process_pool
from fraud_detection.simulator.errors import ConfigError
from fraud_detection.simulator.storage.outputs import ChunkResult, InMemory
from tests.conftest import small_config, small_config_dict

ROWS = 24_000
TODAY = date(2025, 7, 10)


def _read_parts(directory: Path) -> pl.DataFrame:
    names = sorted(p.name for p in directory.glob("part-*.parquet"))
    return pl.concat([pl.read_parquet(directory / n) for n in names])


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """The local engine, one worker, single file."""
    out = tmp_path_factory.mktemp("ref")
    return generate_dataframe(small_config(out, total_rows=ROWS, num_workers=1))


@pytest.mark.parametrize("workers", [1, 2])
def test_parts_layout_local_equals_single_file(
    tmp_path: Path, reference: pl.DataFrame, workers: int
) -> None:
    cfg = small_config(tmp_path, total_rows=ROWS, num_workers=workers, output={"layout": "parts"})
    result = generate_to_parquet(cfg, today=TODAY)
    assert isinstance(result.path, Path)
    assert result.path == tmp_path / "payments/year=2025/month=07/payments_24_000_2025-07-10"
    assert _read_parts(result.path).equals(reference)
    assert (result.rows, result.fraud_count) == (ROWS, reference["label_fraud"].sum())
    assert [p.name for p in (tmp_path / "catalog").iterdir()]  # v2 catalogs beside it
    assert not [p for p in tmp_path.rglob("*") if ".tmp" in p.name]


def test_manifest_describes_every_part(tmp_path: Path) -> None:
    cfg = small_config(tmp_path, total_rows=ROWS, num_workers=2, output={"layout": "parts"})
    result = generate_to_parquet(cfg, today=TODAY)
    assert isinstance(result.path, Path)
    assert result.manifest == tmp_path / "manifests/payments_24_000_2025-07-10.json"
    manifest = json.loads(result.manifest.read_text())
    from fraud_detection.simulator import __version__

    assert manifest["package_version"] == __version__
    assert manifest["seed"] == 7 and manifest["run_date"] == "2025-07-10"
    assert manifest["config_sha256"] == config_hash(cfg)
    assert manifest["total_rows"] == ROWS and manifest["fraud_count"] == 240
    assert manifest["dataset"] == "payments/year=2025/month=07/payments_24_000_2025-07-10"
    paths = [p["path"] for p in manifest["parts"]]
    assert paths == [f"part-{i:05d}.parquet" for i in range(len(paths))]
    # The directory holds the parts and nothing else (the manifest sits in manifests/).
    assert sorted(p.name for p in result.path.iterdir()) == paths
    for part in manifest["parts"]:
        data = (result.path / part["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == part["sha256"]
        assert len(data) == part["size_bytes"]
        frame = pl.read_parquet(result.path / part["path"])
        assert (frame.height, frame["label_fraud"].sum()) == (part["rows"], part["fraud_count"])
    assert [c["name"] for c in manifest["columns"]][:2] == ["transaction_id", "event_time"]


def test_a_parts_directory_reads_as_one_dataset(tmp_path: Path, reference: pl.DataFrame) -> None:
    import pyarrow.dataset as ds

    cfg = small_config(tmp_path, total_rows=ROWS, num_workers=2, output={"layout": "parts"})
    path = Path(str(generate_to_parquet(cfg, today=TODAY).path))
    assert pl.scan_parquet(path).collect().equals(reference)
    assert ds.dataset(path, format="parquet").count_rows() == ROWS


def test_event_date_partitions_hold_the_single_files_rows(tmp_path: Path) -> None:
    import pyarrow.dataset as ds

    across_months = {"start_date": "2025-01-20", "end_date": "2025-03-05"}
    parts = {"layout": "parts", "partition_by": "event_date"}
    cfg = small_config(
        tmp_path, total_rows=ROWS, num_workers=2, temporal=across_months, output=parts
    )
    single = generate_dataframe(
        small_config(tmp_path / "ref", total_rows=ROWS, temporal=across_months)
    )
    result = generate_to_parquet(cfg, today=TODAY)
    path = Path(str(result.path))
    assert path == tmp_path / "payments/payments_24_000_2025-07-10"
    files = sorted(p.relative_to(path).as_posix() for p in path.rglob("*.parquet"))
    assert {f.rsplit("/", 1)[0] for f in files} == {
        "year=2025/month=01", "year=2025/month=02", "year=2025/month=03"
    }  # fmt: skip
    # A chunk across a month's end is split: more parts than chunks, every row once, in order.
    assert len(files) > len({f.rsplit("/", 1)[1] for f in files})
    assert pl.concat([pl.read_parquet(path / f) for f in files]).equals(single)
    manifest = json.loads(Path(str(result.manifest)).read_text())
    assert [p["path"] for p in manifest["parts"]] == files
    assert manifest["partition_by"] == "event_date"
    # Readers see the event months as partition columns: year == 2025 finds the rows.
    by_month = pl.scan_parquet(path, hive_partitioning=True).filter(pl.col("year") == 2025)
    assert by_month.select(pl.len()).collect().item() == ROWS
    months = ds.dataset(path, format="parquet", partitioning="hive").to_table(columns=["month"])
    assert sorted(set(months["month"].to_pylist())) == [1, 2, 3]


def test_config_hash_ignores_how_the_rows_are_made(tmp_path: Path) -> None:
    base = small_config(tmp_path)
    assert config_hash(base) == config_hash(small_config(tmp_path / "x", num_workers=3))
    assert config_hash(base) == config_hash(small_config(tmp_path, output={"layout": "parts"}))
    assert config_hash(base) != config_hash(small_config(tmp_path, seed=8))


def test_rerun_replaces_the_parts_directory(tmp_path: Path) -> None:
    cfg = small_config(tmp_path, total_rows=6_000, output={"layout": "parts"})
    first = generate_to_parquet(cfg, today=TODAY)
    (Path(str(first.path)) / "stray.txt").write_text("from an earlier run")
    second = generate_to_parquet(cfg, today=TODAY)
    assert second.path == first.path
    assert not (Path(str(second.path)) / "stray.txt").exists()
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith((".tmp", ".old"))]


@pytest.mark.parametrize("layout", ["single", "parts"])
def test_a_failed_rerun_leaves_the_previous_dataset_as_it_was(tmp_path: Path, layout: str) -> None:
    cfg = small_config(tmp_path, total_rows=6_000, output={"layout": layout})
    generate_to_parquet(cfg, today=TODAY)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    failing = small_config(
        tmp_path, total_rows=6_000, output={"layout": layout}, catalog={"max_size_mb": 0.0001}
    )
    with pytest.raises(ConfigError, match=r"catalog\.max_size_mb"):
        generate_to_parquet(failing, today=TODAY)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_dask_local_cluster_matches_local_engine(tmp_path: Path, reference: pl.DataFrame) -> None:
    single = small_config(tmp_path / "single", total_rows=ROWS, num_workers=2, engine="dask")
    result = generate_to_parquet(single, today=TODAY)
    assert pl.read_parquet(result.path).equals(reference)
    parts = small_config(
        tmp_path / "parts",
        total_rows=ROWS,
        num_workers=2,
        engine="dask",
        output={"layout": "parts"},
    )
    result = generate_to_parquet(parts, today=TODAY)
    assert isinstance(result.path, Path)
    assert _read_parts(result.path).equals(reference)


def test_dask_v1_matches_local_v1(tmp_path: Path) -> None:
    local = generate_dataframe(small_config(tmp_path / "a", total_rows=10_000, realism="v1"))
    dask = generate_dataframe(
        small_config(tmp_path / "b", total_rows=10_000, realism="v1", engine="dask", num_workers=2)
    )
    assert dask.equals(local)


def test_dask_connects_to_an_existing_scheduler(tmp_path: Path, reference: pl.DataFrame) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        cfg = small_config(
            tmp_path,
            total_rows=ROWS,
            engine="dask",
            dask={"scheduler_address": cluster.scheduler_address},
        )
        assert generate_dataframe(cfg).equals(reference)


def test_unreachable_scheduler_is_a_config_error(tmp_path: Path) -> None:
    cfg = small_config(
        tmp_path,
        engine="dask",
        dask={"scheduler_address": "tcp://127.0.0.1:9", "connect_timeout_s": 2},
    )
    with pytest.raises(
        ConfigError, match=r"dask.scheduler_address: cannot connect to tcp://127.0.0.1:9"
    ):
        generate_to_parquet(cfg)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_dask_without_the_extra_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ConfigError, match=r"engine: dask needs the dask extra"):
        config_from_dict(small_config_dict(tmp_path, engine="dask"))


def test_dask_parts_to_s3_match_the_local_engine(
    aws_env: dict[str, str], tmp_path: Path, reference: pl.DataFrame
) -> None:
    import io

    import boto3

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="lake")
    cfg = small_config(
        "s3://lake/synthetic",
        total_rows=ROWS,
        num_workers=2,
        engine="dask",
        output={"layout": "parts"},
    )
    result = generate_to_parquet(cfg, today=TODAY)
    assert (
        str(result.path)
        == "s3://lake/synthetic/payments/year=2025/month=07/payments_24_000_2025-07-10"
    )
    listed = s3.list_objects_v2(Bucket="lake")["Contents"]
    keys = sorted(o["Key"] for o in listed)
    prefix = "synthetic/payments/year=2025/month=07/payments_24_000_2025-07-10/"
    parts = [k for k in keys if k.startswith(prefix + "part-")]
    manifest_key = "synthetic/manifests/payments_24_000_2025-07-10.json"
    assert manifest_key in keys and len(parts) == len(result.parts)
    assert not [k for k in keys if "/.staging/" in k or k.endswith(".tmp")]
    assert {f"synthetic/catalog/{n}.parquet" for n in ("customers", "merchants", "cards")} <= set(
        keys
    )
    frames = [
        pl.read_parquet(io.BytesIO(s3.get_object(Bucket="lake", Key=k)["Body"].read()))
        for k in parts
    ]
    assert pl.concat(frames).equals(reference)
    manifest = json.loads(s3.get_object(Bucket="lake", Key=manifest_key)["Body"].read())
    assert manifest["total_rows"] == ROWS
    assert [prefix + p["path"] for p in manifest["parts"]] == parts
    assert not list(tmp_path.rglob("*.parquet"))  # nothing written locally


def test_failed_s3_run_leaves_no_parts(aws_env: dict[str, str], tmp_path: Path) -> None:
    import boto3

    from fraud_detection.simulator.errors import S3UploadError

    cfg = small_config(
        "s3://no-such-bucket/x",
        total_rows=ROWS,
        output={"layout": "parts"},
    )
    with pytest.raises(S3UploadError, match="no-such-bucket"):
        generate_to_parquet(cfg, today=TODAY)
    assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == []


def test_the_driver_makes_chunks_only_while_no_worker_has_booted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made_here: list[int] = []

    def run_here(task: ChunkTask) -> ChunkResult:
        made_here.append(task.chunk.index)
        return run_chunk(task)

    monkeypatch.setattr(local, "run_chunk", run_here)  # this process's calls only
    with _job(small_config(tmp_path, total_rows=ROWS, num_workers=2)) as job:
        tasks = [ChunkTask(chunk, job.run, InMemory()) for chunk in job.plan]
        expected = [r.table for r in InProcess().map(tasks)]
        made_here.clear()
        with process_pool(2) as pool:
            assert isinstance(pool, local.WorkerPool)
            assert not any(w.ready for w in pool.workers)  # spawned a moment ago
            first = pool.submit(tasks[0]).result()
            assert made_here == [0]  # no worker had booted: the driver made it
            while not all(w.ready for w in pool.workers):
                pool._pump(0.1)
            rest = list(pool.map(tasks[1:]))
            assert made_here == [0]  # the booted workers made every other chunk
    assert [r.table for r in [first, *rest]] == expected
