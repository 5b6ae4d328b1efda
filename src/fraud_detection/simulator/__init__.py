"""Synthetic, labeled card-transaction data for fraud detection.

>>> from fraud_detection.simulator import load_config, generate_to_parquet
>>> result = generate_to_parquet(load_config("generator_config.yaml"))  # doctest: +SKIP
"""

from .config import GeneratorConfig, load_config
from .core import (
    GenerationResult,
    cache_world,
    generate_dataframe,
    generate_dataset,
    generate_to_parquet,
    write_parquet,
)
from .version import __version__

__all__ = [
    "GenerationResult",
    "GeneratorConfig",
    "__version__",
    "cache_world",
    "generate_dataframe",
    "generate_dataset",
    "generate_to_parquet",
    "load_config",
    "write_parquet",
]
