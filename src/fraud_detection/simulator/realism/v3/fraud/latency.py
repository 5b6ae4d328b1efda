"""When fraud is reported: a delay after the episode's first fraudulent payment, or never.

Delays are lognormal around a median per typology, scaled by ``report_delay_scale``, at least
until the episode's last fraudulent payment (a report blocks the card) and at most 120 days
after its first (Visa and Mastercard take fraud disputes for 120 days; Vesta labels a card
legitimate if nothing is reported within 120 days). Medians (research note 2.7 and 3.7, an
assumption anchored on: most feedback within a week (FDH), victims with alerts notice within
hours (Security.org 2022), disputes take 30-90 days (Stripe)): lost/stolen half a day, account
takeover 1.5 days, card testing 5 days, compromise 7 days, rogue merchant 10 days, friendly
disputes 45 days (30-120). A share of episodes is never reported (``never_reported_share``),
spread over typologies by how easily victims miss them (micro-tests and rogue charges most,
stolen cards least, disputes never).
"""

from __future__ import annotations

import numpy as np

from ....reference import TYPOLOGIES
from .presets import FraudParams

NS_PER_DAY = 86_400_000_000_000
MAX_DELAY_DAYS = 120.0
MEDIAN_DAYS = dict(
    card_testing=5.0, account_takeover=1.5, lost_stolen=0.5, merchant_compromise=7.0,
    rogue_merchant=10.0, friendly_fraud=45.0,
)  # fmt: skip
SIGMA = dict(
    card_testing=1.0, account_takeover=1.0, lost_stolen=1.0, merchant_compromise=1.0,
    rogue_merchant=1.0, friendly_fraud=0.5,
)  # fmt: skip
# How likely an episode of each typology goes unreported, relative to the average episode.
MISSED = dict(
    card_testing=1.6, account_takeover=0.8, lost_stolen=0.3, merchant_compromise=1.2,
    rogue_merchant=2.0, friendly_fraud=0.0,
)  # fmt: skip
FRIENDLY_MIN_DAYS = 30.0


def report_times(
    typology: np.ndarray, first: np.ndarray, last: np.ndarray, rows: np.ndarray,
    params: FraudParams, rng: np.random.Generator,
) -> np.ndarray:  # fmt: skip
    """Return each episode's report time (ns), -1 when never reported.

    ``first`` / ``last`` are the episode's first and last fraudulent payments; ``rows`` its
    fraud rows (the never-reported share is a share of fraud rows).
    """
    names = [TYPOLOGIES[t] for t in range(len(TYPOLOGIES))]
    median = np.array([MEDIAN_DAYS[n] for n in names])[typology] * params.report_delay_scale
    sigma = np.array([SIGMA[n] for n in names])[typology]
    days = np.exp(np.log(median) + sigma * rng.standard_normal(typology.size))
    friendly = typology == TYPOLOGIES.index("friendly_fraud")
    days = np.where(friendly, np.maximum(days, FRIENDLY_MIN_DAYS), days)
    days = np.minimum(days, MAX_DELAY_DAYS)
    report = first + (days * NS_PER_DAY).astype(np.int64)
    report = np.minimum(
        np.maximum(report, last + 60_000_000_000), first + int(MAX_DELAY_DAYS * NS_PER_DAY)
    )
    missed = np.array([MISSED[n] for n in names])[typology]
    mean = float((missed * rows).sum() / max(rows.sum(), 1))
    p_never = np.clip(params.never_reported * missed / max(mean, 1e-9), 0.0, 1.0)
    never = rng.random(typology.size) < p_never
    return np.where(never, -1, report)
