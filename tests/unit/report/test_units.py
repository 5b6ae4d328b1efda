"""Unit tests of the report's building blocks on small hand-made data."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import roc_curve

from fraud_detection.simulator.report import ReportInputError
from fraud_detection.simulator.report.baseline import MAX_TRAIN_LEGIT, _sample
from fraud_detection.simulator.report.dataset import (
    Prepared,
    dataset_files,
    find_catalog_dir,
)
from fraud_detection.simulator.report.fidelity import share_tolerance
from fraud_detection.simulator.report.leakage import target_encoded
from fraud_detection.simulator.report.metrics import operating_point, recall_at_fpr
from fraud_detection.simulator.report.split import Split, sample_rows, time_split
from fraud_detection.simulator.report.values import jsonable, wilson
from fraud_detection.simulator.report.zipf import expected_counts, fit_zipf

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_zipf_fit_recovers_the_exponent_of_exact_counts() -> None:
    counts = expected_counts(np.arange(1, 5001), 1_000_000, 5000, 1.1).round().astype(np.int64)
    fit = fit_zipf(counts, 5000)
    assert fit is not None and fit.ranks == 200
    assert fit.slope == pytest.approx(-1.1, abs=0.01)


def test_zipf_fit_uses_only_ranks_with_enough_transactions() -> None:
    counts = np.array([100, 50, 30, 25, 21, 19, 5, 1] + [1] * 100)
    fit = fit_zipf(counts, 1000)
    assert fit is not None and fit.ranks == 5
    assert fit_zipf(np.array([100, 50, 30, 19, 5]), 1000) is None


def test_share_tolerance_has_a_floor_and_widens_for_small_samples() -> None:
    assert share_tolerance(0.5, 10_000_000) == 0.01
    assert share_tolerance(0.5, 1_000) == pytest.approx(4 * math.sqrt(0.25 / 1_000))


def test_wilson_interval_contains_the_estimate() -> None:
    low, high = wilson(5, 1000)
    assert 0 <= low < 0.005 < high <= 1
    assert wilson(0, 0) == (0.0, 1.0)


def test_jsonable_turns_numpy_dates_and_nan_into_json() -> None:
    value = {"a": np.int64(3), "b": [np.float64("nan"), 1.5], "c": T0, "d": np.array([1, 2])}
    assert jsonable(value) == {"a": 3, "b": [None, 1.5], "c": T0.isoformat(), "d": [1, 2]}


def test_recall_at_fpr_counts_frauds_above_the_1_percent_threshold() -> None:
    y = np.array([True] * 10 + [False] * 1000)
    score = np.concatenate([np.arange(10, dtype=float), np.linspace(5, 0, 1000)])
    # 10 legit scores are above 4.95: the threshold that keeps FPR <= 1% passes frauds 5..9.
    assert recall_at_fpr(y, score) == pytest.approx(0.5)


def test_target_encoding_gives_unseen_values_the_global_rate() -> None:
    train = pl.DataFrame({"c": ["a", "a", "b", "b"], "label_fraud": [True, False, False, False]})
    test = pl.DataFrame({"c": ["a", "b", "z", None]})
    assert target_encoded(train, test, "c").tolist() == [0.5, 0.0, 0.25, 0.25]


def _frame(n: int, labels: list[bool]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "event_time": [T0 + timedelta(hours=i) for i in range(n)],
            "card_id": [1] * n,
            "merchant_id": [i % 2 for i in range(n)],
            "label_fraud": labels,
        },
        schema_overrides={"event_time": pl.Datetime("ns", "UTC")},
    )


def _split(frame: pl.DataFrame) -> tuple[Split, pl.LazyFrame]:
    data = Prepared(frame.lazy(), tuple(frame.columns), ())
    return time_split(data, frame.height, 1_000, 0), frame.lazy()


def test_time_split_is_80_20_by_time_and_sampling_is_seeded() -> None:
    split, _ = _split(_frame(100, [i % 5 == 0 for i in range(100)]))
    assert (split.train.height, split.test.height) == (80, 20)
    assert split.train["event_time"].max() < split.test["event_time"].min()
    picks = sample_rows(1000, 100, 7)
    assert picks is not None and picks.size == 100 and np.all(np.diff(picks) > 0)
    assert np.array_equal(picks, sample_rows(1000, 100, 7))  # type: ignore[arg-type]
    assert sample_rows(100, 100, 7) is None


def test_dataset_files_reads_hive_folders_recursively_and_skips_hidden_ones(
    tmp_path: Path,
) -> None:
    for rel in (
        "year=2025/month=02/part-00001.parquet",
        "year=2025/month=01/part-00001.parquet",
        "year=2025/month=01/part-00000.parquet",
        "year=2025/month=01/notes.txt",
        ".staging/x/part-00000.parquet",
        "year=2025/month=03/.part-00009.parquet",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")  # fmt: skip
    found = [p.relative_to(tmp_path).as_posix() for p in dataset_files(tmp_path)]
    assert found == [
        "year=2025/month=01/part-00000.parquet",
        "year=2025/month=01/part-00001.parquet",
        "year=2025/month=02/part-00001.parquet",
    ]


def test_dataset_files_reads_a_directory_in_name_order(tmp_path: Path) -> None:
    for name in ("part-00002.parquet", "part-00000.parquet", "_manifest.json"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in dataset_files(tmp_path)] == ["part-00000.parquet", "part-00002.parquet"]
    with pytest.raises(ReportInputError, match="not found"):
        dataset_files(tmp_path / "missing.parquet")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportInputError, match=r"no \*\.parquet"):
        dataset_files(tmp_path / "empty")


def test_catalog_is_found_above_the_dataset(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    for name in ("customers.parquet", "merchants.parquet", "cards.parquet"):
        (catalog / name).write_text("x")
    deep = tmp_path / "payments" / "year=2025" / "month=01"
    deep.mkdir(parents=True)
    assert find_catalog_dir(deep / "payments.parquet") == catalog
    (catalog / "cards.parquet").unlink()
    assert find_catalog_dir(deep / "payments.parquet") is None


def test_operating_point_counts_catches_and_false_alerts() -> None:
    y = np.array([True] * 10 + [False] * 1000)
    score = np.concatenate([np.arange(10, dtype=float), np.linspace(5, 0, 1000)])
    fpr, tpr, _ = roc_curve(y, score, drop_intermediate=False)
    one = operating_point(fpr, tpr, 10, 1000)["1pct"]
    assert one["caught"] == 5 and one["recall"] == pytest.approx(0.5)
    assert one["false_alerts"] <= 10  # at most 1% of 1,000 legit rows
    assert one["false_alerts_per_catch"] == pytest.approx(one["false_alerts"] / 5)
    assert one["recall_ci"][0] < 0.5 < one["recall_ci"][1]


def test_the_fit_keeps_every_fraud_and_a_seeded_weighted_legit_sample() -> None:
    y = np.array([i % 50 == 0 for i in range(MAX_TRAIN_LEGIT + 5_000)])
    rows, weight = _sample(y, seed=3)
    legit = int((~y).sum())
    assert rows.size == MAX_TRAIN_LEGIT + int(y.sum())
    assert set(np.flatnonzero(y)) <= set(rows.tolist())
    assert np.all(np.diff(rows) > 0)  # row order kept
    assert np.array_equal(rows, _sample(y, seed=3)[0])
    # Legit rows stand for all the legit rows: their weights add up to them.
    assert weight[~y[rows]].sum() == pytest.approx(legit)
    assert np.all(weight[y[rows]] == 1.0)
    small = y[:2_000]
    assert _sample(small, seed=3)[0].size == small.size  # all rows fit: no sampling
