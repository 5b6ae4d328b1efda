"""No input hangs or traces back: small configs of every kind give the exact rows and frauds,
or one ``Config error`` line per problem saying what to change, within seconds.

Hypothesis draws the configs a tired user could type (any row count, any fraud rate in (0, 1),
one typology alone or the preset mix, any difficulty, tiny or lopsided catalogs, short date
ranges); each runs in-process under a time limit. Two inputs that once broke it run through the
CLI as a user runs them.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fraud_detection.simulator.config import config_from_dict
from fraud_detection.simulator.core import generate_dataframe
from fraud_detection.simulator.errors import ConfigError
from fraud_detection.simulator.reference import TYPOLOGIES
from tests.conftest import REPO, write_yaml

TIME_LIMIT_S = 20
KEYED_LINE = re.compile(r"^[a-z_]+(\.[a-z_]+)*: \S")


class TookTooLong(Exception):
    """The run did not end within the time limit."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise TookTooLong(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@st.composite
def small_configs(draw: st.DrawFn) -> dict[str, Any]:
    customers = draw(st.integers(1, 400))
    days = draw(st.integers(1, 60))
    start = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 330)))
    typologies = draw(st.none() | st.sampled_from(TYPOLOGIES).map(lambda t: {t: 1}))
    data: dict[str, Any] = {
        "total_rows": draw(st.integers(1, 3_000)),
        "fraud_rate": draw(st.floats(1e-6, 0.999, exclude_max=True)),
        "seed": draw(st.integers(0, 2**32)),
        "realism": "v3",
        "num_workers": 1,
        "batch_size": draw(st.integers(200, 5_000)),
        "catalog": {
            "num_customers": customers,
            "num_cards": draw(st.integers(customers, 3 * customers)),
            "num_merchants": draw(st.integers(1, 300)),
        },
        "temporal": {"start_date": start, "end_date": start + timedelta(days=days - 1)},
        "fraud": {"difficulty": draw(st.sampled_from(["easy", "medium", "hard"]))},
    }
    if typologies is not None:
        data["fraud"]["typologies"] = typologies
    return data


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=small_configs())
def test_any_small_v3_config_gives_its_rows_or_one_line_per_problem(
    data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    data["out_dir"] = str(tmp_path_factory.mktemp("out"))
    try:
        cfg = config_from_dict(data)
        with time_limit(TIME_LIMIT_S):
            frame = generate_dataframe(cfg)
    except ConfigError as exc:
        assert exc.problems, "a config error names its problem"
        for line in exc.problems:
            assert KEYED_LINE.match(line) and "\n" not in line, line
        return
    assert frame.height == cfg.total_rows
    assert int(frame["label_fraud"].sum()) == cfg.fraud_count


def _cli(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fraud_detection.simulator", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


@pytest.mark.parametrize(
    ("rows", "fraud_rate", "workers"),
    [(20_000, 0.00005, 2), (1, 0.005, 1), (1, 0.5, 3)],
    ids=["one-fraud-in-20000-rows", "one-row", "one-row-three-workers"],
)
def test_inputs_that_once_broke_it_end_in_seconds(
    tmp_path: Path, rows: int, fraud_rate: float, workers: int
) -> None:
    out = tmp_path / "out"
    config = write_yaml(
        tmp_path / "config.yaml",
        {
            "total_rows": rows,
            "fraud_rate": fraud_rate,
            "num_workers": workers,
            "out_dir": str(out),
            "temporal": {"start_date": "2025-01-01", "end_date": "2025-03-31"},
        },
    )
    done = _cli(config)
    assert "Traceback" not in done.stderr, done.stderr
    if done.returncode == 0:
        files = list((out / "payments").rglob("*.parquet"))
        assert len(files) == 1
        import polars as pl

        frame = pl.read_parquet(files[0])
        assert frame.height == rows
        assert int(frame["label_fraud"].sum()) == round(rows * fraud_rate)
    else:
        assert done.returncode == 1
        errors = [line for line in done.stderr.splitlines() if "Config error" in line]
        assert errors and not (out / "payments").exists(), done.stderr


@pytest.mark.parametrize(
    "overrides",
    [
        # 500,000 fraud rows over a year: more breaches and rogue merchants than the catalog
        # holds, so each takes more victims; the plan is exact and ready in seconds.
        {"total_rows": 100_000_000, "temporal": {"end_date": "2025-12-31"}},
        # A quota far beyond what one typology's few merchants can take in a week.
        {
            "total_rows": 50_000,
            "fraud_rate": 0.6,
            "catalog": {"num_customers": 300, "num_cards": 400, "num_merchants": 20},
            "temporal": {"end_date": "2025-01-07"},
            "fraud": {"typologies": {"rogue_merchant": 1}},
        },
    ],
    ids=["100M-rows-over-a-year", "rogue-quota-beyond-the-catalog"],
)
def test_planning_far_beyond_the_catalog_ends_exact_or_with_one_line(
    overrides: dict[str, Any], tmp_path: Path
) -> None:
    from fraud_detection.simulator.realism.registry import get_realism
    from tests.conftest import merged

    data = merged(yaml.safe_load((REPO / "generator_config.yaml").read_text()), overrides)
    data["out_dir"] = str(tmp_path)
    cfg = config_from_dict(data)
    realism = get_realism(cfg.realism)
    try:
        with time_limit(60):
            world = realism.world(cfg, realism.tables(cfg))
            plan = realism.plan(cfg, world)
    except ConfigError as exc:
        assert all(KEYED_LINE.match(line) for line in exc.problems), exc.problems
        return
    assert sum(c.rows for c in plan) == cfg.total_rows
    assert sum(c.fraud_count for c in plan) == cfg.fraud_count
