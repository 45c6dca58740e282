"""A progress line on stderr for long runs: a bar on a terminal, a line per 10% elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Reports ``done / total`` with the rate; silent when ``enabled`` is false.

    Args:
        total: Number of items, or None when unknown.
        label: What is being counted.
        enabled: Whether to print at all.
        stream: Where to print (stderr by default).
    """

    def __init__(self, total: int | None, label: str, *, enabled: bool = True,
                 stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.done = 0
        self._start = time.perf_counter()
        self._last_decile = -1
        self._last_draw = 0.0

    def update(self, n: int = 1) -> None:
        """Count ``n`` more items and redraw when it is worth it."""
        self.done += n
        if not self.enabled:
            return
        now = time.perf_counter()
        if self.tty:
            if now - self._last_draw >= 0.1:
                self._last_draw = now
                self.stream.write("\r" + self._line(now))
                self.stream.flush()
        elif self.total:
            decile = 10 * self.done // self.total
            if decile > self._last_decile:
                self._last_decile = decile
                self.stream.write(self._line(now) + "\n")
                self.stream.flush()

    def _line(self, now: float) -> str:
        elapsed = max(now - self._start, 1e-9)
        rate = self.done / elapsed
        # Slow items (an eval's sessions) by their time each: "(0.0/s)" said nothing.
        pace = f"{rate:.1f}/s" if rate >= 1.0 or not self.done else \
            f"{elapsed / self.done:.0f} s each"
        if not self.total:
            return f"{self.label}: {self.done} ({pace})"
        frac = min(self.done / self.total, 1.0)
        bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
        return f"{self.label} [{bar}] {100 * frac:3.0f}% {self.done}/{self.total} ({pace})"

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled and self.tty:
            self.stream.write("\r" + self._line(time.perf_counter()) + "\n")
            self.stream.flush()
