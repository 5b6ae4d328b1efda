"""Measure the difficulty levels: generate each, run the practitioner's baseline, print.

python -m bench.difficulty [--rows N] [--levels easy,medium,hard] [--set key=value ...]
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
from fraud_detection.simulator.report.baseline import evaluate
from fraud_detection.simulator.report.practitioner import history, time_split, with_raw

ROOT = Path(__file__).resolve().parents[1]


def single_column_aucs(frame: pl.DataFrame, split: Any) -> list[tuple[str, float]]:
    """Return the raw numeric columns' test AUC (separation), strongest first."""
    from sklearn.metrics import roc_auc_score

    test = frame.filter(pl.Series(split.test))
    y = split.truth[split.test]
    out = []
    for c in ("amount", "hour_local", "hour_utc", "local_time_offset", "latitude", "longitude"):
        v = test[c].cast(pl.Float64).fill_null(0).to_numpy()
        a = float(roc_auc_score(y, v))
        out.append((c, max(a, 1 - a)))
    return sorted(out, key=lambda x: -x[1])


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
        frame = pl.read_parquet(result.path)
    start = time.perf_counter()
    features = with_raw(history(frame))
    split = time_split(features)
    out = evaluate(features, split)
    out["seconds"] = {
        "generate": round(generated, 1),
        "baseline": round(time.perf_counter() - start, 1),
    }
    out["single_column"] = single_column_aucs(features, split)
    out["reported_share"] = float(
        frame.filter(pl.col("label_fraud"))["reported_time"].is_not_null().mean()
    )
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
        short = {
            k: {m: round(v, 3) for m, v in r[k].items()}
            for k in ("raw", "raw_history", "raw_history_truth")
        }
        print(level, json.dumps(short))
        print(
            "  typologies",
            {
                k: (v["test_rows"], round(v["recall_at_5pct_fpr"], 2))
                for k, v in r.get("typologies", {}).items()
            },
        )
        print(
            "  single",
            [(c, round(a, 3)) for c, a in r["single_column"][:3]],
            "reported",
            round(r["reported_share"], 3),
            r["seconds"],
            "frauds",
            r["test_frauds"],
        )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
