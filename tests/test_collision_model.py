"""The capsule collision model: exact segment distances, and conservative against PyBullet."""

from __future__ import annotations

import numpy as np

from mirrorbot.control.collision_avoidance import collision_model_for
from mirrorbot.robot.collision_model import segment_distances
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.sim.simulator import Simulator


def test_segment_distances_match_brute_force() -> None:
    rng = np.random.default_rng(1)
    p0, p1, q0, q1 = (rng.normal(size=(300, 3)) for _ in range(4))
    q1[:40] = q0[:40]  # points
    p1[40:60] = p0[40:60]
    q1[60:80] = q0[60:80] + (p1[60:80] - p0[60:80])  # parallel segments
    got = segment_distances(p0, p1, q0, q1)
    s = np.linspace(0, 1, 301)
    for i in range(300):
        a = p0[i] + s[:, None] * (p1[i] - p0[i])
        b = q0[i] + s[:, None] * (q1[i] - q0[i])
        brute = np.min(np.linalg.norm(a[:, None] - b[None], axis=2))
        assert got[i] <= brute + 1e-12
        assert got[i] >= brute - 2e-3  # the brute force only samples the segments


def test_free_in_the_model_means_free_in_pybullet(model: RobotModel, sim: Simulator) -> None:
    collision = collision_model_for(model)
    rng = np.random.default_rng(7)
    free = 0
    for _ in range(400):
        q = rng.uniform(model.lower_rad, model.upper_rad)
        if collision.clearance_m(q) <= 0.0:
            continue
        free += 1
        sim.reset(q)
        assert not [c for c in sim.self_contacts() if c[2] < 0], q
    assert free > 150
    # And the split parts agree with the cheap upper-arm check.
    q = rng.uniform(model.lower_rad, model.upper_rad)
    assert collision.upper_arm_torso_gap_m(q) == collision.clearance_split(q)[0]


def test_the_tabletop_scene_is_out_of_the_arms_reach(model: RobotModel) -> None:
    """No pose of the arms reaches the table: proved by a bound, checked in PyBullet.

    Every point of an arm is within MAX_LEVER_M of its shoulder's centre (the links' lengths
    and the hand's half-width add up to less), and every fixed part of the scene is farther.
    """
    from mirrorbot.control.collision_avoidance import (
        MAX_LEVER_M,
        point_box_distance_m,
        scene_obstacles,
    )
    from mirrorbot.paths import robot_urdf_path, scene_path
    from mirrorbot.robot.collision_model import Box
    from mirrorbot.robot.urdf import load_robot_model
    from mirrorbot.robot.urdf_builder import (
        FOREARM_LENGTH_M,
        HAND_LENGTH_M,
        HAND_SIZE_M,
        SHOULDER_HALF_WIDTH_M,
        SHOULDER_HEIGHT_M,
        UPPER_ARM_LENGTH_M,
    )
    from mirrorbot.sim.scene import load_scene

    lever = UPPER_ARM_LENGTH_M + FOREARM_LENGTH_M + HAND_LENGTH_M + np.hypot(*HAND_SIZE_M[:2]) / 2
    assert lever < MAX_LEVER_M
    scene = load_scene(scene_path("tabletop"))
    assert scene_obstacles(load_robot_model(robot_urdf_path()), scene) == ()
    shoulders = [np.array([0.0, s * SHOULDER_HALF_WIDTH_M, SHOULDER_HEIGHT_M]) for s in (1, -1)]
    table = scene.object("table")
    for part in table.parts:
        box = Box(np.asarray(part.position_m), np.asarray(part.size_m) / 2)
        assert min(point_box_distance_m(p, box) for p in shoulders) > MAX_LEVER_M
    # PyBullet: straight arms swept from hanging to overhead toward the table, and random poses.
    rng = np.random.default_rng(3)
    with Simulator(scene=scene) as sim:
        poses = []
        for flex in np.radians(np.arange(0.0, 181.0, 10.0)):
            q = np.zeros(len(model.actuated))
            for side in ("left", "right"):
                q[model.index(f"{side}_shoulder_flex")] = flex
                q[model.index(f"{side}_shoulder_abd")] = 0.05
            poses.append(q)
        poses += [rng.uniform(model.lower_rad, model.upper_rad) for _ in range(150)]
        for q in poses:
            sim.reset(q)
            sim.step(1)
            assert not [c for c in sim.scene_contacts() if c[1] == "table"], q
