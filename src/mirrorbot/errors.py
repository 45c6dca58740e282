"""The error types of mirrorbot.

Every error a user can cause derives from :class:`MirrorbotError`; the command line turns it
into one line on stderr and exit status 2. Messages say what was wrong, what was expected and
how to fix it.
"""

from __future__ import annotations


class MirrorbotError(Exception):
    """Base class of every error mirrorbot raises on purpose."""


class ConfigError(MirrorbotError):
    """A configuration value is out of its allowed range."""


class SourceError(MirrorbotError):
    """An input source (camera, video, folder, recording) cannot be opened or read."""


class ModelError(MirrorbotError):
    """A robot model, scene or pose model file is missing or invalid."""



def is_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` is a stop by Ctrl-C or SIGTERM (:class:`KeyboardInterrupt`).

    Also when the signal's handler raised it while compiled code (a numba kernel) was
    returning: the dispatcher then reports a ``SystemError`` ("returned a result with an
    exception set") whose context is the KeyboardInterrupt. Seen as an internal error, a run
    stopped at that moment lost its summary.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        if not isinstance(current, SystemError):
            return False
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
