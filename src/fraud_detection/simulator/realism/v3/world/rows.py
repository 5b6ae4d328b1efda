"""Rows under construction: every column as an array, so sources concatenate cheaply.

Everyday payments, subscriptions and fraud episodes each return ``Rows``; the chunk
concatenates them, sorts by time and turns them into the output frame. String columns that
belong to a customer (their device, IP, user agent) are positions, resolved once at the end;
fresh devices and IPs drawn for a row travel with the rows as small string arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pyarrow as pa

# Channels, entry modes and device types are codes into these tuples.
CHANNELS = ("ONLINE", "IN_STORE", "ATM")
ONLINE, IN_STORE, ATM = 0, 1, 2
ENTRY_MODES = ("CHIP", "MAGSTRIPE", "NFC", "ECOM")
CHIP, MAGSTRIPE, NFC, ECOM = 0, 1, 2, 3
# Device types of sessions that are not the customer's own device.
TERMINAL_TYPES = ("pos", "atm", "merchant")
POS, ATM_TERMINAL, MERCHANT = 0, 1, 2
# Session kinds: where device_id / ip_address / user_agent come from.
NONE, USUAL, NEXT, FRESH, SECOND = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Rows:
    """Columns of some rows; ``device`` / ``ip`` / ``agent`` say where strings come from.

    ``device_kind``: NONE (null), USUAL / NEXT (the customer's device before / after a new
    phone), SECOND (their second device), FRESH (``fresh_devices[device_ref]``); the user
    agent follows the device, a fresh
    device's being ``agent`` (an index into the run's user-agent pool). ``ip_kind``: NONE,
    USUAL, FRESH (``fresh_ips[ip_ref]``).
    ``device_type``: an index into the customer device types followed by ``TERMINAL_TYPES``.
    """

    time: np.ndarray
    card: np.ndarray
    customer: np.ndarray
    merchant: np.ndarray
    channel: np.ndarray
    entry: np.ndarray
    amount: np.ndarray
    device_type: np.ndarray
    device_kind: np.ndarray
    device_ref: np.ndarray
    ip_kind: np.ndarray
    ip_ref: np.ndarray
    agent: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    offset: np.ndarray
    recurring: np.ndarray
    label: np.ndarray
    fraud_type: np.ndarray  # index into reference.TYPOLOGIES, -1 for legitimate rows
    episode: np.ndarray  # -1 for legitimate rows
    campaign: np.ndarray  # -1 for legitimate rows and friendly fraud
    reported: np.ndarray  # ns, -1 for null
    fresh_devices: pa.StringArray
    fresh_ips: pa.StringArray

    @property
    def size(self) -> int:
        return int(self.time.size)

    def take(self, index: np.ndarray) -> Rows:
        """Return the rows at ``index`` (fresh strings are kept whole; refs stay valid)."""
        return replace(self, **{name: getattr(self, name)[index] for name in _ARRAYS})


_ARRAYS = tuple(f.name for f in fields(Rows) if f.name not in ("fresh_devices", "fresh_ips"))


def concat(parts: list[Rows]) -> Rows:
    """Return ``parts`` as one ``Rows``, fresh-string refs shifted to the joined arrays."""
    parts = [p for p in parts if p.size] or parts[:1]
    columns = {name: np.concatenate([getattr(p, name) for p in parts]) for name in _ARRAYS}
    for kind, ref, pool in (("device_kind", "device_ref", "fresh_devices"),
                            ("ip_kind", "ip_ref", "fresh_ips")):  # fmt: skip
        shift = np.cumsum([0] + [len(getattr(p, pool)) for p in parts[:-1]])
        columns[ref] = np.concatenate(
            [np.where(getattr(p, kind) == FRESH, getattr(p, ref) + s, getattr(p, ref))
             for p, s in zip(parts, shift, strict=True)]
        )  # fmt: skip
    devices = pa.concat_arrays([p.fresh_devices.cast(pa.string()) for p in parts])
    ips = pa.concat_arrays([p.fresh_ips.cast(pa.string()) for p in parts])
    return Rows(**columns, fresh_devices=devices, fresh_ips=ips)


def unlabelled(n: int) -> dict[str, np.ndarray]:
    """Return the label columns of ``n`` legitimate rows (``Rows`` keywords)."""
    return {
        "label": np.zeros(n, dtype=bool),
        "fraud_type": np.full(n, -1, np.int8),
        "episode": np.full(n, -1, np.int64),
        "campaign": np.full(n, -1, np.int64),
        "reported": np.full(n, -1, np.int64),
    }


def empty() -> Rows:
    """Return no rows (with every column's dtype)."""
    i64, i8 = np.zeros(0, np.int64), np.zeros(0, np.int8)
    f64 = np.zeros(0, np.float64)
    return Rows(
        time=i64, card=i64, customer=i64, merchant=i64, channel=i8, entry=i8, amount=f64,
        device_type=i8, device_kind=i8, device_ref=i64, ip_kind=i8, ip_ref=i64, agent=i64,
        latitude=f64, longitude=f64, offset=np.zeros(0, np.int16), recurring=np.zeros(0, bool),
        label=np.zeros(0, bool), fraud_type=i8, episode=i64, campaign=i64, reported=i64,
        fresh_devices=pa.nulls(0, pa.string()), fresh_ips=pa.nulls(0, pa.string()),
    )  # fmt: skip
