"""Silencing what C extensions (PyBullet, MediaPipe) print straight to file descriptors 1 and 2."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_c_output() -> Iterator[None]:
    """Send fd 1 and fd 2 to /dev/null inside the block (Python's own output is flushed first)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


def quiet_opencv_logs() -> None:
    """Keep FFmpeg's and OpenCV's own warnings off stderr, for the whole process.

    Reading a damaged video or image, they print "moov atom not found", "Invalid NAL unit
    size" or "[ WARN:0] grfmt_png.cpp ..." beside mirrorbot's own one-line message (which
    says what is wrong). Set once, before videos are opened; unlike :func:`quiet_c_output`
    it costs nothing per frame. A user's own ``OPENCV_FFMPEG_LOGLEVEL`` is kept.
    """
    import cv2

    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET; read at first open
    cv2.setLogLevel(2)  # errors only (OpenCV's LOG_LEVEL_ERROR)
