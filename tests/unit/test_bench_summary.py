"""The benchmark's summaries: medians over rounds, ratios paired by round, start-up from logs."""

from __future__ import annotations

import io

import pytest

from bench.__main__ import (
    FLOOR_10M,
    V3_10M_1,
    V3_10M_2,
    Case,
    Measurement,
    _targets,
    _watch_log,
    ratio,
    summarise,
)


def _run(case: Case, wall: float, startup: float | None = None) -> Measurement:
    return Measurement(case, wall, 1000.0, 400.0, None, None, startup)


def test_medians_and_ratios_pair_the_runs_of_one_round() -> None:
    rounds = [(17.0, 16.0, 28.0, 3.0), (16.0, 18.0, 27.0, 2.0), (18.0, 16.2, 29.0, 4.0)]
    results = []
    for floor, two, one, startup in rounds:
        results += [
            _run(FLOOR_10M, floor),
            _run(V3_10M_1, one),
            _run(V3_10M_2, two, startup),
        ]
    summaries = summarise(results)
    assert [s.case for s in summaries] == [FLOOR_10M, V3_10M_1, V3_10M_2]
    two = summaries[2]
    assert two.wall_s == 16.2 and two.spread == "16.0-18.0" and two.startup_s == 3.0
    vs_floor = ratio(summaries, V3_10M_2, FLOOR_10M)
    assert vs_floor is not None
    # Round by round (16/17, 18/16, 16.2/18), not the ratio of the medians (16.2/17).
    assert vs_floor.values == pytest.approx((16 / 17, 18 / 16, 16.2 / 18))
    assert vs_floor.median == pytest.approx(16 / 17)
    assert str(vs_floor) == "0.94 x (0.90-1.12)"
    targets = {name: (value, ok) for name, value, ok in _targets(summaries)}
    assert targets["10M rows v3, 2 workers: wall <= 1.0 x the floor (median)"][1]
    speedup = targets["2 workers >= 1.7 x faster than 1 (10M, 1 thread)"]
    assert speedup == ("1.75 x (1.50-1.79)", True)  # 28/16, 27/18, 29/16.2
    world_cached = "start-up <= 1 s (config to first chunk, 10M, 2 workers, world cached)"
    assert not targets[world_cached][1]


def test_start_up_is_timed_from_the_config_line_to_the_first_chunk() -> None:
    class Child:
        stderr = io.StringIO(
            "2026-12-06 10:00:00,000 INFO: Generating 10,000,000 rows (...)\n"
            "2026-12-06 10:00:03,000 INFO: Chunk 1/100: 100,074 rows in 0.46 s\n"
            "2026-12-06 10:00:03,100 INFO: Chunk 2/100: 99,977 rows in 0.40 s\n"
        )

    marks: dict[str, float] = {}
    _watch_log(Child(), 0.0, marks)  # type: ignore[arg-type]
    assert set(marks) == {"config", "first_chunk"}
    assert marks["first_chunk"] >= marks["config"]


def test_results_show_every_case_the_targets_and_both_profiles() -> None:
    from bench.__main__ import NOTES_MARK, render

    results = [_run(FLOOR_10M, 17.0), _run(V3_10M_2, 16.0, 2.9)]
    text = render(summarise(results), 1, [("deliver", 0.09)], [("catalogs", 0.7)], "kept")
    assert "| generator, 2 workers | 10,000,000 | 1 | 16.0 |  |" in text
    assert "| 2.90 |" in text  # the start-up column
    assert "| deliver | 90.0 | 100% |" in text and "| catalogs | 700 |" in text
    assert text.rstrip().endswith(f"{NOTES_MARK}\nkept")
