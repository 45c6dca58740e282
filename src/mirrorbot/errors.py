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

