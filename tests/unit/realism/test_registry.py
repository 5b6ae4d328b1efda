"""The realism seam: the registry, the config's choices and the per-process world cache."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from fraud_detection.simulator.cli import build_parser
from fraud_detection.simulator.config import GeneratorConfig
from fraud_detection.simulator.realism.registry import (
    REALISMS,
    cached_world,
    get_realism,
)
from fraud_detection.simulator.streams import PURPOSES
from tests.conftest import small_config


def test_config_choices_are_the_registry() -> None:
    allowed = typing.get_args(GeneratorConfig.model_fields["realism"].annotation)
    assert set(allowed) == set(REALISMS)


def test_cli_realism_choices_come_from_the_registry() -> None:
    action = next(a for a in build_parser()._actions if a.dest == "realism")
    assert tuple(action.choices or ()) == tuple(REALISMS)


@pytest.mark.parametrize("name", sorted(REALISMS))
def test_every_realism_names_only_registered_stream_purposes(name: str) -> None:
    realism = get_realism(name)
    assert realism.name == name
    assert set(realism.purposes) <= set(PURPOSES)
    assert len(set(realism.purposes)) == len(realism.purposes)


def test_the_world_is_built_once_per_process_and_run(tmp_path: Path) -> None:
    cfg = small_config(tmp_path, realism="v2")
    realism = get_realism("v2")
    loads: list[int] = []

    def load() -> object:
        loads.append(1)
        return realism.world(cfg, realism.tables(cfg))

    first = cached_world("run-a", load)
    assert cached_world("run-a", load) is first
    assert len(loads) == 1
    assert cached_world("run-b", load) is not first  # another run: loaded again
    assert len(loads) == 2
