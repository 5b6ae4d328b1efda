"""The world cache (issue 21): a run of a config already run loads the catalogs, the world and
the chunk plan instead of building them, and writes the very same dataset; what changes the
rows is another key; a cache entry that cannot be read is built again; a failed run caches
nothing; the cache keeps under its limit."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from fraud_detection.simulator import core, worldcache
from fraud_detection.simulator.config import GeneratorConfig, config_from_dict
from fraud_detection.simulator.core import cache_world, generate_to_parquet
from fraud_detection.simulator.errors import CatalogTooLargeError
from fraud_detection.simulator.libcache import CACHE_ENV
from tests.conftest import v3_config_dict
from tests.integration.test_readers import tiny_v3

HIT = "from the world cache"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The world cache on, in a directory of this test's own."""
    monkeypatch.delenv(worldcache.WORLD_CACHE_ENV)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "worlds"


def _config(out: Path, **overrides: Any) -> GeneratorConfig:
    """A small v3 config of 60,000 rows writing into ``out``."""
    return config_from_dict(
        v3_config_dict(out, **{"total_rows": 60_000, "batch_size": 12_000, **overrides})
    )


def _dataset(out: Path, **overrides: Any) -> dict[str, Any]:
    """Generate a small v3 dataset into ``out``; return its rows, footer and catalog bytes."""
    result = generate_to_parquet(_config(out, **overrides))
    catalog = Path(str(result.catalog_dir))
    return {
        "rows": pl.read_parquet(result.path),
        "footer": pq.read_metadata(result.path).metadata,
        "catalogs": {p.name: p.read_bytes() for p in sorted(catalog.iterdir())},
    }


def _never(*args: Any) -> Any:
    raise AssertionError("built")


def _entries(cache: Path) -> list[Path]:
    return (
        sorted(p for p in cache.iterdir() if not p.name.startswith(".")) if cache.exists() else []
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_a_config_run_again_loads_its_world_and_writes_the_same_dataset(
    tmp_path: Path,
    cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    workers: int,
) -> None:
    caplog.set_level(logging.INFO, logger="fraud_detection.simulator")
    monkeypatch.setenv(worldcache.WORLD_CACHE_ENV, "off")
    built = _dataset(tmp_path / "built", num_workers=workers)
    assert not cache.exists()
    monkeypatch.delenv(worldcache.WORLD_CACHE_ENV)
    stored = _dataset(tmp_path / "stored", num_workers=workers)
    assert [p.name for p in _entries(cache)] == [worldcache.cache_key(_config(tmp_path))]
    assert HIT not in caplog.text
    # Another out_dir and worker count: the same key (neither decides the rows).
    loaded = _dataset(tmp_path / "loaded", num_workers=3 - workers)
    assert HIT in caplog.text
    for other in (stored, loaded):
        assert_frame_equal(other["rows"], built["rows"])
        assert other["catalogs"] == built["catalogs"]
        assert other["footer"] == built["footer"]


def test_cache_world_prepares_a_config_without_writing_its_output(
    tmp_path: Path, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fraud_detection.simulator")
    cfg = _config(tmp_path / "out")
    assert cache_world(cfg) and not cache_world(cfg)  # built once, then found
    with pytest.MonkeyPatch.context() as off:  # off: nothing built for nothing
        off.setenv(worldcache.WORLD_CACHE_ENV, "off")
        off.setattr(core, "_prepare", _never)
        assert not cache_world(cfg)
    assert len(_entries(cache)) == 1 and not (tmp_path / "out").exists()
    caplog.clear()
    generate_to_parquet(cfg)
    assert HIT in caplog.text


def test_the_key_is_what_decides_the_rows_and_our_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = worldcache.cache_key(_config(tmp_path))
    same = [
        _config(tmp_path / "elsewhere"),
        _config(tmp_path, num_workers=2),
        _config(tmp_path, output={"layout": "parts"}),
        _config(tmp_path, output={"format": "delta"}),
    ]
    assert {worldcache.cache_key(cfg) for cfg in same} == {key}
    other = [
        _config(tmp_path, seed=8),
        _config(tmp_path, total_rows=70_000),
        _config(tmp_path, fraud={"difficulty": "hard"}),
        _config(tmp_path, output={"timestamp_unit": "ns"}),
        _config(tmp_path, catalog={"parquet_row_group_size": 10_000}),
    ]
    keys = {worldcache.cache_key(cfg) for cfg in other}
    assert len(keys) == len(other) and key not in keys
    monkeypatch.setattr(worldcache, "code_fingerprint", lambda: "edited")
    assert worldcache.cache_key(_config(tmp_path)) != key


def test_an_entry_that_cannot_be_read_is_built_again(
    tmp_path: Path, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fraud_detection.simulator")
    first = _dataset(tmp_path / "first", num_workers=2)
    (entry,) = _entries(cache)
    world = entry / worldcache.WORLD_FILE
    world.write_bytes(world.read_bytes()[:1000])  # truncated
    again = _dataset(tmp_path / "again", num_workers=2)
    assert "unreadable" in caplog.text and HIT not in caplog.text
    assert_frame_equal(again["rows"], first["rows"])
    assert _entries(cache) == [entry] and world.stat().st_size > 1000  # stored again, whole


def test_another_file_system_copies_the_world_and_a_read_only_entry_still_loads(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fraud_detection.simulator")
    first = _dataset(tmp_path / "first", num_workers=2)

    def cross_device(*args: Any) -> None:
        raise OSError(18, "Invalid cross-device link")

    def read_only(*args: Any) -> None:
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(os, "link", cross_device)  # the staging copies the cached world
    monkeypatch.setattr(os, "utime", read_only)  # the entry cannot be marked as used
    again = _dataset(tmp_path / "again", num_workers=2)
    assert HIT in caplog.text and "unreadable" not in caplog.text
    assert_frame_equal(again["rows"], first["rows"])
    assert len(_entries(cache)) == 1


def test_a_failed_run_caches_nothing(tmp_path: Path, cache: Path) -> None:
    with pytest.raises(CatalogTooLargeError):
        _dataset(tmp_path, catalog={"max_size_mb": 0.01})
    assert _entries(cache) == []


def test_off_builds_and_stores_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    assert worldcache.worlds_dir() is None  # the tests' default: FRAUD_SIMULATOR_WORLD_CACHE=off
    monkeypatch.delenv(worldcache.WORLD_CACHE_ENV)
    assert worldcache.worlds_dir() == tmp_path / "cache" / "worlds"
    monkeypatch.setenv(CACHE_ENV, "off")  # the library cache's switch turns off both
    assert worldcache.worlds_dir() is None


def test_the_worlds_used_least_recently_go_over_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worldcache, "LIMIT_BYTES", 2_500)
    now = time.time()
    for age, name in enumerate(["new", "mid", "old", "oldest"]):
        (tmp_path / name).mkdir()
        (tmp_path / name / "world.pickle").write_bytes(b"x" * 1_000)
        os.utime(tmp_path / name, (now - 60 * age, now - 60 * age))
    leftover = tmp_path / ".killed.tmp"
    leftover.mkdir()
    os.utime(leftover, (now - 7200, now - 7200))
    worldcache.evict(tmp_path, keep=tmp_path / "oldest")  # just stored: kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "oldest"]


def test_a_table_run_publishes_the_cached_catalogs(
    tmp_path: Path, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="fraud_detection.simulator")
    parquet = generate_to_parquet(config_from_dict(tiny_v3(tmp_path / "pq")))
    assert len(_entries(cache)) == 1 and HIT not in caplog.text
    delta = tmp_path / "delta"
    generate_to_parquet(config_from_dict(tiny_v3(delta, output={"format": "delta"})))
    assert HIT in caplog.text  # loaded, not built: the format does not decide the rows
    for name in ("customers", "merchants", "cards"):
        expected = pl.read_parquet(Path(str(parquet.catalog_dir)) / f"{name}.parquet")
        assert_frame_equal(pl.read_delta(str(delta / "delta" / name)), expected)
