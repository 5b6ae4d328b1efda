"""A one-line progress bar on a terminal, shown once a run has taken a couple of seconds."""

from __future__ import annotations

import sys
import time
from typing import TextIO

_SHOW_AFTER_S = 2.0


class Progress:
    """Redraws ``[#####.....] rows/total  rate  eta`` on ``stream`` when it is a terminal."""

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        show_after_s: float = _SHOW_AFTER_S,
    ) -> None:
        self.total = max(total, 1)
        self.show_after_s = show_after_s
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.done = 0
        self.start = time.perf_counter()
        self._drawn = False

    def update(self, rows: int) -> None:
        self.done += rows
        elapsed = time.perf_counter() - self.start
        if not self.enabled or elapsed < self.show_after_s:
            return
        share = min(self.done / self.total, 1.0)
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        bar = "#" * int(30 * share) + "." * (30 - int(30 * share))
        self.stream.write(
            f"\r[{bar}] {self.done:,}/{self.total:,} rows  {rate:,.0f} rows/s  eta {eta:4.0f} s"
        )
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
