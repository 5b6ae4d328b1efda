"""Ctrl-C and SIGTERM end a CLI run, even when Python swallows the exception they raise.

Python runs a signal handler between two bytecodes of the main thread, and the exception it
raises goes wherever that thread is. Inside a garbage-collection callback or a ``__del__``
Python prints ``Exception ignored in ...`` and carries on: seen on a Dask run, where a Ctrl-C
raised in ``distributed``'s GC callback and the run then completed with exit 0. So the CLI's
handlers also record the signal, and ``raise_if_received`` (called by the engines after each
chunk and before anything is committed) raises it again; the swallowed one is not printed.

Only the CLI installs these handlers: a library caller (Airflow, a notebook) keeps its own.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from .errors import Terminated

EXIT_INTERRUPTED = 130  # 128 + SIGINT
EXIT_TERMINATED = 143  # 128 + SIGTERM, what a shell reports for a process it killed

# A second Ctrl-C or SIGTERM while the run cleans up (stopping workers, removing its staging:
# measured well under a second) is recorded, not raised, so that the clean-up finishes. Once
# the clean-up has taken longer than this, another one exits at once; the next run in the
# out_dir removes the staging this one left (it belonged to a dead run then).
FORCE_AFTER_S = 5.0

_received: list[type[KeyboardInterrupt]] = []
_first_at: list[float] = []
_installed: list[bool] = []  # non-empty while the CLI's handlers are in place


def received() -> bool:
    """Whether a CLI handler has seen Ctrl-C or SIGTERM during this run."""
    return bool(_received)


def raise_if_received() -> None:
    """Raise the interrupt a CLI handler recorded (``KeyboardInterrupt`` or ``Terminated``),
    while the handlers are in place: once the CLI's run is over, a library call in the same
    process (a notebook that ran the CLI's ``main`` first) is not interrupted by it again."""
    if _received and _installed:
        raise _received[0]()


def _handler(raised: type[KeyboardInterrupt], exit_code: int) -> Callable[[int, Any], None]:
    def handle(signum: int, frame: FrameType | None) -> None:
        if not _received:
            _received.append(raised)
            _first_at[:] = [time.monotonic()]
            raise raised()
        _received.append(raised)
        if time.monotonic() - _first_at[0] > FORCE_AFTER_S:
            os.write(2, b"Exiting now: the next run in this out_dir removes what this one staged\n")
            os._exit(exit_code)

    return handle


@contextmanager
def signals_end_the_run() -> Iterator[None]:
    """While the CLI runs: Ctrl-C raises ``KeyboardInterrupt`` (exit 130) and SIGTERM raises
    ``Terminated`` (cleaned up like Ctrl-C, exit 143), and each is remembered; a later one lets
    the clean-up finish (see ``FORCE_AFTER_S``)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be set from the main thread
        return
    _received.clear()
    _first_at.clear()
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, _handler(KeyboardInterrupt, EXIT_INTERRUPTED)),
        signal.SIGTERM: signal.signal(signal.SIGTERM, _handler(Terminated, EXIT_TERMINATED)),
    }
    hook = sys.unraisablehook

    def quiet(unraisable: sys.UnraisableHookArgs) -> None:
        """Print what Python could not raise, except an interrupt: that one is recorded."""
        if not (isinstance(unraisable.exc_value, KeyboardInterrupt) and _received):
            hook(unraisable)

    sys.unraisablehook = quiet
    _installed.append(True)
    try:
        yield
    finally:
        _installed.clear()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.unraisablehook = hook  # what was received is kept: the CLI logs while exiting
