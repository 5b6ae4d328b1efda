"""Local workers are capped at the CPUs available, unless FRAUD_SIMULATOR_MAX_WORKERS says."""

from __future__ import annotations

import logging
import os

import pytest

from fraud_detection.simulator.engines.base import MAX_WORKERS_ENV, capped_workers, cpu_limit


def test_workers_are_capped_at_the_cpus_and_the_cap_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(MAX_WORKERS_ENV, raising=False)
    caplog.set_level(logging.INFO)
    cpus = len(os.sched_getaffinity(0))
    assert cpu_limit() == cpus
    assert capped_workers(10_000) == cpus
    assert f"Using {cpus} workers (num_workers 10000 capped at the CPUs available" in caplog.text
    caplog.clear()
    assert capped_workers(1) == 1 and caplog.text == ""


def test_the_environment_lifts_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_WORKERS_ENV, "64")
    assert capped_workers(10_000) == 64
    monkeypatch.setenv(MAX_WORKERS_ENV, "nonsense")
    assert cpu_limit() == len(os.sched_getaffinity(0))
