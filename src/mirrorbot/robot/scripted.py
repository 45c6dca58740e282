"""A scripted gesture in the robot's own joint space: the robot waves with its right arm.

This drives the walking skeleton until a person (synthetic or tracked) does: it exercises the
simulator, logging and video path end to end with a motion whose joint angles are known.
"""

from __future__ import annotations

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.compiled import kernel
from mirrorbot.robot.urdf import RobotModel

RAISE_S = 1.0  # duration of raising and of lowering the arm [s]
WAVE_RATE_HZ = 1.4  # side-to-side waves per second
WAVE_AMPLITUDE_RAD = 0.35

# Arms hanging 7 deg out from the body, elbows a little bent (the shoulder's first joint turns
# the arm in the plane between forward and out, so "out" takes both it and the second).
REST_POSE_RAD = {"left_shoulder_flex": 0.085, "right_shoulder_flex": 0.085,
                 "left_shoulder_abd": 0.085, "right_shoulder_abd": 0.085,
                 "left_elbow": 0.25, "right_elbow": 0.25}
WAVE_POSE_RAD = {"right_shoulder_flex": 1.194, "right_shoulder_abd": 0.637,
                 "right_shoulder_rot": 0.913, "right_elbow": 1.45, "head_pan": -0.25}


@kernel
def min_jerk(s: float) -> float:
    """Minimum-jerk profile: 0 at s<=0, 1 at s>=1, zero velocity and acceleration at both ends."""
    s = min(max(s, 0.0), 1.0)
    return s * s * s * (10.0 - 15.0 * s + 6.0 * s * s)


def pose(model: RobotModel, angles_rad: dict[str, float]) -> FloatArray:
    """A full joint vector (n,) [rad] from named angles, zero elsewhere."""
    q = np.zeros(len(model.actuated))
    for name, value in angles_rad.items():
        q[model.index(name)] = value
    return q


def rest_pose(model: RobotModel) -> FloatArray:
    """The robot's relaxed pose: arms hanging, elbows slightly bent, (n,) [rad]."""
    return pose(model, REST_POSE_RAD)


def scripted_wave(model: RobotModel, t_s: float, duration_s: float) -> FloatArray:
    """Joint targets (n,) [rad] at time ``t_s`` of a wave lasting ``duration_s`` seconds.

    Rest for 0.5 s, raise the right hand over 1 s, wave, lower it in the last 1.5 s.
    """
    rest = rest_pose(model)
    up = pose(model, {**REST_POSE_RAD, **WAVE_POSE_RAD})
    lower_start = max(duration_s - 1.5, 0.5 + RAISE_S)
    blend = min_jerk((t_s - 0.5) / RAISE_S) - min_jerk((t_s - lower_start) / RAISE_S)
    q = rest + blend * (up - rest)
    wave = WAVE_AMPLITUDE_RAD * np.sin(2 * np.pi * WAVE_RATE_HZ * max(t_s - 0.5 - RAISE_S, 0.0))
    q[model.index("right_shoulder_rot")] += blend * wave
    return q
