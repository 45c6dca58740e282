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
from mirrorbot.scene import load_scene
from mirrorbot.scripted import rest_pose
from mirrorbot.simulator import SimConfig, SimMode, Simulator

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


def test_demo_with_gui_runs_under_xvfb(xvfb_display: str, tmp_path: Path) -> None:
    result = run_cli("demo", "--gui", "--seconds", "1", "--out", str(tmp_path), "--no-video",
                     env={"DISPLAY": xvfb_display})
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "session.jsonl").read_text().splitlines()) == 31
