"""Own forward kinematics against PyBullet, and the transform helpers."""

from __future__ import annotations

import numpy as np
import pytest

from mirrorbot.robot.kinematics import link_positions, link_transforms
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.sim.simulator import Simulator
from mirrorbot.transforms import rotation_about_axis, rotation_from_rpy

POS_TOL_M = 1e-3
ROT_TOL = 1e-9
LINKS = ["left_upper_arm", "left_forearm", "left_hand", "left_palm",
         "right_upper_arm", "right_forearm", "right_hand", "right_palm", "head"]


def test_fk_matches_pybullet_over_random_configurations(model: RobotModel) -> None:
    rng = np.random.default_rng(0)
    worst = 0.0
    with Simulator() as sim:
        for _ in range(50):
            q = rng.uniform(model.lower_rad, model.upper_rad)
            sim.reset(q)
            err = np.abs(sim.link_positions(LINKS) - link_positions(model, q, LINKS)).max()
            worst = max(worst, float(err))
    assert worst < POS_TOL_M


def test_fk_rotations_are_orthonormal(model: RobotModel) -> None:
    rng = np.random.default_rng(1)
    q = rng.uniform(model.lower_rad, model.upper_rad)
    for name, T in link_transforms(model, q).items():
        R = T[:3, :3]
        assert np.allclose(R @ R.T, np.eye(3), atol=ROT_TOL), name
        assert np.linalg.det(R) == pytest.approx(1.0, abs=ROT_TOL)


def test_positive_angles_mean_the_same_motion_on_both_sides(model: RobotModel) -> None:
    """The arms are mirror images: the same q on both sides mirrors y."""
    rng = np.random.default_rng(2)
    for _ in range(5):
        q_arm = rng.uniform(model.lower_rad[2:9], model.upper_rad[2:9])
        q = np.zeros(len(model.actuated))
        q[2:9] = q_arm
        q[9:16] = q_arm
        left = link_positions(model, q, ["left_forearm", "left_palm"])
        right = link_positions(model, q, ["right_forearm", "right_palm"])
        assert np.allclose(left * [1, -1, 1], right, atol=1e-9)


def test_shoulder_elevation_raises_the_arm_between_forward_and_out(model: RobotModel) -> None:
    """The first shoulder joint turns the arm up in the plane 45 degrees from forward."""
    half = np.sqrt(0.5)
    for side, sign in (("left", 1.0), ("right", -1.0)):
        q = np.zeros(len(model.actuated))
        q[model.index(f"{side}_shoulder_flex")] = np.pi / 2
        shoulder, palm = link_positions(model, q, [f"{side}_upper_arm", f"{side}_palm"])
        direction = (palm - shoulder) / np.linalg.norm(palm - shoulder)
        assert np.allclose(direction, [half, sign * half, 0.0], atol=1e-9)  # forward and out
        q[model.index(f"{side}_shoulder_flex")] = np.pi
        shoulder, palm = link_positions(model, q, [f"{side}_upper_arm", f"{side}_palm"])
        assert np.allclose((palm - shoulder) / np.linalg.norm(palm - shoulder), [0, 0, 1],
                           atol=1e-9)  # straight up, within the joint's range


def test_the_second_shoulder_joint_moves_each_arm_back_and_out(model: RobotModel) -> None:
    half = np.sqrt(0.5)
    q = np.zeros(len(model.actuated))
    q[model.index("left_shoulder_abd")] = np.pi / 2
    q[model.index("right_shoulder_abd")] = np.pi / 2
    ls, lp, rs, rp = link_positions(
        model, q, ["left_upper_arm", "left_palm", "right_upper_arm", "right_palm"])
    assert np.allclose((lp - ls) / np.linalg.norm(lp - ls), [-half, half, 0], atol=1e-9)
    assert np.allclose((rp - rs) / np.linalg.norm(rp - rs), [-half, -half, 0], atol=1e-9)


def test_rpy_and_axis_rotation_agree() -> None:
    rng = np.random.default_rng(3)
    for _ in range(10):
        angle = float(rng.uniform(-np.pi, np.pi))
        assert np.allclose(rotation_from_rpy([angle, 0, 0]),
                           rotation_about_axis(np.array([1.0, 0, 0]), angle))
        assert np.allclose(rotation_from_rpy([0, 0, angle]),
                           rotation_about_axis(np.array([0, 0, 1.0]), angle))
