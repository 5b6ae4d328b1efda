"""v1/v2 catalogs (the spec's ``catalog`` module): customers, merchants and cards, with Zipf
weights and Beta risk.

A catalog is a small Polars DataFrame keyed by ``<entity>_id`` (1..N, in rank order) with a
``weight`` column; merchants and cards carry ``risk`` and, in v2, the attributes that belong to
the entity (MCC, country, scheme, PAN hash, expiry), drawn once and looked up per transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from ...config import (
    CatalogConfig,
    GeneratorConfig,
)
from ...entities import AliasTable, generate_card_catalog, ids, zipf_weights
from ...reference import (
    COUNTRIES,
    MCC_CODES,
)
from ...storage.layout import CATALOG_FILES
from ...storage.location import (
    Location,
    S3Location,
    join,
)
from ...storage.store import (
    encode_tables,
    read_tables,
    write_tables,
)
from ...streams import (
    as_generator,
    stream,
)

_MERCHANT_JITTER_DEG = 2.0


def generate_customer_catalog(
    num_customers: int, zipf_exponent: float, seed: int | np.random.Generator | None = None
) -> pl.DataFrame:
    """Return ``customer_id`` (1..N) and Zipf ``weight``."""
    del seed  # customers have no random attributes yet; kept for the spec's signature
    return pl.DataFrame(
        {"customer_id": ids(num_customers), "weight": zipf_weights(num_customers, zipf_exponent)}
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
            "merchant_id": ids(num_merchants),
            "weight": zipf_weights(num_merchants, zipf_exponent),
            "risk": risk,
            "mcc_code": pl.Series(MCC_CODES, dtype=pl.String).gather(mcc),
            "merchant_country": codes.gather(country),
            "local_time_offset": offsets[country],
            "latitude": np.round(np.clip(lat, -90, 90), 6),
            "longitude": np.round((lon + 180) % 360 - 180, 6),
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
