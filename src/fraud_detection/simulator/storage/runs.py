"""Runs' staging directories: who owns one (``run.json``), whether that run is still alive, and
removing what runs that died (kill -9, the out-of-memory killer, a power cut) left behind.

A run's staging directory holds ``run.json`` with its pid, host name, process start time and
start date. On this host, a pid that is gone, or alive with another start time (the pid was
reused), is a dead run; its staging is removed. Another host's staging is never touched: it
may belong to a live run on a shared file system.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .layout import (
    LEGACY_PATTERNS,
    RUN_FILE,
)

# A staging directory without run.json is a run that died between creating the directory and
# writing the file (microseconds), or a live run in that same instant: wait this long.
NO_RUN_FILE_GRACE_S = 3600.0
# Another host's staging older than this is worth a warning (it may be a dead run's).
FOREIGN_WARN_AGE_S = 24 * 3600.0


def process_start_time(pid: int) -> str | None:
    """Return the start time of process ``pid`` (clock ticks since boot, Linux), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def this_run() -> dict[str, Any]:
    """Return what ``run.json`` records about the current process."""
    return {
        "pid": os.getpid(),
        "hostname": socket.gethostname(),
        "process_start_time": process_start_time(os.getpid()),
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def write_run_file(directory: Path) -> None:
    """Create ``directory`` (a run's staging) with its ``run.json``."""
    directory.mkdir(parents=True, exist_ok=False)
    tmp = directory / f"{RUN_FILE}.tmp"
    tmp.write_text(json.dumps(this_run(), indent=2), "utf-8")
    os.replace(tmp, directory / RUN_FILE)


def read_run_file(directory: Path) -> dict[str, Any] | None:
    """Return the ``run.json`` of a staging directory, or None if absent or unreadable."""
    try:
        data = json.loads((directory / RUN_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_alive(info: dict[str, Any]) -> bool:
    """Return whether the process ``info`` names (on this host) still runs."""
    pid = info.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    recorded, current = info.get("process_start_time"), process_start_time(pid)
    return recorded is None or current is None or recorded == current


def tree_size(path: Path) -> int:
    """Return the bytes of the files under ``path`` (or of the file ``path``)."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:
                continue
    return total


@dataclass
class Sweep:
    """What ``sweep`` found under a staging root."""

    removed: list[str] = field(default_factory=list)
    removed_bytes: int = 0
    foreign: list[str] = field(default_factory=list)


def sweep(root: Path, now: float | None = None) -> Sweep:
    """Remove the staging directories under ``root`` whose run is dead; return what it did.

    Only this host's runs are judged; another host's old staging is listed in ``foreign``.
    """
    found = Sweep()
    if not root.is_dir():
        return found
    now = time.time() if now is None else now
    host = socket.gethostname()
    for directory in sorted(p for p in root.iterdir() if p.is_dir()):
        info = read_run_file(directory)
        try:
            age = now - directory.stat().st_mtime
        except OSError:
            continue  # removed meanwhile, by its run or another sweep
        if info is None:
            dead = age > NO_RUN_FILE_GRACE_S
        elif info.get("hostname") != host:
            if age > FOREIGN_WARN_AGE_S:
                found.foreign.append(f"{directory} (host {info.get('hostname')})")
            continue
        else:
            dead = not is_alive(info)
        if dead:
            found.removed_bytes += tree_size(directory)
            shutil.rmtree(directory, ignore_errors=True)
            found.removed.append(directory.name)
    return found


def legacy_leftovers(out_dir: Path) -> list[Path]:
    """Return temporary files and directories of the pre-staging scheme under ``out_dir``."""
    return sorted(p for pattern in LEGACY_PATTERNS for p in out_dir.glob(pattern))
