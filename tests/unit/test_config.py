from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraud_detection.simulator.config import (
    GeneratorConfig,
    S3Location,
    config_from_dict,
    config_table,
    load_config,
)
from fraud_detection.simulator.errors import ConfigError
from tests.conftest import REPO, small_config_dict, write_yaml


def test_shipped_config_loads_with_the_issue_values() -> None:
    cfg = load_config(REPO / "generator_config.yaml")
    assert (cfg.total_rows, cfg.fraud_rate, cfg.seed, cfg.realism) == (1_000_000, 0.005, 42, "v3")
    assert (cfg.num_workers, cfg.batch_size, cfg.s3_upload) == (2, 100_000, False)
    assert cfg.out_dir == Path("out")
    assert cfg.catalog.num_cards == 75_000 and cfg.catalog.merchant_zipf_exponent == 1.1
    assert cfg.catalog.card_zipf_exponent == 0.6 and cfg.fraud.difficulty == "medium"
    assert cfg.temporal.start_date == date(2025, 1, 1) and cfg.temporal.end_date == date(
        2025, 3, 31
    )
    assert cfg.feature.device_types == {"mobile": 0.6, "desktop": 0.3, "tablet": 0.1}
    assert cfg.population.habit_strength == 0.85 and cfg.population.travel_rate == 3.0
    assert cfg.fraud_count == 5_000


def test_empty_mapping_gives_documented_defaults() -> None:
    cfg = config_from_dict({})
    assert cfg == GeneratorConfig()
    assert cfg.feature.amount == {"mean": 3.5, "sigma": 1.0}


def test_end_date_defaults_to_today(tmp_path: Path) -> None:
    data = small_config_dict(tmp_path)
    del data["temporal"]["end_date"]
    assert config_from_dict(data).temporal.last_day == date.today()


def test_overrides_are_validated_like_file_values(tmp_path: Path) -> None:
    data = small_config_dict(tmp_path)
    assert config_from_dict(data, {"num_workers": 3, "realism": None}).num_workers == 3
    with pytest.raises(ConfigError, match=r"num_workers: .*greater than 0"):
        config_from_dict(data, {"num_workers": 0})


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"total_rows": -5}, "total_rows: Input should be greater than 0 (got -5)"),
        ({"fraud_rate": 1.5}, "fraud_rate: Input should be less than 1"),
        ({"fraud_rate": 0}, "fraud_rate: Input should be greater than 0"),
        ({"realism": "v4"}, "realism: Input should be 'v1', 'v2' or 'v3'"),
        ({"catalog": {"num_customers": 0}}, "catalog.num_customers: Input should be greater than 0"),
        ({"catalog": {"num_custmers": 10}}, "catalog.num_custmers: unknown key; did you mean 'num_customers'?"),
        ({"totl_rows": 10}, "totl_rows: unknown key; did you mean 'total_rows'?"),
        ({"temporal": {"start_date": "2025-02-01", "end_date": "2025-01-01"}}, "temporal: end_date 2025-01-01 is before start_date 2025-02-01"),
        ({"feature": {"device_types": {"mobile": 0}}}, "feature.device_types: weights must be positive numbers, got mobile=0"),
        ({"feature": {"device_types": {}}}, "feature.device_types: needs at least one device type"),
        ({"feature": {"amount_distribution": "pareto"}}, "feature.amount_distribution: Input should be"),
        ({"feature": {"amount_params": {"loc": 3}}}, "do not apply to lognormal"),
        ({"labeler": {"burst_share": 2}}, "labeler.burst_share: Input should be less than or equal to 1"),
        ({"seed": -1}, "seed: Input should be greater than or equal to 0"),
    ],
)  # fmt: skip
def test_each_bad_value_names_its_key(
    tmp_path: Path, patch: dict[str, object], expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_dict(small_config_dict(tmp_path, **patch))
    assert len(info.value.problems) == 1
    assert expected in info.value.problems[0]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = small_config_dict(
        tmp_path, total_rows=0, fraud_rate=2, catalog={"num_cards": -1}, bogus=1
    )
    with pytest.raises(ConfigError) as info:
        config_from_dict(data)
    keys = sorted(p.split(":")[0] for p in info.value.problems)
    assert keys == ["bogus", "catalog.num_cards", "fraud_rate", "total_rows"]


def test_numbers_written_as_strings_are_accepted(tmp_path: Path) -> None:
    cfg = config_from_dict(small_config_dict(tmp_path, total_rows="1e6", batch_size="50_000"))
    assert (cfg.total_rows, cfg.batch_size) == (1_000_000, 50_000)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file not found: .*nope.yaml"):
        load_config(tmp_path / "nope.yaml")


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("total_rows: 10\ncatalog:\n  num_cards: [1, 2\n", "utf-8")
    with pytest.raises(ConfigError, match=r"bad.yaml: YAML syntax error at line \d+"):
        load_config(path)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", "utf-8")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(path)


def test_load_config_reads_yaml_dates_and_underscored_ints(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("total_rows: 1_000\ntemporal:\n  start_date: 2024-02-29\n", "utf-8")
    cfg = load_config(path)
    assert cfg.total_rows == 1000 and cfg.temporal.start_date == date(2024, 2, 29)


def test_s3_out_dir_needs_parts_layout(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"s3:// out_dir needs output\.layout: parts"):
        config_from_dict({"out_dir": "s3://bucket/prefix"})
    cfg = config_from_dict({"out_dir": "s3://bucket/prefix/", "output": {"layout": "parts"}})
    assert cfg.out_dir == S3Location("bucket", "prefix")
    assert S3Location.parse("s3://b/p/q/") / "x" == S3Location("b", "p/q/x")


def test_config_table_lists_every_key() -> None:
    table = config_table()
    for key in ("total_rows", "catalog.num_cards", "temporal.end_date", "labeler.w_night"):
        assert f"| `{key}` |" in table


@settings(max_examples=40, deadline=None)
@given(rate=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0), st.just(float("nan"))))
def test_fraud_rate_outside_open_unit_interval_is_rejected(rate: float) -> None:
    with pytest.raises(ConfigError, match="fraud_rate"):
        config_from_dict({"fraud_rate": rate})


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(max_value=0))
def test_non_positive_total_rows_is_rejected(rows: int) -> None:
    with pytest.raises(ConfigError, match="total_rows"):
        config_from_dict({"total_rows": rows})


def test_config_file_fixture_is_valid(config_file: Path) -> None:
    assert load_config(config_file).total_rows == 20_000


def test_written_yaml_roundtrip(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "x.yaml", {"total_rows": 5, "bad_key": 1})
    with pytest.raises(ConfigError, match="bad_key: unknown key"):
        load_config(path)


def test_the_timestamp_unit_is_in_the_config_hash_and_the_format_is_not(tmp_path: Path) -> None:
    from fraud_detection.simulator.provenance import config_hash

    base = config_from_dict({"out_dir": str(tmp_path)})
    assert base.output.timestamp_unit == "us" and base.output.format == "parquet"
    ns = config_from_dict({"out_dir": str(tmp_path), "output": {"timestamp_unit": "ns"}})
    delta = config_from_dict({"out_dir": str(tmp_path), "output": {"format": "delta"}})
    assert config_hash(ns) != config_hash(base) == config_hash(delta)


def test_iceberg_catalog_properties_are_never_recorded(tmp_path: Path) -> None:
    from fraud_detection.simulator.provenance import provenance

    secret = {"type": "rest", "uri": "https://catalog", "credential": "id:secret"}
    cfg = config_from_dict(
        {"out_dir": str(tmp_path), "output": {"format": "iceberg", "iceberg": {"catalog": secret}}}
    )
    info = provenance(cfg, date(2025, 1, 1))
    assert "secret" not in json.dumps(info)
    assert info["config"]["output"]["iceberg"] == {"namespace": "fraud", "catalog_name": None}  # type: ignore[index]
