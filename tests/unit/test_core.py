"""Orchestration details that need no run: the out_dir remote Dask workers are given."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.core import for_remote_workers


def test_a_relative_out_dir_is_made_absolute_for_a_remote_scheduler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    remote = {"engine": "dask", "dask": {"scheduler_address": "tcp://scheduler:8786"}}
    cfg = for_remote_workers(config_from_dict({**remote, "out_dir": "out"}))
    assert cfg.out_dir == tmp_path / "out"
    assert "they need a file system shared with this machine" in caplog.text
    assert "or use an s3:// out_dir" in caplog.text


@pytest.mark.parametrize(
    "data",
    [{"out_dir": "out"}, {"engine": "dask", "out_dir": "out"}],
    ids=["local engine", "local cluster"],
)
def test_other_runs_keep_their_out_dir(
    data: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert for_remote_workers(config_from_dict(data)).out_dir == Path("out")
    assert caplog.text == ""
