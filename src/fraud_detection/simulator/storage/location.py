"""Where outputs live: a local ``Path`` or an ``s3://bucket/prefix`` location."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class S3Location:
    """An ``s3://bucket/prefix`` destination; ``/`` joins key parts as ``Path`` does."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> S3Location:
        rest = url[len("s3://") :]
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise ValueError(f"{url!r} names no bucket")
        return cls(bucket, prefix.strip("/"))

    def __truediv__(self, part: str) -> S3Location:
        return S3Location(self.bucket, f"{self.prefix}/{part}".strip("/"))

    @property
    def key(self) -> str:
        return self.prefix

    @property
    def parent(self) -> S3Location:
        """The location one level up, as ``Path.parent``."""
        return S3Location(self.bucket, self.prefix.rpartition("/")[0])

    @property
    def name(self) -> str:
        """The last part of the key, as ``Path.name``."""
        return self.prefix.rpartition("/")[2]

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")


Location = Path | S3Location


def join(location: Location, name: str) -> str:
    """Return the path or URL of ``name`` under ``location``, for logs and manifests."""
    return str(location / name)
