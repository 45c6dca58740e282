"""Shared fixtures: the robot model and a headless simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mirrorbot.paths import robot_urdf_path
from mirrorbot.robot.urdf import RobotModel, load_robot_model
from mirrorbot.sim.simulator import Simulator


@pytest.fixture(scope="session")
def model() -> RobotModel:
    return load_robot_model(robot_urdf_path())


@pytest.fixture()
def sim() -> Iterator[Simulator]:
    with Simulator() as s:
        yield s
