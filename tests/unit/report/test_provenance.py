"""Provenance: catalog checksums compared with the record, config differences named."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.report.provenance import (
    catalog_match,
    config_differences,
    read_provenance,
    recorded_config,
)


def _catalog(folder: Path, **files: bytes) -> dict[str, str]:
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / f"{name}.parquet").write_bytes(data)
    return {f"{n}.parquet": hashlib.sha256(d).hexdigest() for n, d in files.items()}


def test_catalog_match_statuses(tmp_path: Path) -> None:
    recorded = _catalog(tmp_path / "cat", cards=b"a", merchants=b"b")
    info = {"catalogs": recorded}
    assert catalog_match(info, tmp_path / "cat")["status"] == "match"
    (tmp_path / "cat" / "cards.parquet").write_bytes(b"other run")
    replaced = catalog_match(info, tmp_path / "cat")
    assert replaced["status"] == "replaced"
    assert [n for n, f in replaced["files"].items() if not f["match"]] == ["cards.parquet"]
    (tmp_path / "cat" / "merchants.parquet").unlink()
    assert catalog_match(info, tmp_path / "cat")["files"]["merchants.parquet"]["found"] is None
    assert catalog_match({"catalogs": {}}, tmp_path / "cat")["status"] == "not_used"
    assert catalog_match(None, tmp_path / "cat")["status"] == "unknown"
    assert catalog_match(info, None)["status"] == "none"


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
