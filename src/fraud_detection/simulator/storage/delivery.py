"""What a finished run delivers to S3 (``--s3``): which files go to which bucket and key.

The S3 module knows buckets and keys; this module knows outputs: the transactions go to the
raw bucket under their partition path, the catalogs to the artifacts bucket under
``catalogues/`` (bucket names from SSM Parameter Store).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import GeneratorConfig
from ..result import GenerationResult
from .layout import (
    MANIFESTS_DIR,
    S3_CATALOG_PREFIX,
)
from .s3 import get_param, object_key, s3_client, s3_url, ssm_client, upload_file

if TYPE_CHECKING:
    from mypy_boto3_ssm import SSMClient

log = logging.getLogger("fraud_detection.simulator")


def upload_outputs(cfg: GeneratorConfig, result: GenerationResult) -> list[str]:
    """Return the ``s3://`` URLs of the uploaded transactions and (v2, v3) catalogs.

    Transactions go to ``{prefix/}payments/year=YYYY/month=MM/{name}`` in the raw bucket (a
    parts directory file by file, then its manifest to ``{prefix/}manifests/``), catalogs to
    ``{prefix/}catalogues/{name}.parquet`` in the artifacts bucket. Bucket names are read
    before anything is uploaded, so a missing parameter uploads nothing. Outputs already
    written to an ``s3://`` out_dir are left where they are.
    """
    uploads = _planned_uploads(cfg, result, ssm_client())
    if not uploads:
        return []
    s3 = s3_client()
    for path, bucket, key in uploads:
        upload_file(path, bucket, key, cfg.s3, client=s3)
    return [s3_url(bucket, key) for _, bucket, key in uploads]


def _planned_uploads(
    cfg: GeneratorConfig, result: GenerationResult, ssm: SSMClient
) -> list[tuple[Path, str, str]]:
    """Return (local file, bucket, key) for every local output of ``result``."""
    prefix = cfg.s3.prefix
    uploads: list[tuple[Path, str, str]] = []
    if isinstance(result.path, Path):
        bucket = get_param(cfg.s3.raw_bucket_param, ssm)
        base = object_key(prefix, _relative(cfg, result.path, result.partition))
        uploads += [(f, bucket, object_key(base, rel)) for f, rel in _local_files(result.path)]
        if isinstance(result.manifest, Path):  # last: it commits the dataset for its readers
            key = object_key(prefix, MANIFESTS_DIR, result.manifest.name)
            uploads.append((result.manifest, bucket, key))
    else:
        log.info("Transactions already at %s: nothing to upload", result.path)
    if isinstance(result.catalog_dir, Path):
        bucket = get_param(cfg.s3.artifacts_bucket_param, ssm)
        uploads += [
            (result.catalog_dir / name, bucket, object_key(prefix, S3_CATALOG_PREFIX, name))
            for name in result.catalog_files
        ]
    return uploads


def _relative(cfg: GeneratorConfig, path: Path, partition: str) -> str:
    """Return the dataset's path from out_dir: the key it gets under the prefix."""
    out_dir = cfg.out_dir
    if isinstance(out_dir, Path) and path.is_relative_to(out_dir):
        relative = path.relative_to(out_dir).as_posix()
        if relative.startswith("payments/"):
            return relative
    return f"{partition}/{path.name}"


def _local_files(path: Path) -> list[tuple[Path, str]]:
    """Return ``path`` itself, or each file under the directory ``path`` with its relative key.

    Hidden (temporary) files are skipped and ``_``-files (the manifest) come last, so a reader
    that waits for the manifest finds every part already there.
    """
    if not path.is_dir():
        return [(path, "")]
    files = [f for f in path.rglob("*") if f.is_file() and not f.name.startswith(".")]
    files.sort(key=lambda f: (f.name.startswith("_"), f.as_posix()))
    return [(f, f.relative_to(path).as_posix()) for f in files]
