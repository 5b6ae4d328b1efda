"""The CLI's signal handlers: an interrupt that Python swallowed is raised again."""

from __future__ import annotations

import gc
import os
import signal

import pytest

from fraud_detection.simulator.errors import Terminated
from fraud_detection.simulator.signals import raise_if_received, received, signals_end_the_run


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
