"""Which object is the hand reaching for? A goal posterior over the scene's objects, per frame.

Ours (:class:`ReachGoal`) is a Bayesian posterior over "reaching for object g" and "reaching for
no object" (an idle move, a return, a hand moving away from everything), whose log-likelihood is
the sum of three kinds of evidence, each with its own rationality (concentration) parameter:

- **Path** (one look at the movement so far, recomputed every frame): Dragan & Srinivasa's
  inverse planning with path length as the cost, ``beta (|S - g| - |Q - g|)`` (the progress
  toward g from the movement's start S to the hand Q; the path's own length is common to every
  object and cancels), together with a von Mises-Fisher term on the chord ``Q - S`` about the
  direction from S to g whose concentration falls with the positions' noise against the chord's
  length (``1 / (1/chord_kappa + 2 var / (|Q - S|^2 - 9 var))``, none while the chord is within
  three standard deviations of its noise). S is the mean of the samples of the
  hand's last still spell (noise averages out); Q is the fitted position (below). "No object"
  scores 0 (no progress, a uniform chord).
- **Heading** (accumulated over frames): the direction of the hand's velocity is von
  Mises-Fisher about the direction that leads to g (curvature-aware: the circle through S with
  the hand's tangent predicts the chord to a goal at distance d at ``asin(sin(alpha) d / L)``
  from the tangent), uniform under "no object". The concentration falls with slowness and with
  the fit's noise (``1 / (1/kappa + (v0^2 + 3 var_v) / speed^2)``), so a still or jittering hand
  gives no evidence. One independent look per ``evidence_m`` of the hand's travel (not per
  time: a slow start, whose velocity is mostly noise and whose errors persist from frame to
  frame, counts little; a slow and a fast reach along one path give the same evidence),
  leaking with ``memory_s``.
- **Deceleration** (accumulated like the heading): a decelerating minimum-jerk movement stops
  about ``stop_ratio * speed^2 / deceleration`` further on; the remaining distance to each object
  (less ``stop_short_m``: the wrist stops short of an object's centre) is scored log-normally
  about it (spread ``decel_sigma`` plus the fit's noise), "no object" as uniform in log-distance
  between 2 cm and 1 m. It tells a near object from a far one on the same line.

Everything is relative: the hand's position and velocity with respect to each object and to the
movement's start. No axis of the frame is used (gravity included), so the posterior is the same
for any rotated and translated copy of the data; it is deterministic and rate-independent.

A commitment (:attr:`ReachBelief.committed`) is made when an object keeps at least ``commit_p``
of the whole posterior ("no object" included) for ``commit_hold_s`` while the hand approaches
it, once it is half way there (``commit_gone_ratio``); never while the hand is still or moving
other than toward that object. It is held while the
hand keeps going to the object and while it is at the object, and released only when the hand
stops short (still for ``release_still_s`` farther than ``arrive_m``), turns away (moving away
from it, half of ``arrive_m`` beyond its closest approach) or another object becomes more
probable by ``release_margin``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.errors import ConfigError
from mirrorbot.mind.reach_baseline import (
    ReachBelief,
    StraightLineConfig,
    StraightLineGoal,
    objects_array,
    softmax,
)
from mirrorbot.mind.reach_kinematics import KinematicFit, Kinematics

__all__ = ["ReachBelief", "ReachConfig", "ReachGoal", "StraightLineConfig", "StraightLineGoal"]

LOG_RANGE_NONE = math.log(1.0 / 0.02)  # "no object" stops anywhere 2 cm - 1 m away, log-uniform


@dataclass(frozen=True, kw_only=True)
class ReachConfig:
    """Settings of the reach-goal posterior (ours).

    Attributes:
        beta_per_m: Rationality of the path's progress toward an object [1/m] (0: off).
        chord_kappa: Concentration of the chord (start to hand) about the direction from the
            start to the goal, at most (0: off).
        kappa: Concentration of the heading about the direction leading to the goal at full
            speed (von Mises-Fisher; 6 is a spread of about 25 degrees).
        still_speed_m_s: Speed at which the heading's concentration is half of ``kappa``: a
            hand slower than this says little about where it goes [m/s].
        evidence_m: One independent look at the heading per this much travel of the hand [m].
        memory_s: Time constant of the leak: evidence older than this fades [s].
        restart_still_s: A hand still this long starts a new movement (its start moves) [s].
        velocity_window_s: Velocity and acceleration are fitted to the samples of this long [s].
        max_turn_rad: The curvature-aware chord is at most this far from the tangent [rad].
        decel_weight: Weight of the deceleration's evidence, per look (0: off).
        decel_sigma: Spread of the log of the stopping distance about the object's [1].
        stop_ratio: Stopping distance of a decelerating minimum-jerk movement, in
            ``speed^2 / deceleration`` (0.3-0.6 over its second half).
        stop_short_m: The hand (wrist) stops this short of an object's centre [m].
        commit_p: Probability (of the whole posterior) an object must keep to be committed.
        commit_hold_s: ... for this long [s].
        commit_gone_ratio: ... once the hand has gone at least this many times as far from the
            movement's start as it still has to go to the object (1: half way). A minimum-jerk
            reach is at its peak speed half way, and its braking, which tells a near object
            from a far one, has not begun before. On 82 real reaches among 9 objects (a VR
            shelf) committing without it went to a wrong object first in 37 of 82, with it in
            12; on the synthetic reaches it commits at 0.54 of a reach instead of 0.42.
        release_margin: Another object more probable than the committed one by this much
            (of the objects' probability) releases it.
        approach_speed_m_s: A moving hand releases its object when it moves away from it at
            least this fast [m/s].
        release_still_s: A hand still for this long away from the committed object (farther
            than ``arrive_m``) releases it [s].
        arrive_m: Within this distance the hand (wrist) is at an object [m].
        prior_none: Prior probability of "no object"; the objects share the rest equally.
        max_gap_s: A sample this long after the previous one (or before it) starts afresh,
            as after :meth:`ReachGoal.reset`: a dropout or a cut in the stream [s].
    """

    beta_per_m: float = 40.0
    chord_kappa: float = 6.0
    kappa: float = 6.0
    still_speed_m_s: float = 0.08
    evidence_m: float = 0.05
    memory_s: float = 1.0
    restart_still_s: float = 0.4
    velocity_window_s: float = 0.15
    max_turn_rad: float = 0.3
    decel_weight: float = 0.25
    decel_sigma: float = 0.5
    stop_ratio: float = 0.45
    stop_short_m: float = 0.05
    commit_p: float = 0.7
    commit_hold_s: float = 0.1
    commit_gone_ratio: float = 1.0
    release_margin: float = 0.3
    approach_speed_m_s: float = 0.05
    release_still_s: float = 0.4
    arrive_m: float = 0.15
    prior_none: float = 0.2
    max_gap_s: float = 0.5

    def __post_init__(self) -> None:
        for name in ("kappa", "still_speed_m_s", "evidence_m", "memory_s", "velocity_window_s",
                     "arrive_m", "decel_sigma", "stop_ratio", "max_gap_s"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"ReachConfig.{name} must be > 0, got {getattr(self, name)}")
        for name in ("beta_per_m", "chord_kappa", "max_turn_rad", "decel_weight",
                     "stop_short_m", "commit_hold_s", "restart_still_s", "release_still_s",
                     "commit_gone_ratio"):
            if not getattr(self, name) >= 0:
                raise ConfigError(f"ReachConfig.{name} must be >= 0, got {getattr(self, name)}")
        if not 0 < self.commit_p < 1:
            raise ConfigError(f"ReachConfig.commit_p must be in (0, 1), got {self.commit_p}")
        if not 0 < self.release_margin < 1:
            raise ConfigError(f"ReachConfig.release_margin must be in (0, 1), got "
                              f"{self.release_margin}")
        if not 0 < self.prior_none < 1:
            raise ConfigError(f"ReachConfig.prior_none must be in (0, 1), got {self.prior_none}")


def _log_sinhc(kappa: float) -> float:
    """log(sinh(kappa) / kappa), stable for any kappa >= 0 (the vMF normaliser on the sphere)."""
    if kappa < 1e-4:
        return kappa * kappa / 6.0
    return kappa + math.log1p(-math.exp(-2.0 * kappa)) - math.log(2.0 * kappa)


class ReachGoal:
    """Ours: the reach-goal posterior over objects for one hand (see the module's docstring).

    Args:
        objects_m: Object name -> position (3,) [m], in the hand's frame.
        config: Settings.
    """

    def __init__(self, objects_m: dict[str, Vec3], config: ReachConfig | None = None) -> None:
        self.config = config or ReachConfig()
        self.names, self.points_m = objects_array(objects_m)
        k = len(self.names)
        c = self.config
        # log prior: "no object" first, then the objects
        self.log_prior = np.log(np.array([c.prior_none] + [(1 - c.prior_none) / k] * k))
        self._kin = Kinematics(c.velocity_window_s)
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new hand, a cut in the stream)."""
        self.log_evidence = np.zeros(len(self.names) + 1)
        self._kin.clear()
        self.t_prev_s: float | None = None
        self.start_m: Vec3 | None = None  # the mean of the last still spell's samples [m]
        self._start_n = 0  # how many samples the start is the mean of
        self._spell_sum_m = np.zeros(3)  # the current still spell: sum, count, since [m, -, s]
        self._spell_n = 0
        self._spell_since_s = 0.0
        self._spell_is_start = False
        self._was_moving = True
        self.committed: str | None = None
        self._above_since_s: float | None = None
        self._best_prev = -1
        self._still_since_s: float | None = None
        self._closest_m = math.inf  # the hand's closest approach to the committed object [m]

    def update(self, p_m: Vec3, t_s: float) -> ReachBelief:
        """The belief after the hand's sample ``p_m`` (3,) [m] at time ``t_s`` [s]."""
        c = self.config
        p = np.asarray(p_m, dtype=np.float64)
        if self.t_prev_s is not None and not 0.0 <= t_s - self.t_prev_s <= c.max_gap_s:
            self.reset()  # a dropout or a cut: the samples before it say nothing of this reach
        dt = 0.0 if self.t_prev_s is None else t_s - self.t_prev_s
        self.t_prev_s = t_s
        fit = self._kin.update(t_s, p)
        v = fit.v_m_s
        speed = math.sqrt(float(v @ v))
        moving = speed * speed > c.still_speed_m_s ** 2 + 9.0 * fit.var_v  # clear of its noise
        self._update_start(p, t_s, moving)
        to_obj = self.points_m - fit.p_m  # (k, 3)
        dist = np.sqrt(np.einsum("ij,ij->i", to_obj, to_obj))
        u = to_obj / np.maximum(dist, 1e-9)[:, None]
        if dt > 0.0:
            self.log_evidence *= math.exp(-dt / c.memory_s)
            if speed > 1e-9:
                ll = self._heading_ll(fit, speed, u, dist)
                if c.decel_weight > 0.0:
                    ll += c.decel_weight * self._decel_ll(fit, speed, dist)
                self.log_evidence += (speed * dt / c.evidence_m) * ll
        post = softmax(self.log_evidence + self.log_prior + self._path_ll(fit, dist))
        objects = post[1:] / max(float(post[1:].sum()), 1e-300)  # given a reach at all
        approach = u @ v  # how fast the hand closes on each object (k,) [m/s]
        self._commitment(t_s, post, objects, approach, moving, dist, fit.p_m)
        return ReachBelief({n: float(q) for n, q in zip(self.names, objects, strict=True)},
                           self.committed, float(post[0]), moving)

    def _update_start(self, p: Vec3, t_s: float, moving: bool) -> None:
        """The movement's start: the mean of the samples of the hand's still spell before it.

        A still spell replaces the start once it has lasted ``restart_still_s`` (a pause in the
        middle of a reach does not restart it); the first one does at once.
        """
        if not moving:
            if self._was_moving:  # a new still spell
                self._spell_sum_m = np.zeros(3)
                self._spell_n = 0
                self._spell_since_s = t_s
                self._spell_is_start = self.start_m is None
            self._spell_sum_m = self._spell_sum_m + p
            self._spell_n += 1
            if self._spell_is_start or t_s - self._spell_since_s >= self.config.restart_still_s:
                self._spell_is_start = True
                self.start_m = self._spell_sum_m / self._spell_n
                self._start_n = self._spell_n
        elif self.start_m is None:
            self.start_m = p
            self._start_n = 1
        self._was_moving = moving

    def _path_ll(self, fit: KinematicFit, dist: FloatArray) -> FloatArray:
        """The path's log likelihood (k + 1,) ("no object" first: 0): one look, no memory.

        Progress toward each object from the start (Dragan's straight-line inverse planning)
        plus the chord's von Mises-Fisher term about each object's direction from the start.
        ``dist``: each object's distance from the hand now (k,) [m].
        """
        c = self.config
        out = np.zeros(len(self.names) + 1)
        assert self.start_m is not None
        chord = fit.p_m - self.start_m
        length2 = float(chord @ chord)
        if length2 < 1e-12:
            return out
        from_start = self.points_m - self.start_m
        d_start = np.sqrt(np.einsum("ij,ij->i", from_start, from_start))
        if c.beta_per_m > 0.0:
            out[1:] = c.beta_per_m * (d_start - dist)
        if c.chord_kappa > 0.0:
            # the chord's noise (per coordinate), and its length less what the noise adds
            var = fit.var_p_m2 + fit.var_sample_m2 / max(self._start_n, 1)
            signal2 = length2 - 9.0 * var  # three standard deviations
            if signal2 > 0.0:
                kappa = 1.0 / (1.0 / c.chord_kappa + 2.0 * var / signal2)
                cos = (from_start @ chord) / np.maximum(d_start, 1e-9) / math.sqrt(length2)
                out[1:] += kappa * cos - _log_sinhc(kappa)
        return out

    def _heading_ll(self, fit: KinematicFit, speed: float, u: FloatArray, dist: FloatArray,
                    ) -> FloatArray:
        """The heading's log likelihood (k + 1,) ("no object" first: 0, uniform)."""
        c = self.config
        kappa = 1.0 / (1.0 / c.kappa + (c.still_speed_m_s ** 2 + 3.0 * fit.var_v)
                       / (speed * speed))
        cos = self._chord_cosines(fit, speed, u, dist)
        ll = np.zeros(len(self.names) + 1)
        ll[1:] = kappa * cos - _log_sinhc(kappa)
        return ll

    def _decel_ll(self, fit: KinematicFit, speed: float, dist: FloatArray) -> FloatArray:
        """The deceleration's log likelihood (k + 1,) ("no object" first), 0 unless braking.

        Log-normal: the stopping distance ``stop_ratio speed^2 / deceleration`` against each
        object's remaining distance; "no object" log-uniform over 2 cm - 1 m.
        """
        c = self.config
        out = np.zeros(len(self.names) + 1)
        decel = -float(fit.a_m_s2 @ fit.v_m_s) / speed  # along the velocity [m/s^2]
        braking = decel > 0.0 and decel * decel > 9.0 * fit.var_a  # clear of its noise
        if not braking or speed * speed <= c.still_speed_m_s ** 2:
            return out
        stop_m = c.stop_ratio * speed * speed / decel
        var_log = c.decel_sigma ** 2 + fit.var_a / (decel * decel) \
            + 4.0 * fit.var_v / (speed * speed)
        remaining = np.maximum(dist - c.stop_short_m, 0.02)
        z2 = np.log(stop_m / remaining) ** 2 / var_log
        out[0] = -math.log(LOG_RANGE_NONE)
        out[1:] = -0.5 * z2 - 0.5 * math.log(2.0 * math.pi * var_log)
        return out

    def _chord_cosines(self, fit: KinematicFit, speed: float, u: FloatArray, dist: FloatArray,
                       ) -> FloatArray:
        """Cosine between each object's direction ``u`` (k, 3) and the chord an arc takes to it.

        The arc is the circle through the movement's start with the hand's tangent at the hand:
        its chord back to the start leaves the backward tangent by alpha, so a point at distance
        d ahead on it is asin(sin(alpha) d / L) from the tangent, toward the same side (L: the
        distance back to the start). sin(alpha) is shrunk toward 0 by its signal-to-noise ratio
        and the turn is capped at ``max_turn_rad``. Shape (k,).
        """
        heading = fit.v_m_s / speed
        cos_t = np.asarray(u @ heading, dtype=np.float64)
        assert self.start_m is not None
        back = self.start_m - fit.p_m
        length = math.sqrt(float(back @ back))
        if length < 1e-6 or self.config.max_turn_rad <= 0.0:
            return cos_t
        side = back - (back @ heading) * heading
        side_m = math.sqrt(float(side @ side))
        if side_m < 1e-9:
            return cos_t
        sin_a = side_m / length
        var_sin = 3.0 * fit.var_v / (speed * speed) + 2.0 * fit.var_sample_m2 / (length * length)
        sin_a *= sin_a * sin_a / (sin_a * sin_a + var_sin)
        normal = side / side_m
        turn = np.minimum(np.arcsin(np.minimum(sin_a * dist / length, 1.0)),
                          self.config.max_turn_rad)
        return np.asarray(np.cos(turn) * cos_t + np.sin(turn) * (u @ normal), dtype=np.float64)

    def _commitment(self, t_s: float, post: FloatArray, objects: FloatArray,
                    approach: FloatArray, moving: bool, dist: FloatArray, p_m: Vec3) -> None:
        """Update :attr:`committed` from the posterior (k + 1,), ``post[0]`` "no object".

        ``objects``: the objects' posterior given a reach at all (k,); ``dist``: each object's
        distance from the hand (k,) [m]; ``p_m``: the hand (fitted) (3,) [m].
        """
        c = self.config
        self._still_since_s = None if moving else (
            t_s if self._still_since_s is None else self._still_since_s)
        still_long = self._still_since_s is not None \
            and t_s - self._still_since_s >= c.release_still_s
        if self.committed is not None:
            i = self.names.index(self.committed)
            self._closest_m = min(self._closest_m, float(dist[i]))
            turned_away = moving and approach[i] <= -c.approach_speed_m_s \
                and dist[i] > self._closest_m + 0.5 * c.arrive_m
            stopped_short = still_long and dist[i] > c.arrive_m
            overtaken = float(objects.max()) > objects[i] + c.release_margin
            if turned_away or stopped_short or overtaken:
                self.committed = None
                self._above_since_s = None
            else:
                return
        best = int(np.argmax(post[1:]))
        # Earned: the hand has gone at least ``commit_gone_ratio`` times as far from its start as
        # it still has to go to the object.
        gone_m = 0.0 if self.start_m is None else float(np.linalg.norm(p_m - self.start_m))
        if post[best + 1] >= c.commit_p and moving and approach[best] > 0.0:
            if self._above_since_s is None or self._best_prev != best:
                self._above_since_s = t_s
            if t_s - self._above_since_s >= c.commit_hold_s - 1e-9 \
                    and gone_m >= c.commit_gone_ratio * float(dist[best]):
                self.committed = self.names[best]
                self._closest_m = float(dist[best])
        else:
            self._above_since_s = None
        self._best_prev = best
