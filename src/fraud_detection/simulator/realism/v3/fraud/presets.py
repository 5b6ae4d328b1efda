"""Difficulty presets: the typology mix and the knobs each level sets, resolved with overrides.

A knob given in the config's ``fraud`` section wins over the preset; a ``typologies`` mix given
there replaces the preset's mix (normalised). The levels differ for reasons a fraud analyst
would recognise (research note, shared/research/fraud-realism-sources.md, sections 3 and 4):
easy fraud is told straight and reported quickly, with no friendly disputes; hard fraud
imitates its victims, moves slowly, uses breached cards after months, carries more friendly
fraud (label noise no model can learn) and is reported later and less often.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ....config import GeneratorConfig
from ....reference import TYPOLOGIES

# Shares of fraud rows per typology, in TYPOLOGIES order. Set by measuring each level with
# the practitioner's baseline (bench/difficulty.py; docs/decisions.md, "v3"), not taken from
# the research note's default mix (45% card testing): told straight, card tests are caught
# almost perfectly (many cards on one device and IP), so that mix made medium too easy.
# Friendly fraud: 7% at medium (below the note's 10-15%: disputes are label noise, and at 8%
# the classic baseline, whose ROC AUC on them is 0.5 by design, stayed below issue 23's 0.78 on
# some seeds) and 25% at hard (the note's 20-30%; Visa and Mastercard count 21% to "up to 75%"
# of chargebacks as first-party misuse); none at easy. Medium is mostly stolen numbers used
# online and stolen cards in store, so that remote payments carry about 80% of fraud value (the
# published figures, issue 17: 79% in SEPA 2018, 80-85% in the EEA in 2024), with
# card tests and rogue merchants at 3% (a campaign of either in a test window makes its top
# nearly pure); hard has fewer card tests and rogue charges (their tiny or under-threshold
# amounts are raw-column tells): docs/decisions.md, issues 17 and 23.
MIXES = MappingProxyType(
    {
        "easy": (0.20, 0.20, 0.25, 0.27, 0.08, 0.00),
        "medium": (0.03, 0.15, 0.34, 0.38, 0.03, 0.07),
        "hard": (0.10, 0.15, 0.23, 0.21, 0.06, 0.25),
    }
)
# Share of episodes imitating their victim. Medium's 0.95 is above the note's 0.3-0.5: the
# episodes told straight make the top of the ranking pure (at 0.75 average precision was 47-59x
# the base rate over three seeds, band 16-50x; at 0.9 with issue 23's classic tells, 55-57x on
# two seeds); at 0.95, 45-50x. Easy's 0.25, below the note's range (easy is told straight):
# at 0.2 its straight tells (crews' shops, night, magstripe) let raw columns reach ROC AUC
# 0.91-0.93 and history added 0.04-0.07 (guard 0.08); at 0.3, once thieves take the victim's
# largest basket (``base.BASKET_PICKS``), ROC AUC fell to 0.949 on seed 1 (band from 0.95).
MIMICRY = MappingProxyType({"easy": 0.25, "medium": 0.95, "hard": 0.9})
PACE = MappingProxyType({"easy": 1.5, "medium": 1.0, "hard": 0.5})
# How far above the owner's usual an imitating episode spends, as a multiple of its story's
# range (an imitating takeover 2.2-4.2x the owner's ticket, a stolen card 2-4x, a buyer of a
# breached number 3.2-5.2x). Hard fraud hides who, where and when (imitation, slow pace,
# breached numbers used months later) but still has to cash out: professional crews take more
# per card [assumption]. At 1.0 hard's classic baseline sat at ROC AUC 0.70-0.74 over nine
# seeds (issue 23's band starts at 0.70); at 1.3 it gains about 0.025 (docs/decisions.md).
IMITATION_SPEND = MappingProxyType({"easy": 1.0, "medium": 1.0, "hard": 1.3})
# Breach -> first use: weeks to months (Wawa ~10 months undetected; cards sold 1-4 months on).
COMPROMISE_LAG_DAYS = MappingProxyType({"easy": 14.0, "medium": 30.0, "hard": 60.0})
# Fraud rows never reported. Medium's 10% is the research note's report probabilities
# (section 3.7: card tests 0.3-0.6, cash-outs and takeovers 0.9, stolen cards 0.95, breached
# numbers 0.85, rogue charges 0.8, disputes 1.0) over medium's mix; hard reports 10 points less
# (section 4: "reporting p down 10-20 points"); easy's labels are nearly complete
# (docs/decisions.md, "two fraud-only stamps").
NEVER_REPORTED = MappingProxyType({"easy": 0.01, "medium": 0.10, "hard": 0.20})
REPORT_DELAY_SCALE = MappingProxyType({"easy": 0.5, "medium": 1.0, "hard": 1.6})


@dataclass(frozen=True)
class Infrastructure:
    """What a campaign shares, by level: harder levels spread a campaign over more proxy IPs
    and fewer cards per device (research: real card-testing bots rotate IPs per request, so
    the device fingerprint and the merchant carry the trace; sizes are assumptions, section 8
    of docs/sources-time-and-campaigns.md)."""

    test_devices: int  # at most this many device fingerprints per card-testing campaign
    cards_per_test_ip: int  # a campaign's proxy pool: one IP per this many cards (at least 2)
    crew_devices: int  # devices of a takeover crew, a breach's or a testing crew's cash-out
    crew_ips: int  # and the IPs they use
    crew_episodes: float  # median victims of a takeover crew
    rogue_ips: int  # a rogue merchant's checkout servers


INFRASTRUCTURE = MappingProxyType(
    {
        "easy": Infrastructure(1, 10, 1, 2, 12.0, 1),
        "medium": Infrastructure(4, 4, 4, 2, 8.0, 2),  # 2 crew IPs: a graph to find (issue 19)
        "hard": Infrastructure(6, 3, 6, 12, 5.0, 3),
    }
)


@dataclass(frozen=True)
class FraudParams:
    """The resolved fraud knobs of a run."""

    difficulty: str
    shares: tuple[float, ...]  # per TYPOLOGIES, summing to 1
    mimicry: float
    pace: float
    compromise_lag_days: float
    never_reported: float
    report_delay_scale: float
    infrastructure: Infrastructure = INFRASTRUCTURE["medium"]
    drift: str = "mild"
    imitation_spend: float = 1.0

    def share(self, typology: str) -> float:
        return self.shares[TYPOLOGIES.index(typology)]


def resolve(cfg: GeneratorConfig) -> FraudParams:
    """Return the run's fraud knobs: the preset of ``fraud.difficulty``, overrides applied."""
    f = cfg.fraud
    level = f.difficulty
    if f.typologies is not None:
        raw = np.array([f.typologies.get(t, 0.0) for t in TYPOLOGIES], dtype=np.float64)
    else:
        raw = np.array(MIXES[level], dtype=np.float64)
    shares = tuple(float(x) for x in raw / raw.sum())
    return FraudParams(
        difficulty=level,
        shares=shares,
        mimicry=_pick(f.mimicry, MIMICRY[level]),
        pace=_pick(f.pace, PACE[level]),
        compromise_lag_days=_pick(f.compromise_lag_days, COMPROMISE_LAG_DAYS[level]),
        never_reported=_pick(f.never_reported_share, NEVER_REPORTED[level]),
        report_delay_scale=_pick(f.report_delay_scale, REPORT_DELAY_SCALE[level]),
        infrastructure=INFRASTRUCTURE[level],
        drift=f.drift,
        imitation_spend=IMITATION_SPEND[level],
    )


def _pick(given: float | None, preset: float) -> float:
    return float(preset if given is None else given)
