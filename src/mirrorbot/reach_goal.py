"""Which object is the hand reaching for? A goal posterior over the scene's objects, per frame.

The model (ours, :class:`ReachGoal`) reads the hand's *heading*: under the hypothesis that
the hand is reaching for object g, the direction of its velocity is drawn from a von
Mises-Fisher distribution about the direction that leads to g; under the hypothesis "no object"
(an idle move, a return, a hand moving away from everything) it is uniform on the sphere. The
concentration grows with speed (``kappa * s^2 / (s^2 + still_speed^2)``), so a still or jittering
hand gives no evidence and a brisk one a lot. The direction that leads to g is
curvature-aware: hand paths are gently curved arcs, so the chord from the hand to g makes an
angle with the tangent; the path's measured curvature (the part of the acceleration across the
velocity) predicts, for a goal at distance d, the chord at ``asin(k d / 2)`` from the tangent
toward the turn (a circular arc through the hand with its tangent and curvature). Evidence is
integrated with a leak (``memory_s``), one independent look per ``evidence_s``, so the belief
sharpens within a reach and forgets between reaches; with the hand still the belief returns to
the prior.

Everything is relative: the hand's position and velocity with respect to each object. No axis
of the frame is used (gravity included), so the posterior is the same for any rotated and
translated copy of the data; it is deterministic and rate-independent (10-120 Hz).

The straight-line inverse-planning baseline (:class:`StraightLineGoal`, Dragan & Srinivasa
2013, path length as the cost): ``P(g | S->Q) ~ exp(-C(S->Q) - C*(Q->g)) / exp(-C*(S->g))``
with ``C`` the path length and ``C*`` the straight-line distance, scaled by ``beta`` [1/m].

A commitment (:attr:`ReachBelief.committed`) is made when an object keeps at least
``commit_p`` of the whole posterior ("no object" included) for ``commit_hold_s`` while the
hand approaches it or has just stopped (a pause shorter than ``release_still_s``); never while
the hand is still or moving other than toward that object (so never while it moves away from
every object). It is released when another object takes the belief (the committed one's share of the
objects' probability falls below ``release_p``), when the hand moves away from the object
(half of ``arrive_m`` beyond its closest approach), or when it stays still away from it for
``release_still_s``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.errors import ConfigError

NOISE_FLOOR_M = 0.001  # the least position noise assumed of any source [m]
NONE = "none"  # the "no object" hypothesis (in :attr:`ReachBelief.p_none`, not in ``probs``)


@dataclass(frozen=True, kw_only=True)
class ReachConfig:
    """Settings of the reach-goal posterior (ours).

    Attributes:
        kappa: Concentration of the heading about the direction leading to the goal at full
            speed (von Mises-Fisher; 6 is a spread of about 25 degrees).
        still_speed_m_s: Speed at which the heading's concentration is half of ``kappa``: a
            hand slower than this says little about where it goes [m/s].
        evidence_s: One independent look at the heading per this long (the evidence rate,
            independent of the frame rate) [s].
        memory_s: Time constant of the leak: evidence older than this fades [s].
        velocity_window_s: Velocity and acceleration are fitted to the samples of this long [s].
        max_turn_rad: The curvature-aware chord is at most this far from the tangent [rad].
        commit_p: Probability (of the whole posterior) an object must keep to be committed.
        commit_hold_s: ... for this long [s].
        release_p: Below this share of the objects' probability the commitment is released.
        approach_speed_m_s: A moving hand releases its object when it moves away from it at
            least this fast [m/s] (it commits only while approaching it, or just stopped).
        release_still_s: A hand still for this long away from the committed object (farther
            than ``arrive_m``) releases it [s].
        arrive_m: Within this distance the hand is at an object [m].
        prior_none: Prior probability of "no object"; the objects share the rest equally.
        chord_kappa: Concentration of the movement's chord so far (start to hand) about the
            direction from the start to the goal, one look (0: the heading alone).
    """

    kappa: float = 6.0
    still_speed_m_s: float = 0.08
    evidence_s: float = 0.1
    memory_s: float = 1.0
    velocity_window_s: float = 0.15
    max_turn_rad: float = 0.3
    commit_p: float = 0.8
    commit_hold_s: float = 0.1
    release_p: float = 0.5
    approach_speed_m_s: float = 0.05
    release_still_s: float = 0.4
    arrive_m: float = 0.1
    prior_none: float = 0.2
    chord_kappa: float = 6.0

    def __post_init__(self) -> None:
        for name in ("kappa", "still_speed_m_s", "evidence_s", "memory_s", "velocity_window_s",
                     "arrive_m"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"ReachConfig.{name} must be > 0, got {getattr(self, name)}")
        if not 0 < self.release_p < self.commit_p < 1:
            raise ConfigError(f"need 0 < release_p < commit_p < 1, got release_p="
                              f"{self.release_p}, commit_p={self.commit_p}")
        if not 0 < self.prior_none < 1:
            raise ConfigError(f"ReachConfig.prior_none must be in (0, 1), got {self.prior_none}")


@dataclass(frozen=True)
class ReachBelief:
    """The posterior over objects after one sample of one hand.

    Attributes:
        probs: Object name -> probability that the hand is reaching for it, given that it is
            reaching for one of them (sums to 1).
        committed: The object the robot acts on, or None.
        p_none: Probability that the hand reaches for no object (still, idle, moving away).
        moving: Whether the hand moves faster than ``still_speed_m_s``.
    """

    probs: dict[str, float]
    committed: str | None = None
    p_none: float = 1.0
    moving: bool = False

    @property
    def best(self) -> str | None:
        """The most probable object (None without objects)."""
        return max(self.probs, key=lambda k: self.probs[k]) if self.probs else None

    def to_json(self) -> dict[str, object]:
        """The session log's ``reach_target`` object (docs/conventions.md)."""
        return {"probs": {k: round(v, 4) for k, v in self.probs.items()},
                "committed": self.committed, "p_none": round(self.p_none, 4)}


def _objects_array(objects_m: dict[str, Vec3]) -> tuple[tuple[str, ...], FloatArray]:
    if not objects_m:
        raise ConfigError("a reach-goal model needs at least one object")
    names = tuple(objects_m)
    points = np.array([np.asarray(objects_m[n], dtype=np.float64).reshape(3) for n in names])
    if not np.all(np.isfinite(points)):
        raise ConfigError(f"object positions must be finite, got {objects_m}")
    return names, points


def _log_sinhc(kappa: float) -> float:
    """log(sinh(kappa) / kappa), stable for any kappa >= 0 (the vMF normaliser on the sphere)."""
    if kappa < 1e-4:
        return kappa * kappa / 6.0
    return kappa + math.log1p(-math.exp(-2.0 * kappa)) - math.log(2.0 * kappa)


def _softmax(x: FloatArray) -> FloatArray:
    e = np.exp(x - x.max())
    return np.asarray(e / e.sum(), dtype=np.float64)


class _Kinematics:
    """Velocity and acceleration of a sampled point: a quadratic fitted to its recent samples.

    Least squares over the samples of the last ``window_s`` (any rate, at least three
    samples; two give a finite difference), evaluated at the newest sample: the noise of a
    pose model or motion capture averages out without the lag of a smoothing filter.
    """

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self.samples: deque[tuple[float, Vec3]] = deque()

    def clear(self) -> None:
        self.samples.clear()

    def update(self, t_s: float, p_m: Vec3) -> tuple[Vec3, Vec3, float, float]:
        """Fit after the sample ``p_m`` (3,) [m] at ``t_s`` [s].

        Returns:
            velocity (3,) [m/s], acceleration (3,) [m/s^2], the variance of one component
            of the velocity [(m/s)^2] and of a position sample [m^2], from the fit's residuals
            (at least ``NOISE_FLOOR_M`` of noise is assumed).
        """
        self.samples.append((t_s, p_m))
        while len(self.samples) > 3 and t_s - self.samples[1][0] >= self.window_s:
            self.samples.popleft()
        n = len(self.samples)
        if n < 2:
            return np.zeros(3), np.zeros(3), 0.0, NOISE_FLOOR_M ** 2
        if n == 2:
            (t0, p0), (t1, p1) = self.samples
            dt = max(t1 - t0, 1e-9)
            return (p1 - p0) / dt, np.zeros(3), 2 * (NOISE_FLOOR_M / dt) ** 2, NOISE_FLOOR_M ** 2
        tau = np.array([t - t_s for t, _ in self.samples])
        pts = np.array([p for _, p in self.samples])
        basis = np.column_stack([np.ones(n), tau, tau * tau])
        inv = np.linalg.inv(basis.T @ basis)
        coef = inv @ (basis.T @ pts)  # (3, 3): position, velocity, acceleration / 2 at t_s
        var_p = NOISE_FLOOR_M ** 2
        if n > 3:
            resid = pts - basis @ coef
            var_p = max(float(np.einsum("ij,ij->", resid, resid)) / (3 * (n - 3)), var_p)
        return coef[1], 2.0 * coef[2], var_p * float(inv[1, 1]), var_p


class ReachGoal:
    """Ours: the heading posterior over objects for one hand (see the module's docstring).

    Args:
        objects_m: Object name -> position (3,) [m], in the hand's frame.
        config: Settings.
    """

    def __init__(self, objects_m: dict[str, Vec3], config: ReachConfig | None = None) -> None:
        self.config = config or ReachConfig()
        self.names, self.points_m = _objects_array(objects_m)
        k = len(self.names)
        c = self.config
        # log prior: "no object" first, then the objects
        self.log_prior = np.log(np.array([c.prior_none] + [(1 - c.prior_none) / k] * k))
        self._kin = _Kinematics(c.velocity_window_s)
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new hand, a cut in the stream)."""
        self.log_evidence = np.zeros(len(self.names) + 1)
        self._kin.clear()
        self.t_prev_s: float | None = None
        self.start_m: Vec3 | None = None
        self.committed: str | None = None
        self._above_since_s: dict[int, float] = {}
        self._still_since_s: float | None = None
        self._closest_m = math.inf  # the hand's closest approach to the committed object [m]

    def update(self, p_m: Vec3, t_s: float) -> ReachBelief:
        """The belief after the hand's sample ``p_m`` (3,) [m] at time ``t_s`` [s]."""
        c = self.config
        p = np.asarray(p_m, dtype=np.float64)
        dt = 0.0 if self.t_prev_s is None else min(max(t_s - self.t_prev_s, 0.0), 0.5)
        self.t_prev_s = t_s
        v, _, var_v, var_p = self._kin.update(t_s, p)
        speed = math.sqrt(float(v @ v))
        moving = speed * speed > c.still_speed_m_s ** 2 + 9.0 * var_v  # clear of its noise
        if self.start_m is None or not moving:
            self.start_m = p  # a movement starts where the hand was last still
        to_obj = self.points_m - p  # (k, 3)
        dist = np.sqrt(np.einsum("ij,ij->i", to_obj, to_obj))
        u = to_obj / np.maximum(dist, 1e-9)[:, None]
        if dt > 0.0 and speed > 1e-9:
            # the heading's reliability: the speed against tremor and the fit's own noise
            kappa = 1.0 / (1.0 / c.kappa + (c.still_speed_m_s ** 2 + 3.0 * var_v)
                           / (speed * speed))
            heading = v / speed
            cos = self._chord_cosines(heading, speed, var_v, var_p, u, dist)
            ll = np.empty(len(self.names) + 1)
            ll[0] = 0.0  # uniform heading, relative to which the goals' likelihoods are given
            ll[1:] = kappa * cos - _log_sinhc(kappa)
            self.log_evidence = math.exp(-dt / c.memory_s) * self.log_evidence \
                + (dt / c.evidence_s) * ll
        elif dt > 0.0:
            self.log_evidence *= math.exp(-dt / c.memory_s)
        post = _softmax(self.log_evidence + self.log_prior + self._chord_term(p, var_p))
        approach = u @ v  # how fast the hand closes on each object (k,) [m/s]
        self._commitment(t_s, post, approach, moving, dist)
        objects = post[1:] / max(float(post[1:].sum()), 1e-300)
        return ReachBelief({n: float(q) for n, q in zip(self.names, objects, strict=True)},
                           self.committed, float(post[0]), moving)

    def _chord_term(self, p: Vec3, var_p: float) -> FloatArray:
        """The chord's log likelihood (k + 1,) ("no object" first: 0): one look, no memory.

        The movement's chord so far (start to hand) against each object's direction from the
        start, von Mises-Fisher. Early in a reach this is the best estimate of where the hand
        is heading (it spans the whole movement so far); its concentration falls with the
        positions' noise ``var_p`` [m^2] against the chord's length.
        """
        out = np.zeros(len(self.names) + 1)
        assert self.start_m is not None
        chord = p - self.start_m
        length2 = float(chord @ chord)
        if self.config.chord_kappa <= 0.0 or length2 < 1e-12:
            return out
        kappa = 1.0 / (1.0 / self.config.chord_kappa + 2.0 * var_p / length2)
        to_obj = self.points_m - self.start_m
        cos = (to_obj @ chord) / np.maximum(np.linalg.norm(to_obj, axis=1), 1e-9) \
            / math.sqrt(length2)
        out[1:] = kappa * cos - _log_sinhc(kappa)
        return out

    def _chord_cosines(self, heading: Vec3, speed: float, var_v: float, var_p: float,
                       u: FloatArray, dist: FloatArray) -> FloatArray:
        """Cosine between each object's direction ``u`` (k, 3) and the chord an arc takes to it.

        The arc is the circle through the movement's start with the hand's tangent
        ``heading`` at the hand: its chord back to the start leaves the backward tangent by
        alpha, so a point at distance d ahead on it is asin(sin(alpha) d / L) from the
        tangent, toward the same side (L: the distance back to the start). sin(alpha) is
        shrunk toward 0 by its signal-to-noise ratio (the heading's variance ``var_v`` / speed^2
        and the positions' ``var_p``), and the turn is capped at ``max_turn_rad``. Shape (k,).
        """
        cos_t = np.asarray(u @ heading, dtype=np.float64)
        assert self.start_m is not None
        back = self.start_m - self._kin.samples[-1][1]
        length = math.sqrt(float(back @ back))
        if length < 1e-6 or self.config.max_turn_rad <= 0.0:
            return cos_t
        side = back - (back @ heading) * heading
        sin_a = math.sqrt(float(side @ side)) / length
        if sin_a < 1e-9:
            return cos_t
        var_sin = 3.0 * var_v / (speed * speed) + 2.0 * var_p / (length * length)
        sin_a *= sin_a * sin_a / (sin_a * sin_a + var_sin)
        normal = side / math.sqrt(float(side @ side))
        turn = np.minimum(np.arcsin(np.minimum(sin_a * dist / length, 1.0)),
                          self.config.max_turn_rad)
        return np.asarray(np.cos(turn) * cos_t + np.sin(turn) * (u @ normal), dtype=np.float64)

    def _commitment(self, t_s: float, post: FloatArray, approach: FloatArray, moving: bool,
                    dist: FloatArray) -> None:
        """Update :attr:`committed` from the posterior (``post[0]`` is "no object")."""
        c = self.config
        self._still_since_s = None if moving else (
            t_s if self._still_since_s is None else self._still_since_s)
        still_long = self._still_since_s is not None \
            and t_s - self._still_since_s >= c.release_still_s
        if self.committed is not None:
            i = self.names.index(self.committed)
            self._closest_m = min(self._closest_m, float(dist[i]))
            leaving = moving and approach[i] <= -c.approach_speed_m_s \
                and dist[i] > self._closest_m + 0.5 * c.arrive_m
            other = post[i + 1] < c.release_p * float(post[1:].sum())  # another object won
            if other or leaving or (still_long and dist[i] > c.arrive_m):
                self.committed = None
                self._above_since_s.clear()
        best = int(np.argmax(post[1:]))
        for i in list(self._above_since_s):
            if i != best or post[i + 1] < c.commit_p:
                del self._above_since_s[i]
        # never while still (beyond a moment's pause) or moving other than toward it
        may = not still_long and (not moving or approach[best] > 0.0)
        if post[best + 1] >= c.commit_p and may:
            since = self._above_since_s.setdefault(best, t_s)
            if t_s - since >= c.commit_hold_s - 1e-9:
                self.committed = self.names[best]
                self._closest_m = float(dist[best])
        else:
            self._above_since_s.pop(best, None)


@dataclass(frozen=True, kw_only=True)
class StraightLineConfig:
    """The baseline's one setting.

    Attributes:
        beta_per_m: Rationality: costs (path lengths [m]) are multiplied by this [1/m].
    """

    beta_per_m: float = 20.0

    def __post_init__(self) -> None:
        if not self.beta_per_m > 0:
            raise ConfigError(f"beta_per_m must be > 0, got {self.beta_per_m}")


class StraightLineGoal:
    """The straight-line inverse-planning baseline (Dragan & Srinivasa), path length as cost.

    ``P(g | S->Q) ~ exp(-beta (C(S->Q) + |Q - g|)) / exp(-beta |S - g|)``, uniform prior, with
    ``C(S->Q)`` the length of the path travelled from its first sample S to the current Q.

    Args:
        objects_m: Object name -> position (3,) [m].
        config: Settings.
    """

    def __init__(self, objects_m: dict[str, Vec3], config: StraightLineConfig | None = None,
                 ) -> None:
        self.config = config or StraightLineConfig()
        self.names, self.points_m = _objects_array(objects_m)
        self.reset()

    def reset(self) -> None:
        """Start a new path at the next sample."""
        self.start_m: Vec3 | None = None
        self.prev_m: Vec3 | None = None
        self.path_m = 0.0

    def update(self, p_m: Vec3, t_s: float) -> ReachBelief:
        """The posterior after the sample ``p_m`` (3,) [m] (``t_s`` unused: the cost is length)."""
        p = np.asarray(p_m, dtype=np.float64)
        if self.start_m is None or self.prev_m is None:
            self.start_m = self.prev_m = p
        self.path_m += float(np.linalg.norm(p - self.prev_m))
        self.prev_m = p
        d_start = np.linalg.norm(self.points_m - self.start_m, axis=1)
        d_now = np.linalg.norm(self.points_m - p, axis=1)
        post = _softmax(-self.config.beta_per_m * (self.path_m + d_now - d_start))
        return ReachBelief({n: float(q) for n, q in zip(self.names, post, strict=True)},
                           None, 0.0, True)
