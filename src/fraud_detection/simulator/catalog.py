"""Entity catalogs: customers, merchants and cards, with Zipf weights and Beta risk.

A catalog is a small Polars DataFrame keyed by ``<entity>_id`` (1..N, in rank order) with a
``weight`` column; merchants and cards carry ``risk`` and, in v2, the attributes that belong to
the entity (MCC, country, scheme, PAN hash, expiry), drawn once and looked up per transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from .config import CatalogConfig, GeneratorConfig
from .features import ipv4_series, uuid4_array
from .layout import CATALOG_FILES
from .reference import CARD_SCHEMES, COUNTRIES, EUR_COUNTRIES, MCC_CODES
from .storage.location import Location, S3Location, join
from .storage.store import encode_tables, read_tables, write_tables
from .streams import as_generator, stream

_MERCHANT_JITTER_DEG = 2.0


def _zipf_weights(n: int, exponent: float) -> np.ndarray:
    """Return normalised weights ``rank ** -exponent`` for ranks 1..n."""
    weights = np.arange(1, n + 1, dtype=np.float64) ** -exponent
    return weights / weights.sum()


def _ids(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.int64)


def generate_customer_catalog(
    num_customers: int, zipf_exponent: float, seed: int | np.random.Generator | None = None
) -> pl.DataFrame:
    """Return ``customer_id`` (1..N) and Zipf ``weight``."""
    del seed  # customers have no random attributes yet; kept for the spec's signature
    return pl.DataFrame(
        {"customer_id": _ids(num_customers), "weight": _zipf_weights(num_customers, zipf_exponent)}
    )


def generate_merchant_catalog(
    num_merchants: int,
    zipf_exponent: float,
    risk_alpha: float,
    risk_beta: float,
    seed: int | np.random.Generator | None = None,
) -> pl.DataFrame:
    """Return merchants: id, Zipf weight, Beta risk, MCC, country, UTC offset and location."""
    rng = as_generator(seed, "catalog.merchants")
    risk = rng.beta(risk_alpha, risk_beta, num_merchants)
    mcc = rng.integers(0, len(MCC_CODES), num_merchants)
    shares = np.array([c[1] for c in COUNTRIES])
    country = rng.choice(len(COUNTRIES), num_merchants, p=shares / shares.sum())
    offsets = np.array([c[2] for c in COUNTRIES], dtype=np.int16)
    lat = np.array([c[3] for c in COUNTRIES])[country] + rng.normal(
        0, _MERCHANT_JITTER_DEG, num_merchants
    )
    lon = np.array([c[4] for c in COUNTRIES])[country] + rng.normal(
        0, _MERCHANT_JITTER_DEG, num_merchants
    )
    codes = pl.Series([c[0] for c in COUNTRIES], dtype=pl.String)
    return pl.DataFrame(
        {
            "merchant_id": _ids(num_merchants),
            "weight": _zipf_weights(num_merchants, zipf_exponent),
            "risk": risk,
            "mcc_code": pl.Series(MCC_CODES, dtype=pl.String).gather(mcc),
            "merchant_country": codes.gather(country),
            "local_time_offset": offsets[country],
            "latitude": np.round(np.clip(lat, -90, 90), 6),
            "longitude": np.round((lon + 180) % 360 - 180, 6),
        }
    )


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


def _pan_hashes(scheme: np.ndarray, rng: np.random.Generator) -> list[str]:
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
    # One hash per card: catalogs are small, and hashlib has no vectorised form.
    return [hashlib.sha256(row.tobytes().rstrip(b"\0")).hexdigest() for row in text]


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
    pan_hash = pl.Series(_pan_hashes(scheme, rng), dtype=pl.String)
    # Drawn last, so adding them left every earlier column of a seed unchanged.
    home_device = pl.Series(uuid4_array(rng, num_cards))
    home_ip = ipv4_series(rng, num_cards)
    return pl.DataFrame(
        {
            "card_id": _ids(num_cards),
            "weight": _zipf_weights(num_cards, zipf_exponent),
            "risk": risk,
            "card_scheme": pl.Series([s[0] for s in CARD_SCHEMES], dtype=pl.String).gather(scheme),
            "pan_hash": pan_hash,
            "card_exp_month": exp_month,
            "card_exp_year": exp_year,
            "home_device_id": home_device,
            "home_ip_address": home_ip,
        }
    )


def build_catalogs(
    cfg: GeneratorConfig, index: int = 0
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return (customers, merchants, cards) drawn from the catalog streams of chunk ``index``."""
    c: CatalogConfig = cfg.catalog
    return (
        generate_customer_catalog(c.num_customers, c.customer_zipf_exponent),
        generate_merchant_catalog(
            c.num_merchants,
            c.merchant_zipf_exponent,
            c.merchant_risk_alpha,
            c.merchant_risk_beta,
            stream(cfg.seed, "catalog.merchants", index),
        ),
        generate_card_catalog(
            c.num_cards,
            c.card_zipf_exponent,
            c.card_risk_alpha,
            c.card_risk_beta,
            stream(cfg.seed, "catalog.cards", index),
            first_year=cfg.temporal.start_date.year,
        ),
    )


def catalog_tables(cfg: GeneratorConfig, index: int = 0) -> dict[str, pl.DataFrame]:
    """Return the three catalogs keyed by file name (``customers.parquet``, ...)."""
    return dict(zip(CATALOG_FILES.values(), build_catalogs(cfg, index), strict=True))


def _location(catalog_dir: str | Path | S3Location) -> Location:
    return catalog_dir if isinstance(catalog_dir, S3Location) else Path(catalog_dir)


def write_catalogs(catalog_dir: str | Path | S3Location, cfg: GeneratorConfig) -> dict[str, str]:
    """Build the three catalogs, write them as Snappy Parquet and return their paths/URLs.

    ``catalog_dir`` is a local directory or an ``s3://`` location. Raises
    ``CatalogTooLargeError`` (nothing left behind) when a file exceeds ``catalog.max_size_mb``.
    """
    location = _location(catalog_dir)
    c = cfg.catalog
    write_tables(
        location, encode_tables(catalog_tables(cfg), c.parquet_row_group_size, c.max_size_mb)
    )
    return {name: join(location, filename) for name, filename in CATALOG_FILES.items()}


def load_catalogs(
    catalog_dir: str | Path | S3Location,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Return (customers, merchants, cards) read from ``catalog_dir`` (local or ``s3://``)."""
    tables = read_tables(_location(catalog_dir), list(CATALOG_FILES.values()))
    cust, merch, card = tables.values()
    return cust, merch, card


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


def sample_index(table: AliasTable, size: int, rng: np.random.Generator) -> np.ndarray:
    """Return ``size`` row positions drawn with the weights ``table`` was built from."""
    return table.sample(size, rng)


def sample_entities(
    catalog: pl.DataFrame,
    entity_col: str,
    size: int,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Return ``size`` values of ``entity_col`` drawn by the catalog's ``weight``."""
    rng = as_generator(seed, "sample_entities")
    idx = AliasTable.build(catalog["weight"].to_numpy()).sample(size, rng)
    return catalog[entity_col].to_numpy()[idx]


@dataclass(frozen=True)
class Catalogs:
    """The three catalogs plus the alias tables a chunk samples from (built once)."""

    customers: pl.DataFrame
    merchants: pl.DataFrame
    cards: pl.DataFrame
    customer_table: AliasTable = field(init=False, repr=False)
    merchant_table: AliasTable = field(init=False, repr=False)
    card_table: AliasTable = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name, frame in (
            ("customer", self.customers),
            ("merchant", self.merchants),
            ("card", self.cards),
        ):
            table = AliasTable.build(frame["weight"].to_numpy())
            object.__setattr__(self, f"{name}_table", table)

    @classmethod
    def build(cls, cfg: GeneratorConfig, index: int = 0) -> Catalogs:
        return cls(*build_catalogs(cfg, index))

    @classmethod
    def load(cls, catalog_dir: str | Path | S3Location) -> Catalogs:
        return cls(*load_catalogs(catalog_dir))

    @classmethod
    def from_tables(cls, tables: dict[str, pl.DataFrame]) -> Catalogs:
        """Return the catalogs from tables keyed by file name (as ``catalog_tables`` gives)."""
        return cls(*(tables[f] for f in CATALOG_FILES.values()))

    def __reduce__(self) -> tuple[type[Catalogs], tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]]:
        # Ship only the frames to workers; the alias tables are rebuilt there.
        return (Catalogs, (self.customers, self.merchants, self.cards))


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
