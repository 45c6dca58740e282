"""Whether a screen is available (X11 or Wayland), to choose GUI or headless by default."""

from __future__ import annotations

import os


def has_display() -> bool:
    """True when a window could be shown (``DISPLAY`` or ``WAYLAND_DISPLAY`` is set)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
