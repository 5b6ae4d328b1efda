"""Committing staged local files: a rename within one file system, a copy across two."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import uuid
from pathlib import Path

log = logging.getLogger("fraud_detection.simulator")


def move(src: Path, dst: Path) -> None:
    """Move ``src`` (a file or directory) to ``dst``, replacing a file there; parents created.

    A rename when both are on one file system (atomic). Across file systems (``EXDEV``: a
    mount point inside out_dir), a copy to a hidden sibling of ``dst`` renamed into place.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    log.warning("%s is on another file system than %s: copying instead of renaming", dst, src)
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        if src.is_dir():
            shutil.copytree(src, tmp)
        else:
            shutil.copy2(src, tmp)
        os.replace(tmp, dst)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
    if src.is_dir():
        shutil.rmtree(src, ignore_errors=True)
    else:
        src.unlink(missing_ok=True)


def replace_dir(new: Path, final: Path, aside: Path) -> None:
    """Move directory ``new`` to ``final``; an existing ``final`` is first moved to ``aside``.

    ``aside`` is in the run's staging, so a crash between the two renames leaves the old
    directory where the next run's clean-up finds it.
    """
    if final.exists():
        move(final, aside)
    move(new, final)
