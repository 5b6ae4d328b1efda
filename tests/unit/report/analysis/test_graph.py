"""The graph feature on a hand-made device and IP graph: other cards seen on the row's device
or IP in the 7 days before it."""

from __future__ import annotations

import numpy as np
import polars as pl

from fraud_detection.simulator.report.analysis.graph import GRAPH_FEATURE, other_cards
from tests.unit.report.synthetic import times

DAY = 24.0


def _rows(rows: list[tuple[float, int, str | None, str | None]]) -> pl.DataFrame:
    """Return payments from (hours after T0, card, device, ip)."""
    return pl.DataFrame(
        {
            "event_time": times([r[0] for r in rows]),
            "card_id": [r[1] for r in rows],
            "device_id": [r[2] for r in rows],
            "ip_address": [r[3] for r in rows],
        }
    )


def test_other_cards_on_the_device_or_ip_in_the_last_seven_days() -> None:
    frame = _rows([
        (0, 1, "bot", "p1"),        # first: nobody before
        (1, 2, "bot", "p2"),        # card 1 on the bot's device
        (2, 3, "bot", "p1"),        # cards 1 and 2 on the device (1 also on p1): 2
        (3, 1, "bot", "p1"),        # its own card does not count: 2 and 3
        (4, 4, None, None),         # in store: null
        (5, 4, "home", "p2"),       # card 2 on p2
        (8 * DAY, 5, "bot", "p1"),  # more than 7 days after everyone: 0
        (8 * DAY + 1, 6, None, "p1"),  # card 5 on p1 (no device: the IP alone)
    ])  # fmt: skip
    got = other_cards(frame)
    assert got.name == GRAPH_FEATURE
    assert got.to_list() == [0, 1, 2, 2, None, 1, 0, 1]


def test_a_tie_in_time_is_not_before_and_the_window_is_seven_days() -> None:
    frame = _rows([(0, 1, "d", None), (0, 2, "d", None), (7 * DAY, 3, "d", None),
                   (7 * DAY + 0.5, 4, "d", None)])  # fmt: skip
    # At exactly 7 days the first two are still in [t - 7d, t); half an hour later they left.
    assert other_cards(frame).to_list() == [0, 0, 2, 1]


def test_a_card_on_the_device_and_elsewhere_on_the_ip_counts_twice() -> None:
    # Card 1 pays on device d from IP x, then on device e from IP y. Card 2 on (d, y) sees card
    # 1 on its device and on its IP, never both in one payment: counted twice (the module doc).
    frame = _rows([(0, 1, "d", "x"), (1, 1, "e", "y"), (2, 2, "d", "y")])
    assert other_cards(frame).to_list()[-1] == 2


def test_the_counts_agree_with_a_brute_force() -> None:
    rng = np.random.default_rng(2)
    n = 400
    hours = np.sort(rng.uniform(0, 20 * DAY, n))
    card = rng.integers(0, 30, n)
    dev = [None if rng.random() < 0.3 else f"d{x}" for x in rng.integers(0, 10, n)]
    ip = [None if rng.random() < 0.3 else f"i{x}" for x in rng.integers(0, 8, n)]
    frame = _rows(list(zip(hours.tolist(), card.tolist(), dev, ip, strict=True)))
    got = other_cards(frame).to_list()
    for i in range(n):
        if dev[i] is None and ip[i] is None:
            assert got[i] is None
            continue
        window = [j for j in range(n) if hours[i] - 7 * DAY <= hours[j] < hours[i]
                  and card[j] != card[i]]  # fmt: skip
        on_dev = {card[j] for j in window if dev[i] is not None and dev[j] == dev[i]}
        on_ip = {card[j] for j in window if ip[i] is not None and ip[j] == ip[i]}
        both = {card[j] for j in window if dev[i] is not None and ip[i] is not None
                and dev[j] == dev[i] and ip[j] == ip[i]}  # fmt: skip
        assert got[i] == len(on_dev) + len(on_ip) - len(both), i
