"""fraud-report on the command line: exit codes, one-line errors, no partial files, parts dirs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from fraud_detection.simulator.config import GeneratorConfig, config_from_dict
from fraud_detection.simulator.core import GenerationResult, generate_to_parquet
from fraud_detection.simulator.report.cli import main

MODEL_ROWS = ["--max-model-rows", "8000"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[GeneratorConfig, GenerationResult]:
    cfg = config_from_dict(
        {
            "realism": "v2",
            "total_rows": 10_000,
            "num_workers": 1,
            "batch_size": 5_000,
            "out_dir": str(tmp_path_factory.mktemp("data")),
            "fraud_rate": 0.03,
            "temporal": {"start_date": "2025-01-01", "end_date": "2025-01-15"},
            "catalog": {"num_customers": 1000, "num_merchants": 200, "num_cards": 1500},
        }
    )
    return cfg, generate_to_parquet(cfg)


@pytest.fixture(scope="module")
def config_file(
    generated: tuple[GeneratorConfig, GenerationResult], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "config.yaml"
    dumped = generated[0].model_dump(mode="json")  # JSON is YAML
    path.write_text(json.dumps(dumped), "utf-8")
    return path


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_module_entry_point_writes_both_files(
    generated: tuple[GeneratorConfig, GenerationResult], config_file: Path, tmp_path: Path
) -> None:
    _, result = generated
    out = tmp_path / "report"
    run = subprocess.run(
        [sys.executable, "-m", "fraud_detection.simulator.report", str(result.path),
         "--config", str(config_file), "--out", str(out), "--quiet", *MODEL_ROWS],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json"]
    assert _lines(run.stdout) == [
        f"report.html: {out / 'report.html'}",
        f"report.json: {out / 'report.json'}",
    ]
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["fidelity"]["failed"] == 0
    assert report["catalog_check"]["failed"] == 0


def test_default_output_is_beside_the_dataset(
    generated: tuple[GeneratorConfig, GenerationResult], tmp_path: Path
) -> None:
    _, result = generated
    copy = tmp_path / "data.parquet"
    copy.write_bytes(result.path.read_bytes())
    assert main([str(copy), "--quiet", *MODEL_ROWS]) == 0
    out = tmp_path / "data_report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.parquet", "data_report"]
    assert (out / "report.html").is_file() and (out / "report.json").is_file()
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["catalog_check"] is None  # no catalog/ above a copied file
    assert report["config"]["source"] == "recorded"  # the copy carries its provenance
    assert report["fidelity"]["failed"] == 0


def test_a_parts_directory_reads_all_parts_in_name_order(
    generated: tuple[GeneratorConfig, GenerationResult], tmp_path: Path
) -> None:
    _, result = generated
    frame = pl.read_parquet(result.path)
    parts = tmp_path / "parts"
    parts.mkdir()
    for i, start in enumerate(range(0, frame.height, 3_000)):
        frame.slice(start, 3_000).write_parquet(parts / f"part-{i:05d}.parquet")
    (parts / "_manifest.json").write_text("{}")
    catalog = str(result.catalog_dir)
    assert main([str(parts), "--catalog", catalog, "--quiet", *MODEL_ROWS]) == 0
    report = json.loads((tmp_path / "parts_report" / "report.json").read_text("utf-8"))
    assert report["overview"]["rows"] == frame.height
    assert [Path(f).name for f in report["overview"]["files"]] == [
        f"part-{i:05d}.parquet" for i in range(4)
    ]


def test_an_event_date_dataset_is_read_from_its_month_folders(tmp_path: Path) -> None:
    from tests.conftest import small_config

    cfg = small_config(
        tmp_path, total_rows=8_000, batch_size=2_000,
        temporal={"start_date": "2025-01-25", "end_date": "2025-02-06"},
        output={"layout": "parts", "partition_by": "event_date"},
    )  # fmt: skip
    result = generate_to_parquet(cfg)
    parts = sorted(result.path.rglob("*.parquet"))
    assert {p.parent.name for p in parts} == {"month=01", "month=02"}
    assert main([str(result.path), "--quiet", *MODEL_ROWS]) == 0
    out = result.path.parents[1] / "reports" / result.path.name / "report.json"
    report = json.loads(out.read_text("utf-8"))
    assert report["overview"]["rows"] == cfg.total_rows
    assert sorted(report["overview"]["files"]) == [str(p) for p in parts]
    assert report["provenance"]["consistent"] and report["fidelity"]["failed"] == 0


def test_default_output_of_a_generated_dataset_is_outside_the_partitions(
    generated: tuple[GeneratorConfig, GenerationResult],
) -> None:
    _, result = generated
    assert main([str(result.path), "--quiet", *MODEL_ROWS]) == 0
    out_dir = result.path.parents[3]
    name = result.path.name.removesuffix(".parquet")
    assert (out_dir / "reports" / name / "report.json").is_file()
    assert sorted(p.name for p in result.path.parent.iterdir()) == [result.path.name]


def _missing(folder: Path) -> Path:
    return folder / "missing.parquet"


def _not_parquet(folder: Path) -> Path:
    path = folder / "junk.parquet"
    path.write_text("not parquet")
    return path


def _empty_dir(folder: Path) -> Path:
    path = folder / "empty"
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [(_missing, "dataset not found"), (_not_parquet, "not a readable Parquet"),
     (_empty_dir, "no *.parquet files")],
)  # fmt: skip
def test_bad_dataset_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path], reason: str
) -> None:
    dataset = make(tmp_path)
    out = tmp_path / "out"
    assert main([str(dataset), "--out", str(out), "--quiet"]) == 1
    err = _lines(capsys.readouterr().err)
    assert len(err) == 1 and err[0].startswith(f"Input error: {dataset}: "), err
    assert reason in err[0]
    assert not out.exists()


def test_bad_config_prints_each_problem(
    generated: tuple[GeneratorConfig, GenerationResult],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, result = generated
    config = tmp_path / "bad.yaml"
    config.write_text("fraud_rate: 2\ntotal_rowz: 10\n", "utf-8")
    out = tmp_path / "out"
    assert main([str(result.path), "--config", str(config), "--out", str(out)]) == 1
    err = _lines(capsys.readouterr().err)
    assert len(err) == 2 and all(line.startswith("Config error: ") for line in err), err
    assert any("fraud_rate" in line for line in err)
    assert any("total_rowz" in line for line in err)
    assert not out.exists()


def test_missing_config_file_and_missing_catalog_exit_1(
    generated: tuple[GeneratorConfig, GenerationResult],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, result = generated
    assert main([str(result.path), "--config", str(tmp_path / "nope.yaml")]) == 1
    assert _lines(capsys.readouterr().err) == [
        f"Config error: config file not found: {tmp_path / 'nope.yaml'}"
    ]
    assert main([str(result.path), "--catalog", str(tmp_path / "nocat")]) == 1
    err = _lines(capsys.readouterr().err)
    assert len(err) == 1 and err[0].startswith("Input error: ") and "catalog" in err[0]


def test_bad_flag_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["x.parquet", "--max-model-rows", "0"])
    assert exc.value.code == 1
    assert "Argument error:" in capsys.readouterr().err


def test_unwritable_output_is_an_error_and_leaves_nothing(
    generated: tuple[GeneratorConfig, GenerationResult],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, result = generated
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main([str(result.path), "--out", str(blocker / "sub"), "--quiet", *MODEL_ROWS]) == 1
    err = _lines(capsys.readouterr().err)
    assert len(err) == 1 and err[0].startswith("Output error: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_generation_with_report_true_writes_the_report(tmp_path: Path) -> None:
    from fraud_detection.simulator.cli import main as generate_main
    from tests.conftest import small_config_dict, write_yaml

    out = tmp_path / "out"
    config = write_yaml(tmp_path / "c.yaml", small_config_dict(out, total_rows=8_000, report=True))
    assert generate_main(["--config", str(config), "--log-level", "WARNING"]) == 0
    reports = list((out / "reports").glob("payments_8_000_*/report.json"))
    assert len(reports) == 1
    report = json.loads(reports[0].read_text("utf-8"))
    assert report["fidelity"]["failed"] == 0 and report["overview"]["rows"] == 8_000
    assert (reports[0].parent / "report.html").is_file()


def _three_more_frauds(result: GenerationResult, path: Path) -> Path:
    """Write a copy of the dataset with three more rows labelled fraud (no provenance)."""
    frame = pl.read_parquet(result.path)
    flip = frame.with_row_index("i").filter(~pl.col("label_fraud"))["i"].head(3)
    index = pl.int_range(pl.len(), dtype=pl.UInt32)
    frame.with_columns(pl.col("label_fraud") | index.is_in(flip.implode())).write_parquet(path)
    return path


def test_fail_on_problems_exits_3_after_writing_the_report(
    generated: tuple[GeneratorConfig, GenerationResult],
    config_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg, result = generated
    bad = _three_more_frauds(result, tmp_path / "bad.parquet")
    args = [str(bad), "--config", str(config_file), "--quiet", *MODEL_ROWS]
    assert main([*args, "--out", str(tmp_path / "gate"), "--fail-on", "problems"]) == 3
    assert sorted(p.name for p in (tmp_path / "gate").iterdir()) == ["report.html", "report.json"]
    err = _lines(capsys.readouterr().err)
    want = cfg.fraud_count
    assert err == [
        f"Problem: fidelity: Fraud count is exactly round(fraud_rate x rows) = round(0.03 x "
        f"10000): expected {want:,}, measured {want + 3:,} (tolerance exact)"
    ]
    report = json.loads((tmp_path / "gate" / "report.json").read_text("utf-8"))
    assert report["verdict"]["problem_count"] == 1
    # Without the flag the same problem is reported, and the exit code stays 0.
    assert main([*args, "--out", str(tmp_path / "plain")]) == 0
    assert _lines(capsys.readouterr().err) == err


def test_fail_on_problems_passes_clean_data(
    generated: tuple[GeneratorConfig, GenerationResult], tmp_path: Path
) -> None:
    _, result = generated
    out = tmp_path / "out"
    assert main([str(result.path), "--out", str(out), "--quiet", "--fail-on", "problems",
                 *MODEL_ROWS]) == 0  # fmt: skip
    assert json.loads((out / "report.json").read_text("utf-8"))["verdict"]["problems"] == []
