"""``python -m tests.golden`` (``make golden``): rewrite the golden datasets on purpose."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from . import NAMES, regenerate, write


def main(names: list[str]) -> int:
    for name in names or NAMES:
        with tempfile.TemporaryDirectory() as tmp:
            frames = regenerate(name, Path(tmp))
        write(name, frames)
        rows = ", ".join(f"{stem} {frame.height:,}" for stem, frame in frames.items())
        print(f"golden {name}: {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
