"""A progress line on stderr for every command that takes longer than about a second.

It appears only after ``DELAY`` seconds, so a quick command prints nothing extra; it goes to
stderr, so stdout (the answer, or ``--json``) stays clean; and only on a terminal, unless
``TAAKSIM_PROGRESS=always`` forces it (``never`` switches it off). With a known amount of work
(paths) it is a bar with a percentage; without one (the many runs of ``report``), the elapsed time.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

#: seconds before the line appears: a command that finishes sooner prints nothing extra
DELAY = 1.0
_WIDTH = 28


def wanted(as_json: bool = False, stream: TextIO | None = None) -> bool:
    """Whether to show progress: never with ``--json`` or ``TAAKSIM_PROGRESS=never``; always with
    ``TAAKSIM_PROGRESS=always``; otherwise when stderr is a terminal."""
    mode = os.environ.get("TAAKSIM_PROGRESS", "auto").strip().lower()
    if as_json or mode == "never":
        return False
    if mode == "always":
        return True
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """A context manager drawing one self-overwriting line on ``stream`` from a background thread.

    Parameters
    ----------
    total : int or None
        Units of work (paths) when known; None shows the elapsed time only.
    label : str
        What is being done, e.g. "simuleert".
    enabled : bool
        False makes every method a no-op (see :func:`wanted`).
    lang : {"nl", "en"}
    """

    def __init__(self, total: int | None, label: str = "", *, enabled: bool = True, lang: str = "nl",
                 stream: TextIO | None = None, delay: float | None = None):
        self.total = total if total and total > 0 else None
        if not label:
            from simulator.i18n import t

            label = t("term.computing", lang)
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.delay = DELAY if delay is None else delay  # read when used: a test may shorten it
        self.done = 0
        self._start = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False

    def update(self, n: int) -> None:
        """Count ``n`` more units done (thread-safe enough: one writer per run)."""
        self.done += int(n)

    def line(self, elapsed: float) -> str:
        """The text drawn after ``elapsed`` seconds."""
        if self.total is None:
            return f"{self.label} ... {elapsed:.0f} s"
        frac = min(self.done / self.total, 1.0)
        filled = round(frac * _WIDTH)
        return f"{self.label} [{'#' * filled}{'-' * (_WIDTH - filled)}] {100 * frac:3.0f}%  {elapsed:.0f} s"

    def _draw(self) -> None:
        if self._stop.wait(self.delay):
            return
        last = ""
        while True:
            text = self.line(time.monotonic() - self._start)
            if text != last:  # a forced line into a file grows by one entry per change, not per tick
                self.stream.write("\r" + text + "\x1b[K")
                self.stream.flush()
                self._drawn, last = True, text
            if self._stop.wait(0.2):
                return

    def __enter__(self) -> Progress:
        self._start = time.monotonic()
        if self.enabled:
            self._thread = threading.Thread(target=self._draw, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._drawn:
            self.stream.write("\r\x1b[K")  # clear the line: the answer follows on a clean screen
            self.stream.flush()
