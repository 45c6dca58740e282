"""``naive``: the comparison baseline, what most webcam-to-arm scripts do.

Each frame, the person's wrist position relative to their shoulder is scaled by the ratio of
arm lengths (measured in that frame) and handed to PyBullet's inverse kinematics for the
robot's hand, with no filtering, no joint limits and no collision checks. Only the wrist
position is matched, so elbow and hand orientation are whatever the solver lands on.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.errors import ConfigError
from mirrorbot.perception.body_frames import points_in_torso
from mirrorbot.perception.landmarks import ARM_LANDMARKS, PoseFrame, Side
from mirrorbot.retarget.retarget import Mapping, RetargetContext, driving_side

IkSolver = Callable[[str, Vec3], FloatArray]
"""(link name, target position in the base frame [m]) -> full joint vector [rad]."""


class NaiveRetargeter:
    """Per-frame PyBullet IK to the scaled wrist position (needs ``context.ik``)."""

    def __init__(self, context: RetargetContext, ik: IkSolver | None = None) -> None:
        solver = ik or context.ik
        if solver is None:
            raise ConfigError("the naive retargeter needs the simulator's IK; run it inside "
                              "`mirrorbot run` or `mirrorbot eval retarget`")
        self.ik: IkSolver = solver
        self.mode = context.mode
        self.model = context.model
        self.q = context.q_rest_rad.astype(np.float64, copy=True)
        self.index = {side: self.model.arm_indices(side) for side in Side}

    def __call__(self, pose: PoseFrame) -> FloatArray:
        """Joint targets (n,) [rad]."""
        pts = points_in_torso(pose.world_m)
        for robot_side, idx in self.index.items():
            person_side = driving_side(robot_side, self.mode)
            s, e, w = (pts[i] for i in ARM_LANDMARKS[person_side])
            arm_m = float(np.linalg.norm(e - s) + np.linalg.norm(w - e))
            rel = (w - s) * (self.model.dimensions.arm_m / max(arm_m, 1e-3))
            if self.mode is Mapping.MIRROR:
                rel = rel * np.array([1.0, -1.0, 1.0])
            shoulder = self.model.dimensions.p_base_shoulder(robot_side)
            q_full = self.ik(f"{robot_side.value}_hand", shoulder + rel)
            self.q[idx] = q_full[idx]
        return self.q.copy()
