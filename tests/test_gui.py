"""The GUI paths under a virtual X display (Xvfb): PyBullet's window and the OpenCV window."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from helpers import run_cli
from mirrorbot.paths import scene_path
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.sim.scene import load_scene
from mirrorbot.sim.simulator import SimConfig, SimMode, Simulator

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def xvfb_display() -> Iterator[str]:
    """Start Xvfb on a free display number and yield ``:N``."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb not installed (Debian xvfb; .ci/run installs it)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen([xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24",
                             "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        proc.kill()
        pytest.skip("Xvfb did not start")
    display = f":{number}"
    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    try:
        yield display
    finally:
        if old is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = old
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.slow
def test_gui_window_shows_the_robot(xvfb_display: str, tmp_path: Path) -> None:
    with Simulator(SimConfig(mode=SimMode.GUI), load_scene(scene_path("tabletop"))) as sim:
        sim.reset(rest_pose(sim.model))
        sim.step(10)
        image, robot_mask = sim.gui_screenshot()
    assert image.std() > 10
    assert robot_mask.mean() > 0.005  # the robot is framed, not a speck on the horizon
    rows, cols = np.nonzero(robot_mask)
    h, w = robot_mask.shape
    assert 0.2 * w < cols.mean() < 0.8 * w and 0.1 * h < rows.mean() < 0.9 * h


@pytest.mark.slow
def test_demo_with_gui_runs_under_xvfb(xvfb_display: str, tmp_path: Path) -> None:
    result = run_cli("demo", "--gui", "--seconds", "1", "--out", str(tmp_path), "--no-video",
                     env={"DISPLAY": xvfb_display})
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "session.jsonl").read_text().splitlines()) == 31


@pytest.mark.slow
def test_gui_window_frames_the_whole_robot_with_hands_overhead(xvfb_display: str) -> None:
    with Simulator(SimConfig(mode=SimMode.GUI), load_scene(scene_path("tabletop"))) as sim:
        q = rest_pose(sim.model)
        for side in ("left", "right"):
            q[sim.model.index(f"{side}_shoulder_flex")] = 3.1
        sim.reset(q)
        image, robot = sim.gui_screenshot()
    assert image.shape[:2] == (480, 640)
    rows, cols = np.nonzero(robot)
    assert rows.min() > 0.1 * 480, "the hands leave the window at the top"
    assert 0.3 * 640 < cols.mean() < 0.7 * 640
    assert robot.mean() > 0.02  # the robot, not a speck


@pytest.mark.slow
def test_gui_physics_is_the_headless_physics(xvfb_display: str) -> None:
    """In GUI mode physics stays headless (the window only shows it): the same motion."""
    scene = load_scene(scene_path("tabletop"))
    runs = []
    for mode in (SimMode.DIRECT, SimMode.GUI):
        with Simulator(SimConfig(mode=mode), scene) as sim:
            q = rest_pose(sim.model)
            sim.reset(q)
            q[sim.model.index("right_elbow")] += 0.8
            sim.command(sim.model.clamp(q), ramp_steps=24)
            sim.step(48)
            runs.append(sim.joint_positions())
    assert np.array_equal(runs[0], runs[1])


def test_the_video_window_opens_beside_pybullets(xvfb_display: str) -> None:
    import cv2

    from mirrorbot.run.loop import WINDOW_NAME, _open_window
    from mirrorbot.sim.simulator import GUI_WINDOW_PX

    _open_window()
    try:
        cv2.imshow(WINDOW_NAME, np.zeros((480, 1280, 3), np.uint8))
        cv2.waitKey(50)
        x, y, _, _ = cv2.getWindowImageRect(WINDOW_NAME)
    finally:
        cv2.destroyAllWindows()
        cv2.waitKey(1)
    assert x >= GUI_WINDOW_PX[0] and y < 100
