"""mirrorbot: a simulated humanoid that watches a person and mirrors their arm gestures."""

from __future__ import annotations

__version__ = "0.1.0"
