"""Build the report (every section as JSON-ready data plus PNGs) and write its two files."""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ..config import GeneratorConfig
from .catalogcheck import catalog_check
from .dataset import (
    Prepared,
    check_catalog_dir,
    find_catalog_dir,
    open_dataset,
    prepare,
    realism_of,
)
from .errors import ReportInputError
from .fidelity import fidelity
from .fidelity_v3 import fidelity_v3
from .figures import render
from .html import render_html
from .labels import label_latency, recall_plot, typologies
from .leakage import leakage
from .model import baseline_model, observed_labels
from .overview import overview, schema_check
from .plotdata import dataset_plots, entity_counts, plot
from .provenance import catalog_match, config_differences, read_provenance, recorded_config
from .split import DEFAULT_MAX_MODEL_ROWS, DEFAULT_SEED, time_split
from .v3facts import expected_mix
from .values import jsonable
from .verdict import verdicts

log = logging.getLogger("fraud_detection.simulator.report")

REPORT_VERSION = 3
RISK_TITLE = "Fraud rate by catalog risk decile (entities by risk, cut at tenths of rows)"
HTML_NAME, JSON_NAME = "report.html", "report.json"
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


def resolve_catalog(dataset: Path, catalog_dir: Path | None) -> Path | None:
    """Return the catalog directory to use: the one given (checked) or one found nearby."""
    if catalog_dir is not None:
        return check_catalog_dir(Path(catalog_dir))
    return find_catalog_dir(dataset)


def resolve_config(
    given: GeneratorConfig | None, provenance: dict[str, Any]
) -> tuple[GeneratorConfig | None, dict[str, Any]]:
    """Return (the config to check against, report.json's ``config`` section).

    The config given wins; without one, the config the dataset records (its provenance).
    """
    info = provenance["info"]
    section: dict[str, Any] = {"source": None, "note": None, "differences": [], "text": ""}
    recorded, why = recorded_config(info)
    if given is not None:
        section |= {"source": "given", "text": "the config given with --config"}
        if info is not None and isinstance(info.get("config"), dict):
            section["differences"] = config_differences(given, info["config"])
        return given, section
    if recorded is not None:
        section |= {"source": "recorded", "text": "the config recorded in the dataset's files"}
        return recorded, section
    section["note"] = why if info is not None else "no --config given and no config recorded"
    section["text"] = "nothing (" + section["note"] + ")"
    return None, section


def catalog_section(
    data: Prepared, catalogs: Path | None, info: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Return (the catalog section, the risk-decile plot), both None without catalogs.

    Catalogs whose sha256 differ from the ones the dataset records are not the ones the rows
    were drawn from (a later run in the same out_dir replaced them): the checks are skipped
    and the page says so, rather than report their differences as defects of the data.
    """
    if catalogs is None:
        return None, None
    match = catalog_match(info, catalogs)
    reason = _catalog_skip_reason(match, info)
    if reason is None:
        section, risk_plot = catalog_check(data, catalogs)
        return section | {"checksums": match, "skipped": None}, risk_plot
    section = {
        "catalog_dir": str(catalogs),
        "passed": 0,
        "failed": 0,
        "checks": [],
        "checksums": match,
        "skipped": reason,
    }
    return section, plot("risk_deciles", RISK_TITLE, "risk", None, "catalog_check", reason)


def _catalog_skip_reason(match: dict[str, Any], info: dict[str, Any] | None) -> str | None:
    if match["status"] == "replaced":
        changed = [name for name, f in match["files"].items() if not f["match"]]
        return (
            "catalogs were replaced since this dataset was made (sha256 of "
            f"{', '.join(changed)} differ from the recorded ones); catalog checks skipped"
        )
    if match["status"] == "not_used":
        realism = (info or {}).get("realism", "?")
        return f"this dataset was made without shared catalogs (realism {realism}); skipped"
    return None


@dataclass(frozen=True)
class Context:
    """What every section is built from: the data, its catalogs, config and provenance."""

    data: Prepared
    realism: str | None
    catalogs: Path | None
    config: GeneratorConfig | None
    info: dict[str, Any] | None
    settings: ReportSettings
    fraud: dict[str, Any] | None  # v3's ``fraud`` section, as given or recorded; None: unknown


def _fidelity(ctx: Context, ov: dict[str, Any], counts: dict[str, Any]) -> dict[str, Any]:
    """Return the fidelity section: v3's checks for v3 data, else v1/v2's."""
    assert ctx.config is not None
    if ctx.config.realism != "v3":
        return fidelity(ctx.config, ctx.data, ov, counts)
    match = catalog_match(ctx.info, ctx.catalogs)
    usable = ctx.catalogs if match["status"] in ("match", "unknown") else None
    why = _catalog_skip_reason(match, ctx.info) or "no catalog directory found (--catalog)"
    return fidelity_v3(ctx.config, ctx.data, ov, usable, why, ctx.fraud)


def _dataset_sections(
    timer: _Timer, ctx: Context, ov: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return (fidelity and catalog sections, dataset plot entries): whole-dataset work."""
    data = ctx.data
    counts = timer.run("entity counts", lambda: entity_counts(data))
    ov["entities"] = {entity: int(c.size) for entity, c in counts.items()}
    sections: dict[str, Any] = {"fidelity": None, "catalog_check": None}
    if ctx.config is not None:
        sections["fidelity"] = timer.run("fidelity", lambda: _fidelity(ctx, ov, counts))
    plots = timer.run("plot data", lambda: dataset_plots(data, counts, ov, ctx.config))
    sections["catalog_check"], risk_plot = timer.run(
        "catalog check", lambda: catalog_section(data, ctx.catalogs, ctx.info)
    )
    if risk_plot is not None:
        plots.append(risk_plot)
    return sections, plots


def _analysis_sections(timer: _Timer, ctx: Context, rows: int) -> dict[str, Any]:
    """Return the leakage section (80/20 time split) and the baseline model's sections."""
    settings = ctx.settings
    split = timer.run(
        "split", lambda: time_split(ctx.data, rows, settings.max_model_rows, settings.seed)
    )
    out = {"leakage": timer.run("leakage", lambda: leakage(split))}
    out["model"] = timer.run(
        "model",
        lambda: baseline_model(ctx.data, rows, settings.max_model_rows, settings.seed),
    )
    out["observed_labels"] = observed_labels(out["model"])
    return out


def _label_sections(timer: _Timer, ctx: Context, model: dict[str, Any]) -> dict[str, Any]:
    """Return v3's ``typologies`` and ``label_latency`` (None for data without v3's labels)
    and their figures' entries."""
    expected = expected_mix(ctx.fraud) if ctx.fraud is not None else None
    types = timer.run(
        "typologies", lambda: typologies(ctx.data, expected, model.get("typology_recall"))
    )
    latency, latency_plot = timer.run("label latency", lambda: label_latency(ctx.data))
    history = (model.get("models") or {}).get("raw_history") or {}
    plots = [p for p in (latency_plot, recall_plot(types, history.get("recall_at_5pct_fpr")))
             if p is not None]  # fmt: skip
    return {"typologies": types, "label_latency": latency, "label_plots": plots}


def build_report(
    dataset: str | Path,
    catalog_dir: Path | None = None,
    config: GeneratorConfig | None = None,
    settings: ReportSettings | None = None,
) -> Report:
    """Return the report of ``dataset``; raise ``ReportInputError`` when it is unusable."""
    settings = settings or ReportSettings()
    timer = _Timer()
    ds = open_dataset(dataset)
    provenance = timer.run("provenance", lambda: read_provenance(ds.files))
    realism = realism_of(provenance["info"], ds.schema)
    data = prepare(ds, realism)
    cfg, config_section = resolve_config(config, provenance)
    fraud = fraud_section(config, provenance["info"]) if realism == "v3" else None
    catalogs = resolve_catalog(ds.path, catalog_dir)
    ctx = Context(data, realism, catalogs, cfg, provenance["info"], settings, fraud)
    ov = timer.run("overview", lambda: overview(ds, data))
    if ov["rows"] == 0:
        raise ReportInputError(f"{ds.path}: dataset has no rows")
    sections, plots = _dataset_sections(timer, ctx, ov)
    report: dict[str, Any] = {
        "report_version": REPORT_VERSION,
        "settings": {"max_model_rows": settings.max_model_rows, "seed": settings.seed},
        "provenance": provenance,
        "config": config_section,
        "overview": ov,
        "schema_check": schema_check(ds.schema, realism),
        "unusable_columns": list(data.unusable),
        **sections,
        **_analysis_sections(timer, ctx, ov["rows"]),
    }
    labels = _label_sections(timer, ctx, report["model"])
    report["model"].pop("typology_recall", None)  # in ``typologies``, beside the counts
    report |= {"typologies": labels["typologies"], "label_latency": labels["label_latency"]}
    report["plots"] = jsonable(plots + labels["label_plots"] + analysis_plots(report))
    report["verdict"] = verdicts(report, (fraud or {}).get("difficulty"), realism)
    images = timer.run("figures", lambda: {p["name"]: render(p) for p in report["plots"]})
    report["timings_s"] = timer.seconds
    return Report(jsonable(report), images)


def fraud_section(
    given: GeneratorConfig | None, info: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Return v3's ``fraud`` section (difficulty, typology mix): the given config's, else the
    recorded one's; None when the record has none (then the difficulty is unknown, not the
    default: a record without it says nothing about how hard the data was made)."""
    if given is not None:
        section = given.model_dump(mode="json").get("fraud")
    else:
        section = ((info or {}).get("config") or {}).get("fraud")
    return section if isinstance(section, dict) and section.get("difficulty") else None


def analysis_plots(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the leakage and model figures' entries (their data is in those sections)."""
    leak = report["leakage"]
    entries = [
        plot(
            "leakage_auc", "Single-column ROC AUC on the test rows", "leakage",
            {"columns": leak["columns"], "warn_separation": leak["warn_separation"]},
            section="leakage",
        )
    ]  # fmt: skip
    models = report["model"].get("models")
    if models:
        data = {"models": models, "base_rate": report["model"]["test_base_rate"]}
        entries.append(plot("model_curves", "ROC and PR curves", "model", data, section="model"))
    return entries


def default_out_dir(dataset: Path) -> Path:
    """Return where the report goes by default, never inside a lake partition.

    ``{out_dir}/reports/{dataset name}/`` for a dataset in the generator's
    ``{out_dir}/payments/year=YYYY/month=MM/`` layout (Spark or Athena reading the partition
    would trip over an HTML file there), else a ``{name}_report/`` folder beside the dataset.
    """
    resolved = dataset.resolve()
    name = resolved.name.removesuffix(".parquet")
    for ancestor in resolved.parents:
        if ancestor.name == "payments":
            return ancestor.parent / "reports" / name
    return resolved.parent / f"{name}_report"


def _write_atomically(files: dict[Path, str]) -> None:
    """Write each text to a hidden temporary sibling, then rename all into place."""
    temps = {path: path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp") for path in files}
    try:
        for path, text in files.items():
            temps[path].write_text(text, encoding="utf-8")
        for path, tmp in temps.items():
            os.replace(tmp, path)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)


def save_report(report: Report, dataset: Path, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Return (report.html, report.json) after writing ``report`` to ``out_dir`` (default:
    ``default_out_dir(dataset)``), both files renamed into place only when both are written."""
    target = Path(out_dir) if out_dir is not None else default_out_dir(Path(dataset))
    target.mkdir(parents=True, exist_ok=True)
    html_path, json_path = target / HTML_NAME, target / JSON_NAME
    _write_atomically({html_path: report.to_html(), json_path: report.to_json()})
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
