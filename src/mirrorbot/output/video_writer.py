"""H.264 MP4 output through the ffmpeg binary that the ``imageio-ffmpeg`` wheel ships.

OpenCV's pip wheels cannot encode H.264, and a system ffmpeg may be missing, so frames are piped
as raw BGR to the bundled ffmpeg (libx264, yuv420p, ``+faststart``): the result plays in
browsers, OS players and OpenCV alike.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
from pathlib import Path
from types import TracebackType

import imageio_ffmpeg
import numpy as np

from mirrorbot.arrays import ImageBGR
from mirrorbot.errors import ConfigError, MirrorbotError
from mirrorbot.out_files import write_failed


class Mp4Writer:
    """Writes BGR frames of one fixed size to an H.264 MP4 file.

    Args:
        path: The ``.mp4`` file to write.
        width_px: Frame width [px], even.
        height_px: Frame height [px], even.
        rate_hz: Frames per second of the video.
    """

    def __init__(self, path: Path, width_px: int, height_px: int, rate_hz: float) -> None:
        if width_px % 2 or height_px % 2:
            raise ConfigError(f"H.264 needs an even frame size, got {width_px}x{height_px}")
        if rate_hz <= 0:
            raise ConfigError(f"rate_hz must be > 0, got {rate_hz}")
        self.path = path
        self.shape = (height_px, width_px, 3)
        self.frames_written = 0
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", f"{width_px}x{height_px}",
            "-r", f"{rate_hz:.6g}", "-i", "-",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", str(path),
        ]
        # Its own session: a Ctrl-C at the terminal goes to mirrorbot alone, which then ends
        # the video properly; ffmpeg stopped by it would leave an unplayable file.
        self._proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

    def write(self, frame: ImageBGR) -> None:
        """Append one frame, (H, W, 3) uint8 BGR of the size given at construction."""
        if frame.shape != self.shape or frame.dtype != np.uint8:
            raise ConfigError(f"video frame must be {self.shape} uint8, got {frame.shape} "
                              f"{frame.dtype}")
        if self._proc is None or self._proc.stdin is None:
            raise MirrorbotError(f"video {self.path} is already closed")
        try:
            self._proc.stdin.write(np.ascontiguousarray(frame).data)  # a view: no copy
        except BrokenPipeError:
            raise self._failed(None, self._stderr()) from None
        except OSError as exc:
            raise write_failed(self.path, exc) from None
        self.frames_written += 1

    def _failed(self, code: int | None, err: str) -> MirrorbotError:
        """The error for a failed ffmpeg: a full disk said as such, else ffmpeg's message."""
        if "No space left on device" in err or code == 256 - errno.ENOSPC:
            return write_failed(self.path, OSError(errno.ENOSPC, "No space left on device"))
        last = err.splitlines()[-1] if err else "no message"
        status = "" if code is None else f" (exit {code})"
        return MirrorbotError(f"ffmpeg failed writing {self.path}{status}: {last}")

    def _stderr(self) -> str:
        if self._proc is None or self._proc.stderr is None:
            return ""
        return self._proc.stderr.read().decode(errors="replace").strip()

    def close(self) -> None:
        """Finish the file (idempotent); raises if ffmpeg failed."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        if proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):  # ffmpeg gone; its exit status says why
                proc.stdin.close()
        code = proc.wait()
        if code != 0:
            err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
            raise self._failed(code, err)
        if proc.stderr is not None:
            proc.stderr.close()

    def __enter__(self) -> Mp4Writer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
