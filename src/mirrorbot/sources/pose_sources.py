"""Landmark sources: every ``--source`` kind as one stream of :class:`PoseSample`.

Image sources (camera, video, images) go through the tracker; a recording is replayed with its
original timestamps; the synthetic person produces landmarks directly. Downstream stages see the
same thing from all of them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mirrorbot.arrays import ImageBGR
from mirrorbot.errors import SourceError
from mirrorbot.labels import GestureLabel
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.perception.landmarks import PoseFrame
from mirrorbot.perception.recording import ReadStats, RecordingReader
from mirrorbot.perception.source_spec import SourceKind, SourceSpec, refuse_model_without_tracking
from mirrorbot.perception.tracker import Tracker, open_tracker
from mirrorbot.sim.scene import Scene, load_scene
from mirrorbot.sources.frame_sources import (
    CameraSource,
    FrameSource,
    ImageFolderSource,
    VideoFileSource,
)
from mirrorbot.sources.mocap_source import MocapClip, parse_bvh_options
from mirrorbot.synth.synth_person import SyntheticPerson, SynthFrame, parse_synthetic, render_frame


@dataclass(frozen=True)
class PoseSample:
    """One frame of a landmark source.

    Attributes:
        t_s: Time since the first frame [s].
        pose: The tracked person, or None when nobody is seen.
        image_bgr: The camera image, (H, W, 3) uint8, when the source has one.
        track_ms: Wall time the tracker took on this frame [ms] (0 without a tracker).
        truth: The synthetic person's ground truth for this frame, when there is one.
        arrived_s: ``time.perf_counter()`` when the frame arrived (before tracking) [s], for
            the measured latency from a frame's arrival to its display.
        cut: The first frame of another shot (the next of unrelated photos): the filters and
            the check for a body that jumps between frames start afresh.
    """

    t_s: float
    pose: PoseFrame | None
    image_bgr: ImageBGR | None = None
    track_ms: float = 0.0
    truth: SynthFrame | None = None
    arrived_s: float = field(default_factory=time.perf_counter)
    cut: bool = False


class PoseSource(Protocol):
    """A stream of PoseSamples with what is known about it."""

    text: str
    rate_hz: float
    frame_count: int | None
    labels: tuple[GestureLabel, ...]
    is_live: bool
    noise_free: bool  # no pose model's noise in it (motion capture): the arms go unfiltered

    def __iter__(self) -> Iterator[PoseSample]:
        """The samples in time order."""
        ...

    def close(self) -> None:
        """Release devices, files and models."""
        ...


class TrackedSource:
    """Images from a FrameSource run through a Tracker.

    Args:
        text: The source as the user gave it.
        frames: The image source (owned: closed with this one).
        tracker: The tracker (owned).
        is_live: Whether frames come from a live camera.
    """

    def __init__(self, text: str, frames: FrameSource, tracker: Tracker, *,
                 is_live: bool = False) -> None:
        self.text = text
        self.rate_hz = frames.rate_hz
        self.frame_count = frames.frame_count
        self.labels: tuple[GestureLabel, ...] = ()
        self.is_live = is_live
        self.noise_free = False
        self._frames = frames
        self._tracker = tracker

    def __iter__(self) -> Iterator[PoseSample]:
        """Tracks each image as it arrives."""
        for frame in self._frames:
            t0 = time.perf_counter()
            pose = self._tracker.track(frame.image_bgr, frame.t_s)
            track_ms = 1e3 * (time.perf_counter() - t0)
            yield PoseSample(frame.t_s, pose, frame.image_bgr, track_ms, arrived_s=t0)

    def close(self) -> None:
        """Close the images and the tracker."""
        self._frames.close()
        self._tracker.close()


class RecordingSource:
    """A recording replayed with its original timestamps (deterministic)."""

    is_live = False
    noise_free = False  # recorded through a pose model

    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self._reader = RecordingReader(path)
        self.rate_hz = self._reader.fps
        self.frame_count: int | None = None
        self.labels = self._reader.header.labels

    @property
    def stats(self) -> ReadStats:
        """What the reader repaired so far."""
        return self._reader.stats

    def __iter__(self) -> Iterator[PoseSample]:
        """The recorded frames."""
        for t_s, pose in self._reader:
            yield PoseSample(t_s, pose)

    def close(self) -> None:
        """Nothing to release (the file is opened per iteration)."""


class BvhSource:
    """A BVH motion capture clip (``bvh:PATH``), played like a recording (deterministic).

    ``noise_free``: the skeleton's landmarks carry no pose model's noise, so the arms follow
    them unfiltered unless a ``--filter`` is given.
    """

    is_live = False
    noise_free = True

    def __init__(self, text: str, clip: MocapClip) -> None:
        self.text = text
        self.clip = clip
        self.rate_hz = clip.rate_hz
        self.frame_count: int | None = len(clip)
        self.labels = clip.labels
        self.header_extra = clip.header_extra

    def __iter__(self) -> Iterator[PoseSample]:
        """Every frame of the clip."""
        for t_s, pose in self.clip.frames():
            yield PoseSample(t_s, pose)

    def close(self) -> None:
        """Nothing to release (the clip is in memory)."""


class SyntheticSource:
    """The synthetic person (``synthetic:...``), with its ground truth on every sample.

    Args:
        text: The source as the user gave it.
        person: The synthetic person.
        render_view: Draw the camera view of each frame (for the video).
    """

    is_live = False
    noise_free = False  # MediaPipe-like noise (even with noise=off it stands in for a camera)

    def __init__(self, text: str, person: SyntheticPerson, *, render_view: bool = False) -> None:
        self.text = text
        self.person = person
        self.rate_hz = person.config.rate_hz
        self.frame_count: int | None = person.frame_count
        self.labels = person.labels
        self.header_extra = person.header_extra()
        self._render = render_view

    def __iter__(self) -> Iterator[PoseSample]:
        """Every frame of the session."""
        for frame in self.person.frames():
            image = render_frame(self.person, frame) if self._render else None
            yield PoseSample(frame.t_s, frame.observed, image, 0.0, frame)

    def close(self) -> None:
        """Nothing to release."""


def synthetic_person(arg: str, scene: Scene | None = None) -> SyntheticPerson:
    """The person a ``synthetic:ARG`` source shows, in ``scene`` (default: tabletop).

    Everything that compares with a run of such a source builds its person here, so both see
    the same performance (the scene's cup is what the person reaches for).
    """
    if scene is None:
        scene = load_scene(scene_path(DEFAULT_SCENE_NAME))
    return SyntheticPerson(parse_synthetic(arg), scene)


def open_pose_source(spec: SourceSpec, model_path: Path | None = None, *,
                     render_view: bool = False, scene: Scene | None = None) -> PoseSource:
    """Open any ``--source`` as a PoseSource.

    Args:
        spec: The parsed source.
        model_path: A MediaPipe ``.task`` model for image sources, or None for the bundled one.
        render_view: For the synthetic person: draw its camera view on every sample.
        scene: For the synthetic person: the scene whose objects it uses (default: tabletop).

    Raises:
        SourceError: The source cannot be opened (the message says why and what to try), or
            ``model_path`` is given for a source that no pose model tracks.
        ModelError: The pose model cannot be loaded.
    """
    refuse_model_without_tracking(spec, model_path)
    if spec.kind is SourceKind.RECORDING:
        return RecordingSource(spec.text, spec.path)
    if spec.kind is SourceKind.BVH:
        return BvhSource(spec.text, MocapClip(spec.path, parse_bvh_options(spec.options)))
    if spec.kind is SourceKind.SYNTHETIC:
        return SyntheticSource(spec.text, synthetic_person(spec.arg, scene),
                               render_view=render_view)
    if spec.kind is SourceKind.IMAGES:
        return _open_images(spec, model_path)
    tracker = open_tracker(model_path)  # a bad --model is reported before the device opens
    frames: FrameSource
    try:
        if spec.kind is SourceKind.CAMERA:
            frames = CameraSource(spec.camera_index)
        elif spec.kind is SourceKind.VIDEO:
            frames = VideoFileSource(spec.path)
        else:  # pragma: no cover - every kind is handled above
            raise SourceError(f"unsupported source {spec.text!r}")
    except BaseException:
        tracker.close()
        raise
    return TrackedSource(spec.text, frames, tracker, is_live=spec.kind is SourceKind.CAMERA)


def _open_images(spec: SourceSpec, model_path: Path | None) -> PoseSource:
    """``images:DIR[?mode=photos|sequence&hold=S]``: photos, or frames of one video.

    See :mod:`mirrorbot.sources.photo_source` for how the two are told apart.
    """
    from mirrorbot.sources.photo_source import (
        FolderMode,
        PhotoSource,
        guess_folder_mode,
        parse_images_options,
    )

    options = parse_images_options(spec.options)
    frames = ImageFolderSource(spec.path)
    mode = options.mode or guess_folder_mode(frames.paths)
    tracker = open_tracker(model_path, static=mode is FolderMode.PHOTOS)
    if mode is FolderMode.PHOTOS:
        return PhotoSource(spec.text, frames, tracker, options.hold_s)
    return TrackedSource(spec.text, frames, tracker)
