"""Retargeting: limb directions match, mirror vs anatomical, limits, singularities.

The command shaper that follows it (collisions, braking, following) is tested in test_safety.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from mirrorbot.control.collision_avoidance import collision_model_for
from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark, PoseFrame, Side
from mirrorbot.retarget.retarget import DirectionRetargeter, Mapping, RetargetContext
from mirrorbot.robot.arm_kinematics import directions_from_joints
from mirrorbot.robot.arm_solver import solve_arm
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.synth.synth_body import (
    BodyParams,
    arm_points_from_directions,
    body_points_torso,
    r_mp_torso,
    torso_to_mp,
)
from people import person_for_robot_pose

DIRECTION_TOL_DEG = 1.0
HAND_TOL_DEG = 3.0


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.degrees(np.arccos(np.clip(np.dot(a, b), -1.0, 1.0))))


def _pose(world: np.ndarray) -> PoseFrame:
    return PoseFrame(0.0, world, np.ones(NUM_LANDMARKS), None)


def _arm(model: RobotModel, q: np.ndarray, side: Side) -> np.ndarray:
    return q[model.arm_indices(side)]


@pytest.mark.parametrize("mode", list(Mapping))
def test_random_reachable_poses_are_reproduced(model: RobotModel, mode: Mapping) -> None:
    """Robot joints -> a person in that pose -> retarget -> the same limb directions."""
    rng = np.random.default_rng(0)
    collision = collision_model_for(model)
    checked = 0
    while checked < 40:
        q = rng.uniform(model.lower_rad, model.upper_rad)
        elbows = [q[model.index(f"{s}_elbow")] for s in ("left", "right")]
        if collision.clearance_m(q) < 0.01 or min(elbows) < np.radians(20):
            continue  # reachable and away from the straight-elbow singularity
        checked += 1
        world = person_for_robot_pose(model, q, mode, yaw_rad=float(rng.uniform(-0.5, 0.5)))
        retarget = DirectionRetargeter(RetargetContext(model, mode, rest_pose(model)))
        for _ in range(15):  # a person holding the pose for half a second
            q_out = retarget(_pose(world))
        for side in Side:
            want = directions_from_joints(_arm(model, q, side))
            got = directions_from_joints(_arm(model, q_out, side))
            assert _angle_deg(want.upper, got.upper) < DIRECTION_TOL_DEG
            assert _angle_deg(want.fore, got.fore) < DIRECTION_TOL_DEG
            assert want.hand is not None and got.hand is not None
            assert want.palm is not None and got.palm is not None
            assert _angle_deg(want.hand, got.hand) < HAND_TOL_DEG
            assert _angle_deg(want.palm, got.palm) < HAND_TOL_DEG
        assert np.all(q_out >= model.lower_rad) and np.all(q_out <= model.upper_rad)


def _person(arms: dict[Side, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Landmarks of a standard person with the given (upper, fore) torso-frame directions."""
    params = BodyParams()
    down = np.array([0.0, 0.0, -1.0])
    palm = {Side.LEFT: np.array([0.0, -1.0, 0.0]), Side.RIGHT: np.array([0.0, 1.0, 0.0])}
    laid = {}
    for side in Side:
        upper, fore = arms.get(side, (down, down))
        hand_palm = palm[side] - np.dot(palm[side], fore) * fore
        laid[side] = arm_points_from_directions(params, side, upper, fore, fore, hand_palm)
    return torso_to_mp(body_points_torso(params, laid[Side.LEFT], laid[Side.RIGHT]), params,
                       r_mp_torso(0.0))


@pytest.mark.parametrize(("mode", "raised"),
                         [(Mapping.MIRROR, "left"), (Mapping.ANATOMICAL, "right")])
def test_person_raising_the_right_arm(model: RobotModel, mode: Mapping, raised: str) -> None:
    up = np.array([np.sin(np.radians(160)), 0.0, -np.cos(np.radians(160))])  # 160 deg flexion
    world = _person({Side.RIGHT: (up, up)})
    assert world[Landmark.RIGHT_WRIST, 1] < world[Landmark.RIGHT_SHOULDER, 1]  # image y is down
    q = DirectionRetargeter(RetargetContext(model, mode, rest_pose(model)))(_pose(world))
    lowered = "right" if raised == "left" else "left"
    assert _angle_deg(directions_from_joints(_arm(model, q, Side(raised))).upper, up) < 0.5
    assert directions_from_joints(_arm(model, q, Side(lowered))).upper[2] < -0.99


def test_sideways_reach_mirrors_left_and_right(model: RobotModel) -> None:
    """The person's right arm out to their right -> the robot's left arm out to its left."""
    right = np.array([0.0, -1.0, 0.0])
    world = _person({Side.RIGHT: (right, right)})
    for mode, side, y_sign in ((Mapping.MIRROR, Side.LEFT, 1.0),
                               (Mapping.ANATOMICAL, Side.RIGHT, -1.0)):
        q = DirectionRetargeter(RetargetContext(model, mode, rest_pose(model)))(_pose(world))
        d = directions_from_joints(_arm(model, q, side))
        base_y = d.upper[1] * (1.0 if side is Side.LEFT else -1.0)  # back to base axes
        assert base_y * y_sign > 0.99


def test_pose_beyond_limits_is_clamped_not_wrapped(model: RobotModel) -> None:
    """An arm swung far backward (beyond -57 deg of flexion) stops at the limit."""
    retarget = DirectionRetargeter(RetargetContext(model, Mapping.ANATOMICAL, rest_pose(model)))
    flex = model.index("left_shoulder_flex")
    previous = None
    for angle_deg in np.linspace(-10, -120, 23):
        a = np.radians(angle_deg)
        upper = np.array([np.sin(a), 0.0, -np.cos(a)])  # flexion a about the shoulder
        q = retarget(_pose(_person({Side.LEFT: (upper, upper)})))
        assert model.lower_rad[flex] - 1e-9 <= q[flex] <= model.upper_rad[flex] + 1e-9
        if previous is not None:
            assert q[flex] <= previous + 1e-9  # keeps going down, never wraps to the front
        previous = q[flex]
    assert q[flex] == pytest.approx(model.lower_rad[flex])


@pytest.mark.parametrize("pose_kind", ["straight_down", "straight_elbow_forward"])
def test_shoulder_rotation_does_not_spin_near_singularities(model: RobotModel,
                                                            pose_kind: str) -> None:
    rng = np.random.default_rng(1)
    down = np.array([0.0, 0.0, -1.0])
    forward = np.array([1.0, 0.0, 0.0])
    base = down if pose_kind == "straight_down" else forward
    retarget = DirectionRetargeter(RetargetContext(model, Mapping.ANATOMICAL, rest_pose(model)))
    rot = model.index("left_shoulder_rot")
    values = []
    for _ in range(90):
        upper = base + rng.normal(0, 0.02, 3)
        fore = base + rng.normal(0, 0.02, 3)
        q = retarget(_pose(_person({Side.LEFT: (upper / np.linalg.norm(upper),
                                                fore / np.linalg.norm(fore))})))
        values.append(q[rot])
    steps = np.abs(np.diff(values))
    assert steps.max() < 0.15, f"rotation jumps by {steps.max():.2f} rad"
    assert np.std(values) < 0.2


def test_an_arm_raised_just_past_the_elevation_limit_is_clamped_not_flipped(
        model: RobotModel) -> None:
    """A straight arm raised past the shoulder's elevation limit stays on its branch.

    With the earlier flexion shoulder the other solution (flexion small, abduction large) was
    within the limits and won: the arm swung out sideways and back, 160 degrees, to reach a
    pose 4 degrees away. With the shoulder's first joint in the plane between forward and out,
    the other solution of an arm over the head is beyond the second joint's range: clamped,
    the direction error is the few degrees past the limit, however far past.
    """
    from mirrorbot.robot.arm_solver import ArmSolver

    idx = model.arm_indices(Side.LEFT)
    lower, upper = model.lower_rad[idx], model.upper_rad[idx]
    q_prev = np.array([upper[0] - np.radians(10.0), np.radians(20.0), np.radians(-30.0), 1.0,
                       0.0, 0.0, 0.0])
    for past_deg in (4.0, 30.0):
        beyond = q_prev.copy()
        beyond[0] = upper[0] + np.radians(past_deg)
        q = ArmSolver(lower, upper, q_prev).solve(directions_from_joints(beyond))
        assert abs(q[0] - upper[0]) < 1e-9 and abs(q[1] - q_prev[1]) < np.radians(2.0)
        got, want = directions_from_joints(q), directions_from_joints(beyond)
        assert np.degrees(np.arccos(np.clip(got.upper @ want.upper, -1, 1))) < past_deg + 1.0


def test_an_arm_held_at_its_flexion_limit_behind_comes_up_inside_the_limits(
        model: RobotModel) -> None:
    """A solution one turn away from a limit is taken inside it (flexion -3.11 is 3.17).

    After one bad frame had put the arm at the flexion limit behind the back, the nearest
    turn of both solutions was beyond the limits and the arm stayed there, 106 deg off.
    """
    idx = model.arm_indices(Side.LEFT)
    lower, upper = model.lower_rad[idx].copy(), model.upper_rad[idx].copy()
    q_prev = np.array([lower[0], 0.22, -0.64, 0.57, 0.0, 0.0, 0.0])  # flexion at its limit
    up = np.array([-0.17, 0.13, 0.98])  # the upper arm straight up
    fore = np.array([0.16, -0.32, 0.93])
    q = solve_arm(q_prev, lower, upper, up, fore, np.zeros(3), np.zeros(3), False)
    assert np.all(q >= lower) and np.all(q <= upper)
    d = directions_from_joints(q)
    for got, want in ((d.upper, up), (d.fore, fore)):
        angle = np.degrees(np.arccos(np.clip(got @ want / np.linalg.norm(want), -1, 1)))
        assert angle < 2.0
