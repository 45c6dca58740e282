"""``images:DIR``: a folder of video frames (a sequence) or of unrelated photos.

Frames of one video are tracked from frame to frame and played at 30 Hz, like a video.
Unrelated photos are each their own person: the pose model searches every photo afresh
(MediaPipe's static mode, so a skeleton never carries over to the next photo's background) and
each is shown for ``hold`` seconds, so the robot takes its pose and holds it; the filters and
the check for a body that jumps between frames start afresh with each photo.

``images:DIR?mode=photos`` or ``?mode=sequence`` says which; without it
:func:`guess_folder_mode` decides: neighbouring images of one size that look alike (frames of
a video) are a sequence, anything else is photos. ``?hold=S`` sets how long each photo shows.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from mirrorbot.errors import SourceError
from mirrorbot.labels import GestureLabel
from mirrorbot.perception.source_spec import check_known_options
from mirrorbot.perception.tracker import Tracker
from mirrorbot.sources.frame_sources import ImageFolderSource
from mirrorbot.sources.pose_sources import PoseSample

HOLD_S = 2.0  # each photo is shown this long by default [s]
HOLD_RANGE_S = (0.1, 60.0)
SEQUENCE_MAX_DIFF = 25.0
"""Neighbouring frames of a video differ by less than this on average (grey levels of 255,
compared at :data:`COMPARE_SIZE_PX`); unrelated photos by 40 or more."""
COMPARE_SIZE_PX = (64, 48)
IMAGES_OPTIONS = ("mode", "hold")


class FolderMode(enum.Enum):
    """What a folder of images holds."""

    PHOTOS = "photos"
    SEQUENCE = "sequence"


@dataclass(frozen=True, kw_only=True)
class ImagesOptions:
    """The options of an ``images:DIR?...`` source.

    Attributes:
        mode: Photos or a sequence; None lets :func:`guess_folder_mode` decide.
        hold_s: How long each photo is shown [s] (photos only).
    """

    mode: FolderMode | None = None
    hold_s: float = HOLD_S

    def __post_init__(self) -> None:
        lo, hi = HOLD_RANGE_S
        if not lo <= self.hold_s <= hi:
            raise SourceError(f"images option hold={self.hold_s:g} must be in [{lo:g}, {hi:g}] "
                              "seconds, e.g. images:DIR?hold=2")


def parse_images_options(options: dict[str, str]) -> ImagesOptions:
    """``{"mode": "photos", "hold": "3"}`` -> ImagesOptions.

    Raises:
        SourceError: An unknown option or value; the message lists the valid ones.
    """
    check_known_options(options, list(IMAGES_OPTIONS), "images", "images:DIR?mode=photos&hold=2")
    modes = [m.value for m in FolderMode]
    mode = options.get("mode")
    if mode is not None and mode not in modes:
        raise SourceError(f"images option mode={mode!r} must be one of {modes}")
    try:
        hold_s = float(options.get("hold", HOLD_S))
    except ValueError:
        raise SourceError(f"images option hold={options['hold']!r} must be a number of "
                          "seconds, e.g. images:DIR?hold=2") from None
    return ImagesOptions(mode=None if mode is None else FolderMode(mode), hold_s=hold_s)


def _thumbnail(path: Path) -> tuple[tuple[int, ...], np.ndarray] | None:
    """An image's size and a small grey copy of it, or None when it does not decode."""
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        return None
    small = cv2.resize(image, COMPARE_SIZE_PX, interpolation=cv2.INTER_AREA)
    return image.shape, small.astype(np.float64)


def guess_folder_mode(paths: list[Path]) -> FolderMode:
    """Frames of one video (a sequence) or unrelated photos, from a folder's images in order.

    A sequence when the first, middle and last pairs of neighbouring images are each of one
    size and differ by less than :data:`SEQUENCE_MAX_DIFF` on average; photos otherwise (a
    single image included). Pairs with an image that does not decode are not compared (the
    source skips such files).
    """
    if len(paths) < 2:
        return FolderMode.PHOTOS
    compared = 0
    for k in sorted({0, (len(paths) - 1) // 2, len(paths) - 2}):
        a, b = _thumbnail(paths[k]), _thumbnail(paths[k + 1])
        if a is None or b is None:
            continue
        if a[0] != b[0] or float(np.mean(np.abs(a[1] - b[1]))) >= SEQUENCE_MAX_DIFF:
            return FolderMode.PHOTOS
        compared += 1
    return FolderMode.SEQUENCE if compared else FolderMode.PHOTOS


class PhotoSource:
    """Unrelated photos, each its own person, each shown for ``hold_s`` (a PoseSource).

    Args:
        text: The source as the user gave it.
        photos: The folder's images (owned: closed with this one).
        tracker: A tracker in static mode (owned).
        hold_s: How long each photo is shown [s].
    """

    is_live = False
    noise_free = False

    def __init__(self, text: str, photos: ImageFolderSource, tracker: Tracker,
                 hold_s: float = HOLD_S) -> None:
        self.text = text
        self.rate_hz = photos.rate_hz
        self.labels: tuple[GestureLabel, ...] = ()
        self._photos = photos
        self._tracker = tracker
        self._hold_frames = max(1, int(round(hold_s * self.rate_hz)))
        count = photos.frame_count
        self.frame_count: int | None = None if count is None else count * self._hold_frames

    def __iter__(self) -> Iterator[PoseSample]:
        """Each photo's frames: tracked once, then the same pose for the hold."""
        k = 0
        for photo in self._photos:
            t0 = time.perf_counter()
            pose = self._tracker.track(photo.image_bgr, k / self.rate_hz)
            track_ms = 1e3 * (time.perf_counter() - t0)
            for j in range(self._hold_frames):
                t_s = k / self.rate_hz
                yield PoseSample(t_s, None if pose is None else replace(pose, t_s=t_s),
                                 photo.image_bgr, track_ms if j == 0 else 0.0,
                                 arrived_s=t0 if j == 0 else time.perf_counter(), cut=j == 0)
                k += 1

    def close(self) -> None:
        """Close the images and the tracker."""
        self._photos.close()
        self._tracker.close()
