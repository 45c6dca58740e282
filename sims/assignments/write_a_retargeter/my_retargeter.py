"""Starter for the retargeter assignment (see TASK.md): the person's arms -> robot joint angles.

Score it (from the project's root)::

    .venv/bin/mirrorbot eval retarget \
        --retargeter sims/assignments/write_a_retargeter/my_retargeter.py:MyRetargeter
"""

from __future__ import annotations

import math

import numpy as np

from mirrorbot import PoseFrame, RetargetContext, Side, driving_side, person_arm_directions


class MyRetargeter:
    """Shoulder flexion and abduction from the upper arm, elbow from the angle between limbs.

    Args:
        context: The robot (``context.model``: joint names, limits), the mapping mode (mirror
            or anatomical) and the rest pose (n,) [rad].
    """

    def __init__(self, context: RetargetContext) -> None:
        self.mode = context.mode
        self.lower, self.upper = context.model.lower_rad, context.model.upper_rad
        self.q = context.q_rest_rad.copy()
        self.index = {side: context.model.arm_indices(side) for side in Side}

    def __call__(self, pose: PoseFrame) -> np.ndarray:
        """Joint targets (n,) [rad] in ``context.model.actuated`` order."""
        for robot_side, idx in self.index.items():
            person_side = driving_side(robot_side, self.mode)
            # Unit vectors in the left-arm convention of mirrorbot.robot.arm_kinematics: x forward,
            # y outward (away from the body), z up; zero pose = arm hanging down.
            dirs = person_arm_directions(pose, person_side, robot_side, self.mode)
            u, f = dirs.upper, dirs.fore
            # With no humeral rotation and NO shoulder plane (wrong for this robot: its first joint
            # raises the arm 45 deg between forward and out, docs/robot.md), upper would be
            # (sin(flex) cos(abd), sin(abd), -cos(flex) cos(abd)).
            abd = math.asin(float(np.clip(u[1], -1.0, 1.0)))
            flex = math.atan2(float(u[0]), float(-u[2]))
            elbow = math.acos(float(np.clip(np.dot(u, f), -1.0, 1.0)))
            # TODO: the shoulder plane: solve flex and abd in the plane's axes (Rz(-45 deg) u).
            # TODO: the humeral rotation (q[2]) decides which way the elbow bends; without it
            # the forearm points the wrong way whenever the elbow is bent sideways.
            # TODO: arm straight down or fully stretched (singular): keep the rotation steady.
            # TODO: forearm rotation and the wrist from dirs.hand and dirs.palm (may be None).
            q7 = np.array([flex, abd, 0.0, elbow, 0.0, 0.0, 0.0])
            self.q[idx] = np.clip(q7, self.lower[idx], self.upper[idx])  # clamp, never wrap
        return self.q.copy()
