"""Measure the difficulty levels: generate each, run the report's baseline on it, print.

python -m bench.difficulty [--rows N] [--levels easy,medium,hard] [--seeds 1,2,3]
                           [--set key=value ...] [--write]

The baseline is the report's own model section (``report.analysis.run.analyse``: the
practitioner's history features on the report's one split, raw vs raw+history on the labels
known at go-live, raw+history on the truth, and each raw column alone; with v3's profile also
the classic Fraud Detection Handbook baseline, amount / the card's 30-day mean alone, and the
ROC AUC the graph features add), so the bench and the report cannot disagree.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.core import generate_to_parquet
from fraud_detection.simulator.report.analysis.run import analyse
from fraud_detection.simulator.report.analysis.split import DEFAULT_MAX_MODEL_ROWS, DEFAULT_SEED
from fraud_detection.simulator.report.inputs.read import read_inputs

ROOT = Path(__file__).resolve().parents[1]
SHORT = ("roc_auc", "ap_lift", "recall_at_1pct_fpr", "recall_at_5pct_fpr")


def measure(level: str, rows: int, overrides: dict[str, Any], seed: int) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "generator_config.yaml").read_text())
    data.update(total_rows=rows, seed=seed, realism="v3")
    data.setdefault("fraud", {})["difficulty"] = level
    for key, value in overrides.items():
        node = data
        *parents, last = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    with tempfile.TemporaryDirectory() as tmp:
        data["out_dir"] = tmp
        cfg = config_from_dict(data)
        start = time.perf_counter()
        result = generate_to_parquet(cfg)
        generated = time.perf_counter() - start
        start = time.perf_counter()
        inputs = read_inputs(result.path, None, cfg)
        sample = (result.rows, DEFAULT_MAX_MODEL_ROWS, DEFAULT_SEED)
        sections = inputs.profile.sections
        out = analyse(inputs.data, inputs.label_columns, sample, sections=sections).model
        baseline = time.perf_counter() - start
        frauds = pl.scan_parquet(result.path).filter(pl.col("label_fraud"))
        reported = frauds.select(pl.col("reported_time").is_not_null().mean()).collect().item()
    out["seconds"] = {"generate": round(generated, 1), "baseline": round(baseline, 1)}
    out["reported_share"] = float(reported)
    return out


def _summary(level: str, seed: int, r: dict[str, Any]) -> dict[str, Any]:
    """Return the numbers of one measurement that RESULTS.md shows."""
    history, raw = r["models"]["raw_history"], r["models"]["raw"]
    single = r["single_columns"][0]
    return {
        "level": level, "seed": seed, **{m: history[m] for m in SHORT},
        "raw_auc": raw["roc_auc"], "single": (single["column"], single["separation"]),
        "typologies": {
            k: v["recall_at_5pct_fpr"] for k, v in (r.get("typology_recall") or {}).items()
        },
        "test_frauds": r["split"]["test_frauds"], "reported": r["reported_share"],
        "classic_auc": _get(r, "models", "classic", "roc_auc"),
        "amount_ratio_auc": _get(r, "classic", "amount_vs_card_30d", "auc"),
        "graph_gain": _get(r, "graph_feature", "roc_auc_gain"),
    }  # fmt: skip


def _get(data: dict[str, Any], *keys: str) -> Any:
    """Return ``data[k1][k2]...``, or None where a level is missing."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None  # type: ignore[assignment]
    return data


def _num(value: float | None, digits: int = 3, sign: bool = False) -> str:
    return "-" if value is None else f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _table(rows: list[dict[str, Any]], total_rows: int) -> str:
    """Return the Markdown of RESULTS.md's difficulty section."""
    typologies = sorted({t for r in rows for t in r["typologies"]})
    lines = [
        f"`python -m bench.difficulty --write` ({total_rows:,} rows of the shipped config per"
        " run; the report's practitioner baseline: history model trained on the labels known"
        " at go-live, scored on the test window's truth). Recall per typology at 5% FPR."
        " Classic: the Fraud Detection Handbook's features with the same model, split and"
        " labels; amount / 30-day mean: that one feature alone; graph features: the ROC AUC"
        " the graph family (cards seen before on the device and on the IP, other_cards_7d)"
        " adds to the history model.",
        "",
        "| level | seed | ROC AUC | AP / base rate | recall @1% FPR | recall @5% FPR"
        " | raw ROC AUC | history adds | classic ROC AUC | amount / 30-day mean"
        " | graph features add | strongest raw column | test frauds | "
        + " | ".join(typologies)
        + " |",
        "| --- | "
        + "---: | " * 10
        + "--- | ---: | "
        + " | ".join("---:" for _ in typologies)
        + " |",
    ]
    for r in rows:
        rec = [r["typologies"].get(t) for t in typologies]
        lines.append(
            f"| {r['level']} | {r['seed']} | {r['roc_auc']:.3f} | {r['ap_lift']:.1f}x"
            f" | {r['recall_at_1pct_fpr']:.2f} | {r['recall_at_5pct_fpr']:.2f}"
            f" | {r['raw_auc']:.3f} | +{r['roc_auc'] - r['raw_auc']:.3f}"
            f" | {_num(r['classic_auc'])} | {_num(r['amount_ratio_auc'])}"
            f" | {_num(r['graph_gain'], 4, sign=True)}"
            f" | {r['single'][0]} {r['single'][1]:.3f} | {r['test_frauds']:,} | "
            + " | ".join("-" if v is None else f"{v:.2f}" for v in rec)
            + " |"
        )
    return "\n".join(lines)


def write_section(name: str, title: str, table: str) -> None:
    """Replace the ``name`` section of bench/RESULTS.md (between its markers), adding it under
    ``title`` at the end when missing."""
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text("utf-8")
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text:
        text = text.rstrip() + f"\n\n## {title}\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    path.write_text(head + start + "\n" + table + "\n" + end + rest.split(end, 1)[1], "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--levels", default="easy,medium,hard")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--set", action="append", default=[], help="config key=value")
    parser.add_argument("--write", action="store_true", help="write bench/RESULTS.md")
    args = parser.parse_args()
    overrides = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.set)}
    rows = []
    for level in args.levels.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            r = _summary(level, seed, measure(level, args.rows, overrides, seed))
            rows.append(r)
            print(json.dumps(r), flush=True)
    table = _table(rows, args.rows)
    print(table)
    if args.write:
        write_section("difficulty", "Difficulty", table)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
