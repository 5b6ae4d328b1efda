"""v1 and v2's config: the labeler section, and what the config checks and hashes for them.

Imported by ``config.realisms`` (the realism -> settings table); imports only config values.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ...config.values import Count, Number, RealismSettings, Section

Weight = Annotated[Number, Field(ge=-100, le=100)]


class LabelerConfig(Section):
    intercept: Literal["calibrated", "naive"] = Field(
        "calibrated",
        description="calibrated: solve the logistic intercept so bursts get burst_share of the "
        "frauds; naive: the spec's log(fr/(1-fr)).",
    )
    burst_share: Number = Field(
        0.25, ge=0, le=1, description="Share of each chunk's frauds placed as merchant bursts."
    )
    burst_factor: Count = Field(10, le=100_000, description="Frauds per burst wave (<= 1e5).")
    burst_window_s: Number = Field(
        1800,
        gt=0,
        le=86_400,
        description="A wave labels the merchant's transactions within +- this (<= 1 day).",
    )
    w_amount: Weight = Field(0.8, description="Logistic weight of log(amount + 1) (-100..100).")
    w_mrisk: Weight = Field(2.0, description="Logistic weight of merchant risk (-100..100).")
    w_crisk: Weight = Field(1.5, description="Logistic weight of card risk (-100..100).")
    w_night: Weight = Field(0.5, description="Logistic weight of hour < 6 (UTC) (-100..100).")


_V3_ONLY = "only for realism v3 (realism is {name})"


def _settings(name: str, summary: str) -> RealismSettings:
    return RealismSettings(
        name=name,
        summary=summary,
        sections=("labeler",),
        hash_sections=("labeler",),
        # v3's sections, left at their defaults, pass: a dumped v1/v2 config loads back.
        unused={s: _V3_ONLY.format(name=name) for s in ("population", "fraud")},
    )


V1_SETTINGS = _settings("v1", "spec's legacy per-chunk catalogs")
V2_SETTINGS = _settings("v2", "shared catalogs")
