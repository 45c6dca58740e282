"""Warnings on stderr: ``mirrorbot: warning: ...``, one line each."""

from __future__ import annotations

import sys


def warn(message: str) -> None:
    """Print one warning line on stderr."""
    print(f"mirrorbot: warning: {message}", file=sys.stderr, flush=True)
