"""Retargeting: limb directions match, mirror vs anatomical, limits, singularities, collisions."""

from __future__ import annotations

import numpy as np
import pytest

from mirrorbot.control.collision_avoidance import collision_model_for
from mirrorbot.control.safety import CommandShaper
from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark, PoseFrame, Side
from mirrorbot.retarget.retarget import DirectionRetargeter, Mapping, RetargetContext
from mirrorbot.robot.arm_kinematics import directions_from_joints
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.synth.synth_body import (
    BodyParams,
    arm_points_from_directions,
    body_points_torso,
    r_mp_torso,
    torso_to_mp,
)
from people import from_flexion_shoulder, person_for_robot_pose

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


def test_arm_driven_into_the_torso_stops_at_contact_distance(model: RobotModel, sim) -> None:  # noqa: ANN001
    """Commands that sweep the forearm through the chest stop short of it.

    The target inside the chest is replaced by the nearest configuration outside it (the
    push-out, which the box's signed depth gives a way out), or the arm brakes at contact.
    """
    collision = collision_model_for(model)
    q0 = rest_pose(model)
    shaper = CommandShaper(model, q0, collision=collision)
    target = q0.copy()
    target[model.index("left_shoulder_flex")] = 0.6
    target[model.index("left_shoulder_rot")] = -1.3  # internal rotation: forearm into the body
    target[model.index("left_elbow")] = 1.6
    target[model.index("left_shoulder_abd")] = -0.3
    target = from_flexion_shoulder(model, target, (Side.LEFT,))
    assert collision.clearance_m(model.clamp(target)) < 0
    q = q0
    for _ in range(120):
        q = shaper(target, 1 / 30)
        assert collision.clearance_m(q) >= 0.0
    assert shaper.blocked or shaper.pushed_out
    assert collision.clearance_m(q) < 0.02  # stopped at contact distance, not far away
    sim.reset(q)
    assert not [c for c in sim.self_contacts() if c[2] < 0]


def test_braking_for_a_collision_near_a_joint_limit_keeps_the_acceleration_limit(
        model: RobotModel) -> None:
    """Braking stops a joint at its position limit within the acceleration limit.

    The soak's last acceleration violations: an elbow braked for a looming contact while
    straightening toward its limit overshot it, and the clamp stopped it at once.
    """
    shaper = CommandShaper(model, rest_pose(model))
    elbow = model.index("left_elbow")
    shaper.q[elbow] = model.lower_rad[elbow] + 0.04  # nearly straight
    shaper.v[elbow] = -2.1  # straightening fast [rad/s]
    shaper.v[model.index("left_forearm_rot")] = 4.0  # faster still: it sets the common braking
    dt = 1.0 / 30.0
    v = shaper._braked_velocity(dt, np.zeros_like(shaper.v))
    assert shaper.q[elbow] + v[elbow] * dt >= model.lower_rad[elbow] - 1e-9  # no overshoot
    assert abs(v[elbow] - shaper.v[elbow]) <= shaper.a_limit[elbow] * dt + 1e-9


def _first_contact(collision, q_from: np.ndarray, q_to: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """The last free configuration on the straight line from ``q_from`` to ``q_to``."""
    lo, hi = 0.0, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if collision.clearance_m(q_from + mid * (q_to - q_from)) >= 0:
            lo = mid
        else:
            hi = mid
    return q_from + lo * (q_to - q_from)


def test_a_target_in_collision_is_replaced_by_the_nearest_safe_one(model: RobotModel) -> None:
    """The robot goes as near the wanted pose as it safely can.

    Not where its path first touches.
    """
    collision = collision_model_for(model)
    q0 = rest_pose(model)
    shaper = CommandShaper(model, q0, collision=collision)
    target = q0.copy()
    target[model.index("left_shoulder_flex")] = 0.6
    target[model.index("left_shoulder_rot")] = -1.3  # forearm into the chest
    target[model.index("left_elbow")] = 1.6
    target[model.index("left_shoulder_abd")] = -0.3
    target = model.clamp(from_flexion_shoulder(model, target, (Side.LEFT,)))
    assert collision.clearance_m(target) < 0
    q = q0
    for _ in range(90):
        q = shaper(target, 1 / 30)
        assert collision.clearance_m(q) >= 0.0
    assert shaper.pushed_out
    contact = _first_contact(collision, q0, target)
    print(f"distance to the wanted pose: {np.linalg.norm(q - target):.3f} rad; at the first "
          f"contact on the way {np.linalg.norm(contact - target):.3f} rad")
    assert np.linalg.norm(q - target) < 0.7 * np.linalg.norm(contact - target)
    assert collision.clearance_m(q) < 0.03  # beside the chest, not far away


def test_an_arm_beside_the_head_comes_down(model: RobotModel) -> None:
    """An arm at rest with its hand by the head, asked to come down, comes down.

    Each joint heading for its own target bends the path into the head; the arm sets off on
    the straight line instead (the hand stayed up for good before).
    """
    collision = collision_model_for(model)
    q_up = np.array([0.0, 0.0, 2.015, 0.044, 0.038, 2.399, 0.038, 0.411, 0.066,
                     -0.017, 0.144, -0.215, 1.687, 1.203, -0.001, -0.02])  # hand by the head
    target = np.array([0.0, 0.0, -0.123, 0.083, -0.165, 1.74, 0.904, -0.097, -0.058,
                       -0.04, 0.131, -0.2, 1.696, 1.204, -0.008, 0.004])  # hand at the chest
    q_up, target = (from_flexion_shoulder(model, q) for q in (q_up, target))  # captured before
    assert collision.clearance_m(q_up) >= 0
    shaper = CommandShaper(model, q_up, collision=collision)
    q = q_up
    for _ in range(60):
        q = shaper(target, 1 / 30)
        assert collision.clearance_m(q) >= 0.0
    left = model.arm_indices(Side.LEFT)
    print(f"left arm still {np.abs(q - target)[left].max():.3f} rad from its target")
    assert np.abs(q - target)[left].max() < 0.1


def test_the_hand_joints_accelerate_more_gently(model: RobotModel) -> None:
    """The forearm rotation and wrist have a lower acceleration limit; both limits hold.

    They are turned by the noisiest points the pose model gives.
    """
    q0 = rest_pose(model)
    shaper = CommandShaper(model, q0)
    wrist, shoulder = model.index("left_wrist_flex"), model.index("left_shoulder_flex")
    assert shaper.a_limit[wrist] < 0.5 * shaper.a_limit[shoulder] / model.velocity_rad_s[
        shoulder] * model.velocity_rad_s[wrist]
    target = q0.copy()
    target[wrist] += 0.8
    target[shoulder] += 0.8
    qs = np.array([shaper(target, 1 / 30) for _ in range(60)])
    acc = np.abs(np.diff(qs, 2, axis=0)) * 30 ** 2
    assert acc[:, wrist].max() <= shaper.a_limit[wrist] * (1 + 1e-6)
    assert acc[:, shoulder].max() <= shaper.a_limit[shoulder] * (1 + 1e-6)
    assert acc[:, shoulder].max() > shaper.a_limit[wrist]


def test_a_raise_past_the_chest_is_not_braked_by_a_turning_wrist(model: RobotModel) -> None:
    """A fast raise with the forearm along the chest goes on while the wrist turns.

    A state captured from a synthetic session: the hand joints were turning faster than
    their low acceleration limit lets them reverse, so no pace suited all arm joints at once,
    every detour was dropped and the arm braked in the middle of the raise (and, at the speed
    limit, never made the delay up). The shoulders and elbows now take the straight line on
    their own while the hand joints slow down.
    """
    q = np.array([0.0, 0.0, 0.1343, 0.2668, -0.3942, 2.1846, 0.8526, 0.3226, 0.4104,
                  -0.0647, 0.1201, -0.1418, 1.6909, 1.1675, -0.0036, -0.0258])
    v = np.array([0.0, 0.0, 1.8349, -0.271, -0.7425, 1.6312, -0.4481, 2.8363, 3.1419,
                  -0.0911, 0.0483, 0.1263, -0.0015, 0.0286, 0.0043, -0.0081])
    target = np.array([0.0, 0.0, 0.2827, 0.1603, -0.4877, 2.3618, 0.8304, 0.6, 0.6,
                       -0.0693, 0.1256, -0.1356, 1.6915, 1.1708, -0.004, -0.025])
    # Captured with the earlier flexion shoulder: the same poses and motion for this one.
    q_next_old = q + v / 30
    q, target = from_flexion_shoulder(model, q), from_flexion_shoulder(model, target)
    v = (from_flexion_shoulder(model, q_next_old) - q) * 30
    collision = collision_model_for(model)
    shaper = CommandShaper(model, q, collision=collision)
    shaper.v = v.copy()
    flex = model.index("left_shoulder_flex")
    q_next = shaper(target, 1 / 30)
    assert not shaper.blocked
    assert (q_next[flex] - q[flex]) * 30 >= v[flex]  # the raise does not slow down
    assert collision.clearance_m(q_next) >= 0.0
    acc = np.abs((q_next - q) * 30 - v) * 30
    assert np.all(acc <= shaper.a_limit * (1 + 1e-6))


def _ramp(shaper: CommandShaper, joint: int, speed_rad_s: float, seconds: float,
          ) -> tuple[np.ndarray, np.ndarray]:
    """Targets moving ``joint`` at ``speed_rad_s`` from the shaper's start, and the commands."""
    q0 = shaper.q.copy()
    targets, commands = [], []
    for k in range(1, int(seconds * 30) + 1):
        target = q0.copy()
        target[joint] += speed_rad_s * k / 30
        targets.append(target)
        commands.append(shaper(target, 1 / 30))
    return np.array(targets), np.array(commands)


def test_a_moving_target_is_followed_without_falling_behind(model: RobotModel) -> None:
    """At a target's own speed the shoulder keeps up; stopping at each target it lagged.

    A joint that must be able to stop at each target falls behind one that moves fast enough:
    at 3/4 of its speed limit, by more than it can brake from within a period.
    """
    from mirrorbot.control.safety import SafetyConfig

    flex = model.index("left_shoulder_flex")
    speed = 0.75 * float(model.velocity_rad_s[flex])  # [rad/s], short of the limit in 0.5 s
    behind = {}
    for smoothing in (0.5, 0.0):
        shaper = CommandShaper(model, rest_pose(model),
                               SafetyConfig(follow_smoothing=smoothing))
        targets, commands = _ramp(shaper, flex, speed, 0.5)
        behind[smoothing] = 1e3 * (targets[-1, flex] - commands[-1, flex]) / speed  # [ms]
        assert commands[-1, flex] <= targets[-1, flex] + 1e-9  # never runs ahead of it
        acc = np.abs(np.diff(commands[:, flex], 2)) * 30 ** 2
        assert acc.max() <= shaper.a_limit[flex] * (1 + 1e-6)
    print(f"behind a {speed:.1f} rad/s ramp: {behind[0.5]:.1f} ms following, "
          f"{behind[0.0]:.1f} ms not")
    assert behind[0.5] < 1.0
    assert behind[0.0] > 5.0


def test_following_stops_at_the_joint_limit_within_the_acceleration_limit(
        model: RobotModel) -> None:
    """A target running into the position limit at full speed: the joint stops in time."""
    elbow = model.index("left_elbow")
    shaper = CommandShaper(model, rest_pose(model))
    _, commands = _ramp(shaper, elbow, model.velocity_rad_s[elbow], 1.0)
    assert commands[:, elbow].max() <= model.upper_rad[elbow] + 1e-9
    assert commands[-1, elbow] > model.upper_rad[elbow] - 1e-3  # it got there
    acc = np.abs(np.diff(commands[:, elbow], 2)) * 30 ** 2
    assert acc.max() <= shaper.a_limit[elbow] * (1 + 1e-6)


def test_a_still_noisy_target_is_not_followed(model: RobotModel) -> None:
    """Jitter of a still arm stays below the deadband: the commands are as without following."""
    from mirrorbot.control.safety import SafetyConfig

    rng = np.random.default_rng(0)
    q0 = rest_pose(model)
    following = CommandShaper(model, q0)
    stopping = CommandShaper(model, q0, SafetyConfig(follow_smoothing=0.0))
    for _ in range(90):
        target = q0 + rng.normal(0.0, 0.005, len(q0))  # [rad], a still arm through a camera
        np.testing.assert_array_equal(following(target, 1 / 30), stopping(target, 1 / 30))


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
