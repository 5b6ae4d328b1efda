"""Counting intervals that hold a moment: the tool behind the windowed graph and merchant
features, checked against hand counts and a brute force."""

from __future__ import annotations

import numpy as np

from fraud_detection.simulator.report.analysis.intervals import (
    covering,
    dense_codes,
    runs,
    seen_before,
)


def test_covering_counts_the_intervals_of_the_querys_group_holding_its_time() -> None:
    group = np.array([0, 0, 1, 0])
    start, end = np.array([10, 15, 10, 30]), np.array([20, 25, 40, 30])  # the last is empty
    queries_group = np.array([0, 0, 0, 0, 1, 1, 2])
    queries_time = np.array([9, 10, 19, 20, 10, 40, 15])
    got = covering(queries_group, queries_time, group, start, end)
    # [start, end): 10 is in, 20 is out; group 1's interval; group 2 has none.
    assert got.tolist() == [0, 1, 2, 1, 1, 0, 0]


def test_covering_agrees_with_a_brute_force() -> None:
    rng = np.random.default_rng(4)
    group, start = rng.integers(0, 5, 300), rng.integers(0, 1_000, 300)
    end = start + rng.integers(-5, 200, 300)
    qg, qt = rng.integers(0, 6, 500), rng.integers(0, 1_200, 500)
    expected = [
        int(((group == g) & (start <= t) & (t < end)).sum()) for g, t in zip(qg, qt, strict=True)
    ]
    assert covering(qg, qt, group, start, end).tolist() == expected


def test_runs_merge_a_groups_times_whose_windows_touch() -> None:
    group = np.array([0, 0, 0, 1])
    time = np.array([0, 5, 30, 0])
    g, s, e = runs(group, time, reach=10)
    # 0 and 5 are within 10 of each other: one run (0, 15]; 30 starts another.
    assert g.tolist() == [0, 0, 1]
    assert s.tolist() == [1, 31, 1] and e.tolist() == [16, 41, 11]


def test_seen_before_looks_strictly_earlier_within_the_reach() -> None:
    group = np.array([0, 0, 0, 0, 1])
    time = np.array([0, 0, 10, 25, 0])
    # A tie is not earlier; 10 sees 0; 25 is 15 after 10, beyond a reach of 10.
    assert seen_before(group, time, 10).tolist() == [False, False, True, False, False]


def test_dense_codes_number_each_combination_once() -> None:
    a, b = np.array([5, 5, 7, 5]), np.array([1, 2, 1, 1])
    codes = dense_codes(a, b)
    assert codes[0] == codes[3] and len(set(codes.tolist())) == 3
    assert sorted(set(codes.tolist())) == [0, 1, 2]
