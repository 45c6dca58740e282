"""Closed-form kinematics of one robot arm in directions: joints <-> limb and hand directions.

All in the **left-arm convention**: vectors in the robot base frame's axes (x forward, y left,
z up). The right arm's axes are the left arm's mirrored through the x-z plane, so the same
joint angles give the mirrored pose: solve the right arm by mirroring its targets (y -> -y).

Chain (docs/robot.md): ``R_base_upperarm = Rz(p) Ry(-flex) Rx(abd) Rz(rot) Rz(-p)`` with the
shoulder plane ``p`` (:data:`SHOULDER_PLANE_RAD`, the arm rises between forward and out), forearm
``R_upperarm_forearm = Ry(-elbow) Rz(-pronation)``, hand ``Rx(-wrist_flex) Ry(wrist_dev)``.
In the zero pose the arm hangs down (-z), the palm faces the body (-y) and the thumb points
forward (+x).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.robot.urdf_builder import SHOULDER_PLANE_RAD
from mirrorbot.transforms import cross3, dot3, from_columns, matmul3, norm3

DOWN = np.array([0.0, 0.0, -1.0])
PALM_ZERO = np.array([0.0, -1.0, 0.0])
MIRROR = np.array([1.0, -1.0, 1.0])


@kernel
def wrap(a: float) -> float:
    """An angle wrapped to (-pi, pi]."""
    return math.atan2(math.sin(a), math.cos(a))


@dataclass(frozen=True)
class ArmDirections:
    """Limb and hand directions of one arm (unit vectors, left-arm convention).

    Attributes:
        upper: Shoulder to elbow (3,).
        fore: Elbow to wrist (3,).
        hand: Wrist to knuckles (3,), or None when unknown.
        palm: Out of the palm (3,), or None when unknown.
    """

    upper: Vec3
    fore: Vec3
    hand: Vec3 | None = None
    palm: Vec3 | None = None

    def mirrored(self) -> ArmDirections:
        """The same directions reflected through the x-z plane."""
        return ArmDirections(self.upper * MIRROR, self.fore * MIRROR,
                             None if self.hand is None else self.hand * MIRROR,
                             None if self.palm is None else self.palm * MIRROR)


@kernel
def _plane_turn(R: FloatArray, sign: float) -> FloatArray:
    """``Rz(sign p) R Rz(-sign p)`` with the shoulder plane p (3, 3)."""
    c, s = math.cos(SHOULDER_PLANE_RAD), sign * math.sin(SHOULDER_PLANE_RAD)
    Z = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
    return matmul3(matmul3(Z, R), Z.T)


@kernel
def shoulder_rotation(q7: FloatArray) -> FloatArray:
    """``R_base_upperarm = Rz(p) Ry(-flex) Rx(abd) Rz(rot) Rz(-p)`` (3, 3) of arm joints (7,)."""
    ca, sa = math.cos(-q7[0]), math.sin(-q7[0])
    cb, sb = math.cos(q7[1]), math.sin(q7[1])
    cg, sg = math.cos(q7[2]), math.sin(q7[2])
    return _plane_turn(np.array([[ca * cg + sa * sb * sg, -ca * sg + sa * sb * cg, sa * cb],
                                 [cb * sg, cb * cg, -sb],
                                 [-sa * cg + ca * sb * sg, sa * sg + ca * sb * cg, ca * cb]]),
                       1.0)


@kernel
def gimbal_frame(R: FloatArray) -> FloatArray:
    """``R_base_upperarm`` in the shoulder plane's axes: ``Ry(-flex) Rx(abd) Rz(rot)``."""
    return _plane_turn(R, -1.0)


@kernel
def _elbow_forearm(elbow: float, pronation: float) -> FloatArray:
    """``Ry(-elbow) Rz(-pronation)`` (3, 3)."""
    ce, se = math.cos(-elbow), math.sin(-elbow)
    cp, sp = math.cos(-pronation), math.sin(-pronation)
    return np.array([[ce * cp, -ce * sp, se], [sp, cp, 0.0], [-se * cp, se * sp, ce]])


@kernel
def _wrist(flex: float, dev: float) -> FloatArray:
    """``Rx(-flex) Ry(dev)`` (3, 3)."""
    cf, sf = math.cos(-flex), math.sin(-flex)
    cd, sd = math.cos(dev), math.sin(dev)
    return np.array([[cd, 0.0, sd], [sf * sd, cf, -sf * cd], [-cf * sd, sf, cf * cd]])


@kernel
def arm_frames(q7: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Upper arm, forearm and hand rotations in the base axes, each (3, 3)."""
    R_u = shoulder_rotation(q7)
    R_f = matmul3(R_u, _elbow_forearm(q7[3], q7[4]))
    R_h = matmul3(R_f, _wrist(q7[5], q7[6]))
    return R_u, R_f, R_h


def directions_from_joints(q7: FloatArray) -> ArmDirections:
    """Forward kinematics in directions: arm joints (7,) [rad] -> ArmDirections."""
    R_u, R_f, R_h = arm_frames(q7)
    return ArmDirections(R_u @ DOWN, R_f @ DOWN, R_h @ DOWN, R_h @ PALM_ZERO)


@kernel
def _euler_yxz(R: FloatArray) -> tuple[float, float, float]:
    """(alpha, beta, gamma) with ``R = Ry(alpha) Rx(beta) Rz(gamma)``, beta in [-pi/2, pi/2]."""
    beta = math.asin(max(-1.0, min(1.0, -R[1, 2])))
    alpha = math.atan2(R[0, 2], R[2, 2])
    gamma = math.atan2(R[1, 0], R[1, 1])
    return alpha, beta, gamma


@kernel
def shoulder_candidates(R: FloatArray) -> FloatArray:
    """Both (flex, abd, rot) solutions of ``R_base_upperarm``, (2, 3) [rad] in (-pi, pi]."""
    a, b, g = _euler_yxz(gimbal_frame(R))
    out = np.empty((2, 3))
    out[0, 0], out[0, 1], out[0, 2] = -a, b, g
    out[1, 0], out[1, 1], out[1, 2] = wrap(-(a + math.pi)), wrap(math.pi - b), wrap(g + math.pi)
    return out


@kernel
def hand_joints(R_forearm: FloatArray, R_hand: FloatArray) -> tuple[float, float, float]:
    """(pronation, wrist_flex, wrist_dev) [rad] so that the hand frame is ``R_hand``.

    ``R_forearm`` is the forearm frame before pronation (after the elbow).
    """
    M = matmul3(R_forearm.T, R_hand)  # = Rz(-pro) Rx(-flex) Ry(dev)
    b = math.asin(max(-1.0, min(1.0, M[2, 1])))
    c = math.atan2(-M[2, 0], M[2, 2])
    a = math.atan2(-M[0, 1], M[1, 1])
    return -a, -b, c


@kernel
def hand_rotation(hand: Vec3, palm: Vec3) -> FloatArray:
    """The hand frame (3, 3) whose -z is ``hand`` and -y is ``palm`` (made orthogonal)."""
    z = -hand / norm3(hand)
    y = -(palm - dot3(palm, z) * z)
    y = y / max(norm3(y), 1e-12)
    return from_columns(cross3(y, z), y, z)
