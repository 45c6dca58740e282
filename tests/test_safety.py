"""The command shaper (control/safety): collisions, braking, acceleration limits, following."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mirrorbot.control import retreat
from mirrorbot.control.collision_avoidance import collision_model_for
from mirrorbot.control.safety import CommandShaper, SafetyConfig
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.perception.landmarks import Side
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.sim.scene import load_scene
from mirrorbot.sim.simulator import Simulator
from people import from_flexion_shoulder


def _arm(model: RobotModel, q: np.ndarray, side: Side) -> np.ndarray:
    return q[model.arm_indices(side)]


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


def _hand_by_the_head(model: RobotModel) -> np.ndarray:
    q_up = np.array([0.0, 0.0, 2.015, 0.044, 0.038, 2.399, 0.038, 0.411, 0.066,
                     -0.017, 0.144, -0.215, 1.687, 1.203, -0.001, -0.02])
    return from_flexion_shoulder(model, q_up)


def test_the_head_does_not_turn_into_a_hand_held_by_it(model: RobotModel) -> None:
    """The head turning toward a hand held beside it stops short of it.

    The arm is pushed clear or the head waits: contact is never made (a head that tilted into
    a hand at the mouth left the arm too close to move again).
    """
    collision = collision_model_for(model)
    q_up = _hand_by_the_head(model)
    target = q_up.copy()
    target[model.index("head_pan")], target[model.index("head_tilt")] = -0.8, -0.4
    target = model.clamp(target)
    assert collision.clearance_m(q_up) >= 0 > collision.clearance_m(target)
    shaper = CommandShaper(model, q_up, collision=collision)
    for _ in range(60):
        q = shaper(target, 1 / 30)
        assert collision.clearance_m(q) >= 0.0
    assert abs(q[model.index("head_pan")]) > 0.05  # it turned as far as it could


def test_an_arm_already_too_close_can_still_move_away(model: RobotModel) -> None:
    """A command closer to contact than the limit is no dead end.

    Paths that go no deeper are free, and the arm leaves for its target (a moving head had put
    the arm there, and every path from it started below the limit: it froze for 15 s).
    """
    collision = collision_model_for(model)
    q_in = _hand_by_the_head(model)
    q_in[model.index("head_pan")], q_in[model.index("head_tilt")] = -0.4, -0.4
    assert collision.clearance_m(q_in) < 0
    target = rest_pose(model)  # arms down, the head where it is
    target[:2] = q_in[:2]
    assert collision.clearance_m(target) > 0.01  # (the target margin)
    shaper = CommandShaper(model, q_in, collision=collision)
    c_prev = collision.clearance_m(q_in)
    for _ in range(90):
        q = shaper(target, 1 / 30)
        c = collision.clearance_m(q)
        assert c >= min(c_prev, 0.0) - 1e-9  # never deeper in
        c_prev = c
    left = model.arm_indices(Side.LEFT)
    assert np.abs(q - target)[left].max() < 0.05


def test_an_arm_in_a_dead_end_backs_out_the_way_it_came(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A recorded dead end at the face is left the way the arm came in.

    41 s of the shaper's targets while a second synthetic person (written apart from ours)
    drinks, puts the cup down and points (tests/data/dead_end_drink.npz: the joint targets
    [rad] the run sent the shaper, 30 Hz, tabletop scene).
    After the drink the left hand was wedged between the robot's head and chest, every way
    toward the next target closing one gap or the other. Without the retreat the arm stays
    far from its targets (it stayed there for 15 s in the run); with it the arm backs out
    along the way it came and follows again.
    """
    data = np.load(Path(__file__).parent / "data" / "dead_end_drink.npz")
    targets = data["targets_rad"].astype(np.float64)
    scene = load_scene(scene_path(DEFAULT_SCENE_NAME))
    model = Simulator(scene=scene).model
    collision = collision_model_for(model, scene)
    left = model.arm_indices(Side.LEFT)

    def worst_after_35_s() -> float:
        shaper = CommandShaper(model, data["q0_rad"].astype(np.float64),
                               SafetyConfig.for_input(False), collision)
        errors = []
        for k, target in enumerate(targets):
            q = shaper(target, 1 / 30)
            assert collision.clearance_m(q) >= -1e-9
            if k / 30 > 35.0:
                errors.append(float(np.abs(q - target)[left].max()))
        return max(errors)

    with_retreat = worst_after_35_s()
    monkeypatch.setattr(retreat, "STUCK_S", 1e9)
    without = worst_after_35_s()
    print(f"worst left-arm joint off its target after 35 s: {with_retreat:.2f} rad with the "
          f"retreat, {without:.2f} without")
    assert without > 1.0  # the dead end is real
    assert with_retreat < 0.3
