"""The report's sections of issues 17-19 and 23 on a small v3 dataset made by the current
generator: the calendar, the published figures, lifecycles, campaigns, the drift curve, the
graph feature and the classic baseline; the episodes table and the campaign column checked
against real rows (made here, following the generator's contracts, until it writes them);
and on v2 data only what its profile asks for."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from fraud_detection.simulator.config import GeneratorConfig, config_from_dict
from fraud_detection.simulator.core import GenerationResult, generate_to_parquet
from fraud_detection.simulator.report import build_report
from fraud_detection.simulator.report.analysis.calendar import TOP_COUNTRIES, public_holidays
from fraud_detection.simulator.report.analysis.classic import CLASSIC
from fraud_detection.simulator.report.analysis.graph import GRAPH_FEATURE
from fraud_detection.simulator.report.build import Report
from tests.conftest import small_config, v3_config_dict

FRAUD = pl.col("label_fraud")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[GeneratorConfig, GenerationResult]:
    out = tmp_path_factory.mktemp("time")
    cfg = config_from_dict(
        v3_config_dict(out, total_rows=60_000, fraud_rate=0.02, fraud={"difficulty": "medium"})
    )
    return cfg, generate_to_parquet(cfg)


@pytest.fixture(scope="module")
def built(generated: tuple[GeneratorConfig, GenerationResult]) -> Report:
    cfg, result = generated
    return build_report(result.path, result.catalog_dir, cfg)


@pytest.fixture(scope="module")
def report(built: Report) -> dict[str, Any]:
    return built.data


@pytest.fixture(scope="module")
def frame(generated: tuple[GeneratorConfig, GenerationResult]) -> pl.DataFrame:
    return pl.read_parquet(generated[1].path)


@pytest.fixture(scope="module")
def homes(generated: tuple[GeneratorConfig, GenerationResult]) -> pl.DataFrame:
    customers = generated[1].catalog_dir / "customers.parquet"
    return pl.read_parquet(customers, columns=["customer_id", "home_country"])


def test_the_new_sections_are_in_report_json(report: dict[str, Any]) -> None:
    assert report["report_version"] == 5
    for key in ("calendar", "published_figures", "lifecycles", "campaigns"):
        assert report[key] is not None, key
    model = report["model"]
    assert {"drift", "classic", "graph_feature"} <= set(model)
    assert set(model["models"]) == {"raw", "raw_history", "raw_history_truth", "classic"}
    assert report["verdict"]["published_figures"]["level"]
    names = {p["name"] for p in report["plots"]}
    assert {"calendar", "weekday_hour", "drift", "campaign_sizes"} <= names


def test_the_calendar_marks_the_main_home_countries_holidays(
    report: dict[str, Any], frame: pl.DataFrame, homes: pl.DataFrame
) -> None:
    calendar = report["calendar"]
    by_rows = (
        frame.join(homes, on="customer_id").group_by("home_country").len()
        .sort(["len", "home_country"], descending=[True, False])
    )  # fmt: skip
    countries = [c["country"] for c in calendar["countries"]]
    assert countries == by_rows["home_country"].head(TOP_COUNTRIES).to_list()
    assert [c["rows"] for c in calendar["countries"]] == by_rows["len"].head(
        TOP_COUNTRIES
    ).to_list()
    first, last = frame["event_time"].min().date(), frame["event_time"].max().date()
    for country in calendar["countries"]:
        expected = public_holidays(country["country"], first, last)
        assert [h["date"] for h in country["holidays"]] == [d.isoformat() for d in expected]
    us = next(c for c in calendar["countries"] if c["country"] == "US")
    new_year = next(h for h in us["holidays"] if h["name"] == "New Year's Day")
    assert new_year["vs_usual"] < 0.85  # the generator's calendar: shops quiet on holidays
    plot = next(p for p in report["plots"] if p["name"] == "calendar")["data"]
    assert plot["countries"] == countries and plot["local"]
    grid = next(p for p in report["plots"] if p["name"] == "weekday_hour")["data"]
    assert sum(map(sum, grid["rows"])) == frame.height
    assert sum(map(sum, grid["frauds"])) == frame["label_fraud"].sum()


def test_the_published_figures_are_what_the_rows_say(
    report: dict[str, Any], frame: pl.DataFrame, homes: pl.DataFrame
) -> None:
    figures = {f["name"]: f for f in report["published_figures"]["figures"]}
    fraud_value = frame.filter(FRAUD)["amount"].sum()
    online_fraud = frame.filter(FRAUD & (pl.col("channel") == "ONLINE"))["amount"].sum()
    assert figures["remote_share_of_fraud_value"]["value"] == pytest.approx(
        online_fraud / fraud_value
    )

    def rate(channel: str) -> float:
        rows = frame.filter(pl.col("channel") == channel)
        return float(rows.filter(FRAUD)["amount"].sum() / rows["amount"].sum())

    by_value = figures["online_vs_in_store_rate_by_value"]["value"]
    assert by_value == pytest.approx(rate("ONLINE") / rate("IN_STORE"))
    joined = frame.join(homes, on="customer_id")
    cross = joined.filter(pl.col("merchant_country") != pl.col("home_country"))
    home = joined.filter(pl.col("merchant_country") == pl.col("home_country"))
    expected = cross["label_fraud"].mean() / home["label_fraud"].mean()
    assert figures["cross_border_vs_domestic_rate_by_count"]["value"] == pytest.approx(expected)
    for f in figures.values():  # honest whatever the data says: in band or not, never failed
        assert f["status"] in ("in band", "out of band")
    assert not [p for p in report["verdict"]["problems"] if "published" in p["section"]]


def test_lifecycles_say_whether_the_catalogs_have_them(report: dict[str, Any]) -> None:
    life = report["lifecycles"]
    checks = {c["name"] for c in report["catalog_check"]["checks"]}
    if life["status"] == "measured":  # the generator writes issue 18's columns
        assert {"lifecycle.before_issue", "lifecycle.after_block"} <= checks
        assert report["catalog_check"]["failed"] == 0
    else:
        assert life["status"] == "not in this dataset" and "issued_at" in life["note"]
        assert not any(name.startswith("lifecycle.") for name in checks)


def test_campaigns_and_linked_groups(report: dict[str, Any], frame: pl.DataFrame) -> None:
    campaigns = report["campaigns"]
    if "fraud_campaign_id" not in frame.columns:
        assert campaigns["sizes"] is None
        sizes_plot = next(p for p in report["plots"] if p["name"] == "campaign_sizes")
        assert "not in this dataset" in sizes_plot["skipped"]
    groups = campaigns["linked_groups"]
    assert groups["cards"] == frame["card_id"].n_unique()
    assert groups["fraud_cards"] == frame.filter(FRAUD)["card_id"].n_unique()
    assert groups["largest"]["cards"] == max(g["cards"] for g in groups["top"]) >= 2
    assert groups["cards_in_groups"] <= groups["cards"]


def test_the_model_adds_drift_the_graph_feature_and_the_classic_baseline(
    report: dict[str, Any],
) -> None:
    model = report["model"]
    assert GRAPH_FEATURE in model["features"]["history"]
    graph = model["graph_feature"]
    assert graph["with"]["roc_auc"] == model["models"]["raw_history"]["roc_auc"]
    assert graph["roc_auc_gain"] == pytest.approx(
        graph["with"]["roc_auc"] - graph["without"]["roc_auc"]
    )
    drift = model["drift"]
    assert sum(w["rows"] for w in drift["weeks"]) == model["split"]["test_rows"]
    assert sum(w["frauds"] for w in drift["weeks"]) == model["split"]["test_frauds"]
    assert drift["weeks"][0]["start"] == model["split"]["live"]
    classic = model["classic"]
    assert classic["features"] == list(CLASSIC)
    assert [r["feature"] for r in classic["single_features"]] == list(CLASSIC)
    assert classic["gap_roc_auc"] == pytest.approx(
        model["models"]["raw_history"]["roc_auc"] - model["models"]["classic"]["roc_auc"]
    )
    assert 0.0 <= classic["amount_vs_card_30d"]["auc"] <= 1.0
    used = {f for names in model["features"].values() for f in names}
    assert not used & {"fraud_campaign_id", "fraud_type", "reported_time"}


def test_the_page_shows_the_new_sections(built: Report) -> None:
    text = built.to_html()
    for anchor in ("calendar", "published", "campaigns", "lifecycles"):
        assert f'<section id="{anchor}">' in text and f'<a href="#{anchor}">' in text
    top = text[: text.index("</header>")]
    assert "Matches published figures?" in top
    model = text[text.index('<section id="model">') :]
    model = model[: model.index("</section>")]
    assert "Classic features" in model and "Drift:" in model and "other_cards_7d" in model
    assert "classic features (Fraud Detection Handbook)" in model


def test_issue_19s_columns_on_real_rows(
    generated: tuple[GeneratorConfig, GenerationResult], frame: pl.DataFrame, tmp_path: Path
) -> None:
    """The generator's campaign ids and episodes table pass the report's checks, and a table
    that disagrees with the rows fails them."""
    cfg, result = generated
    assert "fraud_campaign_id" in frame.columns
    path = Path(str(result.path))
    catalog = tmp_path / "catalog"
    shutil.copytree(result.catalog_dir, catalog)
    data = build_report(path, catalog, cfg).data
    checks = {c["name"]: c["status"] for c in data["catalog_check"]["checks"]}
    episode_checks = {n: s for n, s in checks.items() if n.startswith("episodes.")}
    assert len(episode_checks) == 10 and set(episode_checks.values()) == {"pass"}
    fidelity = {c["name"]: c["status"] for c in data["fidelity"]["checks"]}
    assert fidelity["campaigns.legit"] == fidelity["campaigns.one_type"] == "pass"
    # Label data: never scored alone, never a feature.
    assert "fraud_campaign_id" in data["leakage"]["label_columns"]
    assert "fraud_campaign_id" not in {r["column"] for r in data["leakage"]["columns"]}
    sizes = data["campaigns"]["sizes"]
    testing = frame.filter(pl.col("fraud_type") == "card_testing")
    assert sizes["by_type"]["card_testing"]["campaigns"] == testing["fraud_campaign_id"].n_unique()
    assert "friendly_fraud" not in sizes["by_type"]
    # A table that disagrees with the rows fails its check (rows without their provenance:
    # with it, a changed catalog file is not the one the rows were drawn from, and is skipped).
    episodes = pl.read_parquet(catalog / "episodes.parquet")
    episodes.with_columns(pl.col("rows") + 1).write_parquet(catalog / "episodes.parquet")
    bare = tmp_path / "payments.parquet"
    frame.write_parquet(bare)
    bad = build_report(bare, catalog, cfg).data["catalog_check"]["checks"]
    assert {c["name"] for c in bad if c["status"] == "fail"} == {"episodes.rows"}


@pytest.fixture(scope="module")
def v2_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("v2")
    cfg = small_config(out, total_rows=30_000, fraud_rate=0.02)  # v2
    result = generate_to_parquet(cfg)
    return build_report(result.path, result.catalog_dir, cfg).data


def test_v2_gets_the_calendar_and_the_published_figures_only(v2_report: dict[str, Any]) -> None:
    assert v2_report["calendar"] is not None and v2_report["published_figures"] is not None
    assert v2_report["calendar"]["countries"] == []  # v2's customers have no home country
    figures = {f["name"]: f for f in v2_report["published_figures"]["figures"]}
    assert figures["cross_border_vs_domestic_rate_by_count"]["status"] == "not measured"
    assert figures["remote_share_of_fraud_value"]["value"] is not None
    assert v2_report["lifecycles"] is None and v2_report["campaigns"] is None
    model = v2_report["model"]
    assert set(model["models"]) == {"raw", "raw_history"}
    assert model["classic"] is None and model["graph_feature"] is None
    assert model["drift"]["weeks"]
