"""Campaigns: sizes per typology from fraud_campaign_id (issue 19's contract), and the groups
of cards linked by shared devices or IPs on a hand-made graph."""

from __future__ import annotations

import polars as pl

from fraud_detection.simulator.report.analysis.campaigns import campaign_sizes, linked_groups
from tests.unit.report.synthetic import prepared, times


def _rows(rows: list[tuple[int, str | None, str | None, bool]]) -> pl.DataFrame:
    """Return payments from (card, device, ip, fraud), an hour apart."""
    return pl.DataFrame(
        {
            "event_time": times(list(range(len(rows)))),
            "card_id": [r[0] for r in rows],
            "device_id": [r[1] for r in rows],
            "ip_address": [r[2] for r in rows],
            "label_fraud": [r[3] for r in rows],
        }
    )


def test_cards_sharing_a_device_or_ip_form_one_group_and_nulls_never_link() -> None:
    frame = _rows([
        (1, "bot", "p1", True), (2, "bot", None, True), (3, None, "p1", True),  # 1-2-3
        (4, "x", "p9", False), (3, "y", "p9", False),  # 4 joins through p9
        (5, None, None, False), (6, None, None, True),  # nulls: alone
        (7, "z", "q", False), (8, "z", "r", False),  # 7-8 by device z
        (9, "w", "s", False),  # alone with its own device
    ])  # fmt: skip
    groups = linked_groups(prepared(frame))
    assert groups is not None
    assert groups["cards"] == 9 and groups["fraud_cards"] == 4
    assert groups["groups"] == 2 and groups["cards_in_groups"] == 6
    largest = groups["largest"]
    assert (largest["cards"], largest["fraud_cards"], largest["rows"], largest["frauds"]) == (
        4, 3, 5, 3,
    )  # fmt: skip
    assert largest["fraud_card_share"] == 0.75
    assert (largest["devices"], largest["ips"]) == (3, 2)  # bot, x, y; p1, p9
    assert [g["cards"] for g in groups["top"]] == [4, 2]


def test_without_device_or_ip_columns_there_are_no_groups() -> None:
    frame = _rows([(1, "a", "b", False)]).drop("device_id", "ip_address")
    assert linked_groups(prepared(frame)) is None


def test_campaign_sizes_by_typology() -> None:
    frame = pl.DataFrame(
        {
            "event_time": times(list(range(8))),
            "card_id": [1, 2, 3, 1, 4, 5, 6, 7],
            "label_fraud": [True] * 7 + [False],
            "fraud_type": ["card_testing"] * 4 + ["rogue_merchant", "rogue_merchant",
                                                  "friendly_fraud", None],
            "fraud_episode_id": [1, 2, 3, 1, 4, 5, 6, None],
            "fraud_campaign_id": [10, 10, 10, 10, 20, 20, None, None],
        }
    )  # fmt: skip
    sizes, figure = campaign_sizes(prepared(frame))
    assert sizes is not None and figure["data"] is not None
    assert sizes["campaigns"] == 2 and sizes["fraud_rows_in_campaigns"] == 6
    assert sizes["share_of_frauds"] == 6 / 7
    testing = sizes["by_type"]["card_testing"]
    assert (testing["campaigns"], testing["cards_max"], testing["episodes_max"]) == (1, 3, 3)
    assert testing["rows_max"] == 4 and testing["share_of_its_frauds"] == 1.0
    assert sizes["by_type"]["rogue_merchant"]["cards_median"] == 2.0
    assert "friendly_fraud" not in sizes["by_type"]  # no campaign
    assert sizes["largest"][0]["fraud_campaign_id"] == 10
    assert sizes["mixed_typology_campaigns"] == 0


def test_without_campaign_ids_the_sizes_are_not_in_this_dataset() -> None:
    frame = _rows([(1, "a", "b", True)]).with_columns(
        pl.lit("card_testing").alias("fraud_type"), pl.lit(1).alias("fraud_episode_id")
    )
    sizes, figure = campaign_sizes(prepared(frame))
    assert sizes is None and "not in this dataset" in figure["skipped"]
