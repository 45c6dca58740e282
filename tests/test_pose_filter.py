"""The One Euro filter and the visibility-aware pose filter."""

from __future__ import annotations

import numpy as np
import pytest

from mirrorbot.errors import ConfigError
from mirrorbot.eval.filter_tuning import ramp_lag_frames
from mirrorbot.perception.landmark_tracker import TrackerConfig
from mirrorbot.perception.landmarks import NUM_LANDMARKS, PoseFrame
from mirrorbot.perception.pose_filter import FilterConfig, FilterMethod, OneEuroFilter, PoseFilter

RATE_HZ = 30.0


def test_noisy_constant_signal_std_falls_at_least_5x() -> None:
    rng = np.random.default_rng(0)
    n = int(60 * RATE_HZ)
    truth = rng.uniform(-0.5, 0.5, (NUM_LANDMARKS, 3))
    noise = rng.normal(0.0, 0.005, (n, NUM_LANDMARKS, 3))  # 5 mm, MediaPipe's in-plane jitter
    f = OneEuroFilter()
    out = np.array([f(truth + noise[k], k / RATE_HZ) for k in range(n)])
    warm = int(RATE_HZ)
    reduction = noise[warm:].std() / (out[warm:] - truth).std()
    print(f"still-point jitter reduced {reduction:.1f}x")
    assert reduction >= 5.0


@pytest.mark.parametrize("speed_m_s", [1.0, 1.5])
def test_ramp_lag_stays_under_two_frames(speed_m_s: float) -> None:
    lag = ramp_lag_frames(FilterConfig(), speed_m_s)
    print(f"ramp at {speed_m_s} m/s lags {lag:.2f} frames")
    assert 0.0 <= lag < 2.0


def test_first_sample_passes_through_and_time_must_advance() -> None:
    f = OneEuroFilter()
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(f(x, 0.0), x)
    np.testing.assert_array_equal(f(np.array([5.0, 5.0]), 0.0), x)  # same time: no update


def _pose(t: float, world: np.ndarray, vis: float | np.ndarray = 0.99) -> PoseFrame:
    v = np.full(NUM_LANDMARKS, vis) if np.isscalar(vis) else np.asarray(vis)
    return PoseFrame(t_s=t, world_m=world, visibility=v, image_uv=None)


def test_low_visibility_landmark_is_held_then_its_confidence_decays() -> None:
    cfg = FilterConfig()
    f = PoseFilter(cfg)
    base = np.zeros((NUM_LANDMARKS, 3))
    for k in range(10):
        f(_pose(k / RATE_HZ, base), k / RATE_HZ)
    vis = np.full(NUM_LANDMARKS, 0.99)
    vis[15] = 0.1  # the left wrist is occluded and its position is garbage
    jumped = base.copy()
    jumped[15] = [3.0, 3.0, 3.0]
    confidences = []
    for k in range(10, 60):
        t = k / RATE_HZ
        out = f(_pose(t, jumped, vis), t)
        assert out is not None
        np.testing.assert_allclose(out.world_m[15], 0.0, atol=1e-12)  # held, no jump
        confidences.append(out.visibility[15])
    held_frames = int(cfg.hold_s * RATE_HZ)
    assert confidences[0] == pytest.approx(0.99)
    assert confidences[held_frames - 1] == pytest.approx(0.99)
    assert confidences[-1] < 0.2
    assert np.all(np.diff(confidences) <= 1e-12)


def test_dropout_is_kept_and_a_long_gap_restarts_the_filter() -> None:
    f = PoseFilter()
    a = np.zeros((NUM_LANDMARKS, 3))
    b = np.ones((NUM_LANDMARKS, 3))
    f(_pose(0.0, a), 0.0)
    assert f(None, 0.5) is None
    out = f(_pose(2.0, b), 2.0)  # after more than reset_after_s: no glide from the stale pose
    assert out is not None
    np.testing.assert_array_equal(out.world_m, b)


def test_config_rejects_bad_values() -> None:
    with pytest.raises(ConfigError, match="min_cutoff_hz must be > 0"):
        FilterConfig(min_cutoff_hz=0.0)
    with pytest.raises(ConfigError, match="min_visibility"):
        FilterConfig(min_visibility=1.5)


def _moving_pose(k: int) -> PoseFrame:
    """Every landmark moving along x at 1 m/s, frame ``k`` at 30 fps."""
    world = np.zeros((NUM_LANDMARKS, 3))
    world[:, 0] = k / 30.0
    return PoseFrame(t_s=k / 30.0, world_m=world, visibility=np.ones(NUM_LANDMARKS),
                     image_uv=None)


def test_the_robot_is_driven_ahead_of_what_the_recogniser_sees() -> None:
    """The recogniser gets the smooth One Euro view, the robot the tracker's ahead by its lead.

    With a One Euro settings file both are the same.
    """
    f = PoseFilter()
    for k in range(30):
        pose = f(_moving_pose(k), k / 30.0)
    assert pose is not None
    robot = f.for_robot(pose)
    truth_x = 29 / 30.0
    print(f"behind the person: recogniser {1e3 * (truth_x - pose.world_m[0, 0]):.0f} mm, "
          f"robot {1e3 * (truth_x - robot.world_m[0, 0]):.0f} mm")
    assert robot.world_m[0, 0] > pose.world_m[0, 0] + 0.02
    ahead_m = robot.world_m[0, 0] - truth_x  # at 1 m/s
    # a frame behind at most, or its lead
    assert -0.035 < ahead_m <= TrackerConfig().latency_compensation_s
    np.testing.assert_array_equal(robot.visibility, pose.visibility)
    one_euro = PoseFilter(FilterConfig(method=FilterMethod.ONE_EURO))
    pose = one_euro(_moving_pose(0), 0.0)
    assert pose is not None and one_euro.for_robot(pose) is pose


def test_for_robot_takes_only_the_last_pose() -> None:
    f = PoseFilter()
    first = f(_moving_pose(0), 0.0)
    f(_moving_pose(1), 1 / 30.0)
    assert first is not None
    with pytest.raises(ValueError, match="last"):
        f.for_robot(first)
