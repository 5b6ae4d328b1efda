"""A real headless Chromium, driven over the DevTools protocol on a pipe (no extra package).

Chromium started with ``--remote-debugging-pipe`` reads JSON commands on fd 3 and writes
replies on fd 4, each message ending with a NUL byte: enough to load a page at a given
width, run a script in it and take a screenshot. ``find_browser`` looks for the OS's Chromium
(Debian's ``chromium``; ``make test`` installs it when it can) or the one named by
``$REPORT_BROWSER``.

Also a command: ``python -m tests.browser REPORT.html docs/report-top.png`` writes the
screenshot of the top of a report that the README shows.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
TIMEOUT_S = 60.0

# Runs in the page: opens every <details>, then measures what a reader would see.
PROBE = """(() => {
  document.querySelectorAll('details').forEach(d => d.open = true);
  const main = document.querySelector('main').getBoundingClientRect();
  const wide = [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().width > 0)
    .filter(e => e.getBoundingClientRect().right > main.right + 1
              || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' +
              Math.round(e.getBoundingClientRect().right - main.right) + 'px');
  const images = [...document.images].map(i => ({
    alt: i.alt, complete: i.complete, naturalWidth: i.naturalWidth,
    shownWidth: i.getBoundingClientRect().width}));
  const top = document.querySelector('header#top');
  return {
    scrollWidth: document.documentElement.scrollWidth,
    viewportWidth: window.innerWidth,
    overflowing: wide,
    images: images,
    topBlock: top !== null,
    cards: top ? [...top.querySelectorAll('.card .level')].map(e => e.textContent) : [],
    contents: [...document.querySelectorAll('nav a')].map(a => a.getAttribute('href')),
    sections: [...document.querySelectorAll('section[id]')].map(s => s.id),
  };
})()"""


def find_browser() -> str | None:
    """Return the path of a Chromium or Chrome executable, or None when there is none."""
    named = os.environ.get("REPORT_BROWSER")
    if named:
        return named if Path(named).is_file() else shutil.which(named)
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """One headless browser with one page; use as a context manager."""

    def __init__(self, executable: str, width: int = 1400, height: int = 1000) -> None:
        self.profile = tempfile.TemporaryDirectory(prefix="report-browser-")
        to_child, self._out = os.pipe()
        self._in, from_child = os.pipe()

        def wire() -> None:  # in the child: its fd 3 reads our commands, fd 4 writes replies
            a, b = os.dup(to_child), os.dup(from_child)
            os.dup2(a, 3)
            os.dup2(b, 4)

        args = [executable, *FLAGS, f"--user-data-dir={self.profile.name}", "about:blank"]
        self.process = subprocess.Popen(
            args, pass_fds=(3, 4), preexec_fn=wire,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_child)
        os.close(from_child)
        self._buffer, self._next = b"", 0
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session = attached["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                  page=True)  # fmt: skip

    def call(self, method: str, params: dict[str, Any] | None = None, page: bool = False) -> Any:
        """Send one DevTools command and return its result (raise on a protocol error)."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self.session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        reply = self._reply(self._next)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def _reply(self, wanted: int) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if message.get("id") == wanted:
                    return dict(message)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError(f"no reply from the browser within {TIMEOUT_S} s")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser closed its DevTools pipe")
            self._buffer += chunk

    def evaluate(self, expression: str) -> Any:
        """Return the value of a JavaScript expression in the page."""
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, page=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def open(self, path: Path) -> None:
        """Load a local file and wait until it and its images have loaded."""
        self.call("Page.navigate", {"url": path.resolve().as_uri()}, page=True)
        deadline = time.monotonic() + TIMEOUT_S
        done = "document.readyState === 'complete' && [...document.images].every(i => i.complete)"
        while not self.evaluate(done):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} did not finish loading within {TIMEOUT_S} s")
            time.sleep(0.05)

    def screenshot(self, height: int, width: int) -> bytes:
        """Return a PNG of the top ``height`` pixels of the page."""
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        result = self.call("Page.captureScreenshot", {"format": "png", "clip": clip}, page=True)
        return base64.b64decode(result["data"])

    def __enter__(self) -> Chromium:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._in)
        os.close(self._out)
        self.profile.cleanup()


def inspect(
    html: Path, executable: str, width: int = 1400, shot_height: int = 0
) -> tuple[dict[str, Any], bytes | None]:
    """Return (what ``PROBE`` measures, a screenshot of the top or None) of a page at ``width``."""
    with Chromium(executable, width=width, height=max(shot_height, 900)) as browser:
        browser.open(html)
        shot = browser.screenshot(shot_height, width) if shot_height else None
        return browser.evaluate(PROBE), shot


def main() -> None:
    """Write the screenshot of the top of a report (the README's picture)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1050)
    args = parser.parse_args()
    executable = find_browser()
    if executable is None:
        raise SystemExit("no Chromium found: apt-get install chromium, or set REPORT_BROWSER")
    probe, shot = inspect(args.html, executable, args.width, args.height)
    assert shot is not None
    args.png.write_bytes(shot)
    print(f"{args.png}: {len(shot):,} bytes; page {probe['scrollWidth']} px wide")


if __name__ == "__main__":
    main()
