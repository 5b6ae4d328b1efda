"""The catalog reader: found above the dataset, and one error policy (a named catalog that is
missing or unreadable is an input error; one only found is skipped, saying why)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from fraud_detection.simulator.realism.profiles import profile_for
from fraud_detection.simulator.report import ReportInputError
from fraud_detection.simulator.report.inputs.catalogs import (
    catalog_match,
    find_catalog_dir,
    open_catalogs,
)

TABLES = ("customers", "merchants", "cards")


def test_catalog_is_found_above_the_dataset(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    for name in ("customers.parquet", "merchants.parquet", "cards.parquet"):
        (catalog / name).write_text("x")
    deep = tmp_path / "payments" / "year=2025" / "month=01"
    deep.mkdir(parents=True)
    assert find_catalog_dir(deep / "payments.parquet") == catalog
    (catalog / "cards.parquet").unlink()
    assert find_catalog_dir(deep / "payments.parquet") is None


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


def _tables(folder: Path, broken: str | None = None) -> Path:
    folder.mkdir(parents=True)
    for name in TABLES:
        path = folder / f"{name}.parquet"
        if name == broken:
            path.write_text("not parquet")
        else:
            pl.DataFrame({f"{name[:-1]}_id": [1, 2]}).write_parquet(path)
    return folder


def test_a_named_catalog_must_be_usable(tmp_path: Path) -> None:
    v2 = profile_for("v2")
    with pytest.raises(ReportInputError, match="catalog directory not found"):
        open_catalogs(tmp_path / "x.parquet", tmp_path / "nocat", None, v2)
    broken = _tables(tmp_path / "broken", broken="cards")
    with pytest.raises(ReportInputError, match=r"cards\.parquet: not a readable catalog"):
        open_catalogs(tmp_path / "x.parquet", broken, None, v2)
    good = open_catalogs(tmp_path / "x.parquet", _tables(tmp_path / "good"), None, v2)
    assert good.skipped is None and good.match["status"] == "unknown"
    assert good.table("cards", ("card_id",)).collect()["card_id"].to_list() == [1, 2]  # type: ignore[union-attr]
    assert good.table("cards", ("risk",)) == "cards.parquet has no risk"


def test_a_found_catalog_that_is_unreadable_is_skipped_with_the_reason(tmp_path: Path) -> None:
    _tables(tmp_path / "catalog", broken="merchants")
    found = open_catalogs(tmp_path / "x.parquet", None, None, profile_for("v2"))
    assert found.directory == tmp_path / "catalog"
    assert (
        found.skipped is not None and "merchants.parquet: not a readable catalog" in found.skipped
    )
    assert found.table("cards", ("card_id",)) == found.skipped


def test_a_realism_without_shared_catalogs_is_never_checked_against_them(tmp_path: Path) -> None:
    _tables(tmp_path / "run" / "catalog")
    v1 = open_catalogs(tmp_path / "run" / "x.parquet", None, None, profile_for("v1"))
    assert v1.skipped is not None and "without shared catalogs (realism v1)" in v1.skipped
    none = open_catalogs(tmp_path / "elsewhere" / "x.parquet", None, None, profile_for("v2"))
    assert none.directory is None and none.skipped is not None
