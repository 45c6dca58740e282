"""Retargeting: a tracked person's arms -> the robot's joint targets.

``DirectionRetargeter`` (``ours``) makes the robot's upper-arm and forearm directions equal to the
person's (mirrored in ``mirror`` mode, copied in ``anatomical`` mode; ../shared/CONTRACT.md) and
turns the forearm and wrist so the hand points and faces like the person's. Directions, not
positions, drive the arm, so the person's size does not matter. Each arm is solved in closed
form (:mod:`mirrorbot.arm_kinematics`); of the two shoulder solutions the one nearest the
previous command within the limits wins, so nothing wraps or flips. Near the two singularities
the ill-defined angle is held and blended back: with the elbow nearly straight the humeral
rotation is undefined, and with the arm straight out sideways flexion and rotation turn about
the same axis.

Every retargeter follows the :class:`Retargeter` protocol; ``--retargeter NAME|module:Class``
chooses one (:mod:`mirrorbot.registry`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from mirrorbot.arm_kinematics import (
    ARM_JOINTS,
    ArmDirections,
    hand_joints,
    hand_rotation,
    shoulder_candidates,
    shoulder_rotation,
)
from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.body_frames import (
    arm_directions,
    hand_axes,
    pose_is_plausible,
    torso_rotation,
)
from mirrorbot.landmarks import HAND_LANDMARKS, PoseFrame, Side
from mirrorbot.transforms import cross3, norm3, ry
from mirrorbot.urdf import RobotModel

STRAIGHT_ELBOW_SIN = (math.sin(math.radians(5.0)), math.sin(math.radians(25.0)))
"""Below the first, the humeral rotation is held (it hardly moves the forearm there); up to the
second it blends back in."""
GIMBAL_COS = (0.05, 0.25)
"""|cos(abduction)| band where flexion is slowed, then blended back in (arm straight sideways)."""
GIMBAL_MIN_GAIN = 0.15
"""In the gimbal band flexion still moves this fraction of the way per frame, so it converges
over a few frames while noise cannot spin it."""
BEYOND_COST = 1000.0
"""A solution within the limits always beats one beyond them; between two beyond them the one
nearer the last command wins, so a pose beyond the limits is clamped rather than reached by
swinging over to the other solution."""
MIN_HAND_VISIBILITY = 0.5


class Mode(enum.Enum):
    """How the person's arms map onto the robot's (../shared/CONTRACT.md)."""

    MIRROR = "mirror"
    ANATOMICAL = "anatomical"


def driving_side(robot_side: Side, mode: Mode) -> Side:
    """Which of the person's arms drives the robot's ``robot_side`` arm."""
    return robot_side.other if mode is Mode.MIRROR else robot_side


@dataclass(frozen=True)
class RetargetContext:
    """What a retargeter is built with.

    Attributes:
        model: The robot.
        mode: Mirror or anatomical.
        q_rest_rad: The robot's rest pose, (n,) [rad].
        ik: The simulator's inverse kinematics (link, base-frame target [m]) -> q [rad], for
            retargeters that use it (``naive``); None where no simulator runs.
    """

    model: RobotModel
    mode: Mode
    q_rest_rad: FloatArray
    ik: Callable[[str, Vec3], FloatArray] | None = None


class Retargeter(Protocol):
    """Maps a tracked pose to joint targets (n,) [rad] in ``model.actuated`` order."""

    def __call__(self, pose: PoseFrame) -> FloatArray:
        """Joint targets for one (filtered) pose."""
        ...


def person_arm_directions(pose: PoseFrame, person_side: Side, robot_side: Side, mode: Mode,
                          R_mp_torso: FloatArray | None = None) -> ArmDirections:
    """The person's arm as target directions for the robot's arm, in the left-arm convention.

    Directions are taken in the person's torso frame; mirror mode reflects them (y -> -y) onto
    the other side, anatomical mode copies them; a right robot arm is then reflected into the
    left-arm convention (:mod:`mirrorbot.arm_kinematics`).
    """
    R = torso_rotation(pose.world_m) if R_mp_torso is None else R_mp_torso
    upper, fore = arm_directions(pose.world_m, person_side, R)
    hand: Vec3 | None = None
    palm: Vec3 | None = None
    if np.min(pose.visibility[list(HAND_LANDMARKS[person_side])]) >= MIN_HAND_VISIBILITY:
        hand, palm = hand_axes(pose.world_m, person_side, R)
    dirs = ArmDirections(upper, fore, hand, palm)
    if mode is Mode.MIRROR:
        dirs = dirs.mirrored()
    return dirs.mirrored() if robot_side is Side.RIGHT else dirs


class ArmSolver:
    """Closed-form, continuity-keeping solution of one arm (left-arm convention).

    Args:
        lower_rad: The arm's 7 lower limits [rad].
        upper_rad: The 7 upper limits [rad].
        q0_rad: The 7 joints to start from [rad].
    """

    def __init__(self, lower_rad: FloatArray, upper_rad: FloatArray, q0_rad: FloatArray) -> None:
        self.lower = lower_rad
        self.upper = upper_rad
        self.q = q0_rad.astype(np.float64, copy=True)

    def _near(self, angles: tuple[float, ...], index: slice) -> FloatArray:
        """Angles unwrapped next to the previous solution."""
        prev = self.q[index]
        d = np.asarray(angles) - prev
        return prev + np.arctan2(np.sin(d), np.cos(d))

    def solve(self, d: ArmDirections) -> FloatArray:
        """The arm's 7 joint targets [rad] for target directions ``d``, clamped to the limits.

        A degenerate direction (zero length: a limb folded onto a point) keeps the last solution.
        """
        n_upper, n_fore = norm3(d.upper), norm3(d.fore)
        if not (n_upper > 1e-6 and n_fore > 1e-6 and math.isfinite(n_upper + n_fore)):
            return self.q.copy()
        u = d.upper / n_upper
        f = d.fore / n_fore
        cos_e = float(np.clip(np.dot(u, f), -1.0, 1.0))
        elbow = math.acos(cos_e)
        sin_e = math.sin(elbow)
        lo, hi = STRAIGHT_ELBOW_SIN
        twist_weight = min(max((sin_e - lo) / (hi - lo), 0.0), 1.0) ** 2
        # The elbow's flexion plane fixes the twist; with a straight elbow any twist will do
        # (it is held below).
        x = (f + cos_e * u) / sin_e if sin_e > 1e-6 else shoulder_rotation(self.q)[:, 0]
        z = -u
        x = x - np.dot(x, z) * z
        if norm3(x) < 1e-6:
            x = cross3(z, np.array([0.0, 1.0, 0.0]))
        x = x / norm3(x)
        R_u = np.array([x, cross3(z, x), z]).T
        shoulder = self._best_shoulder(R_u, twist_weight)
        q = self.q.copy()
        q[0:3] = shoulder
        q[3] = elbow
        q[0:4] = np.clip(q[0:4], self.lower[0:4], self.upper[0:4])
        if d.hand is not None and d.palm is not None and norm3(d.hand) > 1e-6 \
                and norm3(d.palm - np.dot(d.palm, d.hand) * d.hand) > 1e-6:
            R_f0 = shoulder_rotation(q) @ ry(-q[3])
            q[4:7] = self._near(hand_joints(R_f0, hand_rotation(d.hand, d.palm)), slice(4, 7))
        q[4:7] = np.clip(q[4:7], self.lower[4:7], self.upper[4:7])
        self.q = q
        return q.copy()

    def _best_shoulder(self, R_u: FloatArray, twist_weight: float) -> FloatArray:
        """Of the two (flex, abd, rot) solutions, the one within limits nearest the last.

        ``twist_weight`` (0-1) says how well the humeral rotation is defined: with the elbow
        straight it is not, and the rotation stays where it was (it does not move the arm).
        """
        best: FloatArray | None = None
        best_cost = math.inf
        for cand in shoulder_candidates(R_u):
            q = self._near(cand, slice(0, 3))
            q[2] = self.q[2] + twist_weight * (q[2] - self.q[2])
            beyond = np.maximum(self.lower[0:3] - q, 0) + np.maximum(q - self.upper[0:3], 0)
            cost = BEYOND_COST * float(beyond.sum() > 1e-9) + float(np.abs(q - self.q[0:3]).sum())
            if cost < best_cost:
                best, best_cost = q, cost
        assert best is not None
        flex, abd, _ = best
        lo, hi = GIMBAL_COS
        w = min(max((abs(math.cos(abd)) - lo) / (hi - lo), 0.0), 1.0)
        if w < 1.0:  # near the gimbal: flexion follows slowly; abduction and rotation solve
            gain = GIMBAL_MIN_GAIN + (1 - GIMBAL_MIN_GAIN) * w
            flex = self.q[0] + gain * (flex - self.q[0])
            N = ry(flex) @ R_u  # = Rx(abd) Rz(rot)
            abd = math.atan2(-N[1, 2], N[2, 2])
            rot = math.atan2(-N[0, 1], N[0, 0])
            best = np.array([flex, *self._near((abd, rot), slice(1, 3))])
        return best


class DirectionRetargeter:
    """``ours``: limb directions matched in closed form, both arms, with continuity.

    Args:
        context: The robot, the mapping mode and the rest pose.
    """

    def __init__(self, context: RetargetContext) -> None:
        model = context.model
        self.mode = context.mode
        self.q = context.q_rest_rad.astype(np.float64, copy=True)
        self.index = {side: [model.index(f"{side.value}_{j}") for j in ARM_JOINTS]
                      for side in Side}
        self.solvers = {side: ArmSolver(model.lower_rad[idx], model.upper_rad[idx],
                                        self.q[idx]) for side, idx in self.index.items()}

    def __call__(self, pose: PoseFrame) -> FloatArray:
        """Joint targets (n,) [rad]; the head is left where it is.

        An implausible body (:func:`mirrorbot.body_frames.pose_is_plausible`) changes nothing.
        """
        if not pose_is_plausible(pose.world_m):
            return self.q.copy()
        R = torso_rotation(pose.world_m)
        for robot_side, idx in self.index.items():
            person_side = driving_side(robot_side, self.mode)
            dirs = person_arm_directions(pose, person_side, robot_side, self.mode, R)
            self.q[idx] = self.solvers[robot_side].solve(dirs)
        return self.q.copy()
