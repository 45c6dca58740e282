"""A gated constant-velocity tracker of landmarks: steady when still, little lag when moving.

Each landmark is tracked with a position and a velocity (an alpha-beta filter, the steady-state
Kalman filter of motion at constant velocity). How much of a new measurement it takes depends on
how far the measurement lies from the prediction, counted in the tracker's noise (the innovation
gate): within ``gate_sigmas`` the point is taken to be still and smoothed at ``min_cutoff_hz``;
beyond that the cutoff rises by ``gain_hz_per_sigma`` per sigma, up to ``max_cutoff_hz``. The
velocity carries a moving point forward, so a steady movement is followed without the lag of a
plain low-pass filter; it leaks away at ``velocity_decay_hz``, so a point that stops does not
drift on.

The points of a limb share their gate (the largest of them), so a moving arm opens the filter for
its slow elbow as much as for its fast wrist, and the forearm's direction is not bent by the
elbow falling behind. This is where the One Euro filter loses time on whole-arm movements: its
cutoff follows each coordinate's own low-passed speed, which opens late at the start of a
movement and stays low for slow points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray, IntArray
from mirrorbot.compiled import kernel
from mirrorbot.errors import ConfigError
from mirrorbot.landmarks import ARM_LANDMARKS, HAND_LANDMARKS, NUM_LANDMARKS, Side


@dataclass(frozen=True, kw_only=True)
class TrackerConfig:
    """Gains and noise of the tracker.

    Attributes:
        noise_plane_m: Measurement noise in the image plane (x, y) [m]: the frame-to-frame
            jitter of the bundled pose model's world landmarks (5-10 mm on a still photo) and
            of the synthetic person's (6 mm). The model's landmarks also wander by 14-31 mm
            over seconds, which the synthetic person's do not; the gate takes that for
            movement, so on a camera a larger value (about twice) keeps a still arm steadier.
        noise_depth_m: Measurement noise in depth (z) [m] (about three times the plane's).
        gate_sigmas: Innovations below this many noise sigmas count as noise.
        min_cutoff_hz: Cutoff inside the gate (a still point) [Hz].
        gain_hz_per_sigma: Rise of the cutoff per sigma beyond the gate [Hz].
        max_cutoff_hz: Highest cutoff [Hz]; some smoothing is always left.
        gate_smoothing: How much of the last gate value is kept each frame (0-1): one noisy
            frame does not open the filter.
        velocity_gain: Velocity correction as a multiple of the Benedict-Bordner gain
            alpha^2 / (2 - alpha), the usual pairing with the position gain alpha.
        velocity_decay_hz: Rate at which the velocity leaks away [Hz].
    """

    noise_plane_m: float = 0.006
    noise_depth_m: float = 0.018
    gate_sigmas: float = 3.0
    min_cutoff_hz: float = 0.05
    gain_hz_per_sigma: float = 1.5
    max_cutoff_hz: float = 8.0
    gate_smoothing: float = 0.7
    velocity_gain: float = 1.5
    velocity_decay_hz: float = 1.0

    def __post_init__(self) -> None:
        for name in ("noise_plane_m", "noise_depth_m", "min_cutoff_hz", "max_cutoff_hz"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"{name} must be > 0, got {value}")
        for name in ("gate_sigmas", "gain_hz_per_sigma", "velocity_gain", "velocity_decay_hz"):
            value = getattr(self, name)
            if not value >= 0:
                raise ConfigError(f"{name} must be >= 0, got {value}")
        if not 0.0 <= self.gate_smoothing < 1.0:
            raise ConfigError(f"gate_smoothing must be in [0, 1), got {self.gate_smoothing}")
        if self.max_cutoff_hz < self.min_cutoff_hz:
            raise ConfigError(f"max_cutoff_hz ({self.max_cutoff_hz}) must be >= min_cutoff_hz "
                              f"({self.min_cutoff_hz})")

    @property
    def noise_m(self) -> FloatArray:
        """Noise per axis (3,) [m]."""
        return np.array([self.noise_plane_m, self.noise_plane_m, self.noise_depth_m])

    @property
    def gains(self) -> FloatArray:
        """The gains as the kernel takes them (7,)."""
        return np.array([self.gate_sigmas, self.min_cutoff_hz, self.gain_hz_per_sigma,
                         self.max_cutoff_hz, self.gate_smoothing, self.velocity_gain,
                         self.velocity_decay_hz])


class LandmarkTracker:
    """Tracks N points in 3-D; points of one group share their gate.

    Args:
        config: Gains and noise.
        groups: Group index per point (N,), or -1 for a point on its own; None: all on their
            own.
    """

    def __init__(self, config: TrackerConfig | None = None, groups: IntArray | None = None,
                 ) -> None:
        self.config = config or TrackerConfig()
        self._groups = None if groups is None else np.ascontiguousarray(groups, dtype=np.int64)
        self._noise_m = self.config.noise_m
        self._gains = self.config.gains
        self._x: FloatArray | None = None
        self._v: FloatArray | None = None
        self._gate: FloatArray | None = None
        self._t_s = 0.0

    def reset(self) -> None:
        """Forget the past: the next sample passes through unchanged."""
        self._x = None

    def __call__(self, z_m: FloatArray, t_s: float, update: BoolArray | None = None,
                 ) -> FloatArray:
        """Track one measurement.

        Args:
            z_m: The measured points (N, 3) [m].
            t_s: Its time [s]; must increase.
            update: Which points to update (N,); the others hold, their velocity reset. All
                when None.

        Returns:
            The tracked points (N, 3) [m].
        """
        z = np.ascontiguousarray(z_m, dtype=np.float64)
        if self._x is None or self._v is None or self._gate is None:
            self._x = z.copy()
            self._v = np.zeros_like(z)
            self._gate = np.zeros(len(z))
            self._t_s = t_s
            return z.copy()
        dt = t_s - self._t_s
        if dt <= 0:
            return self._x.copy()
        if self._groups is None:  # all on their own
            self._groups = np.full(len(z), -1, dtype=np.int64)
        mask = np.ones(len(z), dtype=np.bool_) if update is None \
            else np.ascontiguousarray(update, dtype=np.bool_)
        self._x, self._v, self._gate = _track_step(z, self._x, self._v, self._gate, mask, dt,
                                                   self._noise_m, self._groups, self._gains)
        self._t_s = t_s
        return self._x.copy()


@kernel
def _track_step(z: FloatArray, x: FloatArray, v: FloatArray, gate: FloatArray, update: BoolArray,
                dt_s: float, noise_m: FloatArray, groups: IntArray, gains: FloatArray,
                ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One step for points (N, 3): the new positions [m], velocities [m/s] and gates (N,).

    ``gains``: :attr:`TrackerConfig.gains`.
    """
    gate_sigmas, min_cutoff_hz, gain_hz_per_sigma, max_cutoff_hz = gains[0], gains[1], \
        gains[2], gains[3]
    gate_smoothing, velocity_gain, velocity_decay_hz = gains[4], gains[5], gains[6]
    n = z.shape[0]
    predicted = x + v * dt_s
    innovation = z - predicted
    sigmas = np.zeros(n)
    for i in range(n):
        s = 0.0
        for k in range(3):
            s += (innovation[i, k] / noise_m[k]) ** 2
        sigmas[i] = math.sqrt(s)
    n_groups = 0
    for i in range(n):
        n_groups = max(n_groups, groups[i] + 1)
    group_max = np.zeros(max(n_groups, 1))
    for i in range(n):
        if groups[i] >= 0 and update[i]:
            group_max[groups[i]] = max(group_max[groups[i]], sigmas[i])
    x_new = x.copy()
    v_new = np.zeros_like(v)
    gate_new = gate.copy()
    leak = math.exp(-2.0 * math.pi * velocity_decay_hz * dt_s)
    for i in range(n):
        if not update[i]:
            continue
        s = group_max[groups[i]] if groups[i] >= 0 else sigmas[i]
        g = gate_smoothing * gate[i] + (1.0 - gate_smoothing) * s
        gate_new[i] = g
        cutoff = min(min_cutoff_hz + gain_hz_per_sigma * max(g - gate_sigmas, 0.0),
                     max_cutoff_hz)
        alpha = 1.0 - math.exp(-2.0 * math.pi * cutoff * dt_s)
        beta = velocity_gain * alpha * alpha / (2.0 - alpha)
        for k in range(3):
            x_new[i, k] = predicted[i, k] + alpha * innovation[i, k]
            v_new[i, k] = leak * v[i, k] + beta / dt_s * innovation[i, k]
    return x_new, v_new, gate_new


HAND_TRACKER = TrackerConfig(noise_plane_m=TrackerConfig().noise_plane_m * math.sqrt(2),
                             noise_depth_m=TrackerConfig().noise_depth_m * math.sqrt(2),
                             gate_sigmas=4.0, gain_hz_per_sigma=1.0, max_cutoff_hz=4.0)
"""The hand's offsets from its wrist: the difference of two noisy points (noise x sqrt 2), and
short, so their noise turns the hand a lot: a wider gate and a lower ceiling."""


class BodyTracker:
    """MediaPipe's 33 world landmarks, tracked.

    Each arm's points share a gate, and the hands' points are tracked as offsets from their
    wrists (with ``hand_config``), so moving the arm never bends the hand.

    Args:
        config: Gains for the body and arms.
        hand_config: Gains for the hands' offsets from their wrists.
    """

    def __init__(self, config: TrackerConfig, hand_config: TrackerConfig = HAND_TRACKER,
                 ) -> None:
        groups = np.full(NUM_LANDMARKS, -1, dtype=np.int64)
        for g, side in enumerate(Side):
            groups[list(ARM_LANDMARKS[side]) + list(HAND_LANDMARKS[side])] = g
        self._body = LandmarkTracker(config, groups)
        self._hand = LandmarkTracker(hand_config)
        self._hand_idx = np.array([i for side in Side for i in HAND_LANDMARKS[side]])
        self._wrist_idx = np.array([ARM_LANDMARKS[side][2] for side in Side
                                    for _ in HAND_LANDMARKS[side]])

    def reset(self) -> None:
        """Forget the past: the next sample passes through unchanged."""
        self._body.reset()
        self._hand.reset()

    def __call__(self, world_m: FloatArray, t_s: float, update: BoolArray) -> FloatArray:
        """Tracked landmarks (33, 3) [m] from measured ``world_m`` (33, 3) [m] at ``t_s`` [s].

        ``update`` (33,) says which were seen (the others hold).
        """
        out = self._body(world_m, t_s, update)
        offsets = self._hand(world_m[self._hand_idx] - world_m[self._wrist_idx], t_s,
                             update[self._hand_idx] & update[self._wrist_idx])
        out[self._hand_idx] = out[self._wrist_idx] + offsets
        return out
