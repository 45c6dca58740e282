"""MediaPipe's 33 pose landmarks and the :class:`PoseFrame` that carries them between stages.

World landmarks follow MediaPipe: metres, origin between the hips, image axes (x to the image's
right, y down, z away from the camera). Image landmarks are normalised (u, v) in [0, 1] of the
image width and height.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.errors import SourceError

NUM_LANDMARKS = 33
MAX_ABS_WORLD_M = 100.0  # world landmarks are metres from the hips: anything further is junk
MAX_ABS_IMAGE = 100.0  # image landmarks are normalised: 0..1 in view, a little outside allowed


class Landmark(enum.IntEnum):
    """Indices of MediaPipe BlazePose's 33 landmarks ("left" is the person's left)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


class Side(enum.Enum):
    """A body side, anatomical (the person's or the robot's own left or right)."""

    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        """The opposite side."""
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


ARM_LANDMARKS: dict[Side, tuple[Landmark, Landmark, Landmark]] = {
    Side.LEFT: (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    Side.RIGHT: (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
}
HAND_LANDMARKS: dict[Side, tuple[Landmark, Landmark, Landmark]] = {
    Side.LEFT: (Landmark.LEFT_INDEX, Landmark.LEFT_PINKY, Landmark.LEFT_THUMB),
    Side.RIGHT: (Landmark.RIGHT_INDEX, Landmark.RIGHT_PINKY, Landmark.RIGHT_THUMB),
}

# Connections drawn as the skeleton (a subset of MediaPipe's POSE_CONNECTIONS).
SKELETON_EDGES: tuple[tuple[Landmark, Landmark], ...] = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_HIP), (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
    (Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW), (Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST),
    (Landmark.RIGHT_SHOULDER, Landmark.RIGHT_ELBOW),
    (Landmark.RIGHT_ELBOW, Landmark.RIGHT_WRIST),
    (Landmark.LEFT_WRIST, Landmark.LEFT_INDEX), (Landmark.LEFT_WRIST, Landmark.LEFT_PINKY),
    (Landmark.LEFT_WRIST, Landmark.LEFT_THUMB), (Landmark.LEFT_INDEX, Landmark.LEFT_PINKY),
    (Landmark.RIGHT_WRIST, Landmark.RIGHT_INDEX), (Landmark.RIGHT_WRIST, Landmark.RIGHT_PINKY),
    (Landmark.RIGHT_WRIST, Landmark.RIGHT_THUMB), (Landmark.RIGHT_INDEX, Landmark.RIGHT_PINKY),
    (Landmark.LEFT_HIP, Landmark.LEFT_KNEE), (Landmark.LEFT_KNEE, Landmark.LEFT_ANKLE),
    (Landmark.RIGHT_HIP, Landmark.RIGHT_KNEE), (Landmark.RIGHT_KNEE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_EAR, Landmark.LEFT_EYE), (Landmark.LEFT_EYE, Landmark.NOSE),
    (Landmark.NOSE, Landmark.RIGHT_EYE), (Landmark.RIGHT_EYE, Landmark.RIGHT_EAR),
)


@dataclass(frozen=True)
class PoseFrame:
    """One tracked body.

    Attributes:
        t_s: Time since the first frame of the source [s].
        world_m: World landmarks, (33, 3) [m], MediaPipe axes, hip-centred.
        visibility: Per-landmark confidence that the point is visible, (33,) in [0, 1].
        image_uv: Normalised image landmarks, (33, 2), or None when the source has no image.
    """

    t_s: float
    world_m: FloatArray
    visibility: FloatArray
    image_uv: FloatArray | None = None


def check_pose_arrays(world_m: object, visibility: object, image_uv: object | None,
                      where: str) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Validate landmark arrays from outside (a file, a student's tracker).

    Returns:
        The arrays as float64 with shapes (33, 3), (33,), (33, 2) or None.

    Raises:
        SourceError: A shape is wrong or a value is NaN or infinite; the message says which.
    """
    try:
        world = np.asarray(world_m, dtype=np.float64)
        vis = np.asarray(visibility, dtype=np.float64)
        uv = None if image_uv is None else np.asarray(image_uv, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise SourceError(f"{where}: landmarks are not arrays of numbers") from None
    if world.shape != (NUM_LANDMARKS, 3):
        raise SourceError(f"{where}: world landmarks must have shape (33, 3), got {world.shape}")
    if vis.shape != (NUM_LANDMARKS,):
        raise SourceError(f"{where}: visibility must have 33 values, got shape {vis.shape}")
    if uv is not None and uv.shape != (NUM_LANDMARKS, 2):
        raise SourceError(f"{where}: image landmarks must have shape (33, 2), got {uv.shape}")
    for name, arr in (("world", world), ("visibility", vis), ("image", uv)):
        if arr is not None and not np.all(np.isfinite(arr)):
            raise SourceError(f"{where}: {name} landmarks contain NaN or infinite values")
    for name, arr, bound in (("world", world, MAX_ABS_WORLD_M), ("image", uv, MAX_ABS_IMAGE)):
        if arr is not None and np.any(np.abs(arr) > bound):
            raise SourceError(f"{where}: {name} landmarks hold a value of "
                              f"{float(np.max(np.abs(arr))):.3g}, beyond the {bound:g} a "
                              "person in view can have")
    return world, np.clip(vis, 0.0, 1.0), uv
