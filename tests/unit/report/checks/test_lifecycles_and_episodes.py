"""Catalog checks of the lifecycle columns (issue 18) and of the episodes table (issue 19)
against the rows: each catches its defect; without the columns or the table none is listed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from fraud_detection.simulator.report.checks.episodes import episode_checks
from fraud_detection.simulator.report.checks.lifecycles import lifecycle_checks
from tests.unit.report.synthetic import NS, at, catalogs, prepared, times

DAY = 24.0


def _failing(checks: list[dict[str, Any]]) -> set[str]:
    return {c["name"] for c in checks if c["status"] == "fail"}


def _life(tmp_path: Path, blocked_day: float, replaced_owner: int) -> Any:
    return catalogs(
        tmp_path,
        cards={
            "card_id": [1, 2], "customer_id": [1, replaced_owner],
            "issued_at": pl.Series([at(-DAY), at(5 * DAY)], dtype=NS),
            "blocked_at": pl.Series([at(blocked_day * DAY), None], dtype=NS),
            "replaces_card_id": pl.Series([None, 1], dtype=pl.Int64),
        },
        customers={"customer_id": [1, 2], "joined_at": pl.Series([at(-DAY)] * 2, dtype=NS)},
    )  # fmt: skip


def _payments(days: list[float], cards: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"event_time": times([d * DAY for d in days]), "card_id": cards,
         "customer_id": [1] * len(days), "label_fraud": [False] * len(days)}
    )  # fmt: skip


def test_lifecycle_checks_catch_rows_outside_a_cards_life(tmp_path: Path) -> None:
    rows = prepared(_payments([0, 1, 6], [1, 1, 2]))
    clean = lifecycle_checks(rows, _life(tmp_path / "a", blocked_day=3, replaced_owner=1))
    assert {c["name"] for c in clean} == {
        "lifecycle.before_issue",
        "lifecycle.after_block",
        "lifecycle.replacement_owner",
        "lifecycle.before_join",
    }
    assert _failing(clean) == set()
    late = prepared(_payments([0, 4, 6, -2], [1, 1, 2, 2]))  # after the block; before issue
    bad = lifecycle_checks(late, _life(tmp_path / "b", blocked_day=3, replaced_owner=2))
    assert _failing(bad) == {
        "lifecycle.after_block",
        "lifecycle.before_issue",
        "lifecycle.replacement_owner",
        "lifecycle.before_join",
    }


def test_no_lifecycle_check_without_the_columns(tmp_path: Path) -> None:
    assert lifecycle_checks(prepared(_payments([0], [1])), catalogs(tmp_path)) == []


def _episode_rows() -> pl.DataFrame:
    # Episode 1: card 1, two card-testing rows in campaign 9, reported; episode 2: friendly
    # fraud on card 2, never reported; one legitimate row.
    return pl.DataFrame(
        {
            "event_time": times([0, 1, 2, 3]),
            "card_id": [1, 1, 2, 2], "customer_id": [1, 1, 2, 2], "amount": [1.5, 2.25, 30.0, 9.0],
            "label_fraud": [True, True, True, False],
            "fraud_type": ["card_testing", "card_testing", "friendly_fraud", None],
            "fraud_episode_id": pl.Series([1, 1, 2, None], dtype=pl.Int64),
            "fraud_campaign_id": pl.Series([9, 9, None, None], dtype=pl.Int64),
            "reported_time": pl.Series([at(5), at(5), None, None], dtype=NS),
        }
    )  # fmt: skip


def _episodes(**changes: list[Any]) -> dict[str, Any]:
    table: dict[str, Any] = {
        "fraud_episode_id": [1, 2], "fraud_campaign_id": pl.Series([9, None], dtype=pl.Int64),
        "fraud_type": ["card_testing", "friendly_fraud"], "card_id": [1, 2],
        "customer_id": [1, 2], "merchant_id": pl.Series([None, None], dtype=pl.Int64),
        "first_fraud_time": pl.Series([at(0), at(2)], dtype=NS),
        "last_fraud_time": pl.Series([at(1), at(2)], dtype=NS), "rows": [2, 1],
        "amount": [3.75, 30.0], "reported_time": pl.Series([at(5), None], dtype=NS),
        "never_reported": [False, True],
    }  # fmt: skip
    return table | changes


def test_an_episodes_table_that_says_what_the_rows_say_passes(tmp_path: Path) -> None:
    checks = episode_checks(prepared(_episode_rows()), catalogs(tmp_path, episodes=_episodes()))
    assert len(checks) == 10 and _failing(checks) == set()


def test_each_episode_defect_fails_its_check(tmp_path: Path) -> None:
    defects = {
        "episodes.rows": {"rows": [3, 1]},
        "episodes.times": {"last_fraud_time": pl.Series([at(2), at(2)], dtype=NS)},
        "episodes.type": {"fraud_type": ["lost_stolen", "friendly_fraud"]},
        "episodes.owner": {"customer_id": [1, 1]},
        "episodes.amount": {"amount": [3.75, 31.0]},
        "episodes.reported": {"never_reported": [False, False]},
        "episodes.campaign": {"fraud_campaign_id": pl.Series([8, None], dtype=pl.Int64)},
    }
    for i, (name, change) in enumerate(defects.items()):
        found = catalogs(tmp_path / str(i), episodes=_episodes(**change))
        assert _failing(episode_checks(prepared(_episode_rows()), found)) == {name}, name


def test_missing_duplicated_and_extra_episodes(tmp_path: Path) -> None:
    table = pl.DataFrame(_episodes())
    twice = pl.concat([table, table.head(1)])
    extra = pl.concat([table, table.head(1).with_columns(pl.lit(7, pl.Int64).alias(
        "fraud_episode_id"))])  # fmt: skip
    cases = {"a": (twice, {"episodes.unique"}), "b": (table.head(1), {"episodes.missing"}),
             "c": (extra, {"episodes.extra"})}  # fmt: skip
    for folder, (episodes, failing) in cases.items():
        found = catalogs(tmp_path / folder, episodes=episodes)
        assert _failing(episode_checks(prepared(_episode_rows()), found)) == failing


def test_no_episode_check_without_the_table(tmp_path: Path) -> None:
    assert episode_checks(prepared(_episode_rows()), catalogs(tmp_path)) == []
