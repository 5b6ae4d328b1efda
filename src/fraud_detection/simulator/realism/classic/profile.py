"""The report profiles of v1 and v2: the spec's columns and configured distributions.

v1 draws its entities' attributes per row (no shared catalogs); v2 draws them from the
catalog files it writes, so its rows can be checked against them.
"""

from __future__ import annotations

from ..profile import ReportProfile

V1_PROFILE = ReportProfile(realism="v1", fidelity="distributions", uses_catalogs=False)
V2_PROFILE = ReportProfile(realism="v2", fidelity="distributions", uses_catalogs=True)
