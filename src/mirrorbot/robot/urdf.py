"""Reads a URDF into a small, pybullet-free description of the kinematic tree."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from mirrorbot.arrays import FloatArray, Mat4, Vec3
from mirrorbot.errors import ModelError
from mirrorbot.perception.landmarks import Side
from mirrorbot.transforms import transform_from_xyz_rpy

ARM_JOINTS = ("shoulder_flex", "shoulder_abd", "shoulder_rot", "elbow", "forearm_rot",
              "wrist_flex", "wrist_dev")
"""The joints of each arm, shoulder to hand; in the robot as ``<side>_<joint>``."""
HAND_JOINTS = ARM_JOINTS[4:]  # turned by the hand's points, not the arm's


@dataclass(frozen=True)
class UrdfJoint:
    """One joint of the tree.

    Attributes:
        name: Joint name.
        kind: ``revolute`` or ``fixed`` (the only kinds mirrorbot's robots use).
        parent: Parent link.
        child: Child link.
        T_parent_joint: The joint frame in the parent link frame, (4, 4) [m].
        axis: Unit rotation axis in the joint frame, (3,).
        lower_rad: Lower limit [rad] (0 for fixed joints).
        upper_rad: Upper limit [rad].
        velocity_rad_s: Velocity limit [rad/s].
        effort_nm: Torque limit [N m].
    """

    name: str
    kind: str
    parent: str
    child: str
    T_parent_joint: Mat4
    axis: Vec3
    lower_rad: float
    upper_rad: float
    velocity_rad_s: float
    effort_nm: float


@dataclass(frozen=True, kw_only=True)
class RobotDimensions:
    """The humanoid's dimensions, as its joint origins place them.

    Attributes:
        upper_arm_m: Shoulder to elbow [m].
        forearm_m: Elbow to wrist [m].
        shoulder_half_width_m: Each shoulder joint's centre from the middle [m].
        shoulder_height_m: The shoulder joints' centres above the floor [m].
        neck_height_m: The head's pan axis above the floor [m].
        head_tilt_offset_m: The head's tilt axis above its pan joint [m].
    """

    upper_arm_m: float
    forearm_m: float
    shoulder_half_width_m: float
    shoulder_height_m: float
    neck_height_m: float
    head_tilt_offset_m: float

    @property
    def arm_m(self) -> float:
        """Shoulder to wrist with the elbow straight [m]."""
        return self.upper_arm_m + self.forearm_m

    @property
    def head_pivot_m(self) -> Vec3:
        """Where the head turns (its tilt axis over the neck), base frame (3,) [m]."""
        return np.array([0.0, 0.0, self.neck_height_m + self.head_tilt_offset_m])

    def p_base_shoulder(self, side: Side) -> Vec3:
        """The ``side`` shoulder joint's centre, base frame (3,) [m]."""
        sign = 1.0 if side is Side.LEFT else -1.0
        return np.array([0.0, sign * self.shoulder_half_width_m, self.shoulder_height_m])


@dataclass(frozen=True)
class RobotModel:
    """A robot's kinematic tree, joints sorted parents first.

    Attributes:
        name: The robot's name.
        root: The root link.
        joints: All joints, each after the joint that creates its parent link.
        actuated: Names of the revolute joints, in the order of every ``q`` vector.
        lower_rad: Lower limits of the actuated joints, (n,) [rad].
        upper_rad: Upper limits, (n,) [rad].
        velocity_rad_s: Velocity limits, (n,) [rad/s].
    """

    name: str
    root: str
    joints: tuple[UrdfJoint, ...]
    actuated: tuple[str, ...]
    lower_rad: FloatArray
    upper_rad: FloatArray
    velocity_rad_s: FloatArray

    @property
    def links(self) -> tuple[str, ...]:
        """All link names, root first."""
        return (self.root, *(j.child for j in self.joints))

    def index(self, joint: str) -> int:
        """Position of an actuated joint in ``q``; the error lists the valid names."""
        try:
            return self.actuated.index(joint)
        except ValueError:
            raise ModelError(
                f"joint {joint!r} does not exist. Available joints: {list(self.actuated)}"
            ) from None

    def arm_indices(self, side: Side) -> list[int]:
        """Positions of the ``side`` arm's joints (:data:`ARM_JOINTS` order) in ``q``."""
        return list(self._arm_indices[side])

    def hand_indices(self) -> list[int]:
        """Positions of both arms' hand joints (:data:`HAND_JOINTS`) in ``q``, ascending."""
        return sorted(self.index(f"{side.value}_{j}") for side in Side for j in HAND_JOINTS)

    @cached_property
    def _arm_indices(self) -> dict[Side, tuple[int, ...]]:
        return {side: tuple(self.index(f"{side.value}_{j}") for j in ARM_JOINTS)
                for side in Side}

    @cached_property
    def dimensions(self) -> RobotDimensions:
        """The arms' lengths, the shoulders and the head's pivot, read from the joint origins.

        Raises:
            ModelError: The model lacks a joint that places one of them.
        """
        xyz = {j.name: j.T_parent_joint[:3, 3] for j in self.joints}
        needed = ("left_shoulder_flex", "left_elbow", "left_wrist_flex", "head_pan", "head_tilt")
        missing = [n for n in needed if n not in xyz]
        if missing:
            raise ModelError(f"robot {self.name!r} has no joints {missing}, which place its "
                             f"arms and head. Available joints: {sorted(xyz)}")
        return RobotDimensions(
            upper_arm_m=float(-xyz["left_elbow"][2]),
            forearm_m=float(-xyz["left_wrist_flex"][2]),
            shoulder_half_width_m=float(xyz["left_shoulder_flex"][1]),
            shoulder_height_m=float(xyz["left_shoulder_flex"][2]),
            neck_height_m=float(xyz["head_pan"][2]),
            head_tilt_offset_m=float(xyz["head_tilt"][2]))

    def clamp(self, q_rad: FloatArray) -> FloatArray:
        """Joint positions clamped into the limits, (n,) [rad]."""
        return np.minimum(np.maximum(q_rad, self.lower_rad), self.upper_rad)  # np.clip is slower


def _floats(text: str | None, default: str, count: int, what: str) -> tuple[float, ...]:
    values = tuple(float(v) for v in (text or default).split())
    if len(values) != count:
        raise ModelError(f"{what} needs {count} numbers, got {text!r}")
    return values


def load_robot_model(path: Path) -> RobotModel:
    """Parse a URDF file (revolute and fixed joints) into a RobotModel.

    Raises:
        ModelError: The file is missing, not XML, or uses a joint kind mirrorbot cannot model.
    """
    if not path.is_file():
        raise ModelError(f"robot model {path} does not exist; regenerate it with "
                         "`python -m mirrorbot.robot.urdf_builder models/mirrorbot_humanoid.urdf`")
    try:
        root_el = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ModelError(f"robot model {path} is not valid XML ({exc})") from None
    joints: list[UrdfJoint] = []
    for el in root_el.findall("joint"):
        kind = el.get("type", "")
        name = el.get("name", "?")
        if kind not in ("revolute", "fixed"):
            raise ModelError(f"joint {name!r} in {path} is {kind!r}; only revolute and fixed "
                             "joints are supported")
        origin = el.find("origin")
        xyz = _floats(origin.get("xyz") if origin is not None else None, "0 0 0", 3, name)
        rpy = _floats(origin.get("rpy") if origin is not None else None, "0 0 0", 3, name)
        axis_el = el.find("axis")
        axis = np.array(_floats(axis_el.get("xyz") if axis_el is not None else None,
                                "1 0 0", 3, name))
        limit = el.find("limit")
        lim = {k: float(limit.get(k, "0")) for k in ("lower", "upper", "velocity", "effort")} \
            if limit is not None else dict.fromkeys(("lower", "upper", "velocity", "effort"), 0.0)
        parent_el, child_el = el.find("parent"), el.find("child")
        if parent_el is None or child_el is None:
            raise ModelError(f"joint {name!r} in {path} lacks a parent or child link")
        joints.append(UrdfJoint(
            name=name, kind=kind, parent=parent_el.get("link", ""),
            child=child_el.get("link", ""), T_parent_joint=transform_from_xyz_rpy(xyz, rpy),
            axis=axis / np.linalg.norm(axis), lower_rad=lim["lower"], upper_rad=lim["upper"],
            velocity_rad_s=lim["velocity"], effort_nm=lim["effort"]))
    children = {j.child for j in joints}
    roots = [el.get("name", "") for el in root_el.findall("link")
             if el.get("name") not in children]
    if len(roots) != 1:
        raise ModelError(f"robot model {path} must have exactly one root link, found {roots}")
    ordered: list[UrdfJoint] = []
    known = {roots[0]}
    pending = list(joints)
    while pending:
        ready = [j for j in pending if j.parent in known]
        if not ready:
            raise ModelError(f"robot model {path} has joints whose parents never appear: "
                             f"{[j.name for j in pending]}")
        for j in ready:
            ordered.append(j)
            known.add(j.child)
            pending.remove(j)
    # The actuated order is the file's order, which the session log's "joints" list repeats.
    actuated = [j for j in joints if j.kind == "revolute"]
    return RobotModel(
        name=root_el.get("name", "robot"), root=roots[0], joints=tuple(ordered),
        actuated=tuple(j.name for j in actuated),
        lower_rad=np.array([j.lower_rad for j in actuated]),
        upper_rad=np.array([j.upper_rad for j in actuated]),
        velocity_rad_s=np.array([j.velocity_rad_s for j in actuated]),
    )
