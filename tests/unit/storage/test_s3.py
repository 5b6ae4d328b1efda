"""s3.py without a server: keys, transfer settings, and clients built from the AWS settings."""

from __future__ import annotations

import os
import socket

import pytest

from fraud_detection.simulator.config import S3Config
from fraud_detection.simulator.errors import S3UploadError
from fraud_detection.simulator.storage.s3 import (
    DEFAULT_MAX_ATTEMPTS,
    MIB,
    get_param,
    object_key,
    s3_client,
    s3_url,
    ssm_client,
    transfer_config,
)


@pytest.fixture(autouse=True)
def clean_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: no caller AWS_* variables, no ~/.aws files."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.mark.parametrize(
    ("prefix", "parts", "key"),
    [
        ("", ("payments/year=2025/month=01", "p.parquet"), "payments/year=2025/month=01/p.parquet"),
        ("team", ("catalogues", "cards.parquet"), "team/catalogues/cards.parquet"),
        ("/team//runs/", ("/catalogues/", "cards.parquet"), "team/runs/catalogues/cards.parquet"),
    ],
)
def test_object_key_joins_without_stray_slashes(
    prefix: str, parts: tuple[str, ...], key: str
) -> None:
    assert object_key(prefix, *parts) == key


def test_s3_url() -> None:
    assert s3_url("bucket", "a/b.parquet") == "s3://bucket/a/b.parquet"


def test_transfer_config_takes_sizes_from_settings_in_mib() -> None:
    config = transfer_config(S3Config(multipart_threshold_mb=0.5, multipart_chunksize_mb=16))

    assert config.multipart_threshold == MIB // 2
    assert config.multipart_chunksize == 16 * MIB


def test_defaults_are_the_spec_parameters_and_8_mib_parts() -> None:
    settings = S3Config()
    config = transfer_config(settings)

    assert (settings.raw_bucket_param, settings.artifacts_bucket_param) == (
        "/fraud/raw_bucket_name",
        "/fraud/artifacts_bucket_name",
    )
    assert config.multipart_threshold == config.multipart_chunksize == 8 * MIB


def test_clients_use_aws_endpoint_url_and_default_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    for client in (s3_client(), ssm_client()):
        assert client.meta.endpoint_url == "http://127.0.0.1:4566"
        assert client.meta.region_name == "eu-west-1"


def test_per_service_endpoint_overrides_the_general_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    assert s3_client().meta.endpoint_url == "http://127.0.0.1:9000"
    assert ssm_client().meta.endpoint_url == "http://127.0.0.1:4566"


def test_aws_region_wins_over_aws_default_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    assert ssm_client().meta.region_name == "ap-southeast-2"


def test_without_an_endpoint_the_client_talks_to_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")

    assert s3_client().meta.endpoint_url == "https://s3.eu-central-1.amazonaws.com"


def test_retries_are_standard_mode_with_attempts_from_aws_max_attempts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")  # the spec asks for standard: ours wins

    assert s3_client().meta.config.retries == {
        "mode": "standard",
        "total_max_attempts": DEFAULT_MAX_ATTEMPTS,
    }
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    assert ssm_client().meta.config.retries == {"mode": "standard", "total_max_attempts": 2}


def test_missing_region_or_bad_endpoint_is_an_upload_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(S3UploadError, match="SSM client: NoRegionError"):
        ssm_client()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "not a url")
    with pytest.raises(S3UploadError, match="S3 client: ValueError: Invalid endpoint"):
        s3_client()


def test_unreachable_parameter_store_names_the_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    with pytest.raises(
        S3UploadError, match="cannot read SSM parameter /fraud/raw_bucket_name: EndpointConn"
    ):
        get_param("/fraud/raw_bucket_name")
