"""Where report.html and report.json go, and writing them so that both appear or neither."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

HTML_NAME, JSON_NAME = "report.html", "report.json"


def default_out_dir(dataset: Path) -> Path:
    """Return where the report goes by default, never inside a lake partition.

    ``{out_dir}/reports/{dataset name}/`` for a dataset in the generator's
    ``{out_dir}/payments/year=YYYY/month=MM/`` layout (Spark or Athena reading the partition
    would trip over an HTML file there), else a ``{name}_report/`` folder beside the dataset.
    """
    resolved = dataset.resolve()
    name = resolved.name.removesuffix(".parquet")
    for ancestor in resolved.parents:
        if ancestor.name == "payments":
            return ancestor.parent / "reports" / name
    return resolved.parent / f"{name}_report"


def write_atomically(files: dict[Path, str]) -> None:
    """Write each text to a hidden temporary sibling, then rename all into place."""
    temps = {path: path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp") for path in files}
    try:
        for path, text in files.items():
            temps[path].write_text(text, encoding="utf-8")
        for path, tmp in temps.items():
            os.replace(tmp, path)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
