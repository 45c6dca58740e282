"""Observation noise for the synthetic person, each kind switchable on its own.

MediaPipe-like: jitter that is larger in depth than in the image plane and correlated from frame
to frame, short dropouts (nobody tracked for a few frames), and low visibility with extra
jitter on points the body hides from the camera (a hand behind the torso, legs under the table).

Optionally (``wander``, off by default) the slow wander of the bundled pose model's world
landmarks: on a still photo with camera noise its shoulders and elbows drift by 7-16 mm and its
wrists by 18-42 mm (x/y/z stds) over about a second, on top of 4-20 mm of frame-to-frame jitter
(``mirrorbot bench`` measures both, :mod:`mirrorbot.eval.pose_noise`). Filters and recognisers tuned
without it take that drift for movement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray
from mirrorbot.errors import ConfigError
from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark

LEG_LANDMARKS = tuple(range(Landmark.LEFT_KNEE, NUM_LANDMARKS))
WANDERING_HAND = tuple(range(Landmark.LEFT_WRIST, Landmark.RIGHT_THUMB + 1))
"""The wrists and hands' points, which wander most."""


@dataclass(frozen=True, kw_only=True)
class NoiseConfig:
    """What noise to add.

    Attributes:
        jitter: Add landmark jitter.
        jitter_plane_m: Standard deviation in the image plane (x, y) [m].
        jitter_depth_m: Standard deviation in depth (z) [m].
        jitter_correlation: AR(1) coefficient of the jitter from one frame to the next.
        dropouts: Lose the person now and then.
        dropout_rate_hz: Dropouts started per second.
        dropout_frames: Range of a dropout's length [frames].
        occlusion: Lower the visibility of (and add jitter to) hidden points.
        yaw_deg: The person's turn away from the camera [deg] (about the vertical).
        wander: Add slow wander (an AR(1) drift per landmark).
        wander_plane_m: Its standard deviation in the image plane (x, y) [m].
        wander_depth_m: Its standard deviation in depth (z) [m].
        wander_time_s: Its correlation time [s].
        wander_hand_factor: How many times more the wrists and hands wander.
    """

    jitter: bool = True
    jitter_plane_m: float = 0.006
    jitter_depth_m: float = 0.018
    jitter_correlation: float = 0.5
    dropouts: bool = True
    dropout_rate_hz: float = 0.05
    dropout_frames: tuple[int, int] = (2, 8)
    occlusion: bool = True
    yaw_deg: float = 0.0
    wander: bool = False
    wander_plane_m: float = 0.008
    wander_depth_m: float = 0.015
    wander_time_s: float = 1.0
    wander_hand_factor: float = 2.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.jitter_correlation < 1.0:
            raise ConfigError(f"jitter_correlation must be in [0, 1), got "
                              f"{self.jitter_correlation}")
        if not -60.0 <= self.yaw_deg <= 60.0:
            raise ConfigError(f"yaw_deg must be in [-60, 60], got {self.yaw_deg}")
        if min(self.jitter_plane_m, self.jitter_depth_m, self.dropout_rate_hz,
               self.wander_plane_m, self.wander_depth_m, self.wander_hand_factor) < 0:
            raise ConfigError("noise magnitudes and rates must be >= 0")
        if not self.wander_time_s > 0:
            raise ConfigError(f"wander_time_s must be > 0, got {self.wander_time_s}")

    @staticmethod
    def off(yaw_deg: float = 0.0) -> NoiseConfig:
        """No noise at all: the exact kinematics."""
        return NoiseConfig(jitter=False, dropouts=False, occlusion=False, yaw_deg=yaw_deg)


def hidden_points(world_m: FloatArray, R_mp_torso: FloatArray) -> BoolArray:
    """Boolean (33,): points the torso hides from the camera, or legs under the table.

    A point is hidden when it is behind the chest plane (seen from the camera) and within the
    torso's width.
    """
    ls, rs = world_m[Landmark.LEFT_SHOULDER], world_m[Landmark.RIGHT_SHOULDER]
    centre = (ls + rs) / 2
    rel = (world_m - centre) @ R_mp_torso  # torso frame
    half_width = 0.5 * float(np.linalg.norm(ls - rs))
    behind = (rel[:, 0] < -0.06) & (np.abs(rel[:, 1]) < half_width) & (rel[:, 2] < 0.05)
    hidden = behind.copy()
    hidden[list(LEG_LANDMARKS)] = True
    return hidden


class NoiseModel:
    """Stateful noise (the jitter is correlated, dropouts last several frames).

    Args:
        config: What to add.
        rng: Its own random stream, so noise never changes the kinematics.
    """

    def __init__(self, config: NoiseConfig, rng: np.random.Generator) -> None:
        self.config = config
        self.rng = rng
        self._jitter = np.zeros((NUM_LANDMARKS, 3))
        self._wander: FloatArray | None = None
        self._wander_sigma_m = np.array([config.wander_plane_m, config.wander_plane_m,
                                         config.wander_depth_m]) \
            * np.where(np.isin(np.arange(NUM_LANDMARKS), WANDERING_HAND),
                       config.wander_hand_factor, 1.0)[:, None]  # (33, 3) [m]
        self._dropout_left = 0

    def visibility(self, hidden: BoolArray) -> FloatArray:
        """Per-point visibility (33,) in [0, 1]."""
        vis = np.clip(self.rng.normal(0.985, 0.01, NUM_LANDMARKS), 0.9, 1.0)
        if self.config.occlusion:
            vis = np.where(hidden, self.rng.uniform(0.15, 0.45, NUM_LANDMARKS), vis)
        return vis

    def observe(self, world_m: FloatArray, hidden: BoolArray, rate_hz: float,
                ) -> tuple[FloatArray, FloatArray] | None:
        """Noisy (world (33, 3) [m], visibility (33,)) of the true landmarks, or None (dropout)."""
        cfg = self.config
        if cfg.dropouts:
            if self._dropout_left > 0:
                self._dropout_left -= 1
                return None
            if self.rng.uniform() < cfg.dropout_rate_hz / rate_hz:
                lo, hi = cfg.dropout_frames
                self._dropout_left = int(self.rng.integers(lo, hi + 1)) - 1
                return None
        vis = self.visibility(hidden)
        observed = world_m.copy()
        if cfg.jitter:
            sigma = np.array([cfg.jitter_plane_m, cfg.jitter_plane_m, cfg.jitter_depth_m])
            rho = cfg.jitter_correlation
            fresh = self.rng.normal(0.0, 1.0, (NUM_LANDMARKS, 3)) * sigma
            self._jitter = rho * self._jitter + np.sqrt(1 - rho * rho) * fresh
            extra = np.where(hidden[:, None], 2.0, 0.0) * fresh if cfg.occlusion else 0.0
            observed = observed + self._jitter + extra  # (same order as ever: same bits)
        if cfg.wander:
            observed += self._next_wander(rate_hz)
        return observed, vis

    def _next_wander(self, rate_hz: float) -> FloatArray:
        """This frame's wander (33, 3) [m], a stationary AR(1) per landmark and axis."""
        fresh = self.rng.normal(0.0, 1.0, (NUM_LANDMARKS, 3)) * self._wander_sigma_m
        if self._wander is None:
            self._wander = fresh  # start in the stationary distribution
        else:
            rho = float(np.exp(-1.0 / (rate_hz * self.config.wander_time_s)))
            self._wander = rho * self._wander + np.sqrt(1 - rho * rho) * fresh
        return self._wander
