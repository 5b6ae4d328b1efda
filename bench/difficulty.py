"""Measure the difficulty levels: generate each, run the report's baseline on it, print.

python -m bench.difficulty [--rows N] [--levels easy,medium,hard] [--seed N] [--set key=value]

The baseline is the report's own model section (``report.model.baseline_model``: the
practitioner's history features, the time split with a gap, raw vs raw+history on the labels
known at go-live, and raw+history on the truth), so the bench and the report cannot disagree.
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
from fraud_detection.simulator.report.dataset import open_dataset, prepare
from fraud_detection.simulator.report.model import baseline_model
from fraud_detection.simulator.report.split import DEFAULT_MAX_MODEL_ROWS, DEFAULT_SEED

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
        prepared = prepare(open_dataset(result.path), "v3")
        out = baseline_model(prepared, result.rows, DEFAULT_MAX_MODEL_ROWS, DEFAULT_SEED)
        baseline = time.perf_counter() - start
        frauds = pl.scan_parquet(result.path).filter(pl.col("label_fraud"))
        reported = frauds.select(pl.col("reported_time").is_not_null().mean()).collect().item()
    out["seconds"] = {"generate": round(generated, 1), "baseline": round(baseline, 1)}
    out["reported_share"] = float(reported)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--levels", default="easy,medium,hard")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--set", action="append", default=[])
    args = parser.parse_args()
    overrides = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.set)}
    for level in args.levels.split(","):
        r = measure(level, args.rows, overrides, args.seed)
        short = {k: {m: round(v[m], 3) for m in SHORT} for k, v in r["models"].items()}
        print(level, json.dumps(short))
        print(
            "  typologies",
            {
                k: (v["test_rows"], round(v["recall_at_5pct_fpr"] or 0.0, 2))
                for k, v in (r.get("typology_recall") or {}).items()
            },
        )
        print(
            "  single",
            [(c["column"], round(c["separation"], 3)) for c in r["single_columns"][:3]],
            "reported",
            round(r["reported_share"], 3),
            r["seconds"],
            "frauds",
            r["split"]["test_frauds"],
        )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
