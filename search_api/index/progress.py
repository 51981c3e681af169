"""Plain progress lines for long build steps: what is happening, how far, how long is left."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Prints 'label: pct, elapsed, left' at most every `every` seconds, and once at the end.

    Work is counted in any unit (texts, characters): the share done drives the estimate."""

    def __init__(self, label: str, total: float, every: float = 5.0, stream: TextIO | None = None) -> None:
        self.label, self.total, self.every = label, total, every
        self.stream = stream or sys.stderr
        self.done = 0.0
        self.started = time.perf_counter()
        self._last = self.started

    def advance(self, n: float) -> None:
        """Count n more units; print when a line is due or the work is finished."""
        self.done += n
        now = time.perf_counter()
        if self.done >= self.total or now - self._last >= self.every:
            self._last = now
            print(self.line(now), file=self.stream, flush=True)

    def line(self, now: float | None = None) -> str:
        """The progress line as it would be printed now."""
        elapsed = (now or time.perf_counter()) - self.started
        share = min(1.0, self.done / self.total) if self.total else 1.0
        text = f"  {self.label}: {100 * share:.0f}%, {elapsed:.0f} s"
        if 0 < share < 1:
            text += f", about {elapsed * (1 - share) / share:.0f} s left"
        return text
