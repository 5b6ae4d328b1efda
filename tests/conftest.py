"""Shared fixtures: small configs that generate in well under a second per chunk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fraud_detection.simulator.config import GeneratorConfig, config_from_dict
from fraud_detection.simulator.worldcache import WORLD_CACHE_ENV

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _worlds_built() -> Iterator[None]:
    """Every run of the session builds its world (subprocesses and module-scoped fixtures
    too): a test that patches our code would otherwise read a world built without its patch,
    and the tests would fill the user's cache. test_world_cache turns it on, in a directory
    of its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(WORLD_CACHE_ENV, "off")
        yield


def merged(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Return ``data`` with ``overrides`` applied (a section given as a mapping is merged)."""
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def small_config_dict(out_dir: Path | str, **overrides: Any) -> dict[str, Any]:
    """Return a config mapping for a small, fast dataset (overrides merged one level deep)."""
    data: dict[str, Any] = {
        "total_rows": 20_000,
        "fraud_rate": 0.01,
        "seed": 7,
        "out_dir": str(out_dir),
        "realism": "v2",
        "num_workers": 1,
        "batch_size": 5_000,
        "catalog": {"num_customers": 2_000, "num_merchants": 300, "num_cards": 3_000},
        "temporal": {"start_date": "2025-01-01", "end_date": "2025-01-14"},
    }
    return merged(data, overrides)


def small_config(out_dir: Path | str, **overrides: Any) -> GeneratorConfig:
    return config_from_dict(small_config_dict(out_dir, **overrides))


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A valid small config file whose out_dir is ``tmp_path / "out"``."""
    return write_yaml(tmp_path / "config.yaml", small_config_dict(tmp_path / "out"))


def v3_config_dict(out_dir: Path | str, **overrides: Any) -> dict[str, Any]:
    """Return a config mapping for a small v3 world: enough rows per card to show habits."""
    data = small_config_dict(
        out_dir,
        realism="v3",
        total_rows=150_000,
        batch_size=30_000,
        fraud_rate=0.01,
        catalog={
            "num_customers": 4_000,
            "num_merchants": 1_500,
            "num_cards": 6_000,
            "card_zipf_exponent": 0.6,
        },
        temporal={"start_date": "2025-01-01", "end_date": "2025-03-31"},
    )
    return merged(data, overrides)
