"""Entity building blocks every realism shares: Zipf weights, cards with Luhn-valid PANs,
weighted draws (alias tables) and the currency of a country.

The spec's ``catalog`` module (v1/v2's catalogs, ``realism/classic/catalog.py``) and v3's world
both build their entities from these.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from .features import ipv4_series, uuid4_array
from .reference import CARD_SCHEMES, EUR_COUNTRIES
from .streams import as_generator


def zipf_weights(n: int, exponent: float) -> np.ndarray:
    """Return normalised weights ``rank ** -exponent`` for ranks 1..n."""
    weights = np.arange(1, n + 1, dtype=np.float64) ** -exponent
    return weights / weights.sum()


def ids(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.int64)


def _luhn_complete(body: np.ndarray) -> np.ndarray:
    """Return ``body`` (rows of digits, ragged rows right-padded with -1) plus a Luhn digit."""
    digits = np.where(body < 0, 0, body)
    lengths = (body >= 0).sum(axis=1)
    # Position from the right once the check digit is appended: doubled where it is odd.
    pos_from_right = lengths[:, None] - np.arange(body.shape[1])[None, :]
    doubled = np.where(pos_from_right % 2 == 1, digits * 2, digits)
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    check = (10 - doubled.sum(axis=1) % 10) % 10
    out = np.full((body.shape[0], body.shape[1] + 1), -1, dtype=np.int64)
    out[:, : body.shape[1]] = body
    out[np.arange(body.shape[0]), lengths] = check
    return out


def pan_hashes(scheme: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Return sha256 hex of a Luhn-valid PAN per card, prefix and length by scheme."""
    n = scheme.size
    width = max(s[3] for s in CARD_SCHEMES) - 1
    body = rng.integers(0, 10, size=(n, width), dtype=np.int64)
    for code, (_, _, prefixes, length) in enumerate(CARD_SCHEMES):
        rows = np.flatnonzero(scheme == code)
        picks = rng.integers(0, len(prefixes), rows.size)
        for p, prefix in enumerate(prefixes):
            sel = rows[picks == p]
            body[np.ix_(sel, np.arange(len(prefix)))] = [int(d) for d in prefix]
        body[rows, length - 1 :] = -1
    digits = _luhn_complete(body)
    text = np.where(digits >= 0, digits + ord("0"), 0).astype(np.uint8)
    # One hash per card: catalogs are small, and hashlib has no vectorised form (slicing one
    # buffer costs less than a NumPy row each).
    raw, width = text.tobytes(), text.shape[1]
    return [
        hashlib.sha256(raw[i : i + width].rstrip(b"\0")).hexdigest()
        for i in range(0, len(raw), width)
    ]


def generate_card_catalog(
    num_cards: int,
    zipf_exponent: float,
    risk_alpha: float,
    risk_beta: float,
    seed: int | np.random.Generator | None = None,
    first_year: int = 2025,
) -> pl.DataFrame:
    """Return cards: id, Zipf weight, Beta risk, scheme, PAN hash, expiry, usual device and IP."""
    rng = as_generator(seed, "catalog.cards")
    risk = rng.beta(risk_alpha, risk_beta, num_cards)
    shares = np.array([s[1] for s in CARD_SCHEMES])
    scheme = rng.choice(len(CARD_SCHEMES), num_cards, p=shares / shares.sum())
    exp_month = rng.integers(1, 13, num_cards).astype(np.int8)
    exp_year = (first_year + rng.integers(1, 6, num_cards)).astype(np.int16)
    pan_hash = pl.Series(pan_hashes(scheme, rng), dtype=pl.String)
    # Drawn last, so adding them left every earlier column of a seed unchanged.
    home_device = pl.Series(uuid4_array(rng, num_cards))
    home_ip = ipv4_series(rng, num_cards)
    return pl.DataFrame(
        {
            "card_id": ids(num_cards),
            "weight": zipf_weights(num_cards, zipf_exponent),
            "risk": risk,
            "card_scheme": pl.Series([s[0] for s in CARD_SCHEMES], dtype=pl.String).gather(scheme),
            "pan_hash": pan_hash,
            "card_exp_month": exp_month,
            "card_exp_year": exp_year,
            "home_device_id": home_device,
            "home_ip_address": home_ip,
        }
    )


@dataclass(frozen=True)
class AliasTable:
    """Walker/Vose alias table: O(1) weighted draws (a searchsorted on 75k entries is 5x slower)."""

    prob: np.ndarray
    alias: np.ndarray

    @classmethod
    def build(cls, weights: np.ndarray) -> AliasTable:
        n = weights.size
        scaled = (weights * (n / weights.sum())).tolist()
        prob = np.ones(n, dtype=np.float64)
        alias = np.arange(n, dtype=np.int64)
        small = [i for i, p in enumerate(scaled) if p < 1.0]
        large = [i for i, p in enumerate(scaled) if p >= 1.0]
        # One pass over the entities when a catalog is built, not per row.
        while small and large:
            s, g = small.pop(), large.pop()
            prob[s], alias[s] = scaled[s], g
            scaled[g] += scaled[s] - 1.0
            (small if scaled[g] < 1.0 else large).append(g)
        return cls(prob, alias)

    def sample(self, size: int, rng: np.random.Generator) -> np.ndarray:
        """Return ``size`` row positions drawn with the table's weights."""
        k = rng.integers(0, self.prob.size, size)
        return np.where(rng.random(size) < self.prob[k], k, self.alias[k])


def currency_of(countries: pl.Series) -> pl.Series:
    """Return EUR for eurozone countries, else USD."""
    return (
        pl.select(
            pl.when(countries.is_in(sorted(EUR_COUNTRIES)))
            .then(pl.lit("EUR"))
            .otherwise(pl.lit("USD"))
        )
        .to_series()
        .alias("currency")
    )
