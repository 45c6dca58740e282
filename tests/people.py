"""A minimal hand-built person in MediaPipe world landmarks, for tests of pure functions.

Points are placed in a torso frame (x out of the chest, y to the person's left, z up, origin
between the shoulders) and mapped to MediaPipe axes for a person facing the camera (x right,
y down, z away from the camera), optionally turned by ``yaw_rad`` about the vertical.
"""

from __future__ import annotations

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark, Side
from mirrorbot.retarget.retarget import Mapping, driving_side
from mirrorbot.robot.arm_kinematics import directions_from_joints
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.synth.synth_body import (
    R_MP_TORSO_FACING,
    BodyParams,
    arm_points_from_directions,
    body_points_torso,
    r_mp_torso,
    torso_to_mp,
)
from mirrorbot.transforms import ry


def person(upper_arm_dir: dict[str, FloatArray] | None = None,
           forearm_dir: dict[str, FloatArray] | None = None, yaw_rad: float = 0.0,
           ) -> FloatArray:
    """33 world landmarks (33, 3) [m]; arm directions are unit vectors in the torso frame."""
    down = np.array([0.0, 0.0, -1.0])
    ua = {"left": down, "right": down, **(upper_arm_dir or {})}
    fa = {"left": down, "right": down, **(forearm_dir or {})}
    p = np.zeros((NUM_LANDMARKS, 3))
    p[Landmark.LEFT_SHOULDER] = [0, 0.18, 0]
    p[Landmark.RIGHT_SHOULDER] = [0, -0.18, 0]
    p[Landmark.LEFT_HIP] = [0, 0.1, -0.5]
    p[Landmark.RIGHT_HIP] = [0, -0.1, -0.5]
    for side, sign in (("left", 1.0), ("right", -1.0)):
        s = p[Landmark[f"{side.upper()}_SHOULDER"]]
        e = s + 0.28 * np.asarray(ua[side])
        w = e + 0.26 * np.asarray(fa[side])
        p[Landmark[f"{side.upper()}_ELBOW"]] = e
        p[Landmark[f"{side.upper()}_WRIST"]] = w
        f = np.asarray(fa[side])
        p[Landmark[f"{side.upper()}_INDEX"]] = w + 0.08 * f + sign * 0.02 * np.array([0, 1, 0])
        p[Landmark[f"{side.upper()}_PINKY"]] = w + 0.07 * f - sign * 0.02 * np.array([0, 1, 0])
        p[Landmark[f"{side.upper()}_THUMB"]] = w + 0.04 * f + sign * 0.04 * np.array([0, 1, 0])
    p[Landmark.NOSE] = [0.08, 0, 0.2]
    hips_mid = (p[Landmark.LEFT_HIP] + p[Landmark.RIGHT_HIP]) / 2
    return ((p - hips_mid) @ R_MP_TORSO_FACING.T) @ ry(yaw_rad).T  # yaw about the vertical


def person_for_robot_pose(model: RobotModel, q_rad: FloatArray, mode: Mapping,
                          yaw_rad: float = 0.0) -> FloatArray:
    """World landmarks (33, 3) of a person whose arms the robot pose ``q_rad`` copies in ``mode``.

    The robot arm's directions (from closed-form FK) are mapped back through the contract's
    mapping into the person's torso frame and laid out with a standard body.
    """
    params = BodyParams()
    arms = {}
    for robot_side in Side:
        idx = model.arm_indices(robot_side)
        d = directions_from_joints(q_rad[idx])  # left-arm convention
        if robot_side is Side.RIGHT:
            d = d.mirrored()  # base frame
        if mode is Mapping.MIRROR:
            d = d.mirrored()  # person's torso frame
        person_side = driving_side(robot_side, mode)
        arms[person_side] = arm_points_from_directions(params, person_side, d.upper, d.fore,
                                                       d.hand, d.palm)
    points = body_points_torso(params, arms[Side.LEFT], arms[Side.RIGHT])
    return torso_to_mp(points, params, r_mp_torso(yaw_rad))


def from_flexion_shoulder(model: RobotModel, q_old: FloatArray,
                          sides: tuple[Side, ...] = (Side.LEFT, Side.RIGHT)) -> FloatArray:
    """A joint vector (n,) written for the robot's earlier shoulder, as the same pose now.

    Earlier the shoulder was ``Ry(-flex) Rx(abd) Rz(rot)`` (flexion straight forward); now its
    first joint turns in the plane between forward and out (docs/robot.md). The upper arm's
    frame is kept exactly, so every link is where it was; the other joints (and the arms not
    in ``sides``) are unchanged.
    """
    from mirrorbot.robot.arm_kinematics import shoulder_candidates

    q = np.asarray(q_old, dtype=np.float64).copy()
    for side in sides:
        idx = model.arm_indices(side)[:3]  # the shoulder's joints
        f, a, r = q[idx]
        R_old = ry(-f) @ _rx(a) @ _rz(r)
        q[idx] = shoulder_candidates(np.ascontiguousarray(R_old))[0]
    return q


def _rx(a: float) -> FloatArray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def _rz(a: float) -> FloatArray:
    c, s = np.cos(a), np.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
