"""A real S3 + SSM endpoint for the integration tests: ``moto_server`` over HTTP on loopback.

Nothing is mocked in-process: boto3 talks HTTP to a ``moto_server`` subprocess, found through
the standard AWS settings that ``aws_env`` puts in the environment (and so in any subprocess).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

_START_TIMEOUT_S = 30.0
_START_ATTEMPTS = 3  # the free port can be taken between probing it and the server binding it
# Loopback requests must never go through a proxy configured for the outside world.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _moto_server_command() -> str:
    beside_python = Path(sys.executable).with_name("moto_server")
    found = str(beside_python) if beside_python.exists() else shutil.which("moto_server")
    if not found:
        pytest.fail("moto_server not found: pip install 'moto[server]' (a dev dependency)")
    return found


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with _DIRECT.open(f"{url}/moto-api/", timeout=1):
            return True
    except OSError:
        return False


def _start(command: str, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Return a started moto_server and its URL, or fail with the server's log."""
    for _ in range(_START_ATTEMPTS):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        # A file, not a pipe: the server logs every request and a full pipe would block it.
        with log_path.open("ab") as log:
            proc = subprocess.Popen(
                [command, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
            )
        deadline = time.monotonic() + _START_TIMEOUT_S
        while proc.poll() is None and time.monotonic() < deadline:
            if _answers(url):
                return proc, url
            time.sleep(0.1)
        proc.kill()
        proc.wait()
    pytest.fail(f"moto_server did not start; its log:\n{log_path.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Yield the URL of a moto_server (S3, SSM, ...) running for the whole session."""
    log_path = tmp_path_factory.mktemp("moto") / "moto_server.log"
    proc, url = _start(_moto_server_command(), log_path)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def reset_moto(url: str) -> None:
    """Drop every bucket, object and parameter the server holds."""
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    with _DIRECT.open(request, timeout=10) as response:
        response.read()


@pytest.fixture
def aws_env(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Return the environment (also set in ``os.environ``) that points boto3 at moto_server.

    Only standard AWS settings: every ``AWS_*`` variable of the caller (profile, region,
    session token, endpoints) is cleared, the shared config/credential files are ignored, and
    the server starts empty. Pass the returned mapping as ``env=`` to subprocesses.
    """
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    settings = {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    no_proxy = ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))
    monkeypatch.setenv("NO_PROXY", no_proxy)
    monkeypatch.setenv("no_proxy", no_proxy)
    reset_moto(moto_server)
    return dict(os.environ)


@pytest.fixture
def closed_port_url() -> str:
    """Return an ``http://127.0.0.1:PORT`` URL where nothing listens (connections refused)."""
    return f"http://127.0.0.1:{_free_port()}"
