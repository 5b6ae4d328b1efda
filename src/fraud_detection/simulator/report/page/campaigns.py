"""The page's campaigns section (campaign sizes, cards linked by devices or IPs, the graph
feature's gain) and its lifecycles section (cards blocked and replaced, young cards)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .markup import Page, figures, para, table
from .text import count, number, pct, sig

NOT_HERE = "Not in this dataset"


def _size(stats: Mapping[str, Any], what: str) -> str:
    return f"{number(stats[f'{what}_median'], 3)} / {count(stats[f'{what}_max'])}"


def sizes_block(page: Page, sizes: Mapping[str, Any] | None) -> str:
    """Return the campaign sizes by typology, or why there are none."""
    if sizes is None:
        return para(
            f"Campaign sizes: {NOT_HERE.lower()} (no fraud_campaign_id column: campaigns are "
            "issue 19's, written by newer generators).", "note",
        )  # fmt: skip
    rows = [
        (name, count(s["campaigns"]), _size(s, "cards"), _size(s, "episodes"), _size(s, "rows"),
         pct(s["share_of_its_frauds"], 3))
        for name, s in sizes["by_type"].items()
    ]  # fmt: skip
    headers = ("typology", "campaigns", "cards (median / max)", "episodes (median / max)",
               "fraud rows (median / max)", "its frauds in campaigns")  # fmt: skip
    intro = para(
        f"{count(sizes['campaigns'])} campaigns (fraud_campaign_id: one attacker's operation) "
        f"hold {count(sizes['fraud_rows_in_campaigns'])} fraud rows, "
        f"{pct(sizes['share_of_frauds'], 3)} of all frauds; "
        f"{count(sizes['mixed_typology_campaigns'])} mix typologies."
    )
    return intro + table(headers, rows, numeric=(1, 2, 3, 4, 5)) + figures(page, "campaigns")


def _group_rows(groups: list[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    return [
        (count(g["cards"]), count(g["fraud_cards"]), pct(g["fraud_card_share"], 3),
         count(g["rows"]), pct(g["fraud_row_share"], 3), count(g.get("devices")),
         count(g.get("ips")))
        for g in groups
    ]  # fmt: skip


def groups_block(groups: Mapping[str, Any] | None) -> str:
    """Return the groups of cards linked by shared devices or IPs and the largest ones."""
    if groups is None or groups["largest"] is None:
        return para("No two cards share a device or an IP (or the columns are missing).", "note")
    big = groups["largest"]
    text = (
        f"Cards sharing a device_id or an ip_address are linked (nulls never link): "
        f"{count(groups['groups'])} groups of two or more cards hold "
        f"{count(groups['cards_in_groups'])} of the {count(groups['cards'])} cards. The "
        f"largest holds {count(big['cards'])} cards ({pct(big['cards'] / groups['cards'], 3)} "
        f"of all), {pct(big['fraud_card_share'], 3)} of them with fraud (all cards: "
        f"{pct(groups['fraud_cards'] / groups['cards'], 3)}); its rows are "
        f"{pct(big['fraud_row_share'], 3)} fraud. A group holding most cards is the carrier "
        "and public IPs and households tying ordinary customers together, not a crew: a crew "
        "shows as a small group full of fraud, and in the graph feature's counts."
    )
    headers = ("cards", "fraud cards", "fraud-card share", "rows", "fraud-row share", "devices",
               "IPs")  # fmt: skip
    return para(text) + table(headers, _group_rows(groups["top"]), numeric=tuple(range(7)))


def graph_text(graph: Mapping[str, Any] | None) -> str:
    """Return what the baseline's graph feature adds, in one sentence (empty: not measured)."""
    if not graph:
        return ""
    return (
        f"The practitioner's baseline has graph features: the distinct cards seen before on "
        f"the payment's device and on its IP, and {graph['feature']}, the other cards seen on "
        f"its device or IP in the {graph['window_days']} days before it. With them the history "
        f"model reaches ROC AUC {sig(graph['with']['roc_auc'], 4)}, without them "
        f"{sig(graph['without']['roc_auc'], 4)}: they add {graph['roc_auc_gain']:+.4f} ROC AUC "
        f"and {graph['average_precision_gain']:+.4f} average precision (same split, same "
        "labels)."
    )


def campaigns_section(page: Page) -> str | None:
    """Return campaign sizes, linked groups and the graph feature's gain."""
    section = page.report.get("campaigns")
    if section is None:
        return None
    graph = graph_text(page.report["model"].get("graph_feature"))
    return (
        sizes_block(page, section["sizes"])
        + groups_block(section["linked_groups"])
        + (para(graph) if graph else "")
    )


def _lifecycle_rows(life: Mapping[str, Any]) -> list[tuple[str, str]]:
    cards, young = life["cards"], life["young_cards"] or {}
    rows = [
        ("cards in the catalog", count(cards["cards"])),
        ("issued inside the data's range", count(cards["issued_in_range"])),
        ("blocked (of them inside the range)",
         f"{count(cards['blocked'])} ({count(cards['blocked_in_range'])})"),
        ("replacement cards (replaces_card_id)", count(cards["replacements"])),
        ("customers who joined inside the range", count(life["customers_joined_in_range"])),
        (f"rows on cards younger than {young.get('days', 30)} days",
         f"{count(young.get('rows'))} ({pct(young.get('share_of_rows'), 3)})"),
        ("fraud rows on such cards",
         f"{count(young.get('frauds'))} ({pct(young.get('share_of_frauds'), 3)})"),
    ]  # fmt: skip
    blocked = life.get("blocked_after_report")
    if blocked:
        rows.append(
            ("cards with a reported fraud: blocked",
             f"{count(blocked['blocked'])} of {count(blocked['cards_with_a_reported_fraud'])} "
             f"({pct(blocked['share_blocked'], 3)}), median "
             f"{number(blocked['median_days_report_to_block'], 2)} days after the first report")
        )  # fmt: skip
    return rows


def lifecycles_section(page: Page) -> str | None:
    """Return cards issued, blocked and replaced, customers joining, rows on young cards."""
    life = page.report.get("lifecycles")
    if life is None:
        return None
    if life["status"] != "measured":
        return para(
            f"{NOT_HERE}: {life['note']}. Lifecycles (issue 18) are catalog columns: cards' "
            "issued_at, blocked_at and replaces_card_id, customers' joined_at.", "note",
        )  # fmt: skip
    intro = para(
        "From the catalogs: a card blocked after fraud is replaced for the same customer, and "
        "a new card starts with no history (cold start). The catalog checks verify that no "
        "row falls before its card's issue or its customer's joining, or after its card's block."
    )
    note = para(life["note"], "note") if life.get("note") else ""
    return intro + table(("", ""), _lifecycle_rows(life), css="facts") + note
