"""Exceptions raised by the library; the CLI turns each into one line and an exit code."""

from __future__ import annotations


class SimulatorError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(SimulatorError):
    """The configuration (file, key or value) is unusable; the message names what and why."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


class CatalogTooLargeError(ConfigError):
    """A written catalog file is larger than ``catalog.max_size_mb`` allows."""


class SchemaError(SimulatorError):
    """A frame does not match ``transaction_schema.yaml`` (missing column or bad cast)."""


class S3UploadError(SimulatorError):
    """Delivery to S3 failed: the message names the bucket/key or SSM parameter and the cause."""


class WorkerDiedError(SimulatorError):
    """A worker process died (a signal such as the out-of-memory killer's, or an exit)."""


class Terminated(KeyboardInterrupt):
    """The CLI received SIGTERM: handled like Ctrl-C everywhere, exit 143 instead of 130."""
