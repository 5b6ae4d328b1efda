"""The command line as a user runs it: entry points, logs, exit codes, nothing left on failure."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fraud_detection.simulator.cli import main
from fraud_detection.simulator.progress import Progress
from tests.conftest import REPO, small_config_dict, write_yaml


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_cli_writes_the_dataset_and_logs_the_spec_messages(
    config_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert main(["--config", str(config_file)]) == 0
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("Generating 20,000 rows (fraud_rate=0.01, seed=7") for m in messages)
    assert sum(m.startswith("Chunk ") and "rows/s" in m for m in messages) == 4
    written = [m for m in messages if m.startswith("Written local file: ")]
    assert len(written) == 1
    path = Path(written[0].removeprefix("Written local file: "))
    assert path.is_file() and path.parent.parent.parent.name == "payments"


def test_flags_override_the_config(config_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    code = main(
        ["--config", str(config_file), "--num-workers", "2", "--batch-size", "3e3",
         "--realism", "v1", "--total-rows", "9_000", "--out-dir", str(out), "--log-level", "warning"]
    )  # fmt: skip
    assert code == 0
    files = _files(out)
    assert len(files) == 1 and files[0].name.startswith("payments_9_000_")  # v1: no catalogs


BAD_CONFIGS = [
    ({"total_rows": -5}, "total_rows"),
    ({"fraud_rate": 1.5}, "fraud_rate"),
    ({"temporal": {"start_date": "2025-03-01", "end_date": "2025-01-01"}}, "end_date"),
    ({"feature": {"device_types": {"mobile": -1}}}, "feature.device_types"),
    ({"realism": "v9"}, "realism"),
    ({"extra_key": 1}, "extra_key: unknown key"),
    ({"catalog": {"max_size_mb": 0.0001}}, "catalog.max_size_mb"),
]


@pytest.mark.parametrize(("patch", "named"), BAD_CONFIGS)
def test_bad_config_is_one_line_exit_1_and_nothing_written(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, patch: dict[str, object], named: str
) -> None:
    out = tmp_path / "out"
    path = write_yaml(tmp_path / "c.yaml", small_config_dict(out, **patch))
    assert main(["--config", str(path)]) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("Config error: ") and named in errors[0]
    assert _files(out) == []


def test_missing_file_and_yaml_error(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert main(["--config", str(tmp_path / "missing.yaml")]) == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text("total_rows: [1,\n", "utf-8")
    assert main(["--config", str(bad)]) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors[0] == f"Config error: config file not found: {tmp_path / 'missing.yaml'}"
    assert errors[1].startswith(f"Config error: {bad}: YAML syntax error at line")


@pytest.mark.parametrize(
    "argv",
    [["--num-workers", "0"], ["--batch-size", "-3"], ["--num-workers", "two"], ["--realism", "v4"]],
)
def test_bad_flags_exit_1_with_one_line(
    config_file: Path,
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(SystemExit) if argv[1] in ("two", "v4") else _no_raise() as exc:
        code = main(["--config", str(config_file), *argv])
    code = exc.value.code if exc is not None and hasattr(exc, "value") else code
    assert code == 1
    text = capsys.readouterr().err + " ".join(r.getMessage() for r in caplog.records)
    assert "Config error: " in text
    assert _files(config_file.parent / "out") == []


class _no_raise:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "entry",
    [
        [sys.executable, "-m", "fraud_detection.simulator"],
        [sys.executable, str(REPO / "generate.py")],
        [str(Path(sys.executable).with_name("fraud-simulator"))],
    ],
    ids=["module", "generate.py", "console-script"],
)
def test_entry_points(entry: list[str], config_file: Path) -> None:
    proc = _run([*entry, "--config", str(config_file), "--num-workers", "2"], config_file.parent)
    assert proc.returncode == 0, proc.stderr
    assert "Written local file: " in proc.stderr
    assert len(_files(config_file.parent / "out" / "payments")) == 1


def test_generate_py_reexports_the_spec_names() -> None:
    sys.path.insert(0, str(REPO))
    try:
        import generate
    finally:
        sys.path.remove(str(REPO))
    from fraud_detection.simulator import core

    assert generate.generate_dataset is core.generate_dataframe
    assert generate.write_parquet is core.write_parquet and callable(generate.main)


def test_interrupted_run_leaves_nothing_at_the_final_path(tmp_path: Path) -> None:
    out = tmp_path / "out"
    cfg = small_config_dict(out, total_rows=3_000_000, batch_size=50_000, num_workers=2)
    path = write_yaml(tmp_path / "big.yaml", cfg)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fraud_detection.simulator", "--config", str(path)],
        stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not any(p.name.endswith(".tmp") for p in _files(out)):
        assert time.monotonic() < deadline and proc.poll() is None, "run never started writing"
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"the interrupted run did not exit: {proc.communicate()[1]}")
    assert proc.returncode == 130, stderr
    assert "Interrupted" in stderr
    assert _files(out) == []  # no final file, no temporary file, no catalogs


def test_unwritable_output_is_one_line_exit_1(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    path = write_yaml(tmp_path / "c.yaml", small_config_dict(blocker / "out"))
    assert main(["--config", str(path)]) == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith("Output error: ")


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal() -> None:
    tty, pipe = _Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress(1_000, stream=stream, show_after_s=0.0)
        bar.update(400)
        bar.update(600)
        bar.close()
    assert "1,000/1,000 rows" in tty.getvalue() and tty.getvalue().endswith("\n")
    assert pipe.getvalue() == ""
