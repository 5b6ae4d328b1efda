"""S3 under failure, against moto_server: reruns that fail never destroy the committed
dataset, short endpoint outages are ridden out, and what cannot be cleaned up is named.

An outage is made by a TCP proxy in front of moto_server that drops every connection and
refuses new ones for a while (moto keeps its state, as S3 would).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest

from fraud_detection.simulator.config import S3Config
from fraud_detection.simulator.core import generate_to_parquet
from fraud_detection.simulator.errors import S3UploadError
from fraud_detection.simulator.storage import s3 as s3_module
from fraud_detection.simulator.storage.datasets import replace_on_s3
from fraud_detection.simulator.storage.location import S3Location
from fraud_detection.simulator.storage.s3 import put_bytes, upload_file
from tests.conftest import REPO, small_config, small_config_dict, write_yaml

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MIB = 1024 * 1024
TODAY = date(2025, 7, 10)


class OutageProxy:
    """A TCP proxy to ``target`` whose ``outage(seconds)`` cuts every connection and refuses
    new ones for that long (``seconds=None``: for good); ``refuse(n)`` cuts every connection
    and resets the next ``n`` new ones, however late they come, then serves again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.to_refuse = 0
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._listen()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _listen(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        with self._lock:
            self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                refused, self.to_refuse = self.to_refuse > 0, max(self.to_refuse - 1, 0)
            if refused:  # a reset, not a close: the client sees a connection error at once
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # the outage began meanwhile
                    client.close()
                    upstream.close()
                    continue
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.close()

    def refuse(self, connections: int) -> None:
        """Cut every connection and reset the next ``connections`` new ones."""
        with self._lock:
            self.to_refuse = connections
            self._cut()

    def _cut(self) -> None:
        for sock in self._conns:
            try:  # shutdown, not just close: it wakes the thread blocked reading it
                sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            except OSError:
                pass
        self._conns.clear()

    def outage(self, seconds: float | None) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
        assert listener is not None
        with contextlib.suppress(OSError):  # shutdown wakes the thread blocked in accept()
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        with self._lock:
            self._cut()
        if seconds is not None:
            threading.Timer(seconds, self._listen).start()


@pytest.fixture
def proxy(
    aws_env: dict[str, str], moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OutageProxy]:
    host, port = moto_server.removeprefix("http://").split(":")
    proxy = OutageProxy((host, int(port)))
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.url)
    yield proxy
    if proxy._listener is not None:
        proxy.outage(None)


@pytest.fixture
def s3(aws_env: dict[str, str]) -> S3Client:
    client = boto3.client("s3", endpoint_url=aws_env["AWS_ENDPOINT_URL"])
    client.create_bucket(Bucket="lake")
    return client


def _keys(s3: S3Client) -> dict[str, bytes]:
    listing = s3.list_objects_v2(Bucket="lake").get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket="lake", Key=o["Key"])["Body"].read() for o in listing}


def test_a_short_outage_mid_upload_is_ridden_out(
    proxy: OutageProxy, s3: S3Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(30 * MIB))
    sent: list[int] = []

    def cut_once(n: int) -> None:
        sent.append(n)
        if len(sent) == 40:  # a few MB into the upload
            proxy.outage(0.3)

    start = time.monotonic()
    upload_file(
        path,
        "lake",
        "big.bin",
        S3Config(multipart_threshold_mb=5, multipart_chunksize_mb=5),
        progress=cut_once,
    )
    seconds = time.monotonic() - start
    assert len(sent) > 40
    assert _keys(s3)["big.bin"] == path.read_bytes()
    assert "Upload complete: s3://lake/big.bin" in caplog.text
    assert seconds < 60


def test_a_put_that_outlasts_its_request_retries_is_sent_again(
    proxy: OutageProxy,
    s3: S3Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # no request-level retry: the file's retry must do
    monkeypatch.setattr(s3_module, "FILE_RETRY_WAITS_S", (1.0,))
    # The outage lasts until the PUT's one request has been refused, however long the client
    # takes to get there (a timed outage could end before it, under load).
    proxy.refuse(1)
    put_bytes(b"part", "lake", "k")
    assert proxy.to_refuse == 0
    assert _keys(s3) == {"k": b"part"}
    assert "trying again in 1 s" in caplog.text


def test_an_upload_that_cannot_be_aborted_is_named(
    proxy: OutageProxy,
    s3: S3Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(12 * MIB))
    sent: list[int] = []

    def endpoint_gone(n: int) -> None:
        sent.append(n)
        if len(sent) == 10:
            proxy.outage(None)

    settings = S3Config(multipart_threshold_mb=5, multipart_chunksize_mb=5, file_attempts=1)
    with pytest.raises(S3UploadError, match=r"s3://lake/big\.bin"):
        upload_file(path, "lake", "big.bin", settings, progress=endpoint_gone)
    (upload,) = s3.list_multipart_uploads(Bucket="lake")["Uploads"]  # moto, not the proxy
    assert (
        f"Multipart upload {upload['UploadId']} of s3://lake/big.bin could not be aborted"
        in caplog.text
    )
    assert f"--upload-id {upload['UploadId']}" in caplog.text


def _parts_config(**overrides: object) -> dict[str, object]:
    return small_config_dict(
        "s3://lake/synthetic",
        total_rows=200_000,
        batch_size=10_000,
        output={"layout": "parts"},
        **overrides,
    )


def test_an_interrupted_rerun_keeps_the_previous_dataset(
    s3: S3Client, aws_env: dict[str, str], tmp_path: Path
) -> None:
    config = write_yaml(tmp_path / "c.yaml", _parts_config(num_workers=1))
    env = {**aws_env, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "fraud_detection.simulator", "--config", str(config)]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = _keys(s3)
    manifest_key = next(k for k in before if k.startswith("synthetic/manifests/"))
    assert {k.rsplit("/", 1)[1] for k in before if "/catalog/" in k} == {
        "customers.parquet", "merchants.parquet", "cards.parquet"
    }  # fmt: skip

    rerun = subprocess.Popen(
        command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while len([k for k in _keys(s3) if k not in before and "/part-" in k]) < 3:
        assert rerun.poll() is None and time.monotonic() < deadline, "the rerun wrote no part"
        time.sleep(0.1)
    os.killpg(rerun.pid, signal.SIGINT)
    _, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 130, stderr
    assert _keys(s3) == before  # every object of the committed dataset, byte for byte; no other
    parts = json.loads(before[manifest_key])["parts"]
    assert len([k for k in before if "/part-" in k]) == len(parts)


def test_a_rerun_replaces_the_dataset_only_once_complete(s3: S3Client, tmp_path: Path) -> None:
    cfg = small_config("s3://lake/synthetic", total_rows=20_000, output={"layout": "parts"})
    first = generate_to_parquet(cfg, today=TODAY)
    second = generate_to_parquet(cfg, today=TODAY)
    keys = _keys(s3)
    parts = sorted(k for k in keys if "/part-" in k)
    assert len(parts) == len(second.parts)  # the first run's parts are gone
    assert {p.path for p in first.parts}.isdisjoint({p.path for p in second.parts})
    manifest = json.loads(keys["synthetic/manifests/payments_20_000_2025-07-10.json"])
    assert (
        sorted(f"synthetic/{manifest['dataset']}/{p['path']}" for p in manifest["parts"]) == parts
    )
    assert not [k for k in keys if ".staging" in k]


def test_orphans_are_removed_only_when_old(
    s3: S3Client, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    final = S3Location("lake", "x/payments/year=2025/month=07/payments_1_000_2025-07-10")
    for name in ("part-00000-old.parquet", "part-00000-young.parquet", "part-00000-new.parquet"):
        s3.put_object(Bucket="lake", Key=f"{final.key}/{name}", Body=b"x")
    listed = s3_module.list_objects("lake", final.key + "/")
    ages = {"old": timedelta(days=2), "young": timedelta(hours=1), "new": timedelta(0)}
    now = datetime.now(timezone.utc)

    def aged(bucket: str, prefix: str, **_: object) -> list[tuple[str, datetime]]:
        return [
            (k, now - ages[k.rsplit("-", 1)[1].split(".")[0]])
            for k, _ in listed
            if k.startswith(prefix)
        ]

    # moto cannot back-date an object: the listing reports the ages instead.
    monkeypatch.setattr(s3_module, "list_objects", aged)
    replace_on_s3(final, S3Location("lake", "x"), None, {"part-00000-new.parquet"})
    assert sorted(k.rsplit("/", 1)[1] for k in _keys(s3)) == [
        "part-00000-new.parquet",
        "part-00000-young.parquet",
    ]
    assert "Removing 1 orphaned part object(s) older than 24 h" in caplog.text
