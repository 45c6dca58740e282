"""Retargeting: a tracked person's arms -> the robot's joint targets.

``DirectionRetargeter`` (``ours``) makes the robot's upper-arm and forearm directions equal to the
person's (mirrored in ``mirror`` mode, copied in ``anatomical`` mode; docs/conventions.md) and
turns the forearm and wrist so the hand points and faces like the person's. Directions, not
positions, drive the arm, so the person's size does not matter. Each arm is solved in closed
form (:mod:`mirrorbot.robot.arm_kinematics`); of the two shoulder solutions the one nearest the
previous command within the limits wins, so nothing wraps or flips. Near the two singularities
the ill-defined angle is held and blended back: with the elbow nearly straight the humeral
rotation is undefined, and with the arm straight out sideways flexion and rotation turn about
the same axis.

Every retargeter follows the :class:`Retargeter` protocol; ``--retargeter NAME|module:Class``
chooses one (:mod:`mirrorbot.run.registry`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

from mirrorbot.arrays import FloatArray, IntArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.perception.body_frames import (
    hand_directions,
    limb_directions,
    pose_is_plausible,
    torso_rotation,
)
from mirrorbot.perception.landmarks import ARM_LANDMARKS, HAND_LANDMARKS, PoseFrame, Side
from mirrorbot.robot.arm_kinematics import ArmDirections
from mirrorbot.robot.arm_solver import ArmSolver
from mirrorbot.robot.urdf import RobotModel

MIN_HAND_VISIBILITY = 0.5


class Mapping(enum.Enum):
    """How the person's arms map onto the robot's (docs/conventions.md)."""

    MIRROR = "mirror"
    ANATOMICAL = "anatomical"


def driving_side(robot_side: Side, mode: Mapping) -> Side:
    """Which of the person's arms drives the robot's ``robot_side`` arm."""
    return robot_side.other if mode is Mapping.MIRROR else robot_side


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
    mode: Mapping
    q_rest_rad: FloatArray
    ik: Callable[[str, Vec3], FloatArray] | None = None


class Retargeter(Protocol):
    """Maps a tracked pose to joint targets (n,) [rad] in ``model.actuated`` order."""

    def __call__(self, pose: PoseFrame) -> FloatArray:
        """Joint targets for one (filtered) pose."""
        ...


def person_arm_directions(pose: PoseFrame, person_side: Side, robot_side: Side, mode: Mapping,
                          R_mp_torso: FloatArray | None = None) -> ArmDirections:
    """The person's arm as target directions for the robot's arm, in the left-arm convention.

    Directions are taken in the person's torso frame; mirror mode reflects them (y -> -y) onto
    the other side, anatomical mode copies them; a right robot arm is then reflected into the
    left-arm convention (:mod:`mirrorbot.robot.arm_kinematics`).
    """
    R = torso_rotation(pose.world_m) if R_mp_torso is None else R_mp_torso
    upper, fore, hand, palm, with_hand = _arm_targets(
        pose.world_m, pose.visibility, R, *_ArmPlan.of(person_side, robot_side, mode))
    return ArmDirections(upper, fore, hand if with_hand else None, palm if with_hand else None)


class _ArmPlan(NamedTuple):
    """Landmark indices of the person's arm that drives a robot arm, and the reflection."""

    arm: IntArray  # shoulder, elbow, wrist
    hand: IntArray  # index, pinky, thumb
    palm_sign: float  # +1 for the person's left hand
    reflect: bool  # y -> -y into the robot arm's left-arm convention

    @staticmethod
    def of(person_side: Side, robot_side: Side, mode: Mapping) -> _ArmPlan:
        """The plan for ``robot_side``'s arm driven by ``person_side``'s in ``mode``."""
        # Mirror mode reflects once, a right robot arm once more: two reflections cancel.
        return _ArmPlan(np.array(ARM_LANDMARKS[person_side], dtype=np.int64),
                        np.array(HAND_LANDMARKS[person_side], dtype=np.int64),
                        1.0 if person_side is Side.LEFT else -1.0,
                        (mode is Mapping.MIRROR) != (robot_side is Side.RIGHT))


@kernel
def _arm_targets(world_m: FloatArray, visibility: FloatArray, R: FloatArray, arm: IntArray,
                 hand: IntArray, palm_sign: float, reflect: bool,
                 ) -> tuple[Vec3, Vec3, Vec3, Vec3, bool]:
    """(upper, fore, hand, palm, hand seen) of one arm for the robot, left-arm convention.

    Directions in the person's torso frame ``R`` (3, 3); the hand's are zeros when any of its
    landmarks is seen with less than ``MIN_HAND_VISIBILITY``.
    """
    upper, fore = limb_directions(world_m, arm[0], arm[1], arm[2], R)
    with_hand = min(visibility[hand[0]], visibility[hand[1]], visibility[hand[2]]) \
        >= MIN_HAND_VISIBILITY
    point, palm = hand_directions(world_m, arm[2], hand[0], hand[1], palm_sign, R) \
        if with_hand else (np.zeros(3), np.zeros(3))
    if reflect:
        for v in (upper, fore, point, palm):
            v[1] = -v[1]
    return upper, fore, point, palm, with_hand


class DirectionRetargeter:
    """``ours``: limb directions matched in closed form, both arms, with continuity.

    Args:
        context: The robot, the mapping mode and the rest pose.
    """

    def __init__(self, context: RetargetContext) -> None:
        model = context.model
        self.mode = context.mode
        self.q = context.q_rest_rad.astype(np.float64, copy=True)
        self.index = {side: model.arm_indices(side) for side in Side}
        self.solvers = {side: ArmSolver(model.lower_rad[idx], model.upper_rad[idx],
                                        self.q[idx]) for side, idx in self.index.items()}
        self._plans = {side: _ArmPlan.of(driving_side(side, self.mode), side, self.mode)
                       for side in Side}

    def __call__(self, pose: PoseFrame) -> FloatArray:
        """Joint targets (n,) [rad]; the head is left where it is.

        An implausible body (:func:`mirrorbot.perception.body_frames.pose_is_plausible`) changes
        nothing.
        """
        if not pose_is_plausible(pose.world_m):
            return self.q.copy()
        R = torso_rotation(pose.world_m)
        for robot_side, idx in self.index.items():
            targets = _arm_targets(pose.world_m, pose.visibility, R, *self._plans[robot_side])
            self.q[idx] = self.solvers[robot_side].solve_vectors(*targets)
        return self.q.copy()
