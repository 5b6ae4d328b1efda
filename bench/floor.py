"""The floor: the same 24-column schema written as fast as numpy + pyarrow can, one process.

Independent uniform draws, no catalogs, no labels, no sorting: what it costs just to make that
many values of those types and encode them as Snappy Parquet. ``python -m bench.floor``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fraud_detection.simulator.features import uuid4_array
from fraud_detection.simulator.schema import arrow_schema

_POOL = 1_000
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_strings(rng: np.random.Generator, n: int, nbytes: int) -> pa.Array:
    raw = np.frombuffer(rng.bytes(n * nbytes), dtype=np.uint8).reshape(n, nbytes)
    text = np.empty((n, 2 * nbytes), dtype=np.uint8)
    text[:, 0::2] = _HEX[raw >> 4]
    text[:, 1::2] = _HEX[raw & 15]
    offsets = np.arange(0, 2 * nbytes * (n + 1), 2 * nbytes, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(text))


def _pool_pick(rng: np.random.Generator, values: list[str], n: int) -> pa.Array:
    return pc.take(
        pa.array(values, type=pa.large_string()), pa.array(rng.integers(0, len(values), n))
    )


def floor_table(rng: np.random.Generator, n: int) -> pa.Table:
    """Return ``n`` rows of the transaction schema drawn independently and uniformly."""
    schema = arrow_schema()
    ips = [f"{a}.{b}.{c}.{d}" for a, b, c, d in rng.integers(1, 255, (_POOL, 4))]
    agents = [
        f"Mozilla/5.0 (agent {i}) AppleWebKit/537.36 Chrome/{i % 120}.0" for i in range(_POOL)
    ]
    columns = {
        "transaction_id": uuid4_array(rng, n),
        "event_time": pa.array(rng.integers(1_735_689_600, 1_743_465_600, n) * 10**9),
        "local_time_offset": pa.array(rng.integers(-720, 841, n).astype(np.int16)),
        "customer_id": pa.array(rng.integers(1, 50_001, n)),
        "card_id": pa.array(rng.integers(1, 75_001, n)),
        "merchant_id": pa.array(rng.integers(1, 5_001, n)),
        "amount": pa.array(np.round(rng.uniform(1, 500, n), 2)),
        "currency": _pool_pick(rng, ["EUR", "USD"], n),
        "merchant_country": _pool_pick(rng, ["US", "GB", "DE", "FR", "JP", "BR"], n),
        "mcc_code": _pool_pick(rng, ["5411", "5812", "5541", "5999", "4111"], n),
        "card_scheme": _pool_pick(rng, ["VISA", "MASTERCARD", "AMEX", "DISCOVER"], n),
        "pan_hash": _hex_strings(rng, n, 32),
        "card_exp_month": pa.array(rng.integers(1, 13, n).astype(np.int8)),
        "card_exp_year": pa.array(rng.integers(2026, 2031, n).astype(np.int16)),
        "channel": _pool_pick(rng, ["ONLINE", "IN_STORE", "ATM"], n),
        "pos_entry_mode": _pool_pick(rng, ["CHIP", "MAGSTRIPE", "NFC", "ECOM"], n),
        "device_type": _pool_pick(rng, ["mobile", "desktop", "tablet"], n),
        "device_id": uuid4_array(rng, n, rng.random(n) >= 0.1),
        "ip_address": _pool_pick(rng, ips, n),
        "user_agent": _pool_pick(rng, agents, n),
        "latitude": pa.array(np.round(rng.uniform(-90, 90, n), 6)),
        "longitude": pa.array(np.round(rng.uniform(-180, 180, n), 6)),
        "is_recurring": pa.array(rng.random(n) < 0.1),
        "label_fraud": pa.array(rng.random(n) < 0.005),
    }
    arrays = [columns[f.name].cast(f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def write_floor(path: Path, rows: int, batch_size: int = 100_000, seed: int = 0) -> None:
    """Write ``rows`` floor rows to ``path`` in ``batch_size`` row groups."""
    rng = np.random.default_rng(seed)
    with pq.ParquetWriter(path, arrow_schema(), compression="snappy") as writer:
        for start in range(0, rows, batch_size):
            writer.write_table(floor_table(rng, min(batch_size, rows - start)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    start = time.perf_counter()
    write_floor(args.out, args.rows)
    print(f"{args.rows} rows in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
