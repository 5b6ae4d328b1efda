"""Campaigns: fraud run by crews, and the infrastructure that ties their cards together.

``campaign_sizes`` reads ``fraud_campaign_id`` (issue 19: one attacker's operation, a testing
bot's run, a breach, a rogue merchant; null on legitimate rows and friendly fraud): per
typology, how many campaigns and how many cards, episodes and fraud rows each holds. Data
without the column says "not in this dataset".

``linked_groups`` needs only the rows: cards are linked when they share a ``device_id`` or an
``ip_address`` (nulls never link), and a group is a connected component of that graph over the
whole dataset (scipy's ``connected_components`` on the card-device and card-IP pairs). The
largest group and its fraud share show what graph features can find: a testing bot's cards in
one group full of fraud, or a carrier IP tying thousands of ordinary customers together.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..inputs.columns import CAMPAIGN, CARD, DEVICE, EPISODE, IP, LABEL, TIME, TYPE
from ..inputs.dataset import Prepared
from ..plots.data import plot
from ..values import share

TOP_GROUPS = 10
TOP_CAMPAIGNS = 10
MAX_POINTS = 2000  # campaigns drawn in the sizes figure
NOT_HERE = "not in this dataset"
INFRASTRUCTURE = {DEVICE: "devices", IP: "ips"}


def _per_campaign(data: Prepared) -> pl.DataFrame:
    sizes = [
        pl.col(TYPE).first().alias("type"), pl.col(TYPE).n_unique().alias("types"),
        pl.col(CARD).n_unique().alias("cards"), pl.col(EPISODE).n_unique().alias("episodes"),
        pl.len().alias("rows"), pl.col(TIME).min().alias("first"),
        pl.col(TIME).max().alias("last"),
    ]  # fmt: skip
    return (
        data.lf.filter(pl.col(LABEL) & pl.col(CAMPAIGN).is_not_null())
        .group_by(CAMPAIGN)
        .agg(sizes)
        .sort(["cards", "rows", CAMPAIGN], descending=[True, True, False])
        .collect()
    )


def _by_type(per: pl.DataFrame, frauds_by_type: dict[str, int]) -> dict[str, dict[str, Any]]:
    out = {}
    for (name,), group in sorted(per.group_by("type"), key=lambda g: str(g[0][0])):
        stats: dict[str, Any] = {"campaigns": group.height}
        for what in ("cards", "episodes", "rows"):
            values = group[what].to_numpy()
            stats |= {f"{what}_median": float(np.median(values)), f"{what}_max": int(values.max())}
        rows = int(group["rows"].sum())
        stats["share_of_its_frauds"] = share(rows, frauds_by_type.get(str(name), 0))
        out[str(name)] = stats
    return out


def campaign_sizes(data: Prepared) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Return (report.json's ``campaigns.sizes``, the sizes figure's entry); None without
    ``fraud_campaign_id``."""
    title = "Campaign sizes: cards and fraud rows per campaign, by typology"
    if not data.has(CAMPAIGN, TYPE, EPISODE, CARD):
        why = f"no {CAMPAIGN} column: {NOT_HERE}"
        return None, plot("campaign_sizes", title, "campaigns", None, "campaigns", why)
    per = _per_campaign(data)
    counts = data.lf.filter(pl.col(LABEL)).group_by(TYPE).agg(pl.len()).collect()
    by_type = {str(t): int(n) for t, n in counts.iter_rows()}
    sizes = {
        "campaigns": per.height,
        "fraud_rows_in_campaigns": int(per["rows"].sum()),
        "share_of_frauds": share(int(per["rows"].sum()), sum(by_type.values())),
        "mixed_typology_campaigns": int((per["types"] > 1).sum()),
        "by_type": _by_type(per, by_type),
        "largest": per.head(TOP_CAMPAIGNS).to_dicts(),
    }
    points = per.head(MAX_POINTS).select("type", "cards", "rows").to_dict(as_series=False)
    return sizes, plot("campaign_sizes", title, "campaigns", points, "campaigns")


def _pairs(data: Prepared, key: str, cards: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (card position in ``cards``, key code) of every distinct card-key pair."""
    pairs = data.lf.filter(pl.col(key).is_not_null() & pl.col(CARD).is_not_null())
    pairs = pairs.select(CARD, pl.col(key).rank("dense").cast(pl.Int64).alias("__key") - 1)
    frame = pairs.unique().collect()
    return np.searchsorted(cards, frame[CARD].to_numpy()), frame["__key"].to_numpy()


def _components(
    data: Prepared, keys: list[str], cards: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Return (each card's group, per key each group's count of distinct values of it)."""
    offset, rows, cols, spans = cards.size, [], [], {}
    for key in keys:
        card, code = _pairs(data, key, cards)
        size = int(code.max(initial=-1)) + 1
        rows.append(card)
        cols.append(code + offset)
        spans[key] = (offset, size)
        offset += size
    r, c = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(r.size, dtype=np.int8), (r, c)), shape=(offset, offset))
    _, labels = connected_components(graph, directed=False)
    width = int(labels.max(initial=0)) + 1
    values = {k: np.bincount(labels[a : a + n], minlength=width) for k, (a, n) in spans.items()}
    return labels[: cards.size], values


def _group(i: int, counts: dict[str, np.ndarray], values: dict[str, np.ndarray]) -> dict[str, Any]:
    cards, fraud_cards = int(counts["cards"][i]), int(counts["fraud_cards"][i])
    rows, frauds = int(counts["rows"][i]), int(counts["frauds"][i])
    return {
        "cards": cards, "fraud_cards": fraud_cards, "fraud_card_share": share(fraud_cards, cards),
        "rows": rows, "frauds": frauds, "fraud_row_share": share(frauds, rows),
        **{INFRASTRUCTURE[k]: int(v[i]) for k, v in values.items()},
    }  # fmt: skip


def linked_groups(data: Prepared) -> dict[str, Any] | None:
    """Return report.json's ``campaigns.linked_groups``: the groups of cards linked by shared
    devices or IPs with at least two cards, the largest ones and their fraud shares (None
    without ``card_id`` or without both ``device_id`` and ``ip_address``)."""
    keys = [k for k in (DEVICE, IP) if data.has(k)]
    if not keys or not data.has(CARD):
        return None
    per_card = (
        data.lf.filter(pl.col(CARD).is_not_null()).group_by(CARD)
        .agg(pl.len().alias("rows"), pl.col(LABEL).sum().alias("frauds"))
        .sort(CARD).collect()
    )  # fmt: skip
    ids = per_card[CARD].to_numpy()
    group, values = _components(data, keys, ids)
    frauds = per_card["frauds"].to_numpy()
    counts = {
        "cards": np.bincount(group), "fraud_cards": np.bincount(group, weights=frauds > 0),
        "rows": np.bincount(group, weights=per_card["rows"].to_numpy()),
        "frauds": np.bincount(group, weights=frauds),
    }  # fmt: skip
    order = np.lexsort((np.arange(counts["cards"].size), -counts["cards"]))
    linked = order[counts["cards"][order] >= 2]
    return {
        "linked_by": keys,
        "cards": int(ids.size),
        "fraud_cards": int((frauds > 0).sum()),
        "groups": int(linked.size),
        "cards_in_groups": int(counts["cards"][linked].sum()),
        "largest": _group(int(linked[0]), counts, values) if linked.size else None,
        "top": [_group(int(i), counts, values) for i in linked[:TOP_GROUPS]],
    }
