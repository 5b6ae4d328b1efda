"""A run's staging: everything it writes before the dataset is complete, and its clean-up.

Locally a run stages under ``{out_dir}/.staging/{token}/`` (with ``run.json`` naming the
process), every file named ``*.tmp``; committing renames into place, and whatever is left is
removed when the run ends, however it ends. A run that starts first removes the staging of
runs on this host that died (kill -9), and says so.

On S3 there is no rename: the catalogs are staged under ``.staging/{token}/`` and written to
``catalog/`` only at commit; parts carry the run's token in their names. A failed run deletes
exactly the keys it wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import shutil
from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from ..config import GeneratorConfig
from .destination import (
    remove,
    write_bytes,
)
from .layout import (
    CATALOG_DIR,
    STAGED_WORLD,
    run_staging,
    staged,
    staging_root,
)
from .location import (
    Location,
    S3Location,
)
from .runs import (
    legacy_leftovers,
    sweep,
    tree_size,
    write_run_file,
)
from .store import encode_tables
from .timestamps import cast_time_unit

log = logging.getLogger("fraud_detection.simulator")


class RunStaging:
    """One run's staging location, and the S3 keys it wrote that a failure must delete."""

    def __init__(self, cfg: GeneratorConfig, token: str) -> None:
        self.token = token
        self.root: Location = run_staging(cfg.out_dir, token)
        self._written: list[tuple[Location, list[str]]] = []
        self._staged: list[tuple[Location, list[str]]] = []
        if isinstance(self.root, Path):
            assert isinstance(cfg.out_dir, Path)
            clean_stale_staging(cfg.out_dir)
            write_run_file(self.root)

    def track(self, location: Location, names: Iterable[str], *, staged: bool = False) -> None:
        """Record that this run may write ``names`` under ``location`` (S3): removed at the
        end if ``staged``, else only if the run fails."""
        (self._staged if staged else self._written).append((location, list(names)))

    def stage_world(self, world: Any, pickled: Path | None = None) -> tuple[Location, str]:
        """Stage the driver's world for workers in other processes; return where it is.

        Pickled, so a worker loads it in a few tens of milliseconds instead of rebuilding it
        from the catalogs (half a second at the shipped sizes): the very object the driver
        planned with, so every engine's chunks see the same world. ``pickled``: the world's
        file in the world cache, hard-linked (else copied) instead of pickled again.
        """
        name = staged(STAGED_WORLD)
        if isinstance(self.root, S3Location):
            self.track(self.root, [name], staged=True)
            data = None
            if pickled is not None:
                with contextlib.suppress(OSError):  # evicted meanwhile: pickled again
                    data = pickled.read_bytes()
            write_bytes(self.root, name, data or pickle.dumps(world, pickle.HIGHEST_PROTOCOL))
            return self.root, name
        place_pickle(world, pickled, self.root / name)
        return self.root, name

    def staged_world_file(self) -> Path | None:
        """Return the local file ``stage_world`` wrote, if it did."""
        if isinstance(self.root, S3Location):
            return None
        path = self.root / staged(STAGED_WORLD)
        return path if path.is_file() else None

    def committed(self) -> None:
        """The dataset is committed: what this run wrote is the dataset now, not to undo."""
        self._written.clear()

    def discard(self) -> None:
        """Remove what is staged, and (after a failure) every S3 key the run wrote."""
        if isinstance(self.root, Path):
            shutil.rmtree(self.root, ignore_errors=True)
            with contextlib.suppress(OSError):  # only when empty: another run may stage there
                self.root.parent.rmdir()
        for location, names in self._written + self._staged:
            remove(location, names)
        self._written.clear()
        self._staged.clear()


def place_pickle(obj: Any, pickled: Path | None, target: Path) -> None:
    """Put ``obj`` pickled at ``target``: a hard link to ``pickled`` (its pickle already on
    disk), else a copy of it (another file system), else pickled afresh (``pickled`` None or
    gone: another run evicted it from the world cache); streamed, so no second copy of a
    world is ever held as bytes."""
    if pickled is not None:
        with contextlib.suppress(OSError):
            os.link(pickled, target)
            return
        with contextlib.suppress(OSError):
            shutil.copyfile(pickled, target)
            return
    with target.open("wb") as file:
        pickle.dump(obj, file, protocol=pickle.HIGHEST_PROTOCOL)


def clean_stale_staging(out_dir: Path) -> None:
    """Remove dead runs' staging under ``out_dir`` (logging it); warn about what it may not."""
    root = staging_root(out_dir)
    assert isinstance(root, Path)
    found = sweep(root)
    if found.removed:
        log.info(
            "Removed the staging of %d dead run(s) in %s (%.1f MB): %s",
            len(found.removed), root, found.removed_bytes / 1e6,
            ", ".join(found.removed),
        )  # fmt: skip
    for foreign in found.foreign:
        log.warning("Staging of a run on another host, over a day old, left alone: %s", foreign)
    legacy = legacy_leftovers(out_dir)
    if legacy:
        size = sum(tree_size(p) for p in legacy) / 1e6
        log.warning(
            "%d temporary file(s) of an earlier version's runs (%.1f MB) are in %s and can be"
            " read as data by *.parquet globs; if no such run is still going, remove them: %s",
            len(legacy), size, out_dir, " ".join(str(p) for p in legacy[:5]),
        )  # fmt: skip


class StagedCatalogs:
    """Catalog tables of one run: encoded (size-checked and hashed, for the provenance every
    file carries) before the first chunk, and published to ``final`` by ``commit`` (as
    Parquet files; the table sinks publish ``published`` themselves). What is published
    carries ``output.timestamp_unit``, like the transactions.

    Workers do not read these: they load the driver's world (``RunStaging.stage_world``).
    """

    def __init__(
        self,
        cfg: GeneratorConfig,
        tables: Mapping[str, pl.DataFrame],
        encoded: Mapping[str, bytes] | None = None,
    ) -> None:
        """``encoded``: these tables as an earlier run of the same config encoded them (the
        world cache), else they are encoded here; ``tables`` are then read (a mapping that
        may load them) only if a table sink asks for ``published``."""
        self.final: Location = cfg.out_dir / CATALOG_DIR
        self.files = tuple(tables)
        self._tables, self._unit = tables, cfg.output.timestamp_unit
        c = cfg.catalog
        self.encoded = dict(encoded) if encoded is not None else encode_tables(
            self.published, c.parquet_row_group_size, c.max_size_mb
        )  # fmt: skip
        # What the dataset records, so a reader can tell when catalog/ no longer matches it:
        # the committed files are these very bytes.
        self.sha256 = {n: hashlib.sha256(data).hexdigest() for n, data in self.encoded.items()}
        self.committed = False

    @cached_property
    def published(self) -> dict[str, pl.DataFrame]:
        """The catalogs as they are published (in ``output.timestamp_unit``), by file name."""
        return {name: cast_time_unit(frame, self._unit) for name, frame in self._tables.items()}

    def commit(self) -> Location:
        """Put the catalogs at ``final`` as Parquet files (replacing earlier ones); return it."""
        for filename, data in self.encoded.items():
            write_bytes(self.final, filename, data)
        self.committed = True
        return self.final
