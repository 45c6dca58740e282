"""The PyBullet adapter: limits, position control, rendering, the scene."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from mirrorbot.errors import ConfigError, ModelError
from mirrorbot.paths import scene_path
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.sim import simulator
from mirrorbot.sim.scene import load_scene
from mirrorbot.sim.simulator import PHYSICS_RATE_HZ, SimConfig, SimMode, Simulator

SETTLE_TOL_RAD = 0.02


def test_targets_beyond_limits_are_clamped(sim: Simulator) -> None:
    model = sim.model
    wild = np.where(np.arange(len(model.actuated)) % 2 == 0, 10.0, -10.0)
    applied = sim.command(wild)
    assert np.all(applied <= model.upper_rad) and np.all(applied >= model.lower_rad)
    assert np.allclose(applied, np.clip(wild, model.lower_rad, model.upper_rad))
    for _ in range(120):
        sim.step(2)
        q = sim.joint_positions()
        assert np.all(q <= model.upper_rad + SETTLE_TOL_RAD)
        assert np.all(q >= model.lower_rad - SETTLE_TOL_RAD)


def test_position_control_converges_within_half_a_second(sim: Simulator) -> None:
    model = sim.model
    rng = np.random.default_rng(0)
    for _ in range(3):
        start = np.clip(rng.normal(0.0, 0.2, len(model.actuated)), model.lower_rad,
                        model.upper_rad)
        start[model.index("left_shoulder_abd")] = 0.3
        start[model.index("right_shoulder_abd")] = 0.3
        # A reachable target: at most 1 rad away, which the 3 rad/s limit (the head's, the
        # slowest) covers in 0.33 s.
        target = model.clamp(start + rng.uniform(-1.0, 1.0, len(model.actuated)))
        target[model.index("left_shoulder_abd")] = 0.5
        target[model.index("right_shoulder_abd")] = 0.5
        sim.reset(start)
        sim.command(target)
        errors = []
        for _ in range(int(0.5 * PHYSICS_RATE_HZ / 10)):
            sim.step(10)
            errors.append(np.abs(sim.joint_positions() - target).max())
        assert errors[-1] < SETTLE_TOL_RAD, errors
        falling = errors[: errors.index(min(errors)) + 1]
        assert all(b <= a + 1e-3 for a, b in zip(falling, falling[1:], strict=False)), errors


def test_joint_speed_respects_velocity_limits(sim: Simulator) -> None:
    """Each motor, sent the whole way at once, runs no faster than its limit.

    One joint at a time: with every joint stepped together, the light hand joints are carried
    past their limits by the reaction of the shoulder and elbow stopping hard (up to 13% with
    the scapular-plane shoulder, 39% at the humeral rotation before it); the run loop never
    steps them (its commands are ramped within the acceleration limits).
    """
    model = sim.model
    for j in range(len(model.actuated)):
        start = np.zeros(len(model.actuated))
        sim.reset(start)
        target = start.copy()
        target[j] = 2.0
        sim.command(model.clamp(target))
        peak = 0.0
        for _ in range(60):
            sim.step(1)
            peak = max(peak, abs(float(sim.joint_velocities()[j])))
        assert peak <= model.velocity_rad_s[j] * 1.05, (model.actuated[j], peak)


def test_render_shows_the_robot(model: RobotModel) -> None:
    scene = load_scene(scene_path("tabletop"))
    with Simulator(SimConfig(), scene) as sim:
        image, robot_mask = sim.render_with_mask()
    assert image.shape == (480, 640, 3) and image.dtype == np.uint8
    assert image.std() > 20  # not blank
    coverage = robot_mask.mean()
    assert 0.03 < coverage < 0.6, coverage
    # The robot is drawn in its own colours, not the background's.
    assert np.abs(image[robot_mask].mean(0) - image[~robot_mask].mean(0)).max() > 10


def test_scene_objects_sit_where_the_file_says() -> None:
    scene = load_scene(scene_path("tabletop"))
    with Simulator(SimConfig(), scene) as sim:
        sim.step(240)
        cup = sim.object_position("cup")
        # The cup rests on the table: it moved less than 5 mm after 1 s of physics.
        assert np.linalg.norm(cup - scene.object("cup").position_m) < 5e-3
        with pytest.raises(ModelError, match="Available objects"):
            sim.object_position("teapot")


def test_bad_scene_file_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "s.json"
    bad.write_text('{"format": "mirrorbot-scene", "objects": [{"name": "x", "parts": '
                   '[{"shape": "cone", "size_m": [1], "position_m": [0, 0, 0]}]}]}')
    with pytest.raises(ModelError, match=r"objects\[0\].parts\[0\].shape must be one of"):
        load_scene(bad)
    with pytest.raises(ModelError, match="Available scenes"):
        scene_path("moon")


def test_a_window_process_that_dies_at_once_is_the_display_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The window's process ends before answering (as with a DISPLAY that does not answer)."""
    real_popen = subprocess.Popen

    def dying_popen(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        return real_popen([sys.executable, "-c", "raise SystemExit(1)"], **kwargs)

    monkeypatch.setattr(simulator.subprocess, "Popen", dying_popen)
    with pytest.raises(ModelError, match=r"could not open its GUI window \(its process ended "
                       r"with status 1\); is a display available\? Use --headless"):
        Simulator(SimConfig(mode=SimMode.GUI))


def test_a_display_that_does_not_answer_is_the_display_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":987")  # no X server there
    with pytest.raises(ModelError, match="is a display available"):
        Simulator(SimConfig(mode=SimMode.GUI))


def test_config_is_validated() -> None:
    with pytest.raises(ConfigError, match="position_gain"):
        SimConfig(position_gain=0.0)


def test_the_video_shows_the_whole_robot_beside_the_belief_panel() -> None:
    """Both hands overhead, arms held out: the whole robot in view, beside the panel.

    Every robot pixel inside the picture, none under the panel (the mode box and eight goal
    bars: 280 x 240 px of the 640 x 480 half) nor under the reach bars below it.
    """
    from mirrorbot.output.overlay import REACH_BARS_Y_PX
    from mirrorbot.paths import scene_path
    from mirrorbot.run.loop import VIDEO_CAMERA
    from mirrorbot.sim.scene import load_scene

    scale = VIDEO_CAMERA.width_px / 640
    panel_w, panel_h = int(280 * scale), int(240 * scale)
    # The reach bars below: title to the eighth row, 230 px wide.
    reach_rows = slice(int((REACH_BARS_Y_PX - 34) * scale), int((REACH_BARS_Y_PX + 150) * scale))
    reach_w = int(230 * scale)
    poses = {"overhead": (3.1, 0.3, 0.3), "held out": (1.2, 1.3, 0.2),
             "up and out": (2.5, 0.9, 0.2), "forward and up": (2.2, -0.2, 0.4)}
    with Simulator(scene=load_scene(scene_path("tabletop"))) as sim:
        model = sim.model
        for name, (flex, abd, elbow) in poses.items():
            q = np.zeros(len(model.actuated))
            for side in ("left", "right"):
                q[model.index(f"{side}_shoulder_flex")] = flex
                q[model.index(f"{side}_shoulder_abd")] = abd
                q[model.index(f"{side}_elbow")] = elbow
            sim.reset(q)
            _, robot = sim.render_with_mask(VIDEO_CAMERA)
            assert robot.any(), name
            edges = np.concatenate([robot[0], robot[:, 0], robot[:, -1]])
            assert not edges.any(), f"{name}: the robot leaves the picture"
            assert not robot[:panel_h, :panel_w].any(), f"{name}: the robot is under the panel"
            assert not robot[reach_rows, :reach_w].any(), \
                f"{name}: the robot is under the reach bars"


def test_the_drawn_floor_lies_where_pybullet_projects_the_floor() -> None:
    """The floor drawn once per camera uses PyBullet's own view and projection matrices.

    Random points on z = 0 projected by PyBullet's matrices land on pixels whose ray
    (:func:`pixel_rays`) passes through them, to within a pixel's angle.
    """
    import pybullet as pb

    from mirrorbot.sim.camera_view import CameraConfig, pixel_rays

    cam = CameraConfig(width_px=160, height_px=120)
    w, h = cam.width_px, cam.height_px
    view = np.array(pb.computeViewMatrix(cam.eye_m, cam.target_m, (0, 0, 1))).reshape(4, 4).T
    proj = np.array(pb.computeProjectionMatrixFOV(cam.fov_deg, w / h, 0.05, 8.0)
                    ).reshape(4, 4).T  # both column-major
    rays = pixel_rays(cam)
    pixel_rad = np.radians(cam.fov_deg) / h
    rng = np.random.default_rng(0)
    checked = 0
    for p in np.column_stack([rng.uniform(-3, 2.5, 400), rng.uniform(-3, 2, 400),
                              np.zeros(400)]):
        clip = proj @ view @ np.append(p, 1.0)
        ndc = clip[:3] / clip[3]
        col, row = int((ndc[0] + 1) / 2 * w), int((1 - ndc[1]) / 2 * h)
        if not (0 <= col < w and 0 <= row < h):
            continue
        to_p = (p - np.asarray(cam.eye_m)) / np.linalg.norm(p - np.asarray(cam.eye_m))
        assert np.arccos(min(1.0, float(rays[row, col] @ to_p))) < 1.5 * pixel_rad
        checked += 1
    assert checked > 100


def test_the_picture_shows_the_drawn_floor_where_no_body_is() -> None:
    from mirrorbot.sim.camera_view import CameraConfig, floor_picture

    cam = CameraConfig(width_px=160, height_px=120)
    with Simulator(scene=load_scene(scene_path("tabletop"))) as sim:
        image, robot = sim.render_with_mask(cam)
        rgba = sim.render_rgba(cam)
    floor = floor_picture(cam)
    assert rgba.shape == (120, 160, 4) and np.all(rgba[:, :, 3] == 255)
    assert np.array_equal(rgba[:, :, :3], image)
    assert np.array_equal(image[0], floor[0, :, :3])  # the sky at the top
    assert (image != floor[:, :, :3]).any(axis=2)[robot].all()  # the robot over it
