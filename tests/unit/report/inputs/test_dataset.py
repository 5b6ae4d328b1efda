"""A dataset's files: hive folders read recursively, hidden ones skipped, in name order."""

from __future__ import annotations

from pathlib import Path

import pytest

from fraud_detection.simulator.report import ReportInputError
from fraud_detection.simulator.report.inputs.dataset import dataset_files


def test_dataset_files_reads_hive_folders_recursively_and_skips_hidden_ones(
    tmp_path: Path,
) -> None:
    for rel in (
        "year=2025/month=02/part-00001.parquet",
        "year=2025/month=01/part-00001.parquet",
        "year=2025/month=01/part-00000.parquet",
        "year=2025/month=01/notes.txt",
        ".staging/x/part-00000.parquet",
        "year=2025/month=03/.part-00009.parquet",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")  # fmt: skip
    found = [p.relative_to(tmp_path).as_posix() for p in dataset_files(tmp_path)]
    assert found == [
        "year=2025/month=01/part-00000.parquet",
        "year=2025/month=01/part-00001.parquet",
        "year=2025/month=02/part-00001.parquet",
    ]


def test_dataset_files_reads_a_directory_in_name_order(tmp_path: Path) -> None:
    for name in ("part-00002.parquet", "part-00000.parquet", "_manifest.json"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in dataset_files(tmp_path)] == ["part-00000.parquet", "part-00002.parquet"]
    with pytest.raises(ReportInputError, match="not found"):
        dataset_files(tmp_path / "missing.parquet")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportInputError, match=r"no \*\.parquet"):
        dataset_files(tmp_path / "empty")
