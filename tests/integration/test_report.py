"""The report of a small generated v2 dataset: every section present, checks pass, HTML valid.

(v3 data, with its typologies and label latency, is in ``test_report_v3.py``.)"""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from fraud_detection.simulator.config import GeneratorConfig, config_from_dict
from fraud_detection.simulator.core import GenerationResult, generate_to_parquet
from fraud_detection.simulator.report import build_report, write_report
from fraud_detection.simulator.report.analysis.features import HISTORY

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
    "calendar",
    "weekday_hour",
    "leakage_auc",
    "model_curves",
    "drift",
)


def small_config(out_dir: Path, rows: int = 30_000) -> GeneratorConfig:
    """Return a config for a quick v2 dataset: 31 days, small catalogs, 2% fraud."""
    return config_from_dict(
        {
            "realism": "v2",
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
    # Changed with issue 16: the leakage check scores the model's own split (it had its own
    # 80/20 split), the same rows and labels the model trains and tests on.
    assert leak["split"] == report["model"]["split"]


def test_model_reports_both_feature_sets(report: dict[str, Any]) -> None:
    model = report["model"]
    models = model["models"]
    # Without reported_time every training label is known at go-live: no separate truth model.
    assert set(models) == {"raw", "raw_history"}
    for m in models.values():
        for key in ("roc_auc", "average_precision", "recall_at_1pct_fpr"):
            assert 0.0 <= m[key] <= 1.0
    features = model["features"]
    assert set(features["history"]) == set(HISTORY)  # every column they need is there
    assert {"hour_utc", "log_amount"} <= set(features["raw"])
    assert "mcc_code" in features["categorical"]
    used = {f for names in features.values() for f in names}
    assert not used & {"transaction_id", "card_id", "device_id", "label_fraud"}
    split = model["split"]
    assert split["labels"] == "event_time <= cutoff"
    assert split["gap_days"] == pytest.approx(3.1, abs=0.1)  # a tenth of 31 days
    assert split["train_frauds_known"] == split["train_frauds_true"]
    assert report["observed_labels"]["difference"] is None
    assert report["typologies"] is None and report["label_latency"] is None


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
    generated: tuple[GeneratorConfig, GenerationResult],
    report: dict[str, Any],
    written: tuple[Path, Path],
) -> None:
    cfg, result = generated
    rebuilt = build_report(result.path, result.catalog_dir, cfg)
    again = rebuilt.data
    assert again.keys() == report.keys()
    for section in report:
        if section != "timings_s":
            assert again[section] == report[section], section
    assert rebuilt.to_html() == written[0].read_text("utf-8")  # the same bytes


def test_without_config_the_recorded_config_is_checked(
    generated: tuple[GeneratorConfig, GenerationResult], report: dict[str, Any]
) -> None:
    _, result = generated
    data = build_report(result.path, settings=None).data
    assert data["config"]["source"] == "recorded"
    assert data["fidelity"]["failed"] == 0
    by_name = lambda checks: sorted(checks, key=lambda c: c["name"])  # noqa: E731
    # The same checks as with --config (the record keeps device_types in sorted key order).
    assert by_name(data["fidelity"]["checks"]) == by_name(report["fidelity"]["checks"])
    assert data["catalog_check"] is not None  # found beside the dataset's out_dir
    rank = next(p for p in data["plots"] if p["name"] == "rank_frequency")
    assert all(e["expected_counts"] is not None for e in rank["data"]["entities"])


def test_a_file_without_provenance_still_gets_a_report(
    generated: tuple[GeneratorConfig, GenerationResult], tmp_path: Path
) -> None:
    _, result = generated
    foreign = tmp_path / "foreign.parquet"
    pl.read_parquet(result.path).write_parquet(foreign)  # no footer metadata
    report = build_report(foreign)
    data = report.data
    assert data["provenance"]["found"] is False and data["provenance"]["info"] is None
    assert data["fidelity"] is None and data["config"]["source"] is None
    rank = next(p for p in data["plots"] if p["name"] == "rank_frequency")
    assert all(e["expected_counts"] is None for e in rank["data"]["entities"])
    assert data["verdict"]["fidelity"]["level"] == "not checked"
    assert "record no provenance" in report.to_html()


def test_provenance_and_verdicts_are_in_the_json(
    report: dict[str, Any], generated: tuple[GeneratorConfig, GenerationResult]
) -> None:
    cfg, _ = generated
    info = report["provenance"]["info"]
    assert report["provenance"]["found"] and report["provenance"]["consistent"]
    assert (info["seed"], info["realism"], info["total_rows"]) == (cfg.seed, cfg.realism, 30_000)
    assert report["config"]["source"] == "given" and report["config"]["differences"] == []
    verdict = report["verdict"]
    for key in ("fidelity", "signal", "leakage", "catalogs"):
        assert set(verdict[key]) == {"level", "tone", "sentence"} and verdict[key]["sentence"]
    assert verdict["fidelity"]["level"] == "matches"
    assert verdict["leakage"]["level"] == "no leak"
    assert verdict["catalogs"]["level"] == "consistent"
    lift = report["model"]["models"]["raw_history"]["ap_lift"]
    words = {w["word"]: w for w in verdict["thresholds"]["lift_words"]}
    word = verdict["signal"]["level"]
    assert words[word]["from"] <= lift < (words[word]["below"] or float("inf"))
    assert verdict["problems"] == [] and verdict["problem_count"] == 0
    assert report["overview"]["entities"]["merchant"] <= cfg.catalog.num_merchants


def test_operating_points_agree_with_the_recall(report: dict[str, Any]) -> None:
    split = report["model"]["split"]
    for model in report["model"]["models"].values():
        for key, point in model["operating_points"].items():
            assert point["frauds"] == split["test_frauds"]
            assert point["caught"] / point["frauds"] == pytest.approx(point["recall"], abs=1e-9)
            assert point["recall_ci"][0] <= point["recall"] <= point["recall_ci"][1]
            legit = split["test_rows"] - split["test_frauds"]
            assert point["false_alerts"] <= point["target_fpr"] * legit + 1e-9, key
        assert model["recall_at_1pct_fpr"] <= model["recall_at_5pct_fpr"]


def test_model_fits_every_fraud_and_at_most_the_legit_cap(report: dict[str, Any]) -> None:
    training = report["model"]["training"]
    split = report["model"]["split"]
    assert training["train_frauds_fit"] == split["train_frauds_known"]
    assert training["train_legit_available"] == split["train_rows"] - split["train_frauds_known"]
    fit = training["train_legit_fit"]
    assert fit == min(training["max_train_legit"], training["train_legit_available"])


def test_plots_show_local_hours_currencies_and_mcc_names(report: dict[str, Any]) -> None:
    plots = {p["name"]: p["data"] for p in report["plots"]}
    hours = plots["hour_of_day"]
    assert sum(hours["local"]["legit"]) == sum(hours["legit"])  # the same rows, shifted
    assert hours["local"]["legit"] != hours["legit"]
    currencies = plots["amount"]["currencies"]
    assert {c["currency"] for c in currencies} == {"USD", "EUR"}
    assert sum(c["rows"] for c in currencies) == report["overview"]["rows"]
    mcc = plots["fraud_rate_by.mcc_code"]
    assert len(mcc["rows"]) == mcc["distinct"]  # all 22 codes, none cut
    assert all(row["name"] for row in mcc["rows"])  # every generated code has an ISO name
    bursts = plots["bursts"]
    assert bursts["frauds_total"] == report["overview"]["fraud_count"]


def test_the_page_starts_with_verdicts_contents_and_collapsed_passing_detail(
    written: tuple[Path, Path], report: dict[str, Any]
) -> None:
    text = written[0].read_text("utf-8")
    top = text[text.index("<header") : text.index("</header>")]
    assert "Fraud dataset report: " + Path(report["overview"]["path"]).stem in top
    assert top.count('<div class="card ') == 5  # with the published figures (issue 17)
    assert "weak signal" in top or report["verdict"]["signal"]["level"] in top
    for anchor in ("plots", "calendar", "published", "model", "leakage", "fidelity", "catalog",
                   "schema", "columns"):  # fmt: skip
        assert f'<a href="#{anchor}">' in top and f'<section id="{anchor}">' in text
    for v3_only in ("typologies", "campaigns", "lifecycles"):  # v3's sections, on v3 data
        assert f'id="{v3_only}"' not in text
    assert "<details>" in text and "<details open" not in text  # all pass: all collapsed
    assert "0.005000" not in text and "+00:00" not in text  # no false precision, no ISO noise


def test_images_are_twice_their_display_size(written: tuple[Path, Path]) -> None:
    text = written[0].read_text("utf-8")
    found = re.findall(r'<img src="data:image/png;base64,([^"]+)" alt="[^"]*" width="(\d+)"', text)
    assert len(found) == len(PLOTS)
    for data, width in found:
        png = base64.b64decode(data)
        assert int.from_bytes(png[16:20], "big") == 2 * int(width)


def test_a_generated_parts_directory_reports_its_provenance(tmp_path: Path) -> None:
    from tests.conftest import small_config

    cfg = small_config(tmp_path, total_rows=8_000, batch_size=2_000, output={"layout": "parts"})
    result = generate_to_parquet(cfg)
    parts = sorted(result.path.glob("*.parquet"))
    assert len(parts) > 1
    data = build_report(result.path).data
    prov = data["provenance"]
    assert prov["consistent"] and prov["files"] == prov["files_with"] == len(parts)
    assert data["config"]["source"] == "recorded" and data["fidelity"]["failed"] == 0
    assert data["catalog_check"]["checksums"]["status"] == "match"


def test_the_checks_follow_the_datasets_realism_not_the_configs(
    generated: tuple[GeneratorConfig, GenerationResult], tmp_path: Path
) -> None:
    """Issue 16: the dataset's recorded realism (else what its columns imply) picks the checks
    through its report profile; the config given is only what they check against."""
    cfg, result = generated
    as_v3 = config_from_dict(
        cfg.model_dump(mode="json", exclude={"labeler", "feature"}) | {"realism": "v3"}
    )
    recorded = build_report(result.path, result.catalog_dir, as_v3).data
    names = {c["name"] for c in recorded["fidelity"]["checks"]}
    assert "zipf.merchant" in names and "labels.columns" not in names  # v2's checks
    assert recorded["config"]["differences"] and recorded["typologies"] is None
    foreign = tmp_path / "foreign.parquet"
    pl.read_parquet(result.path).write_parquet(foreign)  # no provenance, no v3 columns
    unknown = build_report(foreign, result.catalog_dir, cfg).data
    checks = {c["name"] for c in unknown["fidelity"]["checks"]}
    assert checks == {"rows", "fraud_count", "date_range", *(f"id_range.{e}" for e in
                      ("customer", "merchant", "card"))}  # fmt: skip
    assert unknown["schema_check"]["realism"] is None and unknown["fidelity"]["failed"] == 0
