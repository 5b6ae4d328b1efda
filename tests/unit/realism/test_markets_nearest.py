"""v3's nearest market: the matrix product and the k-d tree agree, and both find the market of
the shortest great-circle distance."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fraud_detection.simulator.realism.v3.world import markets as markets_module
from fraud_detection.simulator.realism.v3.world.geo import haversine_km
from fraud_detection.simulator.realism.v3.world.markets import Markets


def _nearest(mlat: np.ndarray, mlon: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return Markets.nearest(SimpleNamespace(latitude=mlat, longitude=mlon), lat, lon)  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None)
@given(markets=st.integers(1, 700), points=st.integers(1, 3000), seed=st.integers(0, 2**32 - 1))
def test_the_nearest_market_is_the_closest_by_great_circle(
    markets: int, points: int, seed: int
) -> None:
    """Both ways (matrix product below ``KD_TREE_FROM`` markets, k-d tree from it) return a
    market whose great-circle distance is the smallest, to 1 mm; and the same market."""
    rng = np.random.default_rng(seed)
    mlat, mlon = rng.uniform(-80, 80, markets), rng.uniform(-180, 180, markets)
    # Points near markets (customers live in cities) and anywhere.
    near = rng.integers(0, markets, points)
    lat = np.where(rng.random(points) < 0.5, mlat[near] + rng.normal(0, 0.3, points),
                   rng.uniform(-90, 90, points))  # fmt: skip
    lon = np.where(rng.random(points) < 0.5, mlon[near] + rng.normal(0, 0.3, points),
                   rng.uniform(-180, 180, points))  # fmt: skip
    dist = haversine_km(lat[:, None], lon[:, None], mlat[None, :], mlon[None, :])
    best = dist.min(axis=1)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(markets_module, "KD_TREE_FROM", 10**9)
        product = _nearest(mlat, mlon, lat, lon)
        m.setattr(markets_module, "NEAREST_BLOCK", 1 + markets * 7)  # several blocks
        blocked = _nearest(mlat, mlon, lat, lon)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(markets_module, "KD_TREE_FROM", 1)
        tree = _nearest(mlat, mlon, lat, lon)
    rows = np.arange(points)
    assert np.allclose(dist[rows, product], best, rtol=0, atol=1e-6)
    assert (product == tree).all() and (product == blocked).all()
