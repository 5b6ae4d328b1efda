"""Delivery to S3, end to end against a real S3 + SSM HTTP endpoint (moto_server)."""

from __future__ import annotations

import logging
import math
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pyarrow.parquet as pq
import pytest

from fraud_detection.simulator.cli import EXIT_OK, EXIT_S3, main
from fraud_detection.simulator.config import S3Config, S3Location, config_from_dict
from fraud_detection.simulator.errors import S3UploadError
from fraud_detection.simulator.result import GenerationResult
from fraud_detection.simulator.storage.delivery import upload_outputs
from fraud_detection.simulator.storage.s3 import (
    delete_keys,
    get_bytes,
    get_param,
    put_bytes,
    upload_file,
)
from tests.conftest import small_config_dict, write_yaml

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_ssm import SSMClient

RAW, ARTIFACTS = "fraud-raw", "fraud-artifacts"
RAW_PARAM, ARTIFACTS_PARAM = "/fraud/raw_bucket_name", "/fraud/artifacts_bucket_name"
MIB = 1024 * 1024
TRANSACTIONS_KEY = re.compile(
    r"payments/year=\d{4}/month=\d{2}/payments_2_000_\d{4}-\d{2}-\d{2}\.parquet"
)


@pytest.fixture
def s3(aws_env: dict[str, str]) -> S3Client:
    return boto3.client("s3")


@pytest.fixture
def ssm(aws_env: dict[str, str]) -> SSMClient:
    return boto3.client("ssm")


@pytest.fixture
def buckets(s3: S3Client, ssm: SSMClient) -> None:
    """Both buckets, and the spec's parameters naming them (one of them encrypted)."""
    for bucket in (RAW, ARTIFACTS):
        s3.create_bucket(Bucket=bucket)
    ssm.put_parameter(Name=RAW_PARAM, Value=RAW, Type="String")
    ssm.put_parameter(Name=ARTIFACTS_PARAM, Value=ARTIFACTS, Type="SecureString")


def write_config(tmp_path: Path, **overrides: Any) -> Path:
    """Write a small config (2,000 rows, one worker, one chunk); return its path."""
    small = {
        "total_rows": 2000,
        "batch_size": 100_000,
        "catalog": {"num_customers": 200, "num_merchants": 50, "num_cards": 300},
    }
    data = small_config_dict(tmp_path / "out", **{**small, **overrides})
    return write_yaml(tmp_path / "generator_config.yaml", data)


def objects(s3: S3Client, bucket: str) -> dict[str, bytes]:
    """Return every object in ``bucket``: key -> content."""
    listing = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listing}


def local_outputs(tmp_path: Path) -> dict[str, bytes]:
    """Return every Parquet file the run wrote: path relative to out_dir -> content."""
    out = tmp_path / "out"
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.parquet"))}


def transactions_file(tmp_path: Path) -> Path:
    (path,) = (tmp_path / "out" / "payments").rglob("*.parquet")
    return path


# --- the CLI end to end ------------------------------------------------------------------------


@pytest.mark.usefixtures("buckets")
def test_s3_flag_uploads_transactions_and_catalogs_byte_identical(
    tmp_path: Path, s3: S3Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    assert main(["--config", str(write_config(tmp_path)), "--s3"]) == EXIT_OK

    local = local_outputs(tmp_path)
    raw, artifacts = objects(s3, RAW), objects(s3, ARTIFACTS)
    (key,) = raw
    assert TRANSACTIONS_KEY.fullmatch(key)
    assert raw[key] == local[key]  # the key mirrors the local partition path
    assert sorted(artifacts) == [
        "catalogues/cards.parquet",
        "catalogues/customers.parquet",
        "catalogues/merchants.parquet",
    ]
    for name, content in artifacts.items():
        assert content == local[name.replace("catalogues/", "catalog/")], name
    uploaded = [f"s3://{RAW}/{key}"] + [f"s3://{ARTIFACTS}/{name}" for name in artifacts]
    for url in uploaded:
        assert f"Uploading to S3: {url}" in caplog.text
        assert f"Upload complete: {url}" in caplog.text


@pytest.mark.usefixtures("buckets")
def test_config_flag_uploads_from_a_subprocess_and_v1_uploads_no_catalogs(
    tmp_path: Path, s3: S3Client, aws_env: dict[str, str]
) -> None:
    config = write_config(tmp_path, realism="v1", s3_upload=True)

    run = subprocess.run(
        [sys.executable, "-m", "fraud_detection.simulator", "--config", str(config)],
        env=aws_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == EXIT_OK, run.stderr
    (key,) = objects(s3, RAW)
    assert TRANSACTIONS_KEY.fullmatch(key)
    assert objects(s3, RAW)[key] == (tmp_path / "out" / key).read_bytes()
    assert objects(s3, ARTIFACTS) == {}
    assert f"Upload complete: s3://{RAW}/{key}" in run.stderr


@pytest.mark.usefixtures("buckets")
def test_without_a_flag_nothing_is_uploaded(tmp_path: Path, s3: S3Client) -> None:
    assert main(["--config", str(write_config(tmp_path))]) == EXIT_OK

    assert objects(s3, RAW) == {} == objects(s3, ARTIFACTS)
    assert local_outputs(tmp_path)


def test_prefix_and_parameter_names_come_from_config(
    tmp_path: Path, s3: S3Client, ssm: SSMClient
) -> None:
    s3.create_bucket(Bucket="team-bucket")
    ssm.put_parameter(Name="/team/raw", Value="team-bucket", Type="String")
    ssm.put_parameter(Name="/team/artifacts", Value="team-bucket", Type="String")
    settings = {
        "prefix": "/synthetic/run-1/",
        "raw_bucket_param": "/team/raw",
        "artifacts_bucket_param": "/team/artifacts",
    }

    assert main(["--config", str(write_config(tmp_path, s3=settings)), "--s3"]) == EXIT_OK

    keys = sorted(objects(s3, "team-bucket"))
    assert [k.split("/", 2)[:2] for k in keys] == [["synthetic", "run-1"]] * 4
    assert [k.split("/", 2)[2] for k in keys[:3]] == [
        "catalogues/cards.parquet",
        "catalogues/customers.parquet",
        "catalogues/merchants.parquet",
    ]
    assert TRANSACTIONS_KEY.fullmatch(keys[3].split("/", 2)[2])


@pytest.mark.usefixtures("buckets")
@pytest.mark.parametrize("missing", [RAW_PARAM, ARTIFACTS_PARAM])
def test_missing_parameter_exits_2_naming_it_and_uploads_nothing(
    missing: str,
    tmp_path: Path,
    s3: S3Client,
    ssm: SSMClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ssm.delete_parameter(Name=missing)

    assert main(["--config", str(write_config(tmp_path)), "--s3"]) == EXIT_S3

    assert f"S3 upload failed: SSM parameter {missing} not found" in caplog.text
    assert objects(s3, RAW) == {} == objects(s3, ARTIFACTS)
    assert len(local_outputs(tmp_path)) == 4  # transactions and three catalogs, kept


def test_missing_bucket_exits_2_naming_bucket_and_key_and_keeps_the_local_file(
    tmp_path: Path, ssm: SSMClient, caplog: pytest.LogCaptureFixture
) -> None:
    ssm.put_parameter(Name=RAW_PARAM, Value="no-such-bucket", Type="String")
    config = write_config(tmp_path, realism="v1")

    assert main(["--config", str(config), "--s3"]) == EXIT_S3

    path = transactions_file(tmp_path)
    key = path.relative_to(tmp_path / "out").as_posix()
    (line,) = [r.getMessage() for r in caplog.records if "S3 upload failed" in r.getMessage()]
    assert f"s3://no-such-bucket/{key}" in line
    assert "NoSuchBucket" in line
    assert pq.read_metadata(path).num_rows == 2000


@pytest.mark.usefixtures("buckets")
def test_unreachable_s3_endpoint_exits_2(
    tmp_path: Path,
    closed_port_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The per-service variable wins over AWS_ENDPOINT_URL: SSM still answers, S3 does not.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", closed_port_url)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")

    config = write_config(tmp_path, realism="v1", s3={"file_attempts": 1})
    assert main(["--config", str(config), "--s3"]) == EXIT_S3

    assert f"s3://{RAW}/payments/year=" in caplog.text
    assert "EndpointConnectionError" in caplog.text
    assert pq.read_metadata(transactions_file(tmp_path)).num_rows == 2000


@pytest.mark.usefixtures("buckets")
def test_output_above_the_threshold_uploads_as_multipart(
    tmp_path: Path, s3: S3Client, caplog: pytest.LogCaptureFixture
) -> None:
    settings = {"multipart_threshold_mb": 5, "multipart_chunksize_mb": 5}
    config = write_config(tmp_path, realism="v1", total_rows=100_000, s3=settings)

    assert main(["--config", str(config), "--s3"]) == EXIT_OK

    path = transactions_file(tmp_path)
    key = path.relative_to(tmp_path / "out").as_posix()
    size = path.stat().st_size
    assert size > 10 * MIB  # at least three parts
    head = s3.head_object(Bucket=RAW, Key=key)
    assert head["ETag"].strip('"').endswith(f"-{math.ceil(size / (5 * MIB))}")
    assert head["ContentLength"] == size
    assert objects(s3, RAW)[key] == path.read_bytes()
    assert f"Upload complete: s3://{RAW}/{key}" in caplog.text


@pytest.mark.usefixtures("buckets")
def test_a_parts_directory_uploads_file_by_file_with_the_manifest_last(
    tmp_path: Path, s3: S3Client
) -> None:
    parts = tmp_path / "out" / "payments_4_000_2025-07-10"
    parts.mkdir(parents=True)
    files = {"part-00001.parquet": b"1", "_manifest.json": b"{}", "part-00000.parquet": b"0"}
    for name, data in {**files, ".part-00002.parquet.1a2b.tmp": b"partial"}.items():
        (parts / name).write_bytes(data)
    result = GenerationResult(parts, 4000, 40, None, 1.0, date(2025, 7, 10))
    cfg = config_from_dict({"out_dir": str(tmp_path / "out"), "s3": {"prefix": "team"}})

    urls = upload_outputs(cfg, result)

    base = "team/payments/year=2025/month=07/payments_4_000_2025-07-10"
    names = ["part-00000.parquet", "part-00001.parquet", "_manifest.json"]
    assert urls == [f"s3://{RAW}/{base}/{name}" for name in names]
    assert objects(s3, RAW) == {f"{base}/{name}": files[name] for name in names}


@pytest.mark.usefixtures("aws_env")
def test_outputs_already_on_s3_are_left_alone(tmp_path: Path) -> None:
    # No bucket and no parameter exist: reading either would fail the test.
    on_s3 = S3Location("lake", "payments/year=2025/month=07/payments_4_000_2025-07-10")
    result = GenerationResult(on_s3, 4000, 40, S3Location("lake", "catalog"), 1.0, date.today())
    cfg = config_from_dict({"out_dir": str(tmp_path)})

    assert upload_outputs(cfg, result) == []


# --- the helpers, directly ----------------------------------------------------------------------

SMALL_PARTS = S3Config(multipart_threshold_mb=5, multipart_chunksize_mb=5)


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(12 * MIB))
    return path


@pytest.mark.usefixtures("buckets")
def test_upload_file_sends_a_large_file_in_parts(big_file: Path, s3: S3Client) -> None:
    upload_file(big_file, RAW, "dir/big.bin", SMALL_PARTS)

    head = s3.head_object(Bucket=RAW, Key="dir/big.bin")
    assert head["ETag"].strip('"').endswith("-3")
    assert head["ContentLength"] == 12 * MIB
    assert objects(s3, RAW)["dir/big.bin"] == big_file.read_bytes()


@pytest.mark.usefixtures("buckets")
def test_failed_multipart_upload_is_aborted_leaving_nothing(big_file: Path, s3: S3Client) -> None:
    sent: list[int] = []

    def fail_after_first_part(n: int) -> None:
        sent.append(n)
        if sum(sent) > 5 * MIB:
            raise RuntimeError("interrupted mid-upload")

    with pytest.raises(RuntimeError, match="interrupted"):
        upload_file(big_file, RAW, "dir/big.bin", SMALL_PARTS, progress=fail_after_first_part)

    assert sum(sent) > 5 * MIB  # the multipart upload had started
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=RAW)
    assert objects(s3, RAW) == {}


@pytest.mark.usefixtures("buckets")
def test_file_changed_during_upload_fails_and_deletes_the_object(
    tmp_path: Path, s3: S3Client
) -> None:
    path = tmp_path / "growing.bin"
    path.write_bytes(b"x" * 1000)

    def append(_: int) -> None:
        with path.open("ab") as f:
            f.write(b"y")

    with pytest.raises(S3UploadError, match=rf"s3://{RAW}/growing.bin: has 1,000 bytes"):
        upload_file(path, RAW, "growing.bin", S3Config(), progress=append)

    assert objects(s3, RAW) == {}


@pytest.mark.usefixtures("buckets")
def test_put_bytes_round_trip_and_missing_bucket(
    s3: S3Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    put_bytes(b"part-0", RAW, "parts/part-00000.parquet")

    assert objects(s3, RAW) == {"parts/part-00000.parquet": b"part-0"}
    assert f"Upload complete: s3://{RAW}/parts/part-00000.parquet" in caplog.text
    with pytest.raises(S3UploadError, match=r"s3://nope/k: NoSuchBucket"):
        put_bytes(b"x", "nope", "k")


@pytest.mark.usefixtures("buckets")
def test_get_param_decrypts_secure_strings() -> None:
    assert get_param(ARTIFACTS_PARAM) == ARTIFACTS
    with pytest.raises(S3UploadError, match="SSM parameter /nope not found"):
        get_param("/nope")


@pytest.mark.usefixtures("buckets")
def test_get_bytes_reads_back_and_names_a_missing_key(s3: S3Client) -> None:
    s3.put_object(Bucket=RAW, Key="catalog/cards.parquet", Body=b"cards")

    assert get_bytes(RAW, "catalog/cards.parquet") == b"cards"
    with pytest.raises(S3UploadError, match=rf"cannot read s3://{RAW}/absent: NoSuchKey"):
        get_bytes(RAW, "absent")


@pytest.mark.usefixtures("buckets")
def test_delete_keys_removes_existing_keys_and_ignores_missing_ones(s3: S3Client) -> None:
    for key in ("parts/a", "parts/b", "keep"):
        s3.put_object(Bucket=RAW, Key=key, Body=b"x")

    assert delete_keys(RAW, ["parts/a", "parts/b", "parts/never-written"]) == []
    assert list(objects(s3, RAW)) == ["keep"]


@pytest.mark.usefixtures("aws_env")
def test_delete_keys_reports_what_it_could_not_delete(caplog: pytest.LogCaptureFixture) -> None:
    assert delete_keys("no-such-bucket", ["a", "b"]) == ["a", "b"]
    assert "Could not delete from s3://no-such-bucket: NoSuchBucket" in caplog.text
