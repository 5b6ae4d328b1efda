"""The report catches corrupted data: each defect fails its own check and names the column."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from fraud_detection.simulator.config import GeneratorConfig, config_from_dict
from fraud_detection.simulator.core import GenerationResult, generate_to_parquet
from fraud_detection.simulator.realism.profiles import profile_for
from fraud_detection.simulator.report import ReportInputError, build_report
from fraud_detection.simulator.report.analysis.overview import overview
from fraud_detection.simulator.report.checks.fidelity import fidelity
from fraud_detection.simulator.report.checks.schema import schema_check
from fraud_detection.simulator.report.inputs.dataset import open_dataset, prepare
from fraud_detection.simulator.report.plots.data import entity_counts

Corruption = Callable[[pl.DataFrame], pl.DataFrame]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[GeneratorConfig, GenerationResult]:
    cfg = config_from_dict(
        {
            "realism": "v2",
            "total_rows": 20_000,
            "num_workers": 1,
            "batch_size": 10_000,
            "out_dir": str(tmp_path_factory.mktemp("data")),
            "fraud_rate": 0.02,
            "temporal": {"start_date": "2025-01-01", "end_date": "2025-01-31"},
            "catalog": {"num_customers": 2000, "num_merchants": 300, "num_cards": 3000},
        }
    )
    return cfg, generate_to_parquet(cfg)


@pytest.fixture(scope="module")
def frame(generated: tuple[GeneratorConfig, GenerationResult]) -> pl.DataFrame:
    return pl.read_parquet(generated[1].path)


def corrupted(frame: pl.DataFrame, change: Corruption, path: Path) -> Path:
    """Return the path of a copy of ``frame`` with ``change`` applied."""
    change(frame).write_parquet(path)
    return path


def fidelity_of(path: Path, cfg: GeneratorConfig) -> dict[str, dict[str, Any]]:
    """Return the fidelity checks of the dataset at ``path``, by name."""
    ds = open_dataset(path)
    data = prepare(ds)
    ov = overview(ds, data)
    checks = fidelity(cfg, data, ov, entity_counts(data), profile_for(cfg.realism))["checks"]
    return {c["name"]: c for c in checks}


def shift_fraud_count(df: pl.DataFrame) -> pl.DataFrame:
    """Label three more rows as fraud."""
    flip = df.with_row_index("i").filter(~pl.col("label_fraud"))["i"].head(3)
    index = pl.int_range(pl.len(), dtype=pl.UInt32)
    return df.with_columns(pl.col("label_fraud") | index.is_in(flip.implode()))


def uniform_merchants(df: pl.DataFrame) -> pl.DataFrame:
    """Replace merchant ids by a uniform draw: no Zipf popularity left."""
    ids = pl.Series("merchant_id", [(i * 7_919) % 300 + 1 for i in range(df.height)])
    return df.with_columns(ids.cast(pl.Int64))


def one_device_type(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.lit("mobile").alias("device_type"))


def no_device_ids(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(pl.lit(None, dtype=pl.String).alias("device_id"))


def late_event(df: pl.DataFrame) -> pl.DataFrame:
    late = pl.col("event_time").max() + pl.duration(days=2)
    last = pl.int_range(pl.len()) == pl.len() - 1
    return df.with_columns(pl.when(last).then(late).otherwise(pl.col("event_time")))


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        (shift_fraud_count, {"fraud_count"}),
        (uniform_merchants, {"zipf.merchant"}),
        (one_device_type, {"device_type.mobile", "device_type.desktop", "device_type.tablet"}),
        (no_device_ids, {"device_id.null_share"}),
        (late_event, {"date_range"}),
    ],
)
def test_a_defect_fails_exactly_its_checks(
    generated: tuple[GeneratorConfig, GenerationResult],
    frame: pl.DataFrame,
    tmp_path: Path,
    change: Corruption,
    failing: set[str],
) -> None:
    cfg, _ = generated
    assert {
        n for n, c in fidelity_of(generated[1].path, cfg).items() if c["status"] != "pass"
    } == set()
    checks = fidelity_of(corrupted(frame, change, tmp_path / "bad.parquet"), cfg)
    assert {n for n, c in checks.items() if c["status"] != "pass"} == failing


def test_clean_data_passes_every_fidelity_check(
    generated: tuple[GeneratorConfig, GenerationResult],
) -> None:
    cfg, result = generated
    statuses = {n: c["status"] for n, c in fidelity_of(result.path, cfg).items()}
    assert set(statuses.values()) == {"pass"}, statuses


def test_fraud_count_check_shows_expected_and_measured(
    generated: tuple[GeneratorConfig, GenerationResult], frame: pl.DataFrame, tmp_path: Path
) -> None:
    cfg, _ = generated
    check = fidelity_of(corrupted(frame, shift_fraud_count, tmp_path / "bad.parquet"), cfg)
    assert check["fraud_count"]["expected"] == cfg.fraud_count
    assert check["fraud_count"]["measured"] == cfg.fraud_count + 3


@pytest.mark.parametrize(("column", "dtype"), [("amount", pl.String), ("card_exp_month", pl.Int64)])
def test_a_column_cast_wrong_fails_the_schema_check_for_that_column(
    frame: pl.DataFrame, tmp_path: Path, column: str, dtype: pl.DataType
) -> None:
    path = corrupted(
        frame, lambda df: df.with_columns(pl.col(column).cast(dtype)), tmp_path / "x.parquet"
    )
    result = schema_check(open_dataset(path).schema)
    assert not result["passed"]
    assert result["failed"] == [column]
    row = next(c for c in result["columns"] if c["name"] == column)
    assert row["actual"] == str(dtype) and "expected" in row["problem"]


def test_report_still_complete_with_a_string_amount(
    generated: tuple[GeneratorConfig, GenerationResult], frame: pl.DataFrame, tmp_path: Path
) -> None:
    cfg, result = generated
    path = corrupted(
        frame, lambda df: df.with_columns(pl.col("amount").cast(pl.String)), tmp_path / "x.parquet"
    )
    data = build_report(path, result.catalog_dir, cfg).data
    assert data["schema_check"]["failed"] == ["amount"]
    amount = next(p for p in data["plots"] if p["name"] == "amount")
    assert amount["data"] is not None  # analysed as the schema's Float64
    assert "log_amount" in data["model"]["features"]["raw"]


def test_a_leaking_column_is_named(
    generated: tuple[GeneratorConfig, GenerationResult], frame: pl.DataFrame, tmp_path: Path
) -> None:
    cfg, result = generated
    leak = lambda df: df.with_columns(pl.col("label_fraud").cast(pl.Int8).alias("fraud_flag"))  # noqa: E731
    data = build_report(
        corrupted(frame, leak, tmp_path / "x.parquet"), result.catalog_dir, cfg
    ).data
    warnings = data["leakage"]["warnings"]
    assert len(warnings) == 1 and warnings[0].startswith("fraud_flag:")
    top = data["leakage"]["columns"][0]
    assert top["column"] == "fraud_flag" and top["auc"] == pytest.approx(1.0)
    assert data["schema_check"]["failed"] == ["fraud_flag"]
    # The baseline reads only the columns a practitioner's features use: naming an unknown
    # column that gives the label away is the leakage check's job.
    assert "fraud_flag" not in {f for names in data["model"]["features"].values() for f in names}


def test_a_column_that_predicts_legit_also_warns(frame: pl.DataFrame, tmp_path: Path) -> None:
    flipped = lambda df: df.with_columns((~pl.col("label_fraud")).cast(pl.String).alias("legit"))  # noqa: E731
    data = build_report(corrupted(frame, flipped, tmp_path / "x.parquet")).data
    top = data["leakage"]["columns"][0]
    assert top["column"] == "legit" and top["separation"] == pytest.approx(1.0)
    assert any(w.startswith("legit:") for w in data["leakage"]["warnings"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda df: df.drop("label_fraud"), "no label_fraud column"),
        (lambda df: df.with_columns(pl.col("event_time").cast(pl.String)), "event_time must be"),
        (lambda df: df.with_columns(pl.col("label_fraud").cast(pl.String)), "label_fraud must be"),
    ],
)
def test_unusable_label_or_time_is_an_input_error(
    frame: pl.DataFrame, tmp_path: Path, change: Corruption, message: str
) -> None:
    with pytest.raises(ReportInputError, match=message):
        build_report(corrupted(frame, change, tmp_path / "x.parquet"))


def test_an_empty_dataset_is_an_input_error(frame: pl.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(ReportInputError, match="no rows"):
        build_report(corrupted(frame, lambda df: df.head(0), tmp_path / "x.parquet"))


def _trainable(tiny: pl.DataFrame) -> bool:
    """Return whether the baseline's split holds both classes on both sides: train before the
    cutoff (70% of rows), a gap of min(7 days, a tenth of the span), test from go-live."""
    times = tiny["event_time"].sort()
    cutoff = times[int(0.7 * (tiny.height - 1))]
    live = cutoff + min(timedelta(days=7), (times.max() - times.min()) * 0.1)  # type: ignore[operator]
    train = tiny.filter(pl.col("event_time") < cutoff)["label_fraud"]
    test = tiny.filter(pl.col("event_time") >= live)["label_fraud"]
    return all(side.any() and not side.all() for side in (train, test))


@pytest.mark.parametrize(("rows", "two_classes"), [(40, False), (4_000, True)])
def test_a_tiny_dataset_still_gets_a_report(
    frame: pl.DataFrame, tmp_path: Path, rows: int, two_classes: bool
) -> None:
    tiny = frame.head(rows)
    report = build_report(corrupted(tiny, lambda df: df, tmp_path / "x.parquet"))
    data = report.data
    assert data["overview"]["rows"] == rows
    assert '<header id="top">' in report.to_html()  # the page renders without a model too
    # The model runs exactly when both sides of the time split hold both classes.
    trainable = _trainable(tiny)
    assert trainable == two_classes  # both branches below are exercised
    model = data["model"]
    if trainable:
        assert model["skipped"] is None
        assert set(model["models"]) == {"raw", "raw_history"}
        assert all(0.0 <= m["roc_auc"] <= 1.0 for m in model["models"].values())
    else:
        assert "single class" in model["skipped"] and model["models"] == {}
        assert data["verdict"]["signal"]["level"] == "not measured"
    assert all("skipped" not in p for p in data["plots"])


def test_v3_label_columns_are_not_scored_as_leaks(frame: pl.DataFrame, tmp_path: Path) -> None:
    # v3 writes what it knows about each fraud beside the label: outcomes, not features.
    fraud = pl.col("label_fraud")
    v3 = lambda df: df.with_columns(  # noqa: E731
        pl.when(fraud).then(pl.lit("card_testing")).alias("fraud_type"),
        pl.when(fraud).then(pl.int_range(pl.len())).alias("fraud_episode_id"),
        pl.when(fraud).then(pl.col("event_time") + pl.duration(days=3)).alias("reported_time"),
    )
    data = build_report(corrupted(frame, v3, tmp_path / "x.parquet")).data
    labels = {"fraud_type", "fraud_episode_id", "reported_time"}
    assert set(data["leakage"]["label_columns"]) == labels | {"label_fraud"}
    assert not labels & {r["column"] for r in data["leakage"]["columns"]}
    assert data["leakage"]["warnings"] == []
    assert not labels & {f for names in data["model"]["features"].values() for f in names}
    for model in data["model"]["models"].values():
        assert model["roc_auc"] < 0.9  # without them, no model reads the label off
