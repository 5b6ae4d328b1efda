from __future__ import annotations

import hashlib
import ipaddress
import os
import subprocess
import sys
import uuid

import numpy as np
import polars as pl
import pytest

from fraud_detection.simulator.config import FeatureConfig
from fraud_detection.simulator.features import amounts, ipv4_series, user_agent_pool, uuid4_array


def test_uuid4_array_is_rfc4122_version_4() -> None:
    values = pl.Series(uuid4_array(np.random.default_rng(1), 5_000)).to_list()
    parsed = [uuid.UUID(v) for v in values]
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in parsed)
    assert all(str(u) == v for u, v in zip(parsed, values, strict=True))
    assert len(set(values)) == 5_000


def test_uuid4_array_nulls_where_not_valid() -> None:
    valid = np.random.default_rng(2).random(10_000) >= 0.1
    s = pl.Series(uuid4_array(np.random.default_rng(3), 10_000, valid))
    assert s.is_null().to_numpy().tolist() == (~valid).tolist()
    assert s.null_count() / s.len() == pytest.approx(0.1, abs=0.01)


def test_ipv4_addresses_are_valid_and_routable() -> None:
    ips = ipv4_series(np.random.default_rng(4), 5_000).to_list()
    for ip in ips:
        addr = ipaddress.IPv4Address(ip)
        assert not (addr.is_private or addr.is_loopback or addr.is_multicast or addr.is_reserved)


# sha256 of the pool joined by newlines, for the Faker in constraints.txt: the pool is part of
# every dataset's rows, so a Faker release that changes it must show up here (and in golden).
USER_AGENT_POOL_SHA256 = "2e916ed7899e10fd66497d418758f29a4a3c94b7e7638888b61426d2dd5aa015"


def test_user_agent_pool_is_fixed() -> None:
    pool = user_agent_pool()
    user_agent_pool.cache_clear()
    assert user_agent_pool() == pool  # built again from scratch: the same
    script = (
        "from fraud_detection.simulator.features import user_agent_pool\n"
        "print('\\n'.join(user_agent_pool()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    fresh = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    assert tuple(fresh.stdout.splitlines()) == pool  # another process: the same
    assert hashlib.sha256("\n".join(pool).encode()).hexdigest() == USER_AGENT_POOL_SHA256
    assert len(pool) == 500 and len(set(pool)) > 300
    assert sum(ua.startswith("Mozilla/") for ua in pool) > 250


@pytest.mark.parametrize(
    ("distribution", "params", "median"),
    [
        ("lognormal", {}, np.exp(3.5)),
        ("lognormal", {"mean": 5.0, "sigma": 0.5}, np.exp(5.0)),
        ("normal", {"loc": 5.0, "scale": 10.0}, None),
        ("uniform", {"low": 10.0, "high": 20.0}, 15.0),
    ],
)
def test_amounts_are_positive_cents(
    distribution: str, params: dict[str, float], median: float | None
) -> None:
    feature = FeatureConfig(amount_distribution=distribution, amount_params=params)  # type: ignore[arg-type]
    a = amounts(feature, np.random.default_rng(5), 50_000)
    assert a.min() >= 0.01
    assert np.allclose(a, np.round(a, 2))
    if median is not None:
        assert np.median(a) == pytest.approx(median, rel=0.03)
    if distribution == "normal":  # truncated at zero, no pile-up at the floor
        assert (a == 0.01).mean() < 0.01
