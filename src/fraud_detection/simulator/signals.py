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

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from .errors import Terminated

_received: list[type[KeyboardInterrupt]] = []


def received() -> bool:
    """Whether a CLI handler has seen Ctrl-C or SIGTERM during this run."""
    return bool(_received)


def raise_if_received() -> None:
    """Raise the interrupt a CLI handler recorded (``KeyboardInterrupt`` or ``Terminated``)."""
    if _received:
        raise _received[0]()


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _received.append(KeyboardInterrupt)
    raise KeyboardInterrupt()


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    _received.append(Terminated)
    raise Terminated()


@contextmanager
def signals_end_the_run() -> Iterator[None]:
    """While the CLI runs: Ctrl-C raises ``KeyboardInterrupt`` (exit 130) and SIGTERM raises
    ``Terminated`` (cleaned up like Ctrl-C, exit 143), and each is remembered."""
    if threading.current_thread() is not threading.main_thread():
        yield  # handlers can only be set from the main thread
        return
    _received.clear()
    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, _on_sigint),
        signal.SIGTERM: signal.signal(signal.SIGTERM, _on_sigterm),
    }
    hook = sys.unraisablehook

    def quiet(unraisable: sys.UnraisableHookArgs) -> None:
        """Print what Python could not raise, except an interrupt: that one is recorded."""
        if not (isinstance(unraisable.exc_value, KeyboardInterrupt) and _received):
            hook(unraisable)

    sys.unraisablehook = quiet
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sys.unraisablehook = hook  # what was received is kept: the CLI logs while exiting
