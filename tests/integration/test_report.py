"""The report of a small generated dataset: every section present, checks pass, HTML valid."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from fraud_detection.simulator.config import GeneratorConfig, config_from_dict
from fraud_detection.simulator.core import GenerationResult, generate_to_parquet
from fraud_detection.simulator.report import build_report, write_report

SECTIONS = ("overview", "schema_check", "fidelity", "catalog_check", "plots", "leakage", "model")
PLOTS = (
    "hour_of_day",
    "amount",
    "rank_frequency",
    "fraud_rate_by.channel",
    "fraud_rate_by.pos_entry_mode",
    "fraud_rate_by.device_type",
    "fraud_rate_by.card_scheme",
    "fraud_rate_by.mcc_code",
    "daily",
    "bursts",
    "risk_deciles",
    "leakage_auc",
    "model_curves",
)


def small_config(out_dir: Path, rows: int = 30_000) -> GeneratorConfig:
    """Return a config for a quick dataset: 31 days, small catalogs, 2% fraud."""
    return config_from_dict(
        {
            "total_rows": rows,
            "num_workers": 1,
            "batch_size": 10_000,
            "out_dir": str(out_dir),
            "fraud_rate": 0.02,
            "temporal": {"start_date": "2025-01-01", "end_date": "2025-01-31"},
            "catalog": {"num_customers": 2000, "num_merchants": 300, "num_cards": 3000},
        }
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[GeneratorConfig, GenerationResult]:
    cfg = small_config(tmp_path_factory.mktemp("data"))
    return cfg, generate_to_parquet(cfg)


@pytest.fixture(scope="module")
def written(
    generated: tuple[GeneratorConfig, GenerationResult], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    cfg, result = generated
    out = tmp_path_factory.mktemp("report")
    return write_report(result.path, out, result.catalog_dir, cfg)


@pytest.fixture(scope="module")
def report(written: tuple[Path, Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(written[1].read_text("utf-8"))
    return data


def test_every_section_is_present(report: dict[str, Any]) -> None:
    for section in SECTIONS:
        assert report[section] is not None, section
    assert [p["name"] for p in report["plots"]] == list(PLOTS)
    assert all(p["data"] is not None and "skipped" not in p for p in report["plots"])


def test_overview_counts_rows_and_frauds(
    report: dict[str, Any], generated: tuple[GeneratorConfig, GenerationResult]
) -> None:
    cfg, result = generated
    ov = report["overview"]
    assert ov["rows"] == result.rows == cfg.total_rows
    assert ov["fraud_count"] == result.fraud_count == cfg.fraud_count
    assert ov["start"].startswith("2025-01-01") and ov["end"].startswith("2025-01-31")
    by_name = {c["name"]: c for c in ov["columns"]}
    assert len(by_name) == 24
    assert by_name["transaction_id"]["distinct"] == cfg.total_rows
    assert by_name["label_fraud"]["nulls"] == 0


def test_generated_data_passes_schema_fidelity_and_catalog(report: dict[str, Any]) -> None:
    assert report["schema_check"]["passed"], report["schema_check"]["failed"]
    failed = [c for c in report["fidelity"]["checks"] if c["status"] != "pass"]
    assert failed == []
    names = {c["name"] for c in report["fidelity"]["checks"]}
    assert {"fraud_count", "zipf.customer", "zipf.merchant", "zipf.card"} <= names
    assert {"device_type.mobile", "device_id.null_share", "is_recurring.share"} <= names
    assert report["catalog_check"]["failed"] == 0


def test_generated_data_does_not_leak(report: dict[str, Any]) -> None:
    leak = report["leakage"]
    assert leak["warnings"] == []
    aucs = {r["column"]: r["auc"] for r in leak["columns"]}
    assert "label_fraud" not in aucs
    assert aucs["transaction_id"] == pytest.approx(0.5)
    split = leak["split"]
    assert split["train_rows_total"] == int(0.8 * split["rows"])


def test_model_reports_both_feature_sets(report: dict[str, Any]) -> None:
    models = report["model"]["models"]
    assert set(models) == {"raw", "raw_history"}
    for m in models.values():
        for key in ("roc_auc", "average_precision", "recall_at_1pct_fpr"):
            assert 0.0 <= m[key] <= 1.0
    history = report["model"]["history_features"]
    assert set(history) == {
        f"{entity}_{feature}"
        for entity in ("card", "merchant", "card_device", "card_ip")
        for feature in ("txn_count", "fraud_rate")
    }
    assert set(history) <= set(models["raw_history"]["features"])
    assert not set(history) & set(models["raw"]["features"])
    assert {"hour", "log_amount"} <= set(models["raw"]["features"])
    assert "transaction_id" not in models["raw"]["features"]


class _Collector(HTMLParser):
    """Collects image sources and checks that every opened element is closed in order."""

    VOID = frozenset({"img", "meta", "br", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs).get("src") or "")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def test_html_is_valid_and_self_contained(written: tuple[Path, Path]) -> None:
    text = written[0].read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    parser = _Collector()
    parser.feed(text)
    parser.close()
    assert parser.errors == [] and parser.stack == []
    assert len(parser.images) == len(PLOTS)
    assert all(src.startswith("data:image/png;base64,iVBOR") for src in parser.images)
    assert "http://" not in text and "https://" not in text


def test_report_files_only(written: tuple[Path, Path]) -> None:
    html_path, json_path = written
    assert html_path.name == "report.html" and json_path.name == "report.json"
    assert sorted(p.name for p in html_path.parent.iterdir()) == ["report.html", "report.json"]


def test_same_dataset_same_report(
    generated: tuple[GeneratorConfig, GenerationResult], report: dict[str, Any]
) -> None:
    cfg, result = generated
    again = build_report(result.path, result.catalog_dir, cfg).data
    assert again.keys() == report.keys()
    for section in report:
        if section != "timings_s":
            assert again[section] == report[section], section


def test_without_config_fidelity_is_null_and_plots_have_no_expected_curve(
    generated: tuple[GeneratorConfig, GenerationResult],
) -> None:
    _, result = generated
    data = build_report(result.path, settings=None).data
    assert data["fidelity"] is None
    assert data["catalog_check"] is not None  # found beside the dataset's out_dir
    rank = next(p for p in data["plots"] if p["name"] == "rank_frequency")
    assert all(e["expected_counts"] is None for e in rank["data"]["entities"])
