"""The capsule collision model: exact segment distances, and conservative against PyBullet."""

from __future__ import annotations

import numpy as np

from mirrorbot.collision_model import segment_distances
from mirrorbot.safety import collision_model_for
from mirrorbot.simulator import Simulator
from mirrorbot.urdf import RobotModel


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
