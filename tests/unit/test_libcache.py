"""The library cache: what it stores reads back exactly as derived, and it never fails a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from fraud_detection.simulator.features import USER_AGENT_POOL_SIZE, _faker_agents
from fraud_detection.simulator.libcache import CACHE_ENV, cache_dir, cached_json
from fraud_detection.simulator.realism.v3.world import calendar
from fraud_detection.simulator.realism.v3.world.geo import load_cities

COUNTRIES = {"DE": 0.5, "US": 0.3, "JP": 0.2}


def _never() -> object:
    raise AssertionError("derived again: the cache was not read")


def test_cities_and_holidays_read_back_exactly_as_derived(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    calendar._public_holidays.cache_clear()
    cities, holidays = load_cities(COUNTRIES), calendar._public_holidays("DE", 2024, 2026)
    assert not list(tmp_path.iterdir())

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    for _ in range(2):  # stored by the first pass, read back by the second
        calendar._public_holidays.cache_clear()
        assert load_cities(COUNTRIES).equals(cities)
        assert calendar._public_holidays("DE", 2024, 2026) == holidays
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir()) == ["cities", "holidays"]
    calendar._public_holidays.cache_clear()


def test_the_pool_of_agents_reads_back_as_fakers_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    key = ["test", 1]
    stored = cached_json("user-agents", "faker", key, _faker_agents)
    assert cached_json("user-agents", "faker", key, _never) == stored == _faker_agents()
    assert len(stored) == USER_AGENT_POOL_SIZE


def test_off_stores_nothing_and_derives_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    assert cache_dir() is None
    calls: list[int] = []
    for _ in range(2):
        assert cached_json("thing", "polars", 1, lambda: calls.append(1) or [1, 2]) == [1, 2]
    assert len(calls) == 2


def test_a_key_or_library_it_has_not_seen_is_derived(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    assert cached_json("thing", "polars", 1, lambda: "one") == "one"
    assert cached_json("thing", "polars", 1, _never) == "one"
    assert cached_json("thing", "polars", 2, lambda: "two") == "two"
    assert cached_json("thing", "numpy", 1, lambda: "numpy's") == "numpy's"


def test_an_unusable_cache_never_fails_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert cached_json("thing", "polars", 1, lambda: [3]) == [3]

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    assert cached_json("thing", "polars", 1, lambda: [4]) == [4]
    (entry,) = (tmp_path / "cache").iterdir()
    entry.write_text("{ not json")  # a torn or foreign file: derived and stored again
    assert cached_json("thing", "polars", 1, lambda: [5]) == [5]
    assert cached_json("thing", "polars", 1, _never) == [5]


def test_the_default_place_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "fraud-simulator"
