"""The gated constant-velocity landmark tracker (the ``tracker`` pose filter)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mirrorbot.errors import ConfigError
from mirrorbot.perception.landmark_tracker import (
    HAND_TRACKER,
    BodyTracker,
    LandmarkTracker,
    TrackerConfig,
)
from mirrorbot.perception.landmarks import ARM_LANDMARKS, NUM_LANDMARKS, Side
from mirrorbot.perception.pose_filter import FilterMethod, load_filter_config

RATE_HZ = 30.0
NOISE_M = np.array([0.006, 0.006, 0.018])  # MediaPipe-like: depth jitters three times more


def _shown(tracker: LandmarkTracker, z_m: np.ndarray, t_s: float,
           update: np.ndarray | None = None) -> np.ndarray:
    """Track ``z_m``; the points as the robot is shown them."""
    tracker(z_m, t_s, update)
    return tracker.ahead()


def _ramp_lag_frames(tracker: LandmarkTracker, points_m: np.ndarray) -> np.ndarray:
    """Mean lag [m] over the last 10 frames of each point of a (N, P, 3) track, along x.

    Of the points the robot is shown (:meth:`LandmarkTracker.ahead`).
    """
    out = np.array([_shown(tracker, points_m[k], k / RATE_HZ) for k in range(len(points_m))])
    return np.mean(points_m[-10:, :, 0] - out[-10:, :, 0], axis=0)


def test_still_landmarks_jitter_at_least_5x_less() -> None:
    rng = np.random.default_rng(0)
    n = int(60 * RATE_HZ)
    truth = rng.uniform(-0.5, 0.5, (NUM_LANDMARKS, 3))
    noise = rng.normal(0.0, 1.0, (n, NUM_LANDMARKS, 3)) * NOISE_M
    tracker = BodyTracker(TrackerConfig(), HAND_TRACKER)
    seen = np.ones(NUM_LANDMARKS, dtype=bool)
    out = np.array([tracker(truth + noise[k], k / RATE_HZ, seen) for k in range(n)])
    warm = int(RATE_HZ)
    reduction = noise[warm:].std(axis=(0, 1)) / (out[warm:] - truth).std(axis=(0, 1))
    print(f"still jitter reduced {reduction.round(1)}x (x, y, z)")
    assert np.all(reduction >= 5.0)


@pytest.mark.parametrize("speed_m_s", [1.0, 1.5])
def test_a_steady_movement_is_followed_within_a_frame(speed_m_s: float) -> None:
    """The velocity carries the point: a 1 m/s ramp lags under a frame (One Euro: 0.85).

    Without the lead; with it the output is ahead of that, by no more than
    ``latency_compensation_s``.
    """
    n = int(2 * RATE_HZ)
    ramp = np.zeros((n, 1, 3))
    ramp[:, 0, 0] = speed_m_s * np.arange(n) / RATE_HZ
    frame_m = speed_m_s / RATE_HZ
    unled = LandmarkTracker(TrackerConfig(latency_compensation_s=0.0))
    lag_frames = _ramp_lag_frames(unled, ramp)[0] / frame_m
    led_frames = _ramp_lag_frames(LandmarkTracker(), ramp)[0] / frame_m
    lead_frames = TrackerConfig().latency_compensation_s * RATE_HZ
    print(f"ramp at {speed_m_s} m/s lags {lag_frames:.2f} frames; with the lead "
          f"{led_frames:.2f}")
    assert 0.0 <= lag_frames < 1.0
    assert -lead_frames <= led_frames < lag_frames - 0.25 * lead_frames


def test_a_camera_with_more_noise_widens_the_gate() -> None:
    """A still point three times as noisy as configured is steady once its noise is learnt.

    With a fixed noise it shakes (its gate keeps opening).
    """
    rng = np.random.default_rng(3)
    noise = TrackerConfig().noise_m * 3
    n = int(30 * RATE_HZ)
    z = rng.normal(0.0, noise, (n, 1, 3))
    still = {}
    for name, config in (("learnt", TrackerConfig()), ("fixed", TrackerConfig(noise_adapt_s=0))):
        tracker = LandmarkTracker(config)
        out = np.array([tracker(z[k], k / RATE_HZ) for k in range(n)])[n // 2:, 0]
        still[name] = np.std(np.diff(out, axis=0), axis=0) / noise
    learnt = LandmarkTracker()
    for k in range(n):
        learnt(z[k], k / RATE_HZ)
    print(f"frame-to-frame movement / noise: learnt {still['learnt'].round(3)}, fixed "
          f"{still['fixed'].round(3)}; learnt noise x{learnt.noise_scale.round(2)}")
    assert 2.0 < learnt.noise_scale[0] < 4.0
    assert np.all(still["learnt"] * 3 < still["fixed"])


def test_the_lead_is_held_when_a_point_is_lost() -> None:
    """A moving point that is lost stays where the robot was shown it (no jump back)."""
    tracker = LandmarkTracker()
    shown = np.zeros((1, 3))
    for k in range(30):
        shown = _shown(tracker, np.array([[1.0 * k / RATE_HZ, 0.0, 0.0]]), k / RATE_HZ)
    assert shown[0, 0] > 29 / RATE_HZ  # ahead of the last measurement
    held = _shown(tracker, np.array([[9.0, 9.0, 9.0]]), 30 / RATE_HZ, np.array([False]))
    np.testing.assert_allclose(held, shown)


def test_unseen_points_hold() -> None:
    tracker = LandmarkTracker()
    tracker(np.zeros((2, 3)), 0.0)
    tracker(np.array([[0.1, 0.0, 0.0], [0.0, 0.0, 0.0]]), 1 / RATE_HZ)
    before = _shown(tracker, np.array([[0.2, 0.0, 0.0], [0.0, 0.0, 0.0]]), 2 / RATE_HZ)
    after = _shown(tracker, np.array([[5.0, 5.0, 5.0], [0.0, 0.0, 0.0]]), 3 / RATE_HZ,
                   np.array([False, True]))
    np.testing.assert_array_equal(after[0], before[0])
    again = _shown(tracker, np.array([[5.0, 5.0, 5.0], [0.0, 0.0, 0.0]]), 4 / RATE_HZ,
                   np.array([False, True]))
    np.testing.assert_array_equal(again[0], before[0])


def test_config_rejects_bad_values() -> None:
    with pytest.raises(ConfigError, match="gate_smoothing"):
        TrackerConfig(gate_smoothing=1.0)
    with pytest.raises(ConfigError, match="max_cutoff_hz"):
        TrackerConfig(min_cutoff_hz=2.0, max_cutoff_hz=1.0)


@pytest.mark.parametrize(("settings", "method"), [
    ({"beta": 1.0}, FilterMethod.ONE_EURO),  # the filter-tuning assignment's file
    ({"method": "one_euro"}, FilterMethod.ONE_EURO),
    ({"method": "tracker", "hold_s": 0.5}, FilterMethod.TRACKER),
    ({"hold_s": 0.5}, FilterMethod.TRACKER),  # no One Euro setting: the default
])
def test_a_settings_file_chooses_the_method(tmp_path: Path, settings: dict,
                                            method: FilterMethod) -> None:
    path = tmp_path / "filter.json"
    path.write_text(json.dumps(settings))
    assert load_filter_config(path).method is method


def test_an_unknown_method_is_named(tmp_path: Path) -> None:
    path = tmp_path / "filter.json"
    path.write_text(json.dumps({"method": "kalman"}))
    with pytest.raises(ConfigError, match="unknown method 'kalman'.*tracker"):
        load_filter_config(path)


def test_an_unseen_wrist_goes_with_its_elbow() -> None:
    """A wrist lost from view keeps its place from the elbow, not in the room.

    Held in the room while the arm rose on, the forearm folded down (the robot's too).
    """
    shoulder, elbow, wrist = ARM_LANDMARKS[Side.LEFT]
    pose = np.zeros((NUM_LANDMARKS, 3))
    pose[shoulder] = (0.2, -0.5, 0.0)
    pose[elbow] = (0.3, -0.5, 0.0)  # the arm out sideways, the forearm up
    pose[wrist] = (0.3, -0.75, 0.0)
    tracker = BodyTracker(TrackerConfig())
    seen = np.ones(NUM_LANDMARKS, dtype=bool)
    for k in range(10):
        tracker(pose, k / RATE_HZ, seen)
    seen[wrist] = False  # the hand leaves the picture at the top
    lifted = pose.copy()
    for k in range(10, 40):
        lifted[elbow, 1] = -0.5 - 0.3 * min((k - 10) / 10, 1.0)  # the elbow goes up 30 cm
        lifted[wrist] = (9.0, 9.0, 9.0)  # what an unseen landmark says is not used
        out = tracker(lifted, k / RATE_HZ, seen)
    forearm = out[wrist] - out[elbow]
    np.testing.assert_allclose(forearm, pose[wrist] - pose[elbow], atol=0.01)
    np.testing.assert_allclose(tracker.ahead()[wrist] - tracker.ahead()[elbow], forearm,
                               atol=0.01)


@pytest.mark.parametrize(("rate_hz", "share"), [(60.0, 1.0), (30.0, 1.0), (10.0, 1 / 3)])
def test_the_lead_shrinks_at_low_frame_rates(rate_hz: float, share: float) -> None:
    """The lead is ``latency_compensation_s`` up to 30 frames a second, a third at 10.

    The robot is shown a point that far ahead along its tracked velocity.
    At 10 frames a second each velocity is one jump over a tenth of a second: carried a tenth
    of a second on, it overshot every turn of a real person's calisthenics.
    """
    tracker = LandmarkTracker()
    for k in range(int(3 * rate_hz)):
        tracked = tracker(np.array([[0.5 * k / rate_hz, 0.0, 0.0]]), k / rate_hz)
    velocity_m_s = tracker._v[0, 0]  # noqa: SLF001 (the state the lead is made of)
    assert velocity_m_s > 0.2  # a steady 0.5 m/s, less the velocity's leak
    lead_m = tracker.ahead()[0, 0] - tracked[0, 0]
    assert lead_m == pytest.approx(share * tracker.config.latency_compensation_s * velocity_m_s,
                                   rel=1e-6)
