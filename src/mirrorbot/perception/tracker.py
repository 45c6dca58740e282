"""Body tracking with MediaPipe: the only module that imports mediapipe.

Two backends give the same :class:`PoseFrame`:

- ``SolutionsPoseTracker`` (default): BlazePose "full" bundled in the pinned mediapipe wheel,
  through ``mp.solutions.pose``. Works offline.
- ``TasksPoseTracker``: the MediaPipe Tasks ``PoseLandmarker`` with a ``.task`` model file the
  user downloaded (lite, full or heavy).

Both run in video mode (tracking the person from frame to frame) or, for unrelated photos, in
static mode (``static=True``: every image is searched afresh, its own person).

Images are tracked exactly as the camera gave them, never flipped, so "left" stays the
person's anatomical left. Our own One Euro filter smooths; MediaPipe's smoothing is off so the
two do not stack lag.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from mirrorbot.arrays import ImageBGR
from mirrorbot.errors import ModelError
from mirrorbot.perception.landmarks import NUM_LANDMARKS, PoseFrame
from mirrorbot.quiet import quiet_c_output
from mirrorbot.text import utf8_name

QUIET_FIRST_CALLS = 3
"""The graph's first calls start its models (the detector, then the landmark model), which
print TFLite's and absl's notices ("Feedback manager requires a model with a single signature
inference") straight to stderr; those calls' C output goes to /dev/null."""
MODEL_COMPLEXITY_FULL = 1  # BlazePose "full", the model the wheel bundles
MIN_DETECTION_CONFIDENCE = 0.5
MIN_TRACKING_CONFIDENCE = 0.5


class Tracker(Protocol):
    """Turns an image into a PoseFrame, or None when nobody is seen."""

    def track(self, image_bgr: ImageBGR, t_s: float) -> PoseFrame | None:
        """Track one image taken at ``t_s`` [s] (times must increase)."""
        ...

    def close(self) -> None:
        """Release the model."""
        ...


def _landmark_arrays(world: Any, image: Any) -> PoseFrame | None:
    """(world, image) landmark lists of one person -> arrays, or None if malformed."""
    if world is None or len(world) != NUM_LANDMARKS:
        return None
    world_m = np.array([[p.x, p.y, p.z] for p in world], dtype=np.float64)
    visibility = np.array([float(p.visibility or 0.0) for p in world], dtype=np.float64)
    image_uv = None
    if image is not None and len(image) == NUM_LANDMARKS:
        image_uv = np.array([[p.x, p.y] for p in image], dtype=np.float64)
        visibility = np.array([float(p.visibility or 0.0) for p in image], dtype=np.float64)
    if not np.all(np.isfinite(world_m)):
        return None
    return PoseFrame(t_s=0.0, world_m=world_m, visibility=np.clip(visibility, 0.0, 1.0),
                     image_uv=image_uv)


def _with_time(pose: PoseFrame | None, t_s: float) -> PoseFrame | None:
    if pose is None:
        return None
    return PoseFrame(t_s=t_s, world_m=pose.world_m, visibility=pose.visibility,
                     image_uv=pose.image_uv)


class SolutionsPoseTracker:
    """BlazePose "full" from the mediapipe wheel (``mp.solutions.pose``).

    Args:
        static: Every image is its own photo (MediaPipe's static image mode), instead of
            frames of one video.
    """

    name = "mediapipe-solutions-pose-full"

    def __init__(self, *, static: bool = False) -> None:
        try:
            with quiet_c_output():
                import mediapipe as mp

                self._pose = mp.solutions.pose.Pose(
                    static_image_mode=static, model_complexity=MODEL_COMPLEXITY_FULL,
                    smooth_landmarks=False, enable_segmentation=False,
                    min_detection_confidence=MIN_DETECTION_CONFIDENCE,
                    min_tracking_confidence=MIN_TRACKING_CONFIDENCE)
                # The graph opens its models on its own threads and they log as they do: one
                # blank image waits for that here, where their output goes to /dev/null.
                self._pose.process(np.zeros((64, 64, 3), dtype=np.uint8))
            self._quiet_calls = QUIET_FIRST_CALLS
        except (ImportError, AttributeError) as exc:
            raise ModelError(f"the bundled pose model is unavailable ({exc}); mirrorbot needs "
                             "mediapipe>=0.10.14,<0.10.30 (pip install -e .), or pass "
                             "--model FILE.task") from None

    def track(self, image_bgr: ImageBGR, t_s: float) -> PoseFrame | None:
        """Track one BGR image (H, W, 3) uint8 taken at ``t_s`` [s]."""
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        if self._quiet_calls > 0:  # the first calls start the graph's models, which log
            self._quiet_calls -= 1
            with quiet_c_output():
                result = self._pose.process(rgb)
        else:
            result = self._pose.process(rgb)
        world = result.pose_world_landmarks
        image = result.pose_landmarks
        return _with_time(_landmark_arrays(None if world is None else world.landmark,
                                           None if image is None else image.landmark), t_s)

    def close(self) -> None:
        """Release the graph (it logs while shutting down; that goes to /dev/null)."""
        with quiet_c_output():
            self._pose.close()


class TasksPoseTracker:
    """The MediaPipe Tasks ``PoseLandmarker`` with a user-supplied ``.task`` model.

    Args:
        model_path: The ``.task`` file.
        static: Every image is its own photo (the IMAGE running mode), instead of frames of
            one video (VIDEO).

    Raises:
        ModelError: The file is missing, not a ``.task`` bundle, or mediapipe cannot load it.
    """

    name = "mediapipe-tasks-pose-landmarker"

    def __init__(self, model_path: Path, *, static: bool = False) -> None:
        if model_path.is_dir():
            raise ModelError(f"pose model {model_path} is a folder; pass the "
                             "pose_landmarker_*.task file itself")
        if not model_path.is_file():
            raise ModelError(f"pose model {model_path} does not exist; download a MediaPipe "
                             "pose_landmarker_*.task file or drop --model to use the bundled "
                             "model")
        if model_path.suffix != ".task":
            raise ModelError(f"pose model {model_path} is not a .task file; pass a MediaPipe "
                             "pose_landmarker_*.task bundle")
        if model_path.stat().st_size == 0:
            raise ModelError(f"pose model {model_path} is empty (0 bytes); download the "
                             "pose_landmarker_*.task file again")
        if not utf8_name(model_path):
            raise ModelError(f"the name of pose model {model_path} has bytes that are not UTF-8 "
                             "text, which MediaPipe cannot open; rename the file")
        try:
            with quiet_c_output():
                import mediapipe as mp
                from mediapipe.tasks.python import BaseOptions
                from mediapipe.tasks.python.vision import (
                    PoseLandmarker,
                    PoseLandmarkerOptions,
                    RunningMode,
                )

                options = PoseLandmarkerOptions(
                    base_options=BaseOptions(model_asset_path=str(model_path)),
                    running_mode=RunningMode.IMAGE if static else RunningMode.VIDEO,
                    num_poses=1,
                    min_pose_detection_confidence=MIN_DETECTION_CONFIDENCE,
                    min_tracking_confidence=MIN_TRACKING_CONFIDENCE)
                self._landmarker = PoseLandmarker.create_from_options(options)
        except (RuntimeError, ValueError, OSError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"pose model {model_path} could not be loaded ({first}); is it a "
                             "MediaPipe pose_landmarker .task file?") from None
        self._mp = mp
        self._static = static
        self._last_ms = -1
        self._path = model_path
        self._quiet_calls = QUIET_FIRST_CALLS

    def _detect(self, image: Any, timestamp_ms: int) -> Any:
        """The landmarker's result for one ``mp.Image``."""
        return self._landmarker.detect(image) if self._static else \
            self._landmarker.detect_for_video(image, timestamp_ms)

    def track(self, image_bgr: ImageBGR, t_s: float) -> PoseFrame | None:
        """Track one BGR image (H, W, 3) uint8 taken at ``t_s`` [s]."""
        rgb = np.ascontiguousarray(cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB))
        timestamp_ms = max(int(round(t_s * 1e3)), self._last_ms + 1)  # must strictly increase
        self._last_ms = timestamp_ms
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=rgb)
        try:
            if self._quiet_calls > 0:  # the first calls start the models (a failing graph
                self._quiet_calls -= 1  # logs its own lines before raising)
                with quiet_c_output():
                    result = self._detect(image, timestamp_ms)
            else:
                result = self._detect(image, timestamp_ms)
        except RuntimeError as exc:  # a .task bundle of other models loads, then fails here
            said = " ".join(str(exc).split())
            last = said if len(said) <= 100 else "..." + said[-100:]
            raise ModelError(f"pose model {self._path} loaded but failed on an image ({last}); "
                             "is it a MediaPipe pose_landmarker .task file (not a face, hand "
                             "or other model)?") from None
        if not result.pose_world_landmarks:
            return None
        return _with_time(_landmark_arrays(result.pose_world_landmarks[0],
                                           result.pose_landmarks[0]
                                           if result.pose_landmarks else None), t_s)

    def close(self) -> None:
        """Release the landmarker (a graph that failed says so again here: already reported)."""
        with quiet_c_output(), contextlib.suppress(RuntimeError):
            self._landmarker.close()


def open_tracker(model_path: Path | None = None, *, static: bool = False) -> Tracker:
    """The default bundled tracker, or the Tasks tracker when ``model_path`` is given.

    ``static``: for unrelated photos, each searched afresh (see the module docstring).
    """
    if model_path is not None:
        return TasksPoseTracker(model_path, static=static)
    return SolutionsPoseTracker(static=static)
