"""Test helpers: running the real command line in a subprocess, writing real video files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np


def run_cli(*args: str, timeout_s: float = 300, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
    """Run ``mirrorbot ARGS`` (the installed console script) headless and capture its output."""
    script = Path(sys.executable).with_name("mirrorbot")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "mirrorbot"]
    full_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    full_env.update(env or {})
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=timeout_s,
                          env=full_env)


def write_video(path: Path, frames: list[np.ndarray], rate_hz: float = 30.0) -> Path:
    """A real video file (Motion JPEG in AVI) of BGR ``frames``, encoded by OpenCV."""
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), rate_hz, (w, h))
    assert writer.isOpened(), f"OpenCV cannot write {path}"
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path
