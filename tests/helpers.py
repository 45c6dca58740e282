"""Test helpers: running the real command line in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(*args: str, timeout_s: float = 300, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    """Run ``mirrorbot ARGS`` (the installed console script) headless and capture its output."""
    script = Path(sys.executable).with_name("mirrorbot")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "mirrorbot"]
    full_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    full_env.update(env or {})
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=timeout_s,
                          env=full_env)
