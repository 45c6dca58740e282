"""Image sources: a webcam, a video file or a folder of images, through OpenCV.

Each source yields :class:`VideoFrame` values (a timestamp and a BGR image, never flipped) and
says exactly why it cannot open, with what to try instead.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from mirrorbot.arrays import ImageBGR
from mirrorbot.errors import SourceError
from mirrorbot.perception.source_spec import IMAGE_SUFFIXES
from mirrorbot.quiet import quiet_c_output, quiet_opencv_logs
from mirrorbot.text import utf8_name

DEFAULT_FOLDER_RATE_HZ = 30.0
CAMERA_FIRST_FRAME_TRIES = 20  # webcams often deliver a few empty frames while starting
CAMERA_STALL_FRAMES = 30  # consecutive failed reads before a running camera counts as lost


@dataclass(frozen=True)
class VideoFrame:
    """One image of a source.

    Attributes:
        t_s: Time since the first frame [s].
        image_bgr: The image, (H, W, 3) uint8, BGR, as the camera saw it (not flipped).
    """

    t_s: float
    image_bgr: ImageBGR


def not_utf8_error(path: Path, what: str) -> SourceError:
    """The one-line error for a ``what`` (video, photo, folder) whose name is not UTF-8."""
    return SourceError(f"the name of {what} {path} has bytes that are not UTF-8 text, which "
                       "OpenCV cannot open; rename it (e.g. convmv -f latin1 -t utf8, or mv)")


def _as_bgr(image: object) -> ImageBGR:
    """An OpenCV image as a contiguous uint8 (H, W, 3) array."""
    return np.ascontiguousarray(image, dtype=np.uint8)


class FrameSource(Protocol):
    """Something that yields timestamped images."""

    rate_hz: float
    frame_count: int | None

    def __iter__(self) -> Iterator[VideoFrame]:
        """The frames in time order."""
        ...

    def close(self) -> None:
        """Release the device or file."""
        ...


class CameraSource:
    """A webcam through ``cv2.VideoCapture``; timestamps are wall-clock times of capture.

    Raises:
        SourceError: No camera at that index, or it delivers no image (busy or unplugged).
    """

    def __init__(self, index: int) -> None:
        self.index = index
        self.frame_count: int | None = None
        with quiet_c_output():  # OpenCV logs its own warnings about missing devices
            self._cap = cv2.VideoCapture(index)
            opened = self._cap.isOpened()
        if not opened:
            self._cap.release()
            other = 1 if index == 0 else 0
            raise SourceError(
                f"camera {index} could not be opened; is a webcam connected and allowed "
                f"(Linux: ls /dev/video*, and are you in the 'video' group)? try "
                f"--source camera:{other}, or --source video:FILE")
        first = None
        for _ in range(CAMERA_FIRST_FRAME_TRIES):
            ok, image = self._cap.read()
            if ok and image is not None:
                first = image
                break
        if first is None:
            self._cap.release()
            raise SourceError(f"camera {index} opened but delivers no image; is another program "
                              "using it? close it and try again, or use --source video:FILE")
        self._first: ImageBGR | None = _as_bgr(first)
        fps = float(self._cap.get(cv2.CAP_PROP_FPS))
        self.rate_hz = fps if 1.0 <= fps <= 240.0 else 30.0

    def __iter__(self) -> Iterator[VideoFrame]:
        """Frames until the camera stops delivering (then a warning, not a crash)."""
        start = time.monotonic()
        if self._first is not None:
            yield VideoFrame(0.0, self._first)
            self._first = None
        failures = 0
        while True:
            ok, image = self._cap.read()
            if not ok or image is None:
                failures += 1
                if failures >= CAMERA_STALL_FRAMES:
                    print(f"mirrorbot: warning: camera {self.index} stopped delivering images; "
                          "ending the run", file=sys.stderr)
                    return
                continue
            failures = 0
            yield VideoFrame(time.monotonic() - start, _as_bgr(image))

    def close(self) -> None:
        """Release the camera."""
        self._cap.release()


class VideoFileSource:
    """A video file; timestamps come from the file (frame index over its frame rate).

    Raises:
        SourceError: The file is missing, not a video OpenCV can decode, or empty.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.exists():
            raise SourceError(f"video file {path} does not exist; check the path")
        if path.is_dir():
            raise SourceError(f"{path} is a folder, not a video; use --source images:{path} "
                              "for a folder of frames")
        if not path.is_file():
            raise SourceError(f"{path} is not a regular file (a pipe or a device); save the "
                              "video to a file and pass that")
        if path.stat().st_size == 0:
            raise SourceError(f"video file {path} is empty (0 bytes); copy or record it again")
        if not utf8_name(path):
            raise not_utf8_error(path, "video")
        quiet_opencv_logs()  # FFmpeg's own complaints: the error and the warnings say it
        self._cap = cv2.VideoCapture(str(path))
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(f"{path} could not be opened as a video (corrupt, cut short "
                              "before it was finished, or a format OpenCV cannot decode); "
                              "convert it with ffmpeg -i IN out.mp4 or record it again")
        fps = float(self._cap.get(cv2.CAP_PROP_FPS))
        self.rate_hz = fps if 1.0 <= fps <= 240.0 else DEFAULT_FOLDER_RATE_HZ
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT))
        self.frame_count = count if count > 0 else None
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise SourceError(f"video {path} has no readable frames (empty or truncated); "
                              "re-encode it or record a new one")
        self._first: ImageBGR | None = _as_bgr(first)

    def __iter__(self) -> Iterator[VideoFrame]:
        """Every decodable frame; a file that ends early ends the stream."""
        k = 0
        if self._first is not None:
            yield VideoFrame(0.0, self._first)
            self._first = None
            k = 1
        while True:
            ok, image = self._cap.read()
            if not ok or image is None:
                if self.frame_count is not None and k < self.frame_count - 1:
                    print(f"mirrorbot: warning: video {self.path} ended after {k} of "
                          f"{self.frame_count} frames (truncated?)", file=sys.stderr)
                return
            yield VideoFrame(k / self.rate_hz, _as_bgr(image))
            k += 1

    def close(self) -> None:
        """Release the file."""
        self._cap.release()


class ImageFolderSource:
    """A folder of images in name order, at a fixed rate; other files are skipped with a warning.

    ``folder`` may also be one image file (a photo given as ``--source photo.jpg``).

    Raises:
        SourceError: The folder is missing or holds no readable image.
    """

    def __init__(self, folder: Path, rate_hz: float = DEFAULT_FOLDER_RATE_HZ) -> None:
        one_image = folder.suffix.lower() in IMAGE_SUFFIXES and folder.is_file()
        if folder.suffix.lower() in IMAGE_SUFFIXES and not folder.exists():
            raise SourceError(f"photo {folder} does not exist; check the path")
        if folder.suffix.lower() in IMAGE_SUFFIXES and not folder.is_dir() and not one_image:
            raise SourceError(f"photo {folder} is not a regular file (a pipe or a device); "
                              "save the image to a file and pass that")
        if not folder.is_dir() and not one_image:
            raise SourceError(f"image folder {folder} does not exist or is not a folder; "
                              "pass --source images:DIR with a folder of .png/.jpg frames")
        if not utf8_name(folder):
            raise not_utf8_error(folder, "photo" if one_image else "folder")
        quiet_opencv_logs()  # libpng's and OpenCV's own warnings: ours say it
        self.folder = folder
        self.rate_hz = rate_hz
        files = [folder] if one_image else sorted(p for p in folder.iterdir() if p.is_file())
        images = [p for p in files if p.suffix.lower() in IMAGE_SUFFIXES]
        self.paths = [p for p in images if utf8_name(p)]
        skipped = len(files) - len(images)
        if skipped:
            print(f"mirrorbot: warning: skipping {skipped} non-image file(s) in {folder}",
                  file=sys.stderr)
        if len(images) > len(self.paths):
            print(f"mirrorbot: warning: skipping {len(images) - len(self.paths)} image(s) in "
                  f"{folder} whose names are not UTF-8 text (OpenCV cannot open them); "
                  "rename them", file=sys.stderr)
        if not self.paths:
            raise SourceError(f"folder {folder} holds no images ({', '.join(IMAGE_SUFFIXES)}); "
                              "put frames there or use --source video:FILE")
        self.frame_count: int | None = len(self.paths)

    def __iter__(self) -> Iterator[VideoFrame]:
        """The images that decode; unreadable ones are skipped with a warning."""
        k = 0
        for path in self.paths:
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                print(f"mirrorbot: warning: skipping {path} (not a readable image)",
                      file=sys.stderr)
                continue
            yield VideoFrame(k / self.rate_hz, _as_bgr(image))
            k += 1

    def close(self) -> None:
        """Nothing to release."""
