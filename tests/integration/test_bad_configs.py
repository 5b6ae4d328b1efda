"""Every bad config or flag: exit 1, one ``Config error: <key>: ...`` line per problem, no
traceback, nothing written.

One row per case: (config file text, extra flags, the key(s) the line(s) must start with).
The config file is ``config.yaml`` in an empty working directory, so the default
``out_dir: out`` would land there too. To add a case, add a row.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from fraud_detection.simulator.cli import main
from tests.conftest import REPO

CASES: list[tuple[str, str, str | tuple[str, ...]]] = [
    # --- top-level values ------------------------------------------------------------------
    ("total_rows: 0", "", "total_rows"),
    ("total_rows: -5", "", "total_rows"),
    ("total_rows: 1e20", "", "total_rows"),
    ("total_rows: true", "", "total_rows"),
    ("total_rows: .inf", "", "total_rows"),
    ("total_rows: 1.5", "", "total_rows"),
    ("total_rows: many", "", "total_rows"),
    ("fraud_rate: 0", "", "fraud_rate"),
    ("fraud_rate: 1.5", "", "fraud_rate"),
    ("fraud_rate: .nan", "", "fraud_rate"),
    ("fraud_rate: true", "", "fraud_rate"),
    ("seed: -1", "", "seed"),
    ("seed: 1e30", "", "seed"),
    ("seed: 1\nseed: 2", "", "seed"),
    ("out_dir: S3://bucket/x\noutput: {layout: parts}", "", "out_dir"),
    ("out_dir: gs://bucket/x", "", "out_dir"),
    ("out_dir: s3://Bad_Bucket/x\noutput: {layout: parts}", "", "out_dir"),
    ("out_dir: s3://bucket/x", "", "out_dir"),
    ("out_dir: ''", "", "out_dir"),
    ("realism: v9", "", "realism"),
    ("num_workers: 0", "", "num_workers"),
    ("num_workers: two", "", "num_workers"),
    ("batch_size: 0", "", "batch_size"),
    ("batch_size: 1e9", "", "batch_size"),
    ("s3_upload: maybe", "", "s3_upload"),
    ("engine: spark", "", "engine"),
    ("report: 2", "", "report"),
    ("extra_key: 1", "", "extra_key"),
    ("totl_rows: 10", "", "totl_rows"),
    ("total_rows: 0\nfraud_rate: 2", "", ("total_rows", "fraud_rate")),
    # --- catalog ---------------------------------------------------------------------------
    ("catalog: {num_customers: 0}", "", "catalog.num_customers"),
    ("catalog: {num_customers: 1e9}", "", "catalog.num_customers"),
    ("catalog: {num_merchants: 1e12}", "", "catalog.num_merchants"),
    ("catalog: {num_cards: 1e12}", "", "catalog.num_cards"),
    ("catalog: {customer_zipf_exponent: -1}", "", "catalog.customer_zipf_exponent"),
    ("catalog: {merchant_zipf_exponent: .inf}", "", "catalog.merchant_zipf_exponent"),
    ("catalog: {card_zipf_exponent: 11}", "", "catalog.card_zipf_exponent"),
    ("catalog: {merchant_risk_alpha: .inf}", "", "catalog.merchant_risk_alpha"),
    ("catalog: {merchant_risk_beta: 0}", "", "catalog.merchant_risk_beta"),
    ("catalog: {card_risk_alpha: -1}", "", "catalog.card_risk_alpha"),
    ("catalog: {card_risk_beta: .nan}", "", "catalog.card_risk_beta"),
    ("catalog: {max_size_mb: 0}", "", "catalog.max_size_mb"),
    ("catalog: {parquet_row_group_size: 0}", "", "catalog.parquet_row_group_size"),
    ("catalog: {num_custmers: 10}", "", "catalog.num_custmers"),
    ("catalog: 5", "", "catalog"),
    ("catalog:\n  num_cards: 5\n  num_cards: 6", "", "catalog.num_cards"),
    # --- temporal --------------------------------------------------------------------------
    ("temporal: {start_date: 2025-02-30}", "", "temporal.start_date"),
    ("temporal: {start_date: 1600-01-01}", "", "temporal.start_date"),
    ("temporal: {end_date: 2300-01-01}", "", "temporal.end_date"),
    ("temporal: {start_date: 2025-03-01, end_date: 2025-01-01}", "", "temporal"),
    ("temporal: {start_date: yesterday}", "", "temporal.start_date"),
    # --- feature ---------------------------------------------------------------------------
    ("feature: {amount_distribution: pareto}", "", "feature.amount_distribution"),
    ("feature: {amount_params: {mean: 800}}", "", "feature.amount_params"),
    ("feature: {amount_params: {sigma: 0}}", "", "feature.amount_params"),
    ("feature: {amount_distribution: normal, amount_params: {scale: 1e300}}", "", "feature.amount_params"),
    ("feature: {amount_distribution: uniform, amount_params: {low: 5, high: 1}}", "", "feature.amount_params"),
    ("feature: {amount_params: {loc: 3}}", "", "feature.amount_params"),
    ("feature: {device_types: {mobile: -1}}", "", "feature.device_types"),
    ("feature: {device_types: {}}", "", "feature.device_types"),
    ("feature: {device_types: {mobile: .nan}}", "", "feature.device_types.mobile"),
    # --- labeler ---------------------------------------------------------------------------
    ("labeler: {intercept: magic}", "", "labeler.intercept"),
    ("labeler: {burst_share: 2}", "", "labeler.burst_share"),
    ("labeler: {burst_factor: 0}", "", "labeler.burst_factor"),
    ("labeler: {burst_window_s: .inf}", "", "labeler.burst_window_s"),
    ("labeler: {burst_window_s: 1e9}", "", "labeler.burst_window_s"),
    ("labeler: {w_amount: .nan}", "", "labeler.w_amount"),
    ("labeler: {w_night: 1e6}", "", "labeler.w_night"),
    # --- s3, dask, output ------------------------------------------------------------------
    ("s3: {multipart_chunksize_mb: 1}", "", "s3.multipart_chunksize_mb"),
    ("s3: {multipart_threshold_mb: 0}", "", "s3.multipart_threshold_mb"),
    ("s3: {file_attempts: 0}", "", "s3.file_attempts"),
    ("s3: {bucket: x}", "", "s3.bucket"),
    ("dask: {scheduler_address: tcp://127.0.0.1}", "", "dask.scheduler_address"),
    ("dask: {scheduler_address: 'http://h:8786'}", "", "dask.scheduler_address"),
    ("dask: {connect_timeout_s: 0}", "", "dask.connect_timeout_s"),
    ("output: {layout: csv}", "", "output.layout"),
    ("output: {partition_by: event_date}", "", "output.partition_by"),
    ("output: {partition_by: ingest_date}", "", "output.partition_by"),
    # --- output formats and timestamps (issue 20) ----------------------------------------------
    ("output: {format: csv}", "", "output.format"),
    ("output: {timestamp_unit: ms}", "", "output.timestamp_unit"),
    ("output: {format: delta, timestamp_unit: ns}", "", "output.timestamp_unit"),
    ("output: {format: iceberg, timestamp_unit: ns}", "", "output.timestamp_unit"),
    ("output: {format: delta, layout: parts}", "", "output.layout"),
    ("output: {format: iceberg, layout: parts, partition_by: event_date}", "",
     ("output.layout", "output.partition_by")),
    ("output: {write_mode: append}", "", "output.write_mode"),
    ("output: {format: delta, write_mode: upsert}", "", "output.write_mode"),
    ("output: {iceberg: {namespace: lake}}", "", "output.iceberg"),
    ("output: {format: delta, iceberg: {namespace: lake}}", "", "output.iceberg"),
    ("output: {format: iceberg, iceberg: {namespace: ''}}", "", "output.iceberg.namespace"),
    ("output: {format: iceberg, iceberg: {catalog: {uri: 5}}}", "", "output.iceberg.catalog.uri"),
    ("output: {format: iceberg, iceberg: {catalg: {}}}", "", "output.iceberg.catalg"),
    ("output: {format: delta}\ns3_upload: true", "", "s3_upload"),
    ("output: {format: iceberg}\nreport: true", "", "report"),
    ("output: {format: delta}", "--s3", "--s3"),
    ("out_dir: s3://bucket/x\noutput: {format: iceberg}", "", "output.iceberg.catalog"),
    # --- v3: population, fraud and what v3 does not use ---------------------------------------
    ("population: {habit_strength: 1.5}", "", "population.habit_strength"),
    ("population: {countries: {US: -1}}", "", "population.countries"),
    ("population: {countries: {US: 0}}", "", "population.countries"),
    ("population: {countries: {USA: 1}}", "", "population.countries"),
    ("population: {countries: {XX: 1}}", "", "population.countries"),
    ("population: {countries: {BV: 1}}", "", "population.countries"),
    ("population: {travel_rate: 100}", "", "population.travel_rate"),
    ("population: {househld_share: 0.2}", "", "population.househld_share"),
    ("fraud: {difficulty: extreme}", "", "fraud.difficulty"),
    ("fraud: {typologies: {card_testng: 1}}", "", "fraud.typologies"),
    ("fraud: {typologies: {card_testing: 0}}", "", "fraud.typologies"),
    ("fraud: {mimicry: 2}", "", "fraud.mimicry"),
    ("fraud: {never_reported_share: 1}", "", "fraud.never_reported_share"),
    ("realism: v2\npopulation: {travel_rate: 1}", "", "population"),
    ("realism: v2\nfraud: {difficulty: hard}", "", "fraud"),
    ("labeler: {burst_share: 0.5}", "", "labeler.burst_share"),
    ("feature: {amount_distribution: normal}", "", "feature.amount_distribution"),
    ("catalog: {customer_zipf_exponent: 2}", "", "catalog.customer_zipf_exponent"),
    ("catalog: {num_customers: 1000, num_cards: 500}", "", "catalog.num_cards"),
    ("catalog: {num_customers: 1000, num_cards: 5000}", "", "catalog.num_cards"),
    # --- the file itself -------------------------------------------------------------------
    ("total_rows: [1,\n", "", "config.yaml"),
    ("- 1\n- 2", "", "config.yaml"),
    ("", "--config nope.yaml", "config file not found"),
    # --- flags -----------------------------------------------------------------------------
    ("", "--total-rows 1e20", "total_rows"),
    ("", "--total-rows inf", "--total-rows"),
    ("", "--num-workers 0", "num_workers"),
    ("", "--num-workers two", "--num-workers"),
    ("", "--seed -1", "seed"),
    ("", "--batch-size 1.5", "--batch-size"),
    ("", "--out-dir S3://bucket/x", "out_dir"),
    ("", "--realism v4", "--realism"),
    ("", "--engine spark", "--engine"),
    ("", "--log-level verbose", "--log-level"),
    ("", "--totl-rows 5", "--totl-rows"),
]  # fmt: skip


def _error_lines(err: str, caplog: pytest.LogCaptureFixture) -> list[str]:
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    return [line for line in err.splitlines() if line.strip()] + logged


@pytest.mark.parametrize(("text", "flags", "keys"), CASES)
def test_a_bad_config_or_flag_is_one_line_per_problem(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    text: str,
    flags: str,
    keys: str | tuple[str, ...],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("config.yaml").write_text(text, "utf-8")
    try:
        code = main(["--config", "config.yaml", *shlex.split(flags)])
    except SystemExit as exc:  # argparse's error path
        code = int(exc.code or 0)
    assert code == 1
    lines = _error_lines(capsys.readouterr().err, caplog)
    expected = (keys,) if isinstance(keys, str) else keys
    assert len(lines) == len(expected), lines
    for key, line in zip(expected, lines, strict=True):
        assert line.startswith(f"Config error: {key}"), line
    assert "Traceback" not in caplog.text
    assert [p.name for p in tmp_path.rglob("*")] == ["config.yaml"]  # nothing written


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("temporal: {start_date: 2025-02-30}", ""),
        ("", "--num-workers two"),
        ("seed: 1\nseed: 2", ""),
    ],
)
def test_the_real_stderr_holds_exactly_that_line(tmp_path: Path, text: str, flags: str) -> None:
    (tmp_path / "config.yaml").write_text(text, "utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "fraud_detection.simulator", "--config", "config.yaml", *shlex.split(flags)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert "Config error: " in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]
