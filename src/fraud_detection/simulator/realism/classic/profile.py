"""The report profiles of v1 and v2: the spec's columns and configured distributions.

v1 draws its entities' attributes per row (no shared catalogs); v2 draws them from the
catalog files it writes, so its rows can be checked against them.
"""

from __future__ import annotations

from ..profile import DESCRIPTIONS, ReportProfile

# The calendar and the published figures where their columns allow (v2's customers have no home
# country, so no holidays and no cross-border rate); no lifecycles or campaigns (their data
# has none), and no classic baseline (a model fit for a comparison v1/v2's labeler, drawn from
# amount and risk, does not need: see docs/decisions.md).
V1_PROFILE = ReportProfile(
    realism="v1", fidelity="distributions", uses_catalogs=False, sections=DESCRIPTIONS
)
V2_PROFILE = ReportProfile(
    realism="v2", fidelity="distributions", uses_catalogs=True, sections=DESCRIPTIONS
)
