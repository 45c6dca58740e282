"""Forward kinematics of a RobotModel in numpy (no pybullet), used by the later stages."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from mirrorbot.arrays import FloatArray, Mat4
from mirrorbot.errors import ModelError
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.transforms import rotation_about_axis


def link_transforms(model: RobotModel, q_rad: FloatArray) -> dict[str, Mat4]:
    """Every link frame in the base frame.

    Args:
        model: The robot.
        q_rad: Joint positions in ``model.actuated`` order, (n,) [rad].

    Returns:
        ``T_base_link`` (4, 4) [m] for every link name, the root included.
    """
    if q_rad.shape != (len(model.actuated),):
        raise ModelError(f"q must have shape ({len(model.actuated)},), got {q_rad.shape}")
    index = {name: i for i, name in enumerate(model.actuated)}
    T_base: dict[str, Mat4] = {model.root: np.eye(4)}
    for joint in model.joints:
        T = T_base[joint.parent] @ joint.T_parent_joint
        if joint.kind == "revolute":
            T = T.copy()
            T[:3, :3] = T[:3, :3] @ rotation_about_axis(joint.axis, float(q_rad[index[joint.name]]))
        T_base[joint.child] = T
    return T_base


def link_positions(model: RobotModel, q_rad: FloatArray, links: Iterable[str]) -> FloatArray:
    """Origins of the named links in the base frame, (k, 3) [m]."""
    T_base = link_transforms(model, q_rad)
    names = list(links)
    missing = [n for n in names if n not in T_base]
    if missing:
        raise ModelError(f"links {missing} do not exist. Available links: {sorted(T_base)}")
    return np.array([T_base[n][:3, 3] for n in names])
