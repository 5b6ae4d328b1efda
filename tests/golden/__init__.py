"""Golden datasets: tiny v1, v2 and v3 runs whose every row is committed here.

A restructuring that claims to change no row proves it: ``tests/integration/test_golden.py``
regenerates each dataset (2 workers, several chunks, through the CLI's own path) and compares
the frames with the committed Parquet files. To rewrite them on purpose (a deliberate change of
the data, or new library versions in ``constraints.txt``): ``make golden``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from fraud_detection.simulator.config import load_config
from fraud_detection.simulator.core import generate_to_parquet

HERE = Path(__file__).resolve().parent
NAMES = ("v1", "v2", "v3")


def regenerate(name: str, out_dir: Path) -> dict[str, pl.DataFrame]:
    """Return the frames of golden dataset ``name`` generated afresh under ``out_dir``.

    Keys: ``transactions`` and, where the realism writes them, each catalog file's stem.
    """
    cfg = load_config(HERE / f"{name}.yaml", {"out_dir": str(out_dir)})
    result = generate_to_parquet(cfg)
    frames = {"transactions": pl.read_parquet(result.path)}
    if result.catalog_dir is not None:
        for path in sorted(Path(str(result.catalog_dir)).glob("*.parquet")):
            frames[path.stem] = pl.read_parquet(path)
    return frames


def committed(name: str) -> dict[str, pl.DataFrame]:
    """Return the committed frames of golden dataset ``name``."""
    return {p.stem: pl.read_parquet(p) for p in sorted((HERE / name).glob("*.parquet"))}


def write(name: str, frames: dict[str, pl.DataFrame]) -> None:
    """Replace the committed frames of ``name`` with ``frames``."""
    folder = HERE / name
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    for stem, frame in frames.items():
        frame.write_parquet(folder / f"{stem}.parquet", compression="zstd")
