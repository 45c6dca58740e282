"""Whole-body movement: is the person walking or bowing rather than gesturing?

The robot recognises an arm's movement by its own arm primitives; it has none for the arm's
part in moving the whole body. An arm swinging in a walk, or hanging as the trunk bends in a
bow, leaves the shoulder forward or up like the start of a reach, and read by the arm alone it
was taken for one (the Bandai Namco development set: walks and bows drew 150 commitments in 30
clips). While the body moves, the recogniser treats the arms' movement as part of that
(``none``).

Two definitions, from MediaPipe's world landmarks (hip-centred), each independent of how fast
or how big a person is:

- **a step**: the feet move relative to each other (their distance changes by
  :data:`STEP_M` within :data:`STEP_WINDOW_S`; only where both ankles are seen). A walk, a turn
  on the spot and a shuffle step; not a bounce on the knees in a brisk gesture, where both feet
  stay put (those swung the knees at 1.1 m/s, and a knee-speed rule read them as steps).
- **a bow**: the trunk (:func:`mirrorbot.perception.body_frames.torso_rotation`) pitched forward
  by more than :data:`BOW_PITCH_RAD` from the person's usual posture (a slow running mean of the
  trunk's direction while the body is not moving). Leaning back, as in an overhead raise, is not
  one.

- **hands together**: the wrists within :data:`HANDS_TOGETHER` shoulder widths of each other
  (clasped in front, as people hold them before and after a bow, resting together, or holding
  one thing in both hands, a phone or a book): a posture of both hands, not one hand's gesture
  (the actors' clasping read as a reach, a man reading his phone as an offer).

Any of them marks the body as moving; the mark is held :data:`HOLD_S` after, so an arm still
settling from a step is not read as a gesture either.

Also kept: whether the person sits (:attr:`BodyMotion.seated`), from the thighs where the hips
and knees are seen: a standing person's thighs point down along the trunk, a seated person's
forward. Hands resting on the lap are as low as hanging ones; the thighs tell them apart.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.perception.body_frames import torso_rotation
from mirrorbot.perception.landmarks import Landmark

ANKLES = [int(Landmark.LEFT_ANKLE), int(Landmark.RIGHT_ANKLE)]
WRISTS = [int(Landmark.LEFT_WRIST), int(Landmark.RIGHT_WRIST)]
SHOULDERS = [int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)]
HIPS = [int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)]
KNEES = [int(Landmark.LEFT_KNEE), int(Landmark.RIGHT_KNEE)]
SEATED_THIGH_RAD = math.radians(55.0)
"""Thighs this far or more from the trunk's down direction: seated (a chair's 90 deg)."""
STANDING_THIGH_RAD = math.radians(35.0)  # ... this near: standing (between: as it was)
STEP_M = 0.15  # the feet's distance changing this much is a step [m] (a stride changes it 0.5)
STEP_WINDOW_S = 0.5  # ... within this long [s]
BOW_PITCH_RAD = math.radians(15.0)  # a bow: the trunk this far forward of its usual posture
POSTURE_GAIN = 0.02  # per frame: how fast the usual posture follows a still body
HANDS_TOGETHER = 0.6  # wrists nearer than this many shoulder widths are held together
HOLD_S = 0.5  # the body counts as moving this long after it last did [s]
MIN_VISIBILITY = 0.5  # feet seen less than this (under a desk) are not used


def hands_together(world_m: FloatArray) -> bool:
    """Whether the wrists are within :data:`HANDS_TOGETHER` shoulder widths of each other."""
    width = float(np.linalg.norm(world_m[SHOULDERS[0]] - world_m[SHOULDERS[1]]))
    gap = float(np.linalg.norm(world_m[WRISTS[0]] - world_m[WRISTS[1]]))
    return width > 1e-6 and gap < HANDS_TOGETHER * width


def thigh_angle_rad(world_m: FloatArray, visibility: FloatArray,
                    R_mp_torso: FloatArray | None = None) -> float | None:
    """How far forward the thighs are raised from the trunk's down direction [rad].

    The smaller of the two thighs' angles, counted as 0 for a thigh that points back (a
    stride, not a seat). None unless both hips and knees are seen. ``R_mp_torso``: the torso
    frame when already computed.
    """
    if not bool(np.all(visibility[HIPS + KNEES] >= MIN_VISIBILITY)):
        return None
    if R_mp_torso is None:
        R_mp_torso = torso_rotation(world_m)  # columns: forward, left, up
    forward, down = R_mp_torso[:, 0], -R_mp_torso[:, 2]
    angles = []
    for hip, knee in zip(HIPS, KNEES, strict=True):
        thigh = world_m[knee] - world_m[hip]
        length = float(np.linalg.norm(thigh))
        if length < 1e-6:
            return None
        angle = math.acos(min(max(float(thigh @ down) / length, -1.0), 1.0))
        angles.append(angle if float(thigh @ forward) > 0 else 0.0)
    return min(angles)


class BodyMotion:
    """Tracks whether the body (feet, trunk) is moving, frame by frame, and whether it sits.

    Attributes:
        seated: Whether the person sits (from the thighs), or None while the thighs are not
            seen (a camera that shows a person at a desk from the waist up).
    """

    def __init__(self) -> None:
        self._feet: deque[tuple[float, float]] = deque()  # (t [s], the feet's distance [m])
        self._posture: tuple[Vec3, Vec3] | None = None  # usual (up, forward)
        self._moving_until_s = -math.inf
        self.seated: bool | None = None

    def reset(self) -> None:
        """Forget what was seen (the usual posture too)."""
        self._feet.clear()
        self.seated = None
        self._posture = None
        self._moving_until_s = -math.inf

    def __call__(self, world_m: FloatArray, visibility: FloatArray, t_s: float) -> bool:
        """Whether the body moves at ``t_s`` [s], from landmarks (33, 3) [m] and visibility."""
        R_mp_torso = torso_rotation(world_m)  # columns: forward, left, up
        thigh = thigh_angle_rad(world_m, visibility, R_mp_torso)
        if thigh is not None and (thigh >= SEATED_THIGH_RAD or thigh <= STANDING_THIGH_RAD):
            self.seated = thigh >= SEATED_THIGH_RAD
        stepping = self._stepping(world_m, visibility, t_s)
        bowing = self._bowing(R_mp_torso, still=not stepping and t_s > self._moving_until_s)
        if stepping or bowing or hands_together(world_m):
            self._moving_until_s = t_s + HOLD_S
        return t_s <= self._moving_until_s

    def _stepping(self, world_m: FloatArray, visibility: FloatArray, t_s: float) -> bool:
        """Whether the feet's distance changed by :data:`STEP_M` within the window."""
        if bool(np.all(visibility[ANKLES] >= MIN_VISIBILITY)):
            self._feet.append((t_s, float(np.linalg.norm(world_m[ANKLES[0]]
                                                         - world_m[ANKLES[1]]))))
        while self._feet and t_s - self._feet[0][0] > STEP_WINDOW_S:
            self._feet.popleft()
        if len(self._feet) < 2:
            return False
        distances = [d for _, d in self._feet]
        return max(distances) - min(distances) > STEP_M

    def _bowing(self, R_mp_torso: FloatArray, *, still: bool) -> bool:
        """Whether the trunk is pitched forward of the usual posture by a bow's angle.

        ``R_mp_torso``: the trunk's frame (columns: forward, left, up). The usual posture
        follows the trunk while the body is still and upright within half a bow (a person
        settling into a slouch is not bowing).
        """
        forward, up = R_mp_torso[:, 0], R_mp_torso[:, 2]
        if self._posture is None:
            self._posture = (up, forward)
            return False
        usual_up, usual_forward = self._posture
        pitch = math.asin(min(max(float(up @ usual_forward), -1.0), 1.0)) \
            - math.asin(min(max(float(usual_up @ usual_forward), -1.0), 1.0))
        if still and abs(pitch) < BOW_PITCH_RAD / 2:
            new_up = usual_up + POSTURE_GAIN * (up - usual_up)
            new_fw = usual_forward + POSTURE_GAIN * (forward - usual_forward)
            self._posture = (new_up / np.linalg.norm(new_up), new_fw / np.linalg.norm(new_fw))
        return pitch > BOW_PITCH_RAD
