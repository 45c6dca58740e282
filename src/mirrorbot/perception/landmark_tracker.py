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

Each point learns its own noise from its innovations while it is still (``noise_adapt_s``), with
the configured noise as the floor. The bundled pose model's landmarks jitter more than the
synthetic person's (a wrist 20 mm frame to frame) and wander slowly by centimetres; with a fixed
noise, that opened the gate as if the arm moved, and a still arm seen through the real model
shook two to three times as much as behind the One Euro filter. Learnt, the gate widens for
such a camera by itself: on a still photo, once learnt (after about ten seconds), the arm shakes
half as much as behind the One Euro filter.

The output leads the tracked position by ``latency_compensation_s`` along the tracked velocity,
which makes up for the frames the gate needs to tell a movement from noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray, IntArray
from mirrorbot.compiled import kernel
from mirrorbot.errors import ConfigError
from mirrorbot.perception.landmarks import ARM_LANDMARKS, HAND_LANDMARKS, NUM_LANDMARKS, Side

LEARN_BOUND_SQ = 9.0  # innovations beyond 3 times the learnt noise are not noise
LEARN_MAX_SPEED_M_S = 0.1  # a point tracked faster than this is moving: nothing to learn
MEDIAN_OVER_MEAN = 2.366 / 3.0  # of a chi-square with three degrees of freedom
SLOW_VELOCITY_S = 0.5  # the speed compared with that is averaged over this long [s]
LEAD_REFERENCE_DT_S = 1.0 / 30.0
"""The lead (``latency_compensation_s``) is whole at this frame interval or shorter and shrinks
in proportion beyond it [s]. At 10 frames a second each velocity is one jump between frames a
tenth of a second apart, and carried a tenth of a second ahead it overshot: a real video of
calisthenics at 10 fps was copied 29 deg off (median) with the whole lead, 11 without it."""


@dataclass(frozen=True, kw_only=True)
class TrackerConfig:
    """Gains and noise of the tracker.

    Attributes:
        noise_plane_m: Measurement noise in the image plane (x, y) [m], the least the tracker
            assumes: the frame-to-frame jitter of the synthetic person's landmarks is 6 mm,
            the bundled pose model's 4-20 mm on a still photo. With ``noise_adapt_s`` the
            tracker learns a larger one where the camera's is larger.
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
        latency_compensation_s: The output is the tracked position this far ahead along the tracked
            velocity [s]: it makes up for the delay of finding a movement in the noise, and for the
            command shaper's acceleration limit. A still point's velocity is near zero (its gain is
            low), so a still point is not pushed around. Chosen on the tuning seeds of ``eval
            retarget`` with the robot's 6 rad/s shoulders: 60, 80, 100 and 120 ms gave 24, 22, 16
            and 16 ms of extra lag at 4.2, 3.9, 3.8 and 3.6 times less jitter than naive; a still
            arm seen through the real pose model shakes 12% more at 100 ms than at 60 (21% at 120).
            At frame intervals longer than :data:`LEAD_REFERENCE_DT_S` the lead shrinks in
            proportion.
        noise_adapt_s: Time constant [s] of each point's noise estimate, learnt from its
            innovations while still (:class:`NoiseLearner`; 0: the noise above, fixed). The
            noise above is then a floor: a camera whose landmarks jitter or wander more than
            that is given a wider gate instead of passing its noise on as movement.
    """

    noise_plane_m: float = 0.009
    noise_depth_m: float = 0.027
    gate_sigmas: float = 3.0
    min_cutoff_hz: float = 0.05
    gain_hz_per_sigma: float = 1.5
    max_cutoff_hz: float = 8.0
    gate_smoothing: float = 0.7
    velocity_gain: float = 1.5
    velocity_decay_hz: float = 1.0
    latency_compensation_s: float = 0.10
    noise_adapt_s: float = 2.0

    def __post_init__(self) -> None:
        for name in ("noise_plane_m", "noise_depth_m", "min_cutoff_hz", "max_cutoff_hz"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"{name} must be > 0, got {value}")
        for name in ("gate_sigmas", "gain_hz_per_sigma", "velocity_gain", "velocity_decay_hz",
                     "latency_compensation_s", "noise_adapt_s"):
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
        """The gains as the kernel takes them (8,)."""
        return np.array([self.gate_sigmas, self.min_cutoff_hz, self.gain_hz_per_sigma,
                         self.max_cutoff_hz, self.gate_smoothing, self.velocity_gain,
                         self.velocity_decay_hz, self.latency_compensation_s])


class LandmarkTracker:
    """Tracks N points in 3-D; points of one group share their gate.

    A point that is not updated (unseen) holds where it was; a point with a parent (the elbow's
    is the shoulder, the wrist's the elbow) holds where it was *from its parent*, moving with
    it. A wrist lost above the camera's frame as the arm rose was held where it had been seen
    last, in the room, while the elbow went on up, and the robot's forearm folded down
    (110-130 deg off for seconds, in a straight-arm raise of a second synthetic person).

    Args:
        config: Gains and noise.
        groups: Group index per point (N,), or -1 for a point on its own; None: all on their
            own.
        parents: Parent index per point (N,), or -1; a parent's index is below its child's.
            None: no parents.
    """

    def __init__(self, config: TrackerConfig | None = None, groups: IntArray | None = None,
                 parents: IntArray | None = None) -> None:
        self.config = config or TrackerConfig()
        self._groups = None if groups is None else np.ascontiguousarray(groups, dtype=np.int64)
        self._parents = None if parents is None \
            else np.ascontiguousarray(parents, dtype=np.int64)
        self._offsets_m: FloatArray | None = None  # each point from its parent, when last seen
        self._noise_m = self.config.noise_m
        self._gains = self.config.gains
        self._x: FloatArray | None = None
        self._v: FloatArray | None = None
        self._gate: FloatArray | None = None
        self._noise = NoiseLearner(self.config.noise_adapt_s)
        self._t_s = 0.0
        self._dt_s = LEAD_REFERENCE_DT_S  # the last frame interval [s]

    def reset(self) -> None:
        """Forget the past: the next sample passes through unchanged.

        The learnt noise is kept: it describes the camera, not the person.
        """
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
            The tracked points (N, 3) [m] (:meth:`ahead` gives them ``latency_compensation_s``
            ahead).
        """
        z = np.ascontiguousarray(z_m, dtype=np.float64)
        mask = np.ones(len(z), dtype=np.bool_) if update is None \
            else np.ascontiguousarray(update, dtype=np.bool_)
        if self._x is None or self._v is None or self._gate is None:
            self._x = z.copy()
            self._v = np.zeros_like(z)
            self._gate = np.zeros(len(z))
            self._t_s = t_s
            if self._parents is not None:
                self._offsets_m = np.zeros_like(z)
                _follow_parents(self._x, self._v, np.ones(len(z), dtype=np.bool_),
                                self._parents, self._offsets_m)
            return z.copy()
        dt = t_s - self._t_s
        if dt <= 0:
            return self._x.copy()
        if self._groups is None:  # all on their own
            self._groups = np.full(len(z), -1, dtype=np.int64)
        scale = self._noise.observe(z, self._x, self._v, mask, self._noise_m, dt)
        self._x, self._v, self._gate = _track_step(z, self._x, self._v, self._gate, scale, mask,
                                                   dt, self._noise_m, self._groups, self._gains)
        if self._parents is not None and self._offsets_m is not None:
            _follow_parents(self._x, self._v, mask, self._parents, self._offsets_m)
        self._dt_s = dt
        self._t_s = t_s
        return self._x.copy()

    def ahead(self) -> FloatArray:
        """The last tracked points ahead along their velocity (N, 3) [m].

        ``latency_compensation_s`` ahead at 30 frames a second or more, less at lower rates
        (:data:`LEAD_REFERENCE_DT_S`). For the robot, which then makes up for the frames the
        gate needed to see the movement; the recogniser takes the points themselves.
        """
        if self._x is None or self._v is None:
            raise RuntimeError("nothing tracked yet")
        lead_s = self.config.latency_compensation_s * min(1.0, LEAD_REFERENCE_DT_S / self._dt_s)
        return self._x + lead_s * self._v

    @property
    def noise_scale(self) -> FloatArray:
        """Each point's learnt noise as a multiple of the configured noise (N,) (>= 1)."""
        return self._noise.scale()


@kernel
def _follow_parents(x: FloatArray, v: FloatArray, seen: BoolArray, parents: IntArray,
                    offsets_m: FloatArray) -> None:
    """Unseen points (N, 3) [m] go with their parents, at their offset when last seen; in place.

    ``v`` [m/s]: an unseen point takes its parent's velocity. ``offsets_m`` (N, 3): updated
    where seen. Parents come before their children (index order), so a wrist follows its
    elbow where the elbow has just followed the shoulder.
    """
    for i in range(x.shape[0]):
        p = parents[i]
        if p < 0:
            continue
        if seen[i]:
            for a in range(3):
                offsets_m[i, a] = x[i, a] - x[p, a]
        else:
            for a in range(3):
                x[i, a] = x[p, a] + offsets_m[i, a]
                v[i, a] = v[p, a]


class NoiseLearner:
    """Learns each point's measurement noise from the tracker's innovations while it is still.

    The innovation (measurement minus prediction) of a still point is its noise, and with the
    bundled pose model also its slow wander: centimetres over a second, which the gate would
    otherwise take for movement and follow in a jerk. A point counts as still while its
    tracked velocity, averaged over ``SLOW_VELOCITY_S``, stays under ``LEARN_MAX_SPEED_M_S``
    (wander is slower, gestures much faster): a steady movement keeps its innovations at the
    gate too, and learnt as noise it would widen the gate without end. What is learnt is the
    running median of the squared innovation (a minority of slow movements, holding a cup or
    the ends of a reach, does not pull it up as it pulls a mean), over about
    ``time_constant_s``; innovations beyond ``LEARN_BOUND_SQ`` times the learnt noise are left
    out.

    Measured: on the synthetic person without wander the gesturing arm's wrist ends up at about
    1.3 times the configured noise; with wander 2.6; the bundled pose model on a still photo
    1.5-1.6.

    Args:
        time_constant_s: How fast the median moves: it can change by a factor e per this
            long [s]; 0: nothing is learnt (scale 1).
    """

    def __init__(self, time_constant_s: float) -> None:
        self.time_constant_s = time_constant_s
        self._noise_sq = np.zeros(0)  # as a mean over 3 axes in configured noise^2
        self._v_slow = np.zeros((0, 3))  # the tracked velocity, low-passed [m/s]

    def observe(self, z_m: FloatArray, x_m: FloatArray, v_m_s: FloatArray, update: BoolArray,
                noise_m: FloatArray, dt_s: float) -> FloatArray:
        """Learn from one step; the noise scale (N,) to use in it.

        ``z_m`` (N, 3) [m]: the measurement; ``x_m`` (N, 3) [m] and ``v_m_s`` (N, 3) [m/s]: the
        tracked positions and velocities before it; ``update`` (N,): which points were
        measured; ``noise_m`` (3,): the configured noise per axis [m]; ``dt_s``: time since the
        last step [s].
        """
        if self.time_constant_s <= 0:
            return np.ones(len(z_m))
        if len(self._noise_sq) != len(z_m):
            self._noise_sq = np.full(len(z_m), 3.0)
            self._v_slow = np.zeros((len(z_m), 3))
        return _learn_noise(z_m, x_m, v_m_s, dt_s, self._v_slow, self._noise_sq, update,
                            noise_m, dt_s / self.time_constant_s,
                            1.0 - math.exp(-dt_s / SLOW_VELOCITY_S), LEARN_MAX_SPEED_M_S,
                            LEARN_BOUND_SQ)

    def scale(self) -> FloatArray:
        """Each point's learnt noise as a multiple of the configured noise (N,) (>= 1)."""
        if self.time_constant_s <= 0:
            return np.ones(len(self._noise_sq))
        return np.sqrt(np.maximum(self._noise_sq / 3.0, 1.0))


@kernel
def _learn_noise(z: FloatArray, x: FloatArray, v: FloatArray, dt_s: float, v_slow: FloatArray,
                 noise_sq: FloatArray, update: BoolArray, noise_m: FloatArray, learn: float,
                 slow_step: float, max_speed_m_s: float, bound_sq: float) -> FloatArray:
    """One step of :class:`NoiseLearner`; each point's noise scale (N,) (>= 1).

    Updates ``v_slow`` and ``noise_sq`` in place. The innovation is ``z`` minus the prediction
    from ``x``, ``v`` (N, 3). ``v_slow`` (N, 3): the tracked velocity low-passed (step
    ``slow_step``), at most ``max_speed_m_s`` to learn;
    ``noise_sq`` (N,): the running median of the squared innovation of still points, as the
    mean it implies for Gaussian noise, in configured noise (3 for noise as configured: three
    axes); ``learn``: the median's log step; ``bound_sq``: larger squared innovations,
    relative to the learnt, are left out.
    """
    n = z.shape[0]
    scale = np.empty(n)
    for i in range(n):
        speed_sq = 0.0
        s = 0.0
        for k in range(3):
            v_slow[i, k] += slow_step * (v[i, k] - v_slow[i, k])
            speed_sq += v_slow[i, k] ** 2
            s += ((z[i, k] - x[i, k] - v[i, k] * dt_s) / noise_m[k]) ** 2
        if update[i] and speed_sq < max_speed_m_s ** 2 \
                and s < bound_sq * max(noise_sq[i], 3.0):
            # the running median: a minority of slow movements does not pull it up
            noise_sq[i] *= math.exp(learn if s > noise_sq[i] * MEDIAN_OVER_MEAN else -learn)
        scale[i] = math.sqrt(max(noise_sq[i] / 3.0, 1.0))
    return scale


@kernel
def _track_step(z: FloatArray, x: FloatArray, v: FloatArray, gate: FloatArray,
                scale: FloatArray, update: BoolArray, dt_s: float, noise_m: FloatArray,
                groups: IntArray, gains: FloatArray,
                ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One step for points (N, 3): the new positions [m], velocities [m/s] and gates (N,).

    ``scale`` (N,): each point's noise as a multiple of ``noise_m`` (3,) [m]. A point not
    updated holds where the robot was last shown it (its lead taken into its position) and
    stops.
    ``gains``: :attr:`TrackerConfig.gains`.
    """
    gate_sigmas, min_cutoff_hz, gain_hz_per_sigma, max_cutoff_hz = gains[0], gains[1], \
        gains[2], gains[3]
    gate_smoothing, velocity_gain, velocity_decay_hz, latency_compensation_s = gains[4], \
        gains[5], gains[6], gains[7]
    n = z.shape[0]
    predicted = x + v * dt_s
    innovation = z - predicted
    sigmas = np.zeros(n)
    for i in range(n):
        s = 0.0
        for k in range(3):
            s += (innovation[i, k] / noise_m[k]) ** 2
        sigmas[i] = math.sqrt(s) / scale[i]
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
            for k in range(3):
                x_new[i, k] = x[i, k] + latency_compensation_s * v[i, k]
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


HAND_TRACKER = TrackerConfig(noise_plane_m=0.006 * math.sqrt(2), noise_depth_m=0.018 * math.sqrt(2),
                             gate_sigmas=4.0, gain_hz_per_sigma=1.0, max_cutoff_hz=4.0,
                             latency_compensation_s=0.0, noise_adapt_s=0.0)
"""The hand's offsets from its wrist: the difference of two noisy points (6 mm each: noise x
sqrt 2), and short, so their noise turns the hand a lot: a wider gate, a lower ceiling and no
lead (the shaper's lower acceleration limit for the hand joints does the rest)."""


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
        parents = np.full(NUM_LANDMARKS, -1, dtype=np.int64)
        for g, side in enumerate(Side):
            groups[list(ARM_LANDMARKS[side]) + list(HAND_LANDMARKS[side])] = g
            shoulder, elbow, wrist = ARM_LANDMARKS[side]
            parents[elbow], parents[wrist] = shoulder, elbow
        self._body = LandmarkTracker(config, groups, parents)
        self._hand = LandmarkTracker(hand_config)
        self._hand_idx = np.array([i for side in Side for i in HAND_LANDMARKS[side]],
                                  dtype=np.int64)
        self._wrist_idx = np.array([ARM_LANDMARKS[side][2] for side in Side
                                    for _ in HAND_LANDMARKS[side]], dtype=np.int64)
        self._offsets = np.zeros((len(self._hand_idx), 3))  # the hands' from their wrists [m]

    def reset(self) -> None:
        """Forget the past: the next sample passes through unchanged."""
        self._body.reset()
        self._hand.reset()

    def __call__(self, world_m: FloatArray, t_s: float, update: BoolArray) -> FloatArray:
        """Tracked landmarks (33, 3) [m] from measured ``world_m`` (33, 3) [m] at ``t_s`` [s].

        ``update`` (33,) says which were seen (the others hold).
        """
        world_m = np.ascontiguousarray(world_m, dtype=np.float64)
        update = np.ascontiguousarray(update, dtype=np.bool_)
        out = self._body(world_m, t_s, update)
        offsets, seen = _hand_offsets(world_m, update, self._hand_idx, self._wrist_idx)
        self._offsets = self._hand(offsets, t_s, seen)
        _attach_hands(out, self._offsets, self._hand_idx, self._wrist_idx)
        return out

    def ahead(self) -> FloatArray:
        """The last tracked landmarks ahead along their velocity (33, 3) [m] (for the robot).

        The hands keep their tracked shape and go with their wrists.
        """
        out = self._body.ahead()
        _attach_hands(out, self._offsets, self._hand_idx, self._wrist_idx)
        return out


@kernel
def _hand_offsets(world_m: FloatArray, update: BoolArray, hand_idx: IntArray,
                  wrist_idx: IntArray) -> tuple[FloatArray, BoolArray]:
    """The hand points' offsets from their wrists (H, 3) [m], and which were seen with it."""
    offsets = np.empty((hand_idx.shape[0], 3))
    seen = np.empty(hand_idx.shape[0], dtype=np.bool_)
    for k in range(hand_idx.shape[0]):
        for a in range(3):
            offsets[k, a] = world_m[hand_idx[k], a] - world_m[wrist_idx[k], a]
        seen[k] = update[hand_idx[k]] and update[wrist_idx[k]]
    return offsets, seen


@kernel
def _attach_hands(points_m: FloatArray, offsets_m: FloatArray, hand_idx: IntArray,
                  wrist_idx: IntArray) -> None:
    """Puts the hand points (33, 3) [m] at their wrists plus ``offsets_m`` (H, 3), in place."""
    for k in range(hand_idx.shape[0]):
        for a in range(3):
            points_m[hand_idx[k], a] = points_m[wrist_idx[k], a] + offsets_m[k, a]
