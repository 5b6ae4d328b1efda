"""The README's commands work as written, on any day (issue 20).

Every fenced block the README marks with ``<!-- readme-test -->`` runs here, in order, from
the repository's root, against a small dataset generated into a temporary out_dir: the only
change to a block is its ``out/`` becoming that directory. Bash blocks run with ``bash -e``,
Python blocks with this interpreter. The data: the shipped config through the CLI (as
``make run``, fewer rows), then the same config as Delta Lake and Iceberg tables.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fraud_detection.simulator.config import load_config
from fraud_detection.simulator.core import generate_to_parquet
from tests.conftest import REPO

MARKER = "<!-- readme-test -->"
BLOCK = re.compile("^" + re.escape(MARKER) + r"\n```(bash|python)\n(.*?)\n```", re.S | re.M)
MARKED = re.compile("^" + re.escape(MARKER) + "$", re.M)  # on a line of its own
# ``out/`` as the out_dir, not as the end of another word (``layout/``) or a file name.
OUT_DIR = re.compile(r"(?<![\w.-])out/")
ROWS = "30000"


def blocks() -> list[tuple[str, str]]:
    """Return (language, code) of every block the README marks, in order."""
    text = (REPO / "README.md").read_text("utf-8")
    found = BLOCK.findall(text)
    assert len(found) == len(MARKED.findall(text)), "a marker not followed by a bash/python block"
    return found


def test_the_readme_marks_its_commands_and_holds_no_dated_path() -> None:
    text = (REPO / "README.md").read_text("utf-8")
    languages = [language for language, _ in blocks()]
    assert languages.count("bash") >= 1 and languages.count("python") >= 7
    assert not re.findall(r"year=\d|month=\d|_\d{4}-\d\d-\d\d\b", text)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("readme") / "out"
    command = [
        sys.executable, "-m", "fraud_detection.simulator", "--config", "generator_config.yaml",
        "--out-dir", str(out), "--total-rows", ROWS, "--num-workers", "1",
    ]  # fmt: skip
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    for fmt in ("delta", "iceberg"):
        overrides = {"out_dir": str(out), "total_rows": ROWS, "num_workers": 1,
                     "output.format": fmt}  # fmt: skip
        generate_to_parquet(load_config(REPO / "generator_config.yaml", overrides))
    return out


@pytest.mark.parametrize(
    ("index", "language", "code"),
    [(i, language, code) for i, (language, code) in enumerate(blocks())],
    ids=[f"{i}-{language}" for i, (language, _) in enumerate(blocks())],
)
def test_a_readme_block_runs_as_written(
    out_dir: Path, index: int, language: str, code: str
) -> None:
    code = OUT_DIR.sub(f"{out_dir}/", code)
    command = ["bash", "-e", "-c", code] if language == "bash" else [sys.executable, "-c", code]
    proc = subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert proc.returncode == 0, (
        f"block {index} ({language}):\n{code}\n{proc.stdout}\n{proc.stderr}"
    )
