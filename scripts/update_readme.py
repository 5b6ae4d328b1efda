"""Regenerate the README's config and schema tables: python scripts/update_readme.py"""

from __future__ import annotations

import re
from pathlib import Path

from fraud_detection.simulator.config import config_table
from fraud_detection.simulator.schema import schema_table

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> None:
    text = README.read_text("utf-8")
    for name, table in (("config-table", config_table()), ("schema-table", schema_table())):
        block = re.compile(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)", re.S)
        text = block.sub(lambda m, t=table: m.group(1) + t + m.group(2), text)
    README.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
