"""Bytes to and from a location: a local directory or an ``s3://bucket/prefix``.

Local writes land under a temporary name and are renamed into place; an S3 PUT is atomic.
S3 goes through ``s3.py`` (boto3), imported only when a location is on S3.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable

from .location import Location, S3Location


def write_bytes(location: Location, name: str, data: bytes) -> None:
    """Store ``data`` as ``name`` under ``location`` (atomically)."""
    if isinstance(location, S3Location):
        from .s3 import put_bytes

        target = location / name
        put_bytes(data, target.bucket, target.key)
        return
    location.mkdir(parents=True, exist_ok=True)
    tmp = location / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, location / name)
    finally:
        tmp.unlink(missing_ok=True)


def read_bytes(location: Location, name: str) -> bytes:
    """Return the content of ``name`` under ``location``."""
    if isinstance(location, S3Location):
        from .s3 import get_bytes

        target = location / name
        return get_bytes(target.bucket, target.key)
    return (location / name).read_bytes()


def read_optional(location: Location, name: str) -> bytes | None:
    """Return the content of ``name`` under ``location``, or None if there is no such file."""
    if isinstance(location, S3Location):
        from .s3 import get_bytes_if_exists

        target = location / name
        return get_bytes_if_exists(target.bucket, target.key)
    try:
        return (location / name).read_bytes()
    except FileNotFoundError:
        return None


def remove(location: Location, names: Iterable[str]) -> None:
    """Delete ``names`` under ``location`` if they exist (best effort, for clean-up)."""
    if isinstance(location, S3Location):
        from .s3 import delete_keys

        delete_keys(location.bucket, [(location / n).key for n in names])
        return
    for name in names:
        (location / name).unlink(missing_ok=True)
