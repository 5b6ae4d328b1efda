from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraud_detection.simulator.plan import apportion, make_plan
from fraud_detection.simulator.temporal import day_ns, range_end_ns
from tests.conftest import small_config


def test_chunks_are_contiguous_time_slices_covering_the_range(tmp_path: Path) -> None:
    cfg = small_config(tmp_path, total_rows=100_000, batch_size=7_000, fraud_rate=0.0123)
    plan = make_plan(cfg)
    assert [c.index for c in plan] == list(range(len(plan)))
    assert sum(c.rows for c in plan) == 100_000
    assert sum(c.fraud_count for c in plan) == round(0.0123 * 100_000)
    assert plan[0].start_ns >= day_ns(cfg.temporal.start_date)
    assert plan[-1].end_ns <= range_end_ns(cfg.temporal.last_day)
    for a, b in itertools.pairwise(plan):
        assert a.end_ns <= b.start_ns
    # About batch_size rows each: chunks hold whole one-minute cells.
    sizes = np.array([c.rows for c in plan[:-1]])
    assert np.all(np.abs(sizes - 7_000) <= 60)
    assert len(plan) == 15


def test_plan_depends_on_config_only(tmp_path: Path) -> None:
    one = make_plan(small_config(tmp_path, num_workers=1))
    three = make_plan(small_config(tmp_path, num_workers=3, engine="local"))
    assert [(c.start_ns, c.rows, c.fraud_count) for c in one] == [
        (c.start_ns, c.rows, c.fraud_count) for c in three
    ]


def test_batch_larger_than_dataset_gives_one_chunk(tmp_path: Path) -> None:
    plan = make_plan(small_config(tmp_path, total_rows=1_000, batch_size=1_000_000))
    assert len(plan) == 1 and plan[0].rows == 1_000 and plan[0].fraud_count == 10


@settings(max_examples=60, deadline=None)
@given(
    total=st.integers(0, 10_000),
    weights=st.lists(st.integers(1, 1_000), min_size=1, max_size=50),
)
def test_apportion_is_exact_and_within_one_of_quota(total: int, weights: list[int]) -> None:
    w = np.array(weights, dtype=float)
    parts = apportion(total, w)
    assert parts.sum() == total
    assert np.all(np.abs(parts - total * w / w.sum()) < 1 + 1e-9)


@pytest.mark.parametrize("rate", [0.5, 0.0049, 0.99])
def test_fraud_count_is_round_of_rate_times_rows(tmp_path: Path, rate: float) -> None:
    plan = make_plan(small_config(tmp_path, total_rows=12_345, fraud_rate=rate))
    assert sum(c.fraud_count for c in plan) == round(rate * 12_345)
    assert all(0 <= c.fraud_count <= c.rows for c in plan)
