"""Regenerate the README's config table from the config model: python scripts/update_readme.py"""

from __future__ import annotations

import re
from pathlib import Path

from fraud_detection.simulator.config import config_table

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> None:
    text = README.read_text("utf-8")
    block = re.compile(r"(<!-- config-table:start -->\n).*?(\n<!-- config-table:end -->)", re.S)
    README.write_text(block.sub(lambda m: m.group(1) + config_table() + m.group(2), text), "utf-8")


if __name__ == "__main__":
    main()
