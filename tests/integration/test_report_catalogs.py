"""A later run in the same out_dir replaces catalog/: the report of the earlier dataset must say
so and skip the catalog checks, never report the other catalogs' differences as data defects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fraud_detection.simulator.core import GenerationResult, generate_to_parquet
from fraud_detection.simulator.realism.profiles import profile_for
from fraud_detection.simulator.report import build_report
from fraud_detection.simulator.report.checks.catalog import catalog_check
from fraud_detection.simulator.report.inputs.catalogs import open_catalogs
from fraud_detection.simulator.report.inputs.dataset import open_dataset, prepare
from tests.conftest import small_config

REPLACED = "catalogs were replaced since this dataset was made"
SETTINGS_ROWS = {"total_rows": 6_000, "batch_size": 3_000, "fraud_rate": 0.02}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GenerationResult]:
    """Three runs into one out_dir: v2 seed 1, v2 seed 2 (replaces catalog/), then v1."""
    out = tmp_path_factory.mktemp("shared")
    first = generate_to_parquet(small_config(out, seed=1, **SETTINGS_ROWS))
    rows = {**SETTINGS_ROWS, "total_rows": 7_000}  # another file name on the same run date
    second = generate_to_parquet(small_config(out, seed=2, **rows))
    v1 = generate_to_parquet(small_config(out, seed=3, realism="v1", **SETTINGS_ROWS | {
        "total_rows": 5_000}))  # fmt: skip
    return {"first": first, "second": second, "v1": v1}


def _report(path: Path) -> tuple[dict[str, Any], str]:
    report = build_report(path)
    return report.data, report.to_html()


def test_the_replaced_catalogs_would_have_failed_the_checks(
    runs: dict[str, GenerationResult],
) -> None:
    # Why the skip matters: checked against the second run's catalogs, the first dataset's
    # rows differ (other MCCs, schemes, PAN hashes for the same ids).
    first, second = runs["first"], runs["second"]
    assert first.catalog_dir == second.catalog_dir
    other = open_catalogs(first.path, second.catalog_dir, None, profile_for("v2"))  # unrecorded
    section, _ = catalog_check(prepare(open_dataset(first.path)), other)
    assert section["failed"] > 0


def test_the_earlier_dataset_says_its_catalogs_were_replaced(
    runs: dict[str, GenerationResult],
) -> None:
    data, html = _report(runs["first"].path)
    cat = data["catalog_check"]
    assert cat["checksums"]["status"] == "replaced"
    assert cat["skipped"].startswith(REPLACED) and cat["checks"] == [] and cat["failed"] == 0
    changed = {name for name, f in cat["checksums"]["files"].items() if not f["match"]}
    assert {"merchants.parquet", "cards.parquet"} <= changed  # customers: weights only, no seed
    assert [p for p in data["verdict"]["problems"] if p["section"] == "catalog"] == []
    assert data["verdict"]["catalogs"]["level"] == "skipped"
    risk = next(p for p in data["plots"] if p["name"] == "risk_deciles")
    assert risk["data"] is None and risk["skipped"].startswith(REPLACED)
    assert REPLACED in html
    # The rest of the report is unaffected: the recorded config still matches the data.
    assert data["config"]["source"] == "recorded" and data["fidelity"]["failed"] == 0


def test_the_latest_dataset_is_checked_against_its_own_catalogs(
    runs: dict[str, GenerationResult],
) -> None:
    data, html = _report(runs["second"].path)
    cat = data["catalog_check"]
    assert cat["checksums"]["status"] == "match" and cat["skipped"] is None
    assert cat["failed"] == 0 and cat["passed"] == len(cat["checks"]) > 0
    assert REPLACED not in html


def test_a_v1_dataset_is_not_checked_against_catalogs_it_never_used(
    runs: dict[str, GenerationResult],
) -> None:
    data, _ = _report(runs["v1"].path)
    cat = data["catalog_check"]
    assert cat["checksums"]["status"] == "not_used"
    assert "without shared catalogs (realism v1)" in cat["skipped"]
    assert data["verdict"]["problems"] == []
