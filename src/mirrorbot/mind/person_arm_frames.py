"""The person's hands in their arm frames: the mirror mapping the recogniser reads them in.

Relative to the shoulder, scaled to the robot's arm (by the person's arm length), x forward,
y outward (for both arms: the mirror keeps outward outward), z up, in the person's torso frame
(:func:`mirrorbot.perception.body_frames.points_in_torso`).
"""

from __future__ import annotations

import numpy as np

from mirrorbot.arrays import FloatArray, IntArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.perception.body_frames import points_in_torso
from mirrorbot.perception.landmarks import ARM_LANDMARKS, Landmark, Side
from mirrorbot.robot.urdf_builder import FOREARM_LENGTH_M, UPPER_ARM_LENGTH_M
from mirrorbot.transforms import norm3

ROBOT_ARM_M = UPPER_ARM_LENGTH_M + FOREARM_LENGTH_M

_ARM_POINTS = np.array([[int(i) for i in ARM_LANDMARKS[side]] for side in Side])
"""Shoulder, elbow and wrist landmark of each arm, (2, 3), in ``Side`` order."""


def wrists_in_arm_frames(world_m: FloatArray) -> dict[Side, Vec3]:
    """Each of the person's wrists relative to its shoulder, in its arm frame (3,) [m].

    Scaled to the robot's arm by this frame's :func:`person_scale`; the arm frame is x
    forward, y outward (for both arms), z up.
    """
    rel = _wrists_in_arm_frames(np.ascontiguousarray(world_m, dtype=np.float64), _ARM_POINTS)
    return {side: rel[k] for k, side in enumerate(Side)}


_HAND_TIPS = np.array([[int(Landmark.LEFT_INDEX), int(Landmark.LEFT_PINKY)],
                       [int(Landmark.RIGHT_INDEX), int(Landmark.RIGHT_PINKY)]])
"""Each hand's index and little finger landmarks, (2, 2), in ``Side`` order."""


def wrists_and_hands_in_arm_frames(world_m: FloatArray,
                                   ) -> tuple[dict[Side, Vec3], dict[Side, Vec3]]:
    """Each wrist and each hand's tip (between index and little finger) in its arm frame.

    As :func:`wrists_in_arm_frames`, both from one pass through the torso frame: (wrists, tips)
    by side, (3,) [m] each. A wave made by the hand alone (flapping at the wrist) moves the
    tip, not the wrist.
    """
    rel = _wrists_and_tips(np.ascontiguousarray(world_m, dtype=np.float64), _ARM_POINTS,
                           _HAND_TIPS)
    return ({side: rel[k] for k, side in enumerate(Side)},
            {side: rel[2 + k] for k, side in enumerate(Side)})


def wrist_in_arm_frame(world_m: FloatArray, side: Side, scale: float) -> Vec3:
    """One wrist as in :func:`wrists_in_arm_frames`, scaled by a given ``scale``."""
    rel = _wrists_scaled(np.ascontiguousarray(world_m, dtype=np.float64), _ARM_POINTS, scale)
    return rel[list(Side).index(side)]


def person_scale(world_m: FloatArray) -> float:
    """Robot arm length over the person's (mean of both arms, this frame)."""
    return _person_scale(np.ascontiguousarray(world_m, dtype=np.float64), _ARM_POINTS)


@kernel
def _person_scale(world_m: FloatArray, arm_points: IntArray) -> float:
    """:func:`person_scale` of landmarks (33, 3) [m]; ``arm_points``: :data:`_ARM_POINTS`."""
    total = 0.0
    for a in range(arm_points.shape[0]):
        s, e, w = world_m[arm_points[a, 0]], world_m[arm_points[a, 1]], world_m[arm_points[a, 2]]
        total += norm3(e - s) + norm3(w - e)
    return ROBOT_ARM_M / max(total / arm_points.shape[0], 0.2)


@kernel
def _wrists_scaled(world_m: FloatArray, arm_points: IntArray, scale: float) -> FloatArray:
    """Each wrist in its arm frame (2, 3) [m], ``Side`` order, scaled by ``scale``."""
    pts = points_in_torso(world_m)
    out = np.empty((arm_points.shape[0], 3))
    for a in range(arm_points.shape[0]):
        out[a] = (pts[arm_points[a, 2]] - pts[arm_points[a, 0]]) * scale
    out[1, 1] = -out[1, 1]  # the right arm: outward is +y for both arms
    return out


@kernel
def _wrists_in_arm_frames(world_m: FloatArray, arm_points: IntArray) -> FloatArray:
    """:func:`wrists_in_arm_frames` as (2, 3) [m] in ``Side`` order, in one call."""
    return _wrists_scaled(world_m, arm_points, _person_scale(world_m, arm_points))


@kernel
def _wrists_and_tips(world_m: FloatArray, arm_points: IntArray, tips: IntArray) -> FloatArray:
    """Both wrists then both hand tips in their arm frames, (4, 3) [m], ``Side`` order each."""
    pts = points_in_torso(world_m)
    scale = _person_scale(world_m, arm_points)
    out = np.empty((4, 3))
    for a in range(arm_points.shape[0]):
        shoulder = pts[arm_points[a, 0]]
        out[a] = (pts[arm_points[a, 2]] - shoulder) * scale
        out[2 + a] = ((pts[tips[a, 0]] + pts[tips[a, 1]]) / 2 - shoulder) * scale
    out[1, 1] = -out[1, 1]  # the right arm: outward is +y for both arms
    out[3, 1] = -out[3, 1]
    return out

