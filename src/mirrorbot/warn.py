"""Warnings on stderr: ``mirrorbot: warning: ...``, one line each."""

from __future__ import annotations

import sys


def warn(message: str) -> None:
    """Print one warning line on stderr."""
    print(f"mirrorbot: warning: {message}", file=sys.stderr, flush=True)


_SAID: set[str] = set()  # what warn_once has printed in this process


def warn_once(message: str) -> None:
    """Print one warning line, unless this process printed the same one already.

    For what is found again each time a stage is built (a damaged learned gesture is seen by
    every session of ``eval intent``): one line per problem, not one per session.
    """
    if message not in _SAID:
        _SAID.add(message)
        warn(message)
