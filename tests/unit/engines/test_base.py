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


def test_only_the_generators_own_process_tunes_its_allocator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fraud_detection.simulator.engines import base

    calls: list[int] = []
    monkeypatch.setattr(base, "keep_freed_memory", lambda: calls.append(1) or True)
    monkeypatch.setattr(base, "_OWN_PROCESS", False)
    base.InProcess().submit(object())  # type: ignore[arg-type]  # a library caller's process
    assert calls == []
    base.own_this_process()  # the CLI
    engine = base.InProcess()
    for _ in range(3):
        engine.submit(object())  # type: ignore[arg-type]
    assert calls == [1]  # once, at its first chunk


def test_freed_memory_is_kept_on_glibc() -> None:
    import platform

    from fraud_detection.simulator.engines.base import keep_freed_memory

    assert keep_freed_memory() is (platform.libc_ver()[0] == "glibc")
