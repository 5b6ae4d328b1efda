"""v3's report profile: its promises about people and fraud episodes, and how hard it is.

The difficulty bands are DESIGN.md section 9's targets for the practitioner's history model;
the preset mixes and the longest report delay are the generator's own constants.
"""

from __future__ import annotations

from types import MappingProxyType

from ..profile import SECTIONS, ReportProfile
from .fraud.latency import MAX_DELAY_DAYS
from .fraud.presets import MIXES

# The history model's target band per difficulty (DESIGN.md section 9).
DIFFICULTY_BANDS = MappingProxyType(
    {
        "easy": MappingProxyType({"roc_auc": (0.95, 0.98)}),
        "medium": MappingProxyType(
            {"roc_auc": (0.88, 0.94), "ap_lift": (16.0, 50.0), "recall_at_5pct_fpr": (0.55, 0.75)}
        ),
        "hard": MappingProxyType({"roc_auc": (0.80, 0.87)}),
    }
)

V3_PROFILE = ReportProfile(
    realism="v3",
    fidelity="behaviour",
    sections=frozenset(SECTIONS),  # every section
    label_columns=frozenset({"fraud_type", "fraud_episode_id", "reported_time"}),
    optional_label_columns=frozenset({"fraud_campaign_id"}),  # issue 19's campaigns
    uses_catalogs=True,
    difficulty_bands=DIFFICULTY_BANDS,
    typology_mixes=MIXES,
    max_report_delay_days=MAX_DELAY_DAYS,
)
