"""Interrupts and dead workers, on a real CLI process in its own process group.

Ctrl-C in a terminal sends SIGINT to the whole group (driver and workers); an operator or a
scheduler sends SIGTERM; the out-of-memory killer sends SIGKILL to one worker. Each must end
the run within seconds, with its exit code, nothing at the final path, nothing staged, and no
process left behind. Timeouts are generous (the machine may be busy); conditions are polled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import polars as pl
import psutil
import pytest

from tests.conftest import REPO, small_config_dict, write_yaml

START_TIMEOUT_S = 120.0
EXIT_TIMEOUT_S = 60.0


def _run_to_end(config: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI on ``config`` in a fresh process and wait for it (5 minutes at most)."""
    return subprocess.run(
        [sys.executable, "-m", "fraud_detection.simulator", "--config", str(config)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=300,
    )  # fmt: skip


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _staged_chunks(out: Path) -> list[Path]:
    """The chunks a run has staged so far (spooled chunks or parts, named *.tmp)."""
    return [
        p
        for p in _files(out / ".staging")
        if p.name.startswith(("chunk-", "part-")) and p.name.endswith(".tmp")
    ]


def _wait_until(condition: Callable[[], bool], proc: subprocess.Popen[str], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not condition():
        assert proc.poll() is None, f"the run ended before {what}: {proc.communicate()[1]}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def run_cli(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start the CLI in a new session (its own process group, as a terminal's job is)."""
    started: list[subprocess.Popen[str]] = []

    def start(config: Path) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        command = [sys.executable, "-m", "fraud_detection.simulator", "--config", str(config)]
        proc = subprocess.Popen(
            command, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:  # a failed test must not leave a generator running
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


def _big_config(
    tmp_path: Path, total_rows: int = 3_000_000, **overrides: object
) -> tuple[Path, Path]:
    out = tmp_path / "out"
    data = small_config_dict(
        out, total_rows=total_rows, batch_size=50_000, num_workers=2, **overrides
    )
    return write_yaml(tmp_path / "big.yaml", data), out


def _descendants(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    return psutil.Process(proc.pid).children(recursive=True)


def _workers(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    found = []
    for child in _descendants(proc):
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def _sigint_blocked(process: psutil.Process) -> bool:
    """Whether SIGINT is in the process's (main thread's) blocked mask (Linux /proc)."""
    status = Path(f"/proc/{process.pid}/status").read_text()
    (mask,) = [line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:")]
    return bool(int(mask, 16) & (1 << (signal.SIGINT - 1)))


def _finish(proc: subprocess.Popen[str]) -> tuple[int, str, float]:
    """Return the exit code, stderr and seconds the run took to end."""
    start = time.monotonic()
    try:
        _, stderr = proc.communicate(timeout=EXIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail(f"the run did not end within {EXIT_TIMEOUT_S} s: {proc.communicate()[1]}")
    return proc.returncode, stderr, time.monotonic() - start


def _assert_gone(processes: list[psutil.Process]) -> None:
    _, alive = psutil.wait_procs(processes, timeout=10)
    assert alive == [], f"left behind: {alive}"


@pytest.mark.parametrize(
    ("signals", "code", "said"),
    [
        ((signal.SIGINT,), 130, "Interrupted"),
        # The second lands during the clean-up, which it lets finish; or, when the clean-up
        # was quicker, as the process exits: then Python exits by SIGINT itself, which a
        # shell shows as 130 too.
        ((signal.SIGINT, signal.SIGINT), (130, -signal.SIGINT), "Interrupted"),
        ((signal.SIGTERM,), 143, "Terminated"),
    ],
    ids=["ctrl-c", "ctrl-c-twice", "sigterm"],
)
def test_a_signal_to_the_process_group_ends_the_run_cleanly(
    tmp_path: Path,
    run_cli: Callable[[Path], subprocess.Popen[str]],
    signals: tuple[int, ...],
    code: int | tuple[int, ...],
    said: str,
) -> None:
    config, out = _big_config(tmp_path)
    proc = run_cli(config)
    _wait_until(lambda: len(_workers(proc)) == 2 and bool(_staged_chunks(out)), proc, "chunks")
    children = _descendants(proc)
    assert all(_sigint_blocked(worker) for worker in _workers(proc))
    for sig in signals:
        os.killpg(proc.pid, sig)  # what a terminal does: the whole group
        time.sleep(0.05)
    returncode, stderr, seconds = _finish(proc)
    assert returncode in (code if isinstance(code, tuple) else (code,)), stderr
    assert said in stderr and "Traceback" not in stderr
    assert seconds < 15, f"took {seconds:.1f} s to end"
    assert _files(out) == []  # nothing at the final path, nothing staged
    _assert_gone(children)


def test_ctrl_c_ends_a_dask_run_too(
    tmp_path: Path, run_cli: Callable[[Path], subprocess.Popen[str]]
) -> None:
    config, out = _big_config(tmp_path, engine="dask")
    proc = run_cli(config)
    _wait_until(lambda: len(_workers(proc)) == 2 and bool(_staged_chunks(out)), proc, "chunks")
    children = _descendants(proc)
    # Started with SIGINT blocked, so the handler Polars installs on import never runs.
    assert all(_sigint_blocked(worker) for worker in _workers(proc))
    os.killpg(proc.pid, signal.SIGINT)
    returncode, stderr, seconds = _finish(proc)
    assert returncode == 130, stderr
    assert "Traceback" not in stderr  # the cluster's workers ignore Ctrl-C too
    assert seconds < 30
    assert _files(out) == []
    _assert_gone(children)


def test_a_killed_worker_ends_the_run_with_one_line(
    tmp_path: Path, run_cli: Callable[[Path], subprocess.Popen[str]]
) -> None:
    config, out = _big_config(tmp_path)
    proc = run_cli(config)
    _wait_until(lambda: len(_workers(proc)) == 2 and bool(_staged_chunks(out)), proc, "chunks")
    children = _descendants(proc)
    victim = _workers(proc)[0]
    victim.send_signal(signal.SIGKILL)  # what the out-of-memory killer does
    returncode, stderr, seconds = _finish(proc)
    assert returncode == 1, stderr
    errors = [line for line in stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, stderr
    assert f"Error: worker 0 (pid {victim.pid}) died (signal 9; out of memory?)" in errors[0] or (
        f"(pid {victim.pid}) died (signal 9; out of memory?)" in errors[0]
    )
    assert "Traceback" not in stderr
    assert seconds < 15
    assert _files(out) == []
    _assert_gone(children)


@pytest.mark.parametrize("layout", ["single", "parts"])
def test_after_kill_9_a_rerun_cleans_up_and_globs_read_only_the_dataset(
    tmp_path: Path, run_cli: Callable[[Path], subprocess.Popen[str]], layout: str
) -> None:
    config, out = _big_config(tmp_path, output={"layout": layout})
    proc = run_cli(config)
    _wait_until(lambda: len(_workers(proc)) == 2 and bool(_staged_chunks(out)), proc, "chunks")
    os.killpg(proc.pid, signal.SIGKILL)  # kill -9: nothing gets to clean up
    proc.communicate()
    left = _files(out / ".staging")
    assert left, "the test needs a killed run's leftovers"
    assert not [p for p in left if p.name.endswith(".parquet")]
    assert _files(out / "payments") == []  # at most empty partition folders

    rows = 20_000
    rerun_config = write_yaml(
        tmp_path / "rerun.yaml", small_config_dict(out, total_rows=rows, output={"layout": layout})
    )
    rerun = _run_to_end(rerun_config)
    assert rerun.returncode == 0, rerun.stderr
    assert "Removed the staging of 1 dead run(s)" in rerun.stderr
    assert not (out / ".staging").exists()
    glob = str(out / "payments" / "**" / "*.parquet")
    assert pl.scan_parquet(glob).select(pl.len()).collect().item() == rows
    assert [p for p in _files(out) if p.name.endswith(".tmp")] == []


def test_a_live_runs_staging_is_left_alone(
    tmp_path: Path, run_cli: Callable[[Path], subprocess.Popen[str]]
) -> None:
    # Long enough that it is still running when the second run ends on a busy machine.
    config, out = _big_config(tmp_path, total_rows=50_000_000)
    proc = run_cli(config)
    _wait_until(lambda: bool(_staged_chunks(out)), proc, "chunks")
    (live,) = (out / ".staging").iterdir()
    small = write_yaml(tmp_path / "small.yaml", small_config_dict(out, total_rows=2_000))
    other = _run_to_end(small)
    assert other.returncode == 0, other.stderr
    assert "Removed the staging" not in other.stderr
    assert proc.poll() is None, "the first run ended before the second one"
    assert live.is_dir()  # the first run goes on, its files intact
    os.killpg(proc.pid, signal.SIGINT)
    assert _finish(proc)[0] == 130
