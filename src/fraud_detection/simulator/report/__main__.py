"""``python -m fraud_detection.simulator.report``: the same as ``fraud-report``."""

import sys

from .cli import main

sys.exit(main())
