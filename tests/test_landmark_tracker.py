"""The gated constant-velocity landmark tracker (the ``tracker`` pose filter)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mirrorbot.errors import ConfigError
from mirrorbot.landmark_tracker import HAND_TRACKER, BodyTracker, LandmarkTracker, TrackerConfig
from mirrorbot.landmarks import NUM_LANDMARKS, Landmark
from mirrorbot.pose_filter import FilterMethod, load_filter_config

RATE_HZ = 30.0
NOISE_M = np.array([0.006, 0.006, 0.018])  # MediaPipe-like: depth jitters three times more


def _ramp_lag_frames(tracker: LandmarkTracker, points_m: np.ndarray) -> np.ndarray:
    """Mean lag [m] over the last 10 frames of each point of a (N, P, 3) track, along x."""
    out = np.array([tracker(points_m[k], k / RATE_HZ) for k in range(len(points_m))])
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
    """The velocity carries the point: a 1 m/s ramp lags well under a frame (One Euro: 0.85)."""
    n = int(2 * RATE_HZ)
    ramp = np.zeros((n, 1, 3))
    ramp[:, 0, 0] = speed_m_s * np.arange(n) / RATE_HZ
    lag_frames = _ramp_lag_frames(LandmarkTracker(), ramp)[0] / (speed_m_s / RATE_HZ)
    print(f"ramp at {speed_m_s} m/s lags {lag_frames:.2f} frames")
    assert 0.0 <= lag_frames < 0.75


def test_an_arm_opens_the_filter_for_its_slow_elbow() -> None:
    """A wrist at 1 m/s opens the gate of its elbow moving at 0.1 m/s: it hardly lags."""
    n = int(2 * RATE_HZ)
    points = np.zeros((n, 2, 3))  # elbow, wrist
    points[:, 0, 0] = 0.1 * np.arange(n) / RATE_HZ
    points[:, 1, 0] = 1.0 * np.arange(n) / RATE_HZ
    shared = _ramp_lag_frames(LandmarkTracker(groups=np.array([0, 0])), points)[0]
    alone = _ramp_lag_frames(LandmarkTracker(), points)[0]
    print(f"elbow lag: {1e3 * shared:.1f} mm with the arm's gate, {1e3 * alone:.1f} mm alone")
    assert abs(shared) < 0.005 and alone > 0.010


def test_moving_the_arm_does_not_bend_the_hand() -> None:
    """The hand's points are tracked relative to the wrist: a fast sweep keeps its shape."""
    rng = np.random.default_rng(1)
    body = rng.uniform(-0.5, 0.5, (NUM_LANDMARKS, 3))
    hand = [Landmark.LEFT_INDEX, Landmark.LEFT_PINKY, Landmark.LEFT_THUMB]
    shape = body[hand] - body[Landmark.LEFT_WRIST]
    tracker = BodyTracker(TrackerConfig(), HAND_TRACKER)
    seen = np.ones(NUM_LANDMARKS, dtype=bool)
    worst = 0.0
    for k in range(int(2 * RATE_HZ)):
        t = k / RATE_HZ
        pose = body.copy()
        pose[[Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST] + hand] += \
            [1.5 * np.sin(2 * t), 0.0, 0.5 * t]  # the whole arm sweeps, up to 3 m/s
        out = tracker(pose, t, seen)
        worst = max(worst, float(np.abs(out[hand] - out[Landmark.LEFT_WRIST] - shape).max()))
    print(f"largest change of the hand's shape: {1e3 * worst:.2f} mm")
    assert worst < 1e-6


def test_unseen_points_hold() -> None:
    tracker = LandmarkTracker()
    tracker(np.zeros((2, 3)), 0.0)
    tracker(np.array([[0.1, 0.0, 0.0], [0.0, 0.0, 0.0]]), 1 / RATE_HZ)
    before = tracker(np.array([[0.2, 0.0, 0.0], [0.0, 0.0, 0.0]]), 2 / RATE_HZ)
    after = tracker(np.array([[5.0, 5.0, 5.0], [0.0, 0.0, 0.0]]), 3 / RATE_HZ,
                    np.array([False, True]))
    np.testing.assert_array_equal(after[0], before[0])


def test_config_rejects_bad_values() -> None:
    with pytest.raises(ConfigError, match="gate_smoothing"):
        TrackerConfig(gate_smoothing=1.0)
    with pytest.raises(ConfigError, match="max_cutoff_hz"):
        TrackerConfig(min_cutoff_hz=2.0, max_cutoff_hz=1.0)


@pytest.mark.parametrize(("settings", "method"), [
    ({"beta": 1.0}, FilterMethod.ONE_EURO),  # the filter-tuning assignment's file
    ({"method": "one_euro"}, FilterMethod.ONE_EURO),
    ({"method": "tracker", "hold_s": 0.5}, FilterMethod.TRACKER),
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
