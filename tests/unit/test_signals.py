"""The CLI's signal handlers: an interrupt that Python swallowed is raised again."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys

import pytest

from fraud_detection.simulator.errors import Terminated
from fraud_detection.simulator.signals import raise_if_received, received, signals_end_the_run
from tests.conftest import REPO


class _SignalsItselfWhenCollected:
    """Sends a signal from ``__del__``, where Python ignores the exception the handler raises
    (as it did inside distributed's garbage-collection callback during a Dask run)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum

    def __del__(self) -> None:
        os.kill(os.getpid(), self.signum)
        sum(range(1000))  # bytecode for the handler to run on


@pytest.mark.parametrize(
    ("signum", "raised"), [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)]
)
def test_an_interrupt_python_swallowed_is_raised_again(
    signum: int, raised: type[KeyboardInterrupt], capsys: pytest.CaptureFixture[str]
) -> None:
    with signals_end_the_run():
        _SignalsItselfWhenCollected(signum)  # collected at once: the handler's raise is lost
        gc.collect()
        assert received()
        with pytest.raises(raised):
            raise_if_received()
    assert "Exception ignored" not in capsys.readouterr().err  # recorded, so not printed


def test_the_handlers_are_put_back_and_a_new_run_starts_clean() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with signals_end_the_run():
        assert signal.getsignal(signal.SIGINT) is not before[0]
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    with signals_end_the_run():
        assert not received()
        raise_if_received()  # nothing recorded: returns


def test_a_second_signal_lets_the_clean_up_finish() -> None:
    with signals_end_the_run():
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            sum(range(1000))
        os.kill(os.getpid(), signal.SIGINT)  # during the clean-up: recorded, not raised
        sum(range(1000))
        assert received()


def test_a_library_call_after_an_interrupted_cli_run_is_not_interrupted() -> None:
    """The CLI keeps what it received (it logs while exiting), but only its own run raises it
    again: a later library call in the same process (a notebook that ran ``main`` first) ran
    into a stale KeyboardInterrupt at its first chunk."""
    with signals_end_the_run():
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            sum(range(1000))
        with pytest.raises(KeyboardInterrupt):
            raise_if_received()  # the CLI's own run: raised again
    assert received()  # kept for the CLI's exit
    raise_if_received()  # a library call afterwards: returns


def test_a_signal_once_the_clean_up_is_slow_exits_at_once() -> None:
    script = """
import os, signal, sys, time
from fraud_detection.simulator import signals
signals.FORCE_AFTER_S = 0.1
with signals.signals_end_the_run():
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(1000))
    except KeyboardInterrupt:
        time.sleep(0.2)  # a clean-up that takes too long
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(1000))
print("not reached")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )  # fmt: skip
    assert done.returncode == 143, done.stderr
    assert "not reached" not in done.stdout
    assert "the next run in this out_dir removes what this one staged" in done.stderr
