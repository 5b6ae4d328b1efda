"""Synthetic, labeled card-transaction data for fraud detection.

>>> from fraud_detection.simulator import load_config, generate_to_parquet
>>> result = generate_to_parquet(load_config("generator_config.yaml"))  # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fraud-simulator")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0+unknown"

from .config import GeneratorConfig, load_config
from .core import (
    GenerationResult,
    generate_dataframe,
    generate_dataset,
    generate_to_parquet,
    write_parquet,
)

__all__ = [
    "GenerationResult",
    "GeneratorConfig",
    "__version__",
    "generate_dataframe",
    "generate_dataset",
    "generate_to_parquet",
    "load_config",
    "write_parquet",
]
