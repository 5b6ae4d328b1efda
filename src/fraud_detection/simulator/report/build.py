"""Build the report, a short composition, and write its two files.

In order: the inputs (``inputs.read``: the dataset, its provenance and report profile, the
config to check against, its catalogs); whole-dataset work (overview, schema, fidelity,
catalog consistency, plot data); the sections the realism's profile adds over the whole
dataset (calendar, published figures, lifecycles, campaigns); the measurements on the one
split (``analysis.run``: each column alone, which the leakage check and the band's guard read,
and the practitioner's model with its drift curve, graph feature and, as the profile asks, the
classic baseline); typologies and label latency; then the verdicts, the figures and the page.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from ..config import GeneratorConfig
from .analysis.calendar import calendar
from .analysis.campaigns import campaign_sizes, linked_groups
from .analysis.labels import label_latency, recall_plot, typologies
from .analysis.lifecycles import lifecycles
from .analysis.model import observed_labels
from .analysis.overview import overview
from .analysis.published import published_figures
from .analysis.run import analyse
from .analysis.split import DEFAULT_MAX_MODEL_ROWS, DEFAULT_SEED
from .checks.catalog import catalog_section
from .checks.fidelity import fidelity
from .checks.leakage import leakage
from .checks.schema import schema_check
from .errors import ReportInputError
from .inputs.read import Inputs, read_inputs
from .page.files import HTML_NAME, JSON_NAME, default_out_dir, write_atomically
from .page.html import render_html
from .page.verdict import verdicts
from .plots.data import analysis_plots, dataset_plots, entity_counts
from .plots.figures import render
from .values import jsonable

log = logging.getLogger("fraud_detection.simulator.report")

# 5: calendar, published_figures, lifecycles, campaigns; model.drift, model.classic,
# model.graph_feature and the classic model; verdict.published_figures (issues 17-19, 23).
REPORT_VERSION = 5
T = TypeVar("T")


@dataclass(frozen=True)
class ReportSettings:
    """Knobs of the report: the row cap of the leakage/model sample and its seed."""

    max_model_rows: int = DEFAULT_MAX_MODEL_ROWS
    seed: int = DEFAULT_SEED


@dataclass
class Report:
    """The report's data (what report.json holds) and the PNG of each plot by name."""

    data: dict[str, Any]
    images: dict[str, bytes | None] = field(default_factory=dict)

    def to_json(self) -> str:
        """Return report.json's text."""
        return json.dumps(self.data, indent=2, allow_nan=False) + "\n"

    def to_html(self) -> str:
        """Return report.html's text."""
        return render_html(self.data, self.images)


class _Timer:
    """Runs report stages, logging and recording how long each took."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, name: str, stage: Callable[[], T]) -> T:
        start = time.perf_counter()
        result = stage()
        self.seconds[name] = round(time.perf_counter() - start, 3)
        log.info("%s: %.1f s", name, self.seconds[name])
        return result


def _dataset_sections(
    timer: _Timer, inputs: Inputs, ov: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return (fidelity and catalog sections, dataset plot entries): whole-dataset work."""
    data, cfg = inputs.data, inputs.config
    counts = timer.run("entity counts", lambda: entity_counts(data))
    ov["entities"] = {entity: int(c.size) for entity, c in counts.items()}
    sections: dict[str, Any] = {"fidelity": None, "catalog_check": None}
    if cfg is not None:
        sections["fidelity"] = timer.run(
            "fidelity",
            lambda: fidelity(cfg, data, ov, counts, inputs.profile, inputs.catalogs, inputs.fraud),
        )
    plots = timer.run("plot data", lambda: dataset_plots(data, counts, ov, cfg))
    sections["catalog_check"], risk_plot = timer.run(
        "catalog check", lambda: catalog_section(data, inputs.catalogs)
    )
    if risk_plot is not None:
        plots.append(risk_plot)
    return sections, plots


def _analysis_sections(
    timer: _Timer, inputs: Inputs, rows: int, settings: ReportSettings
) -> dict[str, Any]:
    """Return the leakage section and the baseline model's sections, on the one split."""
    sample = (rows, settings.max_model_rows, settings.seed)
    sections = inputs.profile.sections
    done = analyse(inputs.data, inputs.label_columns, sample, timer.run, sections)
    labels = [c for c in inputs.label_columns if inputs.data.has(c)]
    return {
        "leakage": leakage(done.scores, done.model["split"], labels),
        "model": done.model,
        "observed_labels": observed_labels(done.model),
    }


def _label_sections(timer: _Timer, inputs: Inputs, model: dict[str, Any]) -> dict[str, Any]:
    """Return ``typologies`` and ``label_latency`` and their figures' entries, for a realism
    whose profile has that section (None otherwise, or without the label columns)."""
    data, max_days = inputs.data, inputs.profile.max_report_delay_days
    if "typologies" not in inputs.profile.sections or max_days is None:
        return {"typologies": None, "label_latency": None, "label_plots": []}
    recall = model.get("typology_recall")
    types = timer.run("typologies", lambda: typologies(data, inputs.expected_mix, recall))
    latency, latency_plot = timer.run("label latency", lambda: label_latency(data, max_days))
    history = (model.get("models") or {}).get("raw_history") or {}
    plots = [p for p in (latency_plot, recall_plot(types, history.get("recall_at_5pct_fpr")))
             if p is not None]  # fmt: skip
    return {"typologies": types, "label_latency": latency, "label_plots": plots}


def _profile_sections(timer: _Timer, inputs: Inputs, ov: dict[str, Any]) -> dict[str, Any]:
    """Return the sections the realism's profile adds (None where it has not that section):
    ``calendar``, ``published_figures``, ``lifecycles`` and ``campaigns``, and their figures
    (``profile_plots``)."""
    data, catalogs, wanted = inputs.data, inputs.catalogs, inputs.profile.sections
    first, last = (datetime.fromisoformat(ov[k]) for k in ("start", "end"))
    out: dict[str, Any] = dict.fromkeys(("calendar", "published_figures", "lifecycles"))
    out |= {"campaigns": None, "profile_plots": []}
    if "calendar" in wanted:
        span = (first.date(), last.date())
        out["calendar"], figures = timer.run("calendar", lambda: calendar(data, catalogs, span))
        out["profile_plots"] += figures
    if "published_figures" in wanted:
        out["published_figures"] = timer.run(
            "published figures", lambda: published_figures(data, catalogs)
        )
    if "lifecycles" in wanted:
        span = (first, last)
        out["lifecycles"] = timer.run("lifecycles", lambda: lifecycles(data, catalogs, span))
    if "campaigns" in wanted:
        sizes, figure = timer.run("campaign sizes", lambda: campaign_sizes(data))
        groups = timer.run("linked groups", lambda: linked_groups(data))
        out["campaigns"] = {"sizes": sizes, "linked_groups": groups}
        out["profile_plots"].append(figure)
    return out


def build_report(
    dataset: str | Path,
    catalog_dir: Path | None = None,
    config: GeneratorConfig | None = None,
    settings: ReportSettings | None = None,
) -> Report:
    """Return the report of ``dataset``; raise ``ReportInputError`` when it is unusable."""
    settings = settings or ReportSettings()
    timer = _Timer()
    inputs = timer.run("inputs", lambda: read_inputs(dataset, catalog_dir, config))
    ov = timer.run("overview", lambda: overview(inputs.dataset, inputs.data))
    if ov["rows"] == 0:
        raise ReportInputError(f"{inputs.dataset.path}: dataset has no rows")
    sections, plots = _dataset_sections(timer, inputs, ov)
    more = _profile_sections(timer, inputs, ov)
    plots += more.pop("profile_plots")
    report: dict[str, Any] = {
        "report_version": REPORT_VERSION,
        "settings": {"max_model_rows": settings.max_model_rows, "seed": settings.seed},
        "provenance": inputs.provenance,
        "config": inputs.config_section,
        "overview": ov,
        "schema_check": schema_check(inputs.dataset.schema, inputs.profile),
        "unusable_columns": list(inputs.data.unusable),
        **sections,
        **more,
        **_analysis_sections(timer, inputs, ov["rows"], settings),
    }
    labels = _label_sections(timer, inputs, report["model"])
    report["model"].pop("typology_recall", None)  # in ``typologies``, beside the counts
    report |= {"typologies": labels["typologies"], "label_latency": labels["label_latency"]}
    report["plots"] = jsonable(plots + labels["label_plots"] + analysis_plots(report))
    difficulty = (inputs.fraud or {}).get("difficulty")
    report["verdict"] = verdicts(report, difficulty, inputs.profile)
    images = timer.run("figures", lambda: {p["name"]: render(p) for p in report["plots"]})
    report["timings_s"] = timer.seconds
    return Report(jsonable(report), images)


def save_report(report: Report, dataset: Path, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Return (report.html, report.json) after writing ``report`` to ``out_dir`` (default:
    ``default_out_dir(dataset)``), both files renamed into place only when both are written."""
    target = Path(out_dir) if out_dir is not None else default_out_dir(Path(dataset))
    target.mkdir(parents=True, exist_ok=True)
    html_path, json_path = target / HTML_NAME, target / JSON_NAME
    write_atomically({html_path: report.to_html(), json_path: report.to_json()})
    return html_path, json_path


def write_report(
    dataset: Path,
    out_dir: Path | None = None,
    catalog_dir: Path | None = None,
    config: GeneratorConfig | None = None,
    *,
    max_model_rows: int = DEFAULT_MAX_MODEL_ROWS,
) -> tuple[Path, Path]:
    """Return (report.html, report.json) after writing the report of ``dataset`` to ``out_dir``.

    ``out_dir`` defaults to ``default_out_dir(dataset)``. The catalog directory defaults to
    the nearest ``catalog/`` above the dataset; the config to the one the dataset records.
    Nothing is written unless the whole report succeeds. Raises ``ReportInputError`` for an
    unusable dataset.
    """
    dataset = Path(dataset)
    settings = ReportSettings(max_model_rows=max_model_rows)
    report = build_report(dataset, catalog_dir, config, settings)
    return save_report(report, dataset, out_dir)
