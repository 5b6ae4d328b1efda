"""The spec's ``catalog`` module: customer, merchant and card catalogs (Zipf weights, Beta risk)
and weighted entity draws. v1/v2 build theirs in ``realism/classic/catalog.py``; the shared
building blocks (cards with Luhn-valid PANs, alias tables) are in ``entities``."""

from __future__ import annotations

from .entities import AliasTable, currency_of, generate_card_catalog
from .realism.classic.catalog import (
    Catalogs,
    build_catalogs,
    catalog_tables,
    generate_customer_catalog,
    generate_merchant_catalog,
    load_catalogs,
    sample_entities,
    sample_index,
    write_catalogs,
)

__all__ = [
    "AliasTable",
    "Catalogs",
    "build_catalogs",
    "catalog_tables",
    "currency_of",
    "generate_card_catalog",
    "generate_customer_catalog",
    "generate_merchant_catalog",
    "load_catalogs",
    "sample_entities",
    "sample_index",
    "write_catalogs",
]
