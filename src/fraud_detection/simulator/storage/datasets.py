"""Replacing a parts dataset on S3, once its new manifest is written (the commit).

S3 has no rename, so a run writes its parts under names carrying its token and commits them by
writing the manifest. Only then does it delete what the manifest it replaced listed (and a
legacy ``_manifest.json``), and the orphans of crashed runs: part keys no manifest lists,
older than ``ORPHAN_AGE``, and staging keys of that age. It never deletes a younger unlisted
key: it may belong to a run still going.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import S3UploadError
from .layout import (
    LEGACY_MANIFEST_NAME,
    STAGING_DIR,
)
from .location import S3Location

log = logging.getLogger("fraud_detection.simulator")

ORPHAN_AGE = timedelta(hours=24)


def replace_on_s3(
    final: S3Location, out_dir: S3Location, previous: dict[str, Any] | None, keep: set[str]
) -> None:
    """Delete the replaced dataset's parts and old orphans under ``final`` (keeping ``keep``)."""
    from .s3 import delete_keys  # boto3 loads in S3 runs only (start-up: 0.08 s a process)

    if previous is not None:
        old = [str(p.get("path") or p.get("name")) for p in previous.get("parts", [])]
        stale = [(final / path).key for path in old if path not in keep]
        if previous.get("legacy"):
            stale.append((final / LEGACY_MANIFEST_NAME).key)
        if stale:
            log.info("Removing %d object(s) of the dataset this run replaced", len(stale))
            delete_keys(final.bucket, stale)
    _remove_orphans(final, keep, "part")
    _remove_orphans(out_dir / STAGING_DIR, set(), "staging")


def _remove_orphans(location: S3Location, keep: set[str], what: str) -> None:
    """Delete keys under ``location`` not in ``keep`` and older than ``ORPHAN_AGE``."""
    from .s3 import delete_keys, list_objects

    prefix = location.key + "/"
    try:
        listed = list_objects(location.bucket, prefix)
    except S3UploadError as exc:
        log.warning("Could not look for orphaned %s objects: %s", what, exc)
        return
    cutoff = datetime.now(timezone.utc) - ORPHAN_AGE
    orphans = [
        key
        for key, modified in listed
        if key[len(prefix) :] not in keep and _is_orphan_name(key, what) and modified < cutoff
    ]
    if orphans:
        log.info(
            "Removing %d orphaned %s object(s) older than %d h under %s (left by runs that"
            " died): %s",
            len(orphans), what, ORPHAN_AGE.total_seconds() // 3600, location,
            ", ".join(orphans[:5]),
        )  # fmt: skip
        delete_keys(location.bucket, orphans)


def _is_orphan_name(key: str, what: str) -> bool:
    name = key.rpartition("/")[2]
    if what == "staging":
        return True
    return name.startswith("part-") and name.endswith(".parquet")
