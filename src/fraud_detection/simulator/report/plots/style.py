"""What every figure shares: colours, sizes and type sizes, and the axes' style.

Figures are sized for the page (``DISPLAY_DPI`` CSS pixels per inch: a 5.6 in figure is shown
560 px wide, half the page) and rendered at twice that (``DPI``). No text is smaller than
``MIN_FONT_PT`` points, 11 px at the display size.
"""

from __future__ import annotations

from matplotlib.axes import Axes

LEGIT, FRAUD = "#4C72B0", "#D1495B"
MODEL_COLORS = {
    "raw": "#8C8C8C", "raw_history": "#2A9D8F", "raw_history_truth": "#264653",
    "classic": "#E76F51",
}  # fmt: skip
# Holiday marks of the main home countries, in their order of rows.
COUNTRY_COLORS = ("#B3261E", "#1B7A3A", "#8E44AD", "#C77700")
# One colour per typology (reference.TYPOLOGIES order), black for all fraud together.
TYPE_COLORS = {
    "card_testing": "#E76F51", "account_takeover": "#8E44AD", "lost_stolen": "#2A9D8F",
    "merchant_compromise": "#E9C46A", "rogue_merchant": "#4C72B0", "friendly_fraud": "#8C8C8C",
    "all fraud": "#000000",
}  # fmt: skip
LATENCY_TICKS = {1 / 24: "1 h", 0.25: "6 h", 1.0: "1 d", 7.0: "7 d", 30.0: "30 d", 90.0: "90 d"}
DISPLAY_DPI = 100
DPI = 2 * DISPLAY_DPI
MIN_FONT_PT = 8.0
TITLE_PT, LABEL_PT, TICK_PT, LEGEND_PT = 10.5, 9.5, 8.5, MIN_FONT_PT
HALF, WIDE = 5.6, 11.4  # inches: half the page, the whole page


def style(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    """Set an axes' title, axis labels, tick sizes and a light grid."""
    ax.set_title(title, fontsize=TITLE_PT)
    ax.set_xlabel(xlabel, fontsize=LABEL_PT)
    ax.set_ylabel(ylabel, fontsize=LABEL_PT)
    ax.tick_params(labelsize=TICK_PT)
    ax.grid(alpha=0.3, linewidth=0.6)
