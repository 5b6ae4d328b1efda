"""``python -m fraud_detection.simulator``: the same CLI as ``fraud-simulator``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
