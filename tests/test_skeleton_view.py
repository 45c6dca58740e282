"""The person's skeleton in 3-D for sources without a picture (recordings, motion capture)."""

from __future__ import annotations

import numpy as np

from mirrorbot.output.skeleton_view import (
    BACKGROUND_BGR,
    LEFT_BGR,
    RIGHT_BGR,
    skeleton_picture,
    view_points,
)
from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark, PoseFrame
from mirrorbot.run.person_view import person_view
from mirrorbot.sources.pose_sources import PoseSample, synthetic_person

L = Landmark


def _world() -> np.ndarray:
    frame = next(iter(synthetic_person("none?noise=off").frames()))
    return frame.world_true_m.copy()


def _near(img: np.ndarray, colour: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    return np.all(np.abs(img.astype(int) - colour) < tol, axis=2)


def test_the_skeleton_is_drawn_whole_with_the_persons_left_on_the_pictures_right() -> None:
    world = _world()
    img = skeleton_picture(world, np.ones(NUM_LANDMARKS))
    assert img.shape == (480, 640, 3)
    left, right = _near(img, LEFT_BGR, 90), _near(img, RIGHT_BGR, 90)
    assert left.sum() > 200 and right.sum() > 200
    assert np.argwhere(left)[:, 1].mean() > np.argwhere(right)[:, 1].mean()
    # Points the pose model did not see are left out.
    hidden = np.ones(NUM_LANDMARKS)
    hidden[[L.LEFT_ELBOW, L.LEFT_WRIST]] = 0.0
    assert _near(skeleton_picture(world, hidden), LEFT_BGR, 90).sum() < left.sum()


def test_the_nearer_arm_is_thicker_and_drawn_over_the_farther() -> None:
    """Two forearms crossing in the picture: the one toward the camera covers the other."""
    world = _world()
    for side, z in (("LEFT", -0.6), ("RIGHT", 0.6)):  # left toward the camera, right away
        world[L[f"{side}_ELBOW"]] = [0.3 if side == "LEFT" else -0.3, -0.3, z]
        world[L[f"{side}_WRIST"]] = [-0.3 if side == "LEFT" else 0.3, -0.3, z]
    vis = np.ones(NUM_LANDMARKS)
    vis[[L[f"{s}_{p}"] for s in ("LEFT", "RIGHT") for p in ("INDEX", "PINKY", "THUMB")]] = 0
    img = skeleton_picture(world, vis)
    # Where the forearms cross (x = 0 on both), the near (left, orange) one shows.
    u, v = view_points(np.array([[0.0, -0.3, -0.6]]))[0] * (640, 480)
    patch = img[int(v) - 1:int(v) + 2, int(u) - 1:int(u) + 2].reshape(-1, 3)
    assert np.all(np.abs(patch.astype(int) - LEFT_BGR).max(axis=1) < 60), patch
    assert _near(img, LEFT_BGR).sum() > 1.5 * _near(img, RIGHT_BGR).sum()


def test_a_source_without_a_picture_shows_the_skeleton_mirrored() -> None:
    world = _world()
    pose = PoseFrame(t_s=0.0, world_m=world, visibility=np.ones(NUM_LANDMARKS))
    view = person_view(PoseSample(0.0, pose), pose, "source: recording:x.jsonl")
    assert np.array_equal(view, skeleton_picture(world, pose.visibility)[:, ::-1])
    assert (view != BACKGROUND_BGR).any(axis=2).mean() > 0.005
