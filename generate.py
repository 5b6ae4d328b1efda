"""Legacy entry point, kept so existing integrations (Airflow DAGs, Makefiles) keep working.

``python generate.py --config generator_config.yaml`` runs the CLI; ``generate_dataset`` and
friends are re-exported from the package.
"""

from __future__ import annotations

import sys

from fraud_detection.simulator.cli import main as _cli_main
from fraud_detection.simulator.core import generate_dataframe, generate_dataset, write_parquet

__all__ = ["generate_dataframe", "generate_dataset", "main", "write_parquet"]


def main() -> int:
    """Run the CLI with this process's arguments; return its exit code."""
    return _cli_main()


if __name__ == "__main__":
    sys.exit(main())
