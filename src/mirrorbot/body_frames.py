"""The person's torso frame and arm directions, as pure functions on landmark arrays.

Torso frame (../shared/CONTRACT.md): x out of the chest, y to the person's left, z up, built
from the shoulders and hips. ``R_mp_torso`` has the torso axes as columns in MediaPipe world
axes, so ``v_torso = R_mp_torso.T @ v_mp``.
"""

from __future__ import annotations

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.landmarks import ARM_LANDMARKS, HAND_LANDMARKS, Landmark, Side
from mirrorbot.transforms import cross3, norm3, unit3

MIN_LENGTH_M = 1e-6


def torso_rotation(world_m: FloatArray) -> FloatArray:
    """``R_mp_torso``, (3, 3): the torso axes (columns x, y, z) in MediaPipe world axes.

    Args:
        world_m: World landmarks, (33, 3) [m].
    """
    ls, rs = world_m[Landmark.LEFT_SHOULDER], world_m[Landmark.RIGHT_SHOULDER]
    lh, rh = world_m[Landmark.LEFT_HIP], world_m[Landmark.RIGHT_HIP]
    y = unit3((ls - rs) + (lh - rh), MIN_LENGTH_M)  # toward the person's left
    up = (ls + rs) / 2 - (lh + rh) / 2
    z = unit3(up - np.dot(up, y) * y, MIN_LENGTH_M)
    x = cross3(y, z)  # out of the chest
    return np.array([x, y, z]).T


def torso_origin(world_m: FloatArray) -> Vec3:
    """The torso frame's origin, the mid-point of the shoulders, (3,) [m] in MediaPipe axes."""
    return (world_m[Landmark.LEFT_SHOULDER] + world_m[Landmark.RIGHT_SHOULDER]) / 2


def points_in_torso(world_m: FloatArray) -> FloatArray:
    """All landmarks in the torso frame (origin between the shoulders), (33, 3) [m]."""
    R = torso_rotation(world_m)
    return (world_m - torso_origin(world_m)) @ R


def arm_directions(world_m: FloatArray, side: Side, R_mp_torso: FloatArray | None = None,
                   ) -> tuple[Vec3, Vec3]:
    """Unit upper-arm (shoulder to elbow) and forearm (elbow to wrist) directions, torso frame.

    Args:
        world_m: World landmarks, (33, 3) [m].
        side: The person's arm.
        R_mp_torso: The torso frame when already computed.

    Returns:
        Two (3,) unit vectors in the torso frame.
    """
    R = torso_rotation(world_m) if R_mp_torso is None else R_mp_torso
    s, e, w = (world_m[i] for i in ARM_LANDMARKS[side])
    return R.T @ unit3(e - s, MIN_LENGTH_M), R.T @ unit3(w - e, MIN_LENGTH_M)


def hand_axes(world_m: FloatArray, side: Side, R_mp_torso: FloatArray | None = None,
              ) -> tuple[Vec3, Vec3]:
    """The hand's pointing direction (wrist to knuckles) and palm normal, torso frame.

    The knuckle mid-point is the mean of the index and pinky landmarks. The normal is taken so
    that it points out of the palm for both hands.

    Returns:
        Two (3,) unit vectors in the torso frame.
    """
    R = torso_rotation(world_m) if R_mp_torso is None else R_mp_torso
    w = world_m[ARM_LANDMARKS[side][2]]
    index, pinky, _ = (world_m[i] for i in HAND_LANDMARKS[side])
    point = unit3((index + pinky) / 2 - w, MIN_LENGTH_M)
    across = index - pinky  # toward the thumb side
    sign = 1.0 if side is Side.LEFT else -1.0
    normal = unit3(sign * cross3(point, across), MIN_LENGTH_M)
    return R.T @ point, R.T @ normal


PLAUSIBLE_SHOULDER_WIDTH_M = (0.1, 1.0)
PLAUSIBLE_TORSO_M = (0.1, 1.5)
MIN_LIMB_M = 0.03


def pose_is_plausible(world_m: FloatArray) -> bool:
    """Whether landmarks (33, 3) [m] can be a human body: finite, with a torso of human size.

    Arms may be anywhere (behind the back, through the body): the retargeter and the command
    shaper deal with those. A torso that is not a torso cannot be mirrored.
    """
    if not np.all(np.isfinite(world_m)):
        return False
    ls, rs = world_m[Landmark.LEFT_SHOULDER], world_m[Landmark.RIGHT_SHOULDER]
    lh, rh = world_m[Landmark.LEFT_HIP], world_m[Landmark.RIGHT_HIP]
    width = norm3(ls - rs)
    torso = norm3((ls + rs) / 2 - (lh + rh) / 2)
    return bool(PLAUSIBLE_SHOULDER_WIDTH_M[0] <= width <= PLAUSIBLE_SHOULDER_WIDTH_M[1]
                and PLAUSIBLE_TORSO_M[0] <= torso <= PLAUSIBLE_TORSO_M[1])
