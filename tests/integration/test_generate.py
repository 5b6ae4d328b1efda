"""The generator end to end: determinism, layout, schema, entity consistency, memory."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.core import (
    config_hash,
    generate_dataframe,
    generate_to_parquet,
    write_parquet,
)
from fraud_detection.simulator.plan import make_plan
from fraud_detection.simulator.schema import polars_schema
from tests.conftest import small_config

EXPECTED_COLUMNS = [
    "transaction_id", "event_time", "local_time_offset", "customer_id", "card_id", "merchant_id",
    "amount", "currency", "merchant_country", "mcc_code", "card_scheme", "pan_hash",
    "card_exp_month", "card_exp_year", "channel", "pos_entry_mode", "device_type", "device_id",
    "ip_address", "user_agent", "latitude", "longitude", "is_recurring", "label_fraud",
]  # fmt: skip


@pytest.fixture(scope="module")
def v2_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame]:
    out = tmp_path_factory.mktemp("v2")
    cfg = small_config(out, total_rows=60_000, batch_size=10_000, fraud_rate=0.005)
    result = generate_to_parquet(cfg, today=date(2025, 7, 10))
    return result.path, pl.read_parquet(result.path)


def test_file_layout_and_name(v2_run: tuple[Path, pl.DataFrame]) -> None:
    path, _ = v2_run
    assert path.name == "payments_60_000_2025-07-10.parquet"
    assert path.parent.parts[-3:] == ("payments", "year=2025", "month=07")
    assert sorted(p.name for p in (path.parents[3] / "catalog").iterdir()) == [
        "cards.parquet", "customers.parquet", "merchants.parquet",
    ]  # fmt: skip
    assert not [p for p in path.parents[3].rglob("*") if p.name.endswith(".tmp")]


def test_parquet_schema_compression_and_row_groups(v2_run: tuple[Path, pl.DataFrame]) -> None:
    path, df = v2_run
    assert df.columns == EXPECTED_COLUMNS
    assert df.schema == polars_schema()
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == 60_000
    assert meta.row_group(0).column(0).compression == "SNAPPY"
    # Row groups are written chunk by chunk as they arrive (six chunks of ~10k rows).
    assert meta.num_row_groups == 6


def test_values_match_the_schema_descriptions(v2_run: tuple[Path, pl.DataFrame]) -> None:
    _, df = v2_run
    uuid4 = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    checks = df.select(
        pl.col("event_time").is_sorted().alias("sorted"),
        pl.col("transaction_id").str.contains(uuid4).all().alias("tx_uuid4"),
        pl.col("transaction_id").n_unique().eq(pl.len()).alias("tx_unique"),
        pl.col("device_id").drop_nulls().str.contains(uuid4).all().alias("dev_uuid4"),
        pl.col("local_time_offset").is_between(-720, 840).all().alias("offset"),
        pl.col("customer_id").is_between(1, 2_000).all().alias("cust"),
        pl.col("card_id").is_between(1, 3_000).all().alias("card"),
        pl.col("merchant_id").is_between(1, 300).all().alias("merch"),
        (pl.col("amount") > 0).all().alias("amount_pos"),
        (pl.col("amount") * 100)
        .round(6)
        .eq((pl.col("amount") * 100).round(0))
        .all()
        .alias("cents"),
        pl.col("currency").is_in(["EUR", "USD"]).all().alias("currency"),
        pl.col("merchant_country").str.contains(r"^[A-Z]{2}$").all().alias("country"),
        pl.col("mcc_code").str.contains(r"^\d{4}$").all().alias("mcc"),
        pl.col("card_scheme")
        .is_in(["VISA", "MASTERCARD", "AMEX", "DISCOVER"])
        .all()
        .alias("scheme"),
        pl.col("pan_hash").str.contains(r"^[0-9a-f]{64}$").all().alias("pan"),
        pl.col("card_exp_month").is_between(1, 12).all().alias("exp_month"),
        pl.col("channel").is_in(["ONLINE", "IN_STORE", "ATM"]).all().alias("channel"),
        pl.col("pos_entry_mode").is_in(["CHIP", "MAGSTRIPE", "NFC", "ECOM"]).all().alias("pos"),
        pl.col("device_type").is_in(["mobile", "desktop", "tablet"]).all().alias("device"),
        pl.col("ip_address").str.contains(r"^\d{1,3}(\.\d{1,3}){3}$").all().alias("ip"),
        pl.col("latitude").is_between(-90, 90).all().alias("lat"),
        pl.col("longitude").is_between(-180, 180).all().alias("lon"),
        pl.col("latitude").round(6).eq(pl.col("latitude")).all().alias("lat6"),
    )
    failed = [name for name, ok in checks.row(0, named=True).items() if not ok]
    assert failed == []
    eur = df.filter(pl.col("currency") == "EUR")["merchant_country"].unique().to_list()
    assert eur and set(eur) <= {"IE", "FR", "DE", "ES", "IT", "NL", "BE", "AT", "PT", "FI", "GR"}


def test_shares_and_exact_fraud_count(v2_run: tuple[Path, pl.DataFrame]) -> None:
    _, df = v2_run
    assert df["label_fraud"].sum() == round(0.005 * 60_000)
    assert df["device_id"].null_count() / df.height == pytest.approx(0.10, abs=0.01)
    assert df["is_recurring"].mean() == pytest.approx(0.10, abs=0.01)
    shares = df["device_type"].value_counts(normalize=True).sort("device_type")
    assert shares["proportion"].to_list() == pytest.approx([0.3, 0.6, 0.1], abs=0.015)


def test_timestamps_inside_the_configured_range(v2_run: tuple[Path, pl.DataFrame]) -> None:
    _, df = v2_run
    days = df["event_time"].dt.date()
    assert days.min() == date(2025, 1, 1) and days.max() == date(2025, 1, 14)


def test_v2_entity_attributes_are_constant_per_entity(v2_run: tuple[Path, pl.DataFrame]) -> None:
    _, df = v2_run
    per_merchant = df.group_by("merchant_id").agg(
        pl.col("mcc_code", "merchant_country", "currency", "local_time_offset").n_unique()
    )
    per_card = df.group_by("card_id").agg(
        pl.col("pan_hash", "card_scheme", "card_exp_month", "card_exp_year").n_unique()
    )
    assert per_merchant.drop("merchant_id").max().row(0) == (1, 1, 1, 1)
    assert per_card.drop("card_id").max().row(0) == (1, 1, 1, 1)
    # And they agree with the catalogs written beside the data.
    cards = pl.read_parquet(_catalog(v2_run, "cards"))
    joined = (
        df.select("card_id", "pan_hash", "card_scheme")
        .unique()
        .join(cards.select("card_id", "pan_hash", "card_scheme"), on="card_id", suffix="_cat")
    )
    assert (joined["pan_hash"] == joined["pan_hash_cat"]).all()
    assert (joined["card_scheme"] == joined["card_scheme_cat"]).all()


def _catalog(run: tuple[Path, pl.DataFrame], name: str) -> Path:
    return run[0].parents[3] / "catalog" / f"{name}.parquet"


def test_v1_draws_scheme_and_country_per_transaction(tmp_path: Path) -> None:
    cfg = small_config(tmp_path, realism="v1", total_rows=20_000)
    df = generate_dataframe(cfg)
    assert not (tmp_path / "catalog").exists()
    busiest_card = df["card_id"].mode()[0]
    rows = df.filter(pl.col("card_id") == busiest_card)
    assert rows["card_scheme"].n_unique() > 1  # the spec's legacy behaviour
    assert df["merchant_country"].n_unique() > 20
    # pan_hash still comes from the (per-chunk) card catalog.
    assert df["pan_hash"].str.contains(r"^[0-9a-f]{64}$").all()
    assert df["label_fraud"].sum() == 200


@pytest.mark.parametrize("realism", ["v2", "v1"])
def test_same_config_same_rows_for_1_2_and_3_workers(
    tmp_path: Path, realism: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRAUD_SIMULATOR_MAX_WORKERS", "3")  # really 3 processes on 2 cores
    frames = []
    for workers in (1, 2, 3):
        cfg = small_config(
            tmp_path / str(workers), num_workers=workers, realism=realism, batch_size=4_000
        )
        frames.append(generate_dataframe(cfg))
    assert frames[0].height == 20_000
    for other in frames[1:]:
        assert other.equals(frames[0])


def test_other_seed_other_rows(tmp_path: Path) -> None:
    a = generate_dataframe(small_config(tmp_path / "a", total_rows=2_000))
    b = generate_dataframe(small_config(tmp_path / "b", total_rows=2_000, seed=8))
    assert not a["amount"].equals(b["amount"])


def test_dataframe_and_file_paths_agree(tmp_path: Path) -> None:
    cfg = small_config(tmp_path, total_rows=8_000, num_workers=2)
    in_memory = generate_dataframe(cfg)
    on_disk = pl.read_parquet(generate_to_parquet(cfg).path)
    assert in_memory.equals(on_disk)


def test_zipf_slopes_in_generated_data(tmp_path: Path) -> None:
    cfg = small_config(
        tmp_path,
        total_rows=300_000,
        batch_size=100_000,
        catalog={"num_customers": 20_000, "num_merchants": 5_000, "num_cards": 30_000},
    )
    df = generate_dataframe(cfg)
    for column, exponent in (("customer_id", 1.0), ("merchant_id", 1.1), ("card_id", 1.0)):
        counts = np.sort(df[column].value_counts()["count"].to_numpy())[::-1][:100]
        slope = np.polyfit(np.log(np.arange(1, counts.size + 1)), np.log(counts), 1)[0]
        assert slope == pytest.approx(-exponent, abs=0.1), column


def test_write_parquet_helper(tmp_path: Path) -> None:
    df = pl.DataFrame({"a": [1, 2, 3]})
    path = write_parquet(df, tmp_path / "x" / "y.parquet")
    assert path == tmp_path / "x" / "y.parquet" and pl.read_parquet(path).equals(df)


def _peak_rss_mb(tmp_path: Path, rows: int) -> float:
    code = f"""
import resource, sys, json
from tests.conftest import small_config
from fraud_detection.simulator.core import generate_to_parquet
cfg = small_config(__import__("pathlib").Path({str(tmp_path)!r}), total_rows={rows},
                   batch_size=20_000, temporal={{"start_date": "2025-01-01", "end_date": "2025-03-31"}})
generate_to_parquet(cfg)
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
"""
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1]))


def test_memory_is_flat_in_total_rows(tmp_path: Path) -> None:
    small = _peak_rss_mb(tmp_path / "s", 100_000)
    large = _peak_rss_mb(tmp_path / "l", 600_000)
    # Six times the rows, same batch size: peak memory within 25% (it would be ~6x if held).
    assert large < 1.25 * small, (small, large)


def test_plan_fraud_counts_match_written_labels(tmp_path: Path) -> None:
    cfg = small_config(tmp_path, total_rows=30_000, batch_size=5_000, fraud_rate=0.0333)
    df = generate_dataframe(cfg)
    plan = make_plan(cfg)
    bounds = [c.end_ns for c in plan]
    chunk_of_row = np.searchsorted(bounds, df["event_time"].dt.epoch("ns").to_numpy(), side="right")
    per_chunk = np.bincount(chunk_of_row, weights=df["label_fraud"].to_numpy(), minlength=len(plan))
    assert per_chunk.astype(int).tolist() == [c.fraud_count for c in plan]


def test_v2_cards_are_mostly_used_from_their_usual_device_and_ip(
    v2_run: tuple[Path, pl.DataFrame],
) -> None:
    _, df = v2_run
    cards = pl.read_parquet(_catalog(v2_run, "cards"))
    joined = df.join(cards.select("card_id", "home_device_id", "home_ip_address"), on="card_id")
    shares = (
        joined.group_by("label_fraud")
        .agg(
            (pl.col("device_id") == pl.col("home_device_id")).mean().alias("device"),
            (pl.col("ip_address") == pl.col("home_ip_address")).mean().alias("ip"),
        )
        .sort("label_fraud")
    )
    legit, fraud = shares.rows(named=True)
    # 59,700 legit rows: tight; 300 fraud rows: about 3 standard errors.
    assert legit["device"] == pytest.approx(0.80, abs=0.01)
    assert legit["ip"] == pytest.approx(0.80, abs=0.01)
    assert fraud["device"] == pytest.approx(0.45, abs=0.09)
    assert fraud["ip"] == pytest.approx(0.45, abs=0.09)
    # The null share of device_id is unchanged by the reuse.
    assert df["device_id"].null_count() / df.height == pytest.approx(0.10, abs=0.01)


def test_v1_draws_a_fresh_device_per_transaction(tmp_path: Path) -> None:
    df = generate_dataframe(small_config(tmp_path, realism="v1", total_rows=5_000))
    devices = df["device_id"].drop_nulls()
    assert devices.n_unique() == devices.len()


@pytest.mark.parametrize("layout", ["single", "parts"])
def test_every_file_records_its_provenance(tmp_path: Path, layout: str) -> None:
    cfg = small_config(tmp_path, output={"layout": layout}, num_workers=2)
    result = generate_to_parquet(cfg)
    path = Path(str(result.path))
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    infos = [json.loads(pl.read_parquet_metadata(f)["fraud_simulator"]) for f in files]
    assert all(info == infos[0] for info in infos)
    info = infos[0]
    assert (info["realism"], info["seed"], info["total_rows"]) == ("v2", 7, 20_000)
    assert info["fraud_count"] == result.fraud_count == 200
    catalog_dir = Path(str(result.catalog_dir))
    assert info["catalogs"] == {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(catalog_dir.iterdir())
    }
    rebuilt = config_from_dict(info["config"])  # the recorded config rebuilds the run's config
    assert config_hash(rebuilt) == info["config_sha256"] == config_hash(cfg)


def test_a_v3_file_records_its_population_and_fraud_knobs(tmp_path: Path) -> None:
    base = {
        "total_rows": 4_000, "num_workers": 1, "batch_size": 2_000, "seed": 3,
        "temporal": {"start_date": "2025-03-01", "end_date": "2025-03-10"},
        "catalog": {"num_customers": 400, "num_merchants": 60, "num_cards": 600},
    }  # fmt: skip
    easy = config_from_dict({**base, "out_dir": str(tmp_path), "fraud": {"difficulty": "easy"}})
    hard = config_from_dict({**base, "out_dir": str(tmp_path), "fraud": {"difficulty": "hard"}})
    assert config_hash(easy) != config_hash(hard)
    info = json.loads(pl.read_parquet_metadata(generate_to_parquet(easy).path)["fraud_simulator"])
    assert info["config"]["fraud"]["difficulty"] == "easy"
    assert config_hash(config_from_dict(info["config"])) == info["config_sha256"]


def test_a_dumped_v2_config_loads_back(tmp_path: Path) -> None:
    cfg = small_config(tmp_path)
    assert config_from_dict(cfg.model_dump(mode="json")) == cfg
