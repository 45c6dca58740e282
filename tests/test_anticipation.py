"""Anticipatory motion: the mirrored arm led by the recogniser's forecast."""

from __future__ import annotations

import numpy as np

from mirrorbot.mind.anticipation import Anticipation, sharpness, wrist_of
from mirrorbot.mind.intent import GoalBelief
from mirrorbot.mind.repertoire import Repertoire
from mirrorbot.paths import robot_urdf_path
from mirrorbot.perception.landmarks import Side
from mirrorbot.retarget.retarget import Mapping
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.robot.urdf import load_robot_model

GOALS = Repertoire().goals


def _belief(top: str, p_top: float, forecast_m: np.ndarray | None, moving: bool = True,
            ) -> GoalBelief:
    rest = (1.0 - p_top) / (len(GOALS) - 1)
    return GoalBelief({g: p_top if g == top else rest for g in GOALS}, side=Side.RIGHT,
                      moving=moving, forecast_m=forecast_m)


def test_sharpness_is_zero_for_a_uniform_belief_and_one_for_certainty() -> None:
    assert abs(sharpness({g: 1 / 8 for g in GOALS})) < 1e-12
    assert sharpness({g: 1.0 if g == "drink" else 0.0 for g in GOALS}) == 1.0
    assert 0.0 < sharpness(_belief("drink", 0.6, None).probs) < sharpness(
        _belief("drink", 0.9, None).probs) < 1.0


def test_the_forecast_leads_the_moving_arm_and_fades_out_when_it_stops() -> None:
    """The person's right arm moves (mirror mode: the robot's left arm follows it).

    With a zero forecast the arm is the mirrored arm; with a decided belief and a forecast of
    10 cm up, the wrist goes 10 cm up; with an undecided one it stays with the mirror; when
    the movement ends the lead fades out (no jump) and the arm is the mirrored one again.
    """
    model = load_robot_model(robot_urdf_path())
    q_mirror = rest_pose(model).copy()
    left = model.arm_indices(Side.LEFT)
    q_mirror[left[0]], q_mirror[left[3]] = 0.6, 1.2  # forearm forward, hand before the body
    wrist0 = wrist_of(q_mirror[left])
    dt = 1 / 30
    up = np.array([0.0, 0.0, 0.10])

    def settle(a: Anticipation, belief: GoalBelief, frames: int = 15) -> np.ndarray:
        q = q_mirror
        for _ in range(frames):
            q, mode, _ = a(q_mirror, belief, dt)
            assert mode == "mirror"  # leading is mirroring; nothing is committed
        return q

    a = Anticipation(model, Mapping.MIRROR)
    q = settle(a, _belief("drink", 0.99, np.zeros(3)))
    assert np.linalg.norm(wrist_of(q[left]) - wrist0) < 0.005
    q = settle(a, _belief("drink", 0.99, up))
    moved = wrist_of(q[left]) - wrist0
    assert abs(moved[2] - 0.1 * sharpness(_belief("drink", 0.99, up).probs)) < 0.01
    assert np.linalg.norm(moved[:2]) < 0.01
    right = [model.index(f"right_{j}") for j in ("shoulder_flex", "elbow")]
    assert np.allclose(q[right], q_mirror[right])  # the other arm only mirrors
    # Undecided: the forecast is barely acted on.
    q = settle(Anticipation(model, Mapping.MIRROR), _belief("drink", 0.2, up))
    assert np.linalg.norm(wrist_of(q[left]) - wrist0) < 0.01
    # The movement ends: the lead fades out step by step.
    steps = []
    previous = wrist_of(settle(a, _belief("drink", 0.99, up))[left])
    for _ in range(10):
        q, _, _ = a(q_mirror, _belief("none", 0.99, None, moving=False), dt)
        wrist = wrist_of(q[left])
        steps.append(float(np.linalg.norm(wrist - previous)))
        previous = wrist
    assert np.linalg.norm(previous - wrist0) < 0.005
    assert max(steps) < 0.5 * 0.1 * sharpness(_belief("drink", 0.99, up).probs)


def test_a_wave_back_stays_at_the_place_it_began_at() -> None:
    """Waving back, the robot's hand stays up at one height, wherever the person's wave is.

    The person's best-fitting wave place changes from frame to frame (beside the head, then in
    front at the shoulder). Following the belief's target, its wave back jumped between
    places: the hand swung 50 cm wide and dropped below its shoulder (synthetic, seed 3).
    """
    import dataclasses

    model = load_robot_model(robot_urdf_path())
    q_mirror = rest_pose(model).copy()
    left = model.arm_indices(Side.LEFT)
    a = Anticipation(model, Mapping.MIRROR)
    beside_head, at_shoulder = np.array([0.10, 0.17, 0.24]), np.array([0.30, 0.07, 0.07])
    wave = dataclasses.replace(_belief("wave", 0.99, None), committed="wave",
                               target_m=beside_head, start_m=np.array([0.05, 0.1, -0.5]))
    heights = []
    for k in range(150):  # 5 s at 30 Hz; the place flips every half second after the first 1 s
        place = beside_head if k < 30 or (k // 15) % 2 == 0 else at_shoulder
        q, mode, reason = a(q_mirror, dataclasses.replace(wave, target_m=place), 1 / 30)
        assert mode == "respond" and reason == "waving back"
        if k >= 30:
            heights.append(wrist_of(q[left])[2])
    assert np.ptp(heights) < 0.03, np.ptp(heights)
