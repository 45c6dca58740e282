"""The torso frame and arm directions from landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from mirrorbot.perception.body_frames import (
    arm_directions,
    hand_axes,
    points_in_torso,
    torso_rotation,
)
from mirrorbot.perception.landmarks import Landmark, Side
from mirrorbot.synth.synth_body import R_MP_TORSO_FACING
from mirrorbot.transforms import ry
from people import person

TOL = 1e-9


def test_torso_frame_of_a_person_facing_the_camera() -> None:
    R = torso_rotation(person())
    np.testing.assert_allclose(R, R_MP_TORSO_FACING, atol=TOL)
    # x out of the chest points at the camera (-z), y to the person's left is image right (+x).
    np.testing.assert_allclose(R[:, 0], [0, 0, -1], atol=TOL)
    np.testing.assert_allclose(R[:, 1], [1, 0, 0], atol=TOL)
    np.testing.assert_allclose(R[:, 2], [0, -1, 0], atol=TOL)


@pytest.mark.parametrize("yaw_deg", [-30.0, 0.0, 17.0, 30.0])
def test_torso_frame_is_a_rotation_and_arm_directions_ignore_yaw(yaw_deg: float) -> None:
    out = np.array([0.0, 1.0, 0.0])
    fwd = np.array([1.0, 0.0, 0.0])
    world = person({"left": out}, {"left": fwd}, yaw_rad=np.radians(yaw_deg))
    R = torso_rotation(world)
    np.testing.assert_allclose(R.T @ R, np.eye(3), atol=TOL)
    assert np.linalg.det(R) == pytest.approx(1.0)
    np.testing.assert_allclose(R, ry(np.radians(yaw_deg)) @ R_MP_TORSO_FACING, atol=TOL)
    upper, fore = arm_directions(world, Side.LEFT)
    np.testing.assert_allclose(upper, out, atol=TOL)
    np.testing.assert_allclose(fore, fwd, atol=TOL)
    upper_r, _ = arm_directions(world, Side.RIGHT)
    np.testing.assert_allclose(upper_r, [0, 0, -1], atol=TOL)


def test_points_in_torso_puts_the_left_shoulder_on_plus_y() -> None:
    pts = points_in_torso(person(yaw_rad=0.4))
    np.testing.assert_allclose(pts[Landmark.LEFT_SHOULDER], [0, 0.18, 0], atol=TOL)
    np.testing.assert_allclose(pts[Landmark.RIGHT_SHOULDER], [0, -0.18, 0], atol=TOL)


def test_palm_normal_points_forward_in_the_anatomical_position() -> None:
    world = person()  # arms down; the test hands have the thumb lateral: palms face forward
    for side in Side:
        point, normal = hand_axes(world, side)
        assert point[2] < -0.9
        assert normal[0] > 0.9, side
