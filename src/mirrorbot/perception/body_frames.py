"""The person's torso frame and arm directions, as pure functions on landmark arrays.

Torso frame (docs/conventions.md): x out of the chest, y to the person's left, z up, built
from the shoulders and hips. ``R_mp_torso`` has the torso axes as columns in MediaPipe world
axes, so ``v_torso = R_mp_torso.T @ v_mp``.
"""

from __future__ import annotations

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.perception.landmarks import ARM_LANDMARKS, HAND_LANDMARKS, Landmark, Side
from mirrorbot.transforms import cross3, dot3, from_columns, norm3, rotate_back3, unit3

MIN_LENGTH_M = 1e-6
_LS, _RS = int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)
_LH, _RH = int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)


@kernel
def torso_rotation(world_m: FloatArray) -> FloatArray:
    """``R_mp_torso``, (3, 3): the torso axes (columns x, y, z) in MediaPipe world axes.

    Args:
        world_m: World landmarks, (33, 3) [m].
    """
    ls, rs, lh, rh = world_m[_LS], world_m[_RS], world_m[_LH], world_m[_RH]
    y = unit3((ls - rs) + (lh - rh), MIN_LENGTH_M)  # toward the person's left
    up = (ls + rs) / 2 - (lh + rh) / 2
    z = unit3(up - dot3(up, y) * y, MIN_LENGTH_M)
    return from_columns(cross3(y, z), y, z)  # x out of the chest


@kernel
def torso_origin(world_m: FloatArray) -> Vec3:
    """The torso frame's origin, the mid-point of the shoulders, (3,) [m] in MediaPipe axes."""
    return (world_m[_LS] + world_m[_RS]) / 2


@kernel
def points_in_torso(world_m: FloatArray) -> FloatArray:
    """All landmarks in the torso frame (origin between the shoulders), (33, 3) [m]."""
    R = torso_rotation(world_m)
    origin = torso_origin(world_m)
    out = np.empty(world_m.shape)
    for k in range(world_m.shape[0]):
        out[k] = rotate_back3(R, world_m[k] - origin)
    return out


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
    s, e, w = ARM_LANDMARKS[side]
    return limb_directions(world_m, int(s), int(e), int(w), R)


@kernel
def limb_directions(world_m: FloatArray, s: int, e: int, w: int, R: FloatArray,
                    ) -> tuple[Vec3, Vec3]:
    """:func:`arm_directions` by landmark index: shoulder ``s``, elbow ``e``, wrist ``w``."""
    return (rotate_back3(R, unit3(world_m[e] - world_m[s], MIN_LENGTH_M)),
            rotate_back3(R, unit3(world_m[w] - world_m[e], MIN_LENGTH_M)))


def hand_axes(world_m: FloatArray, side: Side, R_mp_torso: FloatArray | None = None,
              ) -> tuple[Vec3, Vec3]:
    """The hand's pointing direction (wrist to knuckles) and palm normal, torso frame.

    The knuckle mid-point is the mean of the index and pinky landmarks. The normal is taken so
    that it points out of the palm for both hands.

    Returns:
        Two (3,) unit vectors in the torso frame.
    """
    R = torso_rotation(world_m) if R_mp_torso is None else R_mp_torso
    index, pinky, _ = HAND_LANDMARKS[side]
    return hand_directions(world_m, int(ARM_LANDMARKS[side][2]), int(index), int(pinky),
                           1.0 if side is Side.LEFT else -1.0, R)


@kernel
def hand_directions(world_m: FloatArray, w: int, index: int, pinky: int, sign: float,
                    R: FloatArray) -> tuple[Vec3, Vec3]:
    """:func:`hand_axes` by landmark index; ``sign`` is +1 for the left hand, -1 the right."""
    point = unit3((world_m[index] + world_m[pinky]) / 2 - world_m[w], MIN_LENGTH_M)
    across = world_m[index] - world_m[pinky]  # toward the thumb side
    normal = unit3(sign * cross3(point, across), MIN_LENGTH_M)
    return rotate_back3(R, point), rotate_back3(R, normal)


PLAUSIBLE_SHOULDER_WIDTH_M = (0.1, 1.0)
PLAUSIBLE_TORSO_M = (0.1, 1.5)


@kernel
def pose_is_plausible(world_m: FloatArray) -> bool:
    """Whether landmarks (33, 3) [m] can be a human body: finite, with a torso of human size.

    Arms may be anywhere (behind the back, through the body): the retargeter and the command
    shaper deal with those. A torso that is not a torso cannot be mirrored.
    """
    if not np.all(np.isfinite(world_m)):
        return False
    ls, rs, lh, rh = world_m[_LS], world_m[_RS], world_m[_LH], world_m[_RH]
    width = norm3(ls - rs)
    torso = norm3((ls + rs) / 2 - (lh + rh) / 2)
    return (PLAUSIBLE_SHOULDER_WIDTH_M[0] <= width <= PLAUSIBLE_SHOULDER_WIDTH_M[1]
                and PLAUSIBLE_TORSO_M[0] <= torso <= PLAUSIBLE_TORSO_M[1])
