from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.catalog import (
    generate_card_catalog,
    generate_merchant_catalog,
    load_catalogs,
    sample_entities,
    write_catalogs,
)
from fraud_detection.simulator.entities import _luhn_complete
from fraud_detection.simulator.entities import zipf_weights as _zipf_weights
from fraud_detection.simulator.errors import CatalogTooLargeError
from fraud_detection.simulator.reference import MCC_CODES, SCHEME_NAMES
from tests.conftest import small_config


def rank_frequency_slope(ids: np.ndarray, top: int = 100) -> float:
    """Slope of log(count) against log(rank) over the ``top`` most frequent ids."""
    counts = np.sort(np.unique(ids, return_counts=True)[1])[::-1][:top]
    return float(np.polyfit(np.log(np.arange(1, counts.size + 1)), np.log(counts), 1)[0])


@pytest.mark.parametrize("exponent", [0.8, 1.0, 1.3])
def test_sampled_ids_follow_zipf(exponent: float) -> None:
    catalog = pl.DataFrame(
        {"merchant_id": np.arange(1, 5_001), "weight": _zipf_weights(5_000, exponent)}
    )
    ids = sample_entities(catalog, "merchant_id", 400_000, seed=5)
    assert ids.min() >= 1 and ids.max() <= 5_000
    assert rank_frequency_slope(ids) == pytest.approx(-exponent, abs=0.08)


def test_merchant_catalog_attributes() -> None:
    m = generate_merchant_catalog(20_000, 1.1, 1.0, 30.0, seed=1)
    assert m["merchant_id"].to_list()[:3] == [1, 2, 3] and m.height == 20_000
    assert m["risk"].mean() == pytest.approx(1 / 31, rel=0.05)
    assert set(m["mcc_code"].unique()) <= set(MCC_CODES)
    assert m["mcc_code"].str.contains(r"^\d{4}$").all()
    assert m["merchant_country"].str.contains(r"^[A-Z]{2}$").all()
    assert m["local_time_offset"].is_between(-720, 840).all()
    assert m["latitude"].is_between(-90, 90).all() and m["longitude"].is_between(-180, 180).all()


def test_card_catalog_attributes() -> None:
    c = generate_card_catalog(10_000, 1.0, 1.0, 50.0, seed=2, first_year=2025)
    assert c["risk"].mean() == pytest.approx(1 / 51, rel=0.08)
    assert set(c["card_scheme"].unique()) == set(SCHEME_NAMES)
    assert c["pan_hash"].str.contains(r"^[0-9a-f]{64}$").all()
    assert c["pan_hash"].n_unique() == 10_000
    assert c["card_exp_month"].is_between(1, 12).all()
    assert c["card_exp_year"].is_between(2026, 2030).all()


def _luhn_valid(number: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(number)):
        v = int(d) * (2 if i % 2 else 1)
        total += v - 9 if v > 9 else v
    return total % 10 == 0


def test_generated_pans_pass_luhn() -> None:
    rng = np.random.default_rng(0)
    body = rng.integers(0, 10, size=(500, 15))
    body[:250, 14] = -1  # 15-digit (AMEX-length) numbers
    full = _luhn_complete(body)
    for row in full:
        number = "".join(str(d) for d in row if d >= 0)
        assert re.fullmatch(r"\d{15,16}", number) and _luhn_valid(number)


def test_catalogs_round_trip_and_are_deterministic(tmp_path: Path) -> None:
    cfg = small_config(tmp_path)
    paths = write_catalogs(tmp_path / "a", cfg)
    write_catalogs(tmp_path / "b", cfg)
    assert sorted(Path(p).name for p in paths.values()) == [
        "cards.parquet",
        "customers.parquet",
        "merchants.parquet",
    ]
    for x, y in zip(load_catalogs(tmp_path / "a"), load_catalogs(tmp_path / "b"), strict=True):
        assert x.equals(y)
    cust, merch, card = load_catalogs(tmp_path / "a")
    assert cust.columns == ["customer_id", "weight"]
    assert {"merchant_id", "weight", "risk", "mcc_code", "merchant_country"} <= set(merch.columns)
    assert {"card_id", "weight", "risk", "pan_hash", "card_scheme", "card_exp_month"} <= set(
        card.columns
    )


def test_catalog_over_size_limit_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    cfg = small_config(tmp_path, catalog={"max_size_mb": 0.2, "num_cards": 20_000})
    with pytest.raises(CatalogTooLargeError, match=r"catalog.max_size_mb: cards.parquet would be"):
        write_catalogs(tmp_path / "cat", cfg)
    assert not any((tmp_path / "cat").glob("*"))
