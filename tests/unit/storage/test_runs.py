"""Which staging directories belong to dead runs: this host's dead pids (or reused pids) only."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from fraud_detection.simulator.storage.runs import (
    is_alive,
    legacy_leftovers,
    process_start_time,
    sweep,
    this_run,
    write_run_file,
)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _stage(root: Path, name: str, **info: object) -> Path:
    directory = root / name
    directory.mkdir(parents=True)
    (directory / "run.json").write_text(json.dumps({**this_run(), **info}))
    (directory / "chunk-00000.tmp").write_bytes(b"x" * 1000)
    return directory


def test_only_dead_runs_of_this_host_are_removed(tmp_path: Path) -> None:
    live = _stage(tmp_path, "live")
    dead = _stage(tmp_path, "dead", pid=_dead_pid())
    reused = _stage(tmp_path, "reused", process_start_time="1")  # our pid, another start
    foreign = _stage(tmp_path, "foreign", hostname="elsewhere", pid=_dead_pid())
    old = time.time() - 2 * 86400
    os.utime(foreign, (old, old))
    found = sweep(tmp_path)
    assert sorted(found.removed) == ["dead", "reused"]
    assert found.removed_bytes >= 2000
    assert live.is_dir() and foreign.is_dir()
    assert not dead.exists() and not reused.exists()
    assert found.foreign == [f"{foreign} (host elsewhere)"]


def test_a_directory_without_run_json_is_removed_only_when_old(tmp_path: Path) -> None:
    fresh, stale = tmp_path / "fresh", tmp_path / "stale"
    fresh.mkdir()
    stale.mkdir()
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    assert sweep(tmp_path).removed == ["stale"]
    assert fresh.is_dir()


def test_run_file_names_this_process(tmp_path: Path) -> None:
    write_run_file(tmp_path / "run")
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["pid"] == os.getpid() and info["hostname"] == socket.gethostname()
    assert info["process_start_time"] == process_start_time(os.getpid())
    assert is_alive(info)
    assert not is_alive({**info, "pid": _dead_pid()})


def test_legacy_leftovers_are_recognised(tmp_path: Path) -> None:
    month = tmp_path / "payments/year=2025/month=07"
    month.mkdir(parents=True)
    (month / ".payments_10_2025-07-10.parquet.1a2b3c4d.tmp").write_bytes(b"x")
    (month / ".payments_10_2025-07-10.parquet.1a2b3c4d.chunks").mkdir()
    (tmp_path / ".catalog.abc.tmp").mkdir()
    (month / "payments_10_2025-07-10.parquet").write_bytes(b"data")
    assert [p.name for p in legacy_leftovers(tmp_path)] == [
        ".catalog.abc.tmp",
        ".payments_10_2025-07-10.parquet.1a2b3c4d.chunks",
        ".payments_10_2025-07-10.parquet.1a2b3c4d.tmp",
    ]
