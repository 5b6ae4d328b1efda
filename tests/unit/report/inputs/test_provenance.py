"""Provenance: what the files record, the report profile it implies, config differences."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.report.inputs.config import config_differences, recorded_config
from fraud_detection.simulator.report.inputs.provenance import dataset_profile, read_provenance


def test_provenance_of_parts_that_disagree(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": [1]})
    for i, seed in enumerate((1, 1, 2)):
        meta = {"fraud_simulator": f'{{"seed": {seed}}}'}
        frame.write_parquet(tmp_path / f"part-{i}.parquet", metadata=meta)
    frame.write_parquet(tmp_path / "foreign.parquet")
    files = sorted(tmp_path.glob("part-*.parquet"))
    same = read_provenance(files[:2])
    assert same["found"] and same["consistent"] and same["info"] == {"seed": 1}
    mixed = read_provenance(files)
    assert not mixed["consistent"] and "2 different runs" in mixed["note"]
    none = read_provenance([tmp_path / "foreign.parquet"])
    assert not none["found"] and none["info"] is None and "no provenance" in none["note"]


def test_recorded_config_and_differences() -> None:
    recorded = {"total_rows": 5_000, "seed": 3, "temporal": {"start_date": "2025-01-01",
                "end_date": "2025-01-31"}}  # fmt: skip
    cfg, why = recorded_config({"config": recorded})
    assert cfg is not None and why is None and cfg.seed == 3
    given = config_from_dict({**recorded, "seed": 4, "fraud_rate": 0.02})
    assert config_differences(given, recorded) == ["seed"]  # only keys the record holds
    bad, why = recorded_config({"config": {"total_rowz": 1}})
    assert bad is None and why is not None and "total_rowz" in why


def test_the_profile_is_the_recorded_realisms_else_what_the_columns_imply() -> None:
    v3_columns = ["event_time", "label_fraud", "fraud_type", "fraud_episode_id", "reported_time"]
    assert dataset_profile({"realism": "v1"}, v3_columns).realism == "v1"  # the record wins
    assert dataset_profile({"realism": "v9"}, v3_columns).realism is None  # unknown: generic
    assert dataset_profile(None, v3_columns).realism == "v3"  # no record: the columns
    assert dataset_profile({"seed": 1}, ["event_time", "label_fraud"]).realism is None
