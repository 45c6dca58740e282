"""Goal recognition by the robot's own repertoire: what is this movement for?

The person's wrist path is mapped into the robot's body (the mirror mapping: relative to the
shoulder, scaled to the robot's arm, outward kept outward) and compared, from the same start,
with what each of the robot's own primitives (:mod:`mirrorbot.repertoire`) would do, over
candidate targets and durations (the phase). That gives a posterior over goals plus ``none``,
updated every frame. Movement onset and offset segment the stream into gestures; between
gestures the belief returns to the prior. A goal is committed when its probability stays above
a threshold for a few frames, and released (hysteresis) when it falls well below it.

The comparison is a Gaussian likelihood of the observed path under each predicted path (as in
Bayesian goal inference from partial trajectories, Dragan & Srinivasa), with the number of
samples capped so that the belief cannot run away with a long movement.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.body_frames import points_in_torso
from mirrorbot.errors import ConfigError
from mirrorbot.landmarks import ARM_LANDMARKS, PoseFrame, Side
from mirrorbot.repertoire import (
    DURATIONS_S,
    ROBOT_REACH_M,
    Repertoire,
    min_jerk_array,
)
from mirrorbot.urdf_builder import FOREARM_LENGTH_M, UPPER_ARM_LENGTH_M

ROBOT_ARM_M = UPPER_ARM_LENGTH_M + FOREARM_LENGTH_M
SPEED_WINDOW = 6  # samples over which the wrist speed is measured (0.17 s at 30 Hz)
MAX_SEGMENT_S = 4.0  # a "movement" longer than this is restarted (and memory stays bounded)


@dataclass(frozen=True, kw_only=True)
class IntentConfig:
    """Recognition and commitment parameters.

    Attributes:
        onset_speed_m_s: Wrist speed that starts a movement [m/s].
        onset_displacement_m: Or a hand this far from where it rested [m].
        direction_weight: Weight of the heading (cosine between the hand's and the
            prediction's current direction) in the log likelihood.
        pause_fraction: A slow-down below this fraction of the movement's peak speed, held for
            ``offset_hold_s``, also ends it (a reach, a grasp, then a lift are three).
        offset_speed_m_s: Below this for ``offset_hold_s`` a movement has ended [m/s].
        offset_hold_s: [s].
        sigma_m: Spread of the observed path around a primitive's prediction [m].
        max_samples: Samples of the path used (evenly spread), which also caps the evidence.
        prior_none: Prior probability of ``none``; goals share the rest.
        commit_p: Probability a goal must keep for ``commit_frames`` frames to be committed.
        commit_frames: [frames].
        release_p: Below this the commitment is released.
        min_travel_m: The hand must have moved this far before anything is committed [m].
        floor_p: Every goal keeps at least this probability (the belief never locks).
    """

    onset_speed_m_s: float = 0.12
    onset_displacement_m: float = 0.015
    pause_fraction: float = 0.15
    direction_weight: float = 4.0
    offset_speed_m_s: float = 0.06
    offset_hold_s: float = 0.15
    sigma_m: float = 0.045
    max_samples: int = 10
    prior_none: float = 0.125
    commit_p: float = 0.9
    commit_frames: int = 6
    release_p: float = 0.4
    min_travel_m: float = 0.1
    floor_p: float = 0.002

    def __post_init__(self) -> None:
        if not 0 < self.release_p < self.commit_p < 1:
            raise ConfigError(f"need 0 < release_p < commit_p < 1, got {self.release_p}, "
                              f"{self.commit_p}")
        if not self.sigma_m > 0:
            raise ConfigError(f"sigma_m must be > 0, got {self.sigma_m}")


@dataclass(frozen=True)
class GoalBelief:
    """The recogniser's output for one frame.

    Attributes:
        probs: Posterior over goals (sums to 1), ``none`` included.
        committed: The committed goal, or None.
        side: The person's arm making the movement, or None at rest.
        start_m: Where the movement started, arm frame (3,) [m], or None.
        target_m: The most likely end point, arm frame (3,) [m], or None.
        elapsed_s: Time since the movement started [s].
        duration_s: The most likely total duration [s].
        moving: Whether a movement is under way.
    """

    probs: dict[str, float]
    committed: str | None = None
    side: Side | None = None
    start_m: Vec3 | None = None
    target_m: Vec3 | None = None
    elapsed_s: float = 0.0
    duration_s: float = 0.0
    moving: bool = False


class IntentModel(Protocol):
    """Updates a belief over goals from each (filtered) pose, or None when nobody is seen."""

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """The belief after this frame."""
        ...


def wrist_in_arm_frame(world_m: FloatArray, side: Side, scale: float) -> Vec3:
    """The person's wrist relative to their shoulder, scaled to the robot's arm, arm frame."""
    return _arm_frame(points_in_torso(world_m), side, scale)


def _arm_frame(pts: FloatArray, side: Side, scale: float) -> Vec3:
    """Like :func:`wrist_in_arm_frame` from landmarks already in the torso frame (33, 3)."""
    s, _, w = (pts[i] for i in ARM_LANDMARKS[side])
    rel = (w - s) * scale
    if side is Side.RIGHT:
        rel[1] = -rel[1]  # outward is +y for both arms
    return rel


def person_scale(world_m: FloatArray) -> float:
    """Robot arm length over the person's (mean of both arms, this frame)."""
    lengths = []
    for side in Side:
        s, e, w = (world_m[i] for i in ARM_LANDMARKS[side])
        lengths.append(float(np.linalg.norm(e - s) + np.linalg.norm(w - e)))
    return ROBOT_ARM_M / max(float(np.mean(lengths)), 0.2)


@dataclass
class _ArmTrack:
    """The recent path of one arm and its segmentation state."""

    history: deque[tuple[float, Vec3]] = field(default_factory=lambda: deque(maxlen=12))
    moving: bool = False
    start_t: float = 0.0
    start: Vec3 | None = None
    samples: list[tuple[float, Vec3]] = field(default_factory=list)
    slow_since: float | None = None
    speed: float = 0.0
    home: Vec3 | None = None
    peak: float = 0.0
    starts: deque[Vec3] = field(default_factory=lambda: deque(maxlen=9))

    def rest(self) -> Vec3 | None:
        """Where this hand usually rests: the median of recent movement starts (3,) [m]."""
        return np.median(np.array(self.starts), axis=0) if len(self.starts) >= 2 else None


class RepertoireIntent:
    """``ours``: recognise goals with the robot's repertoire, commit with hysteresis.

    Args:
        repertoire: The primitives (built-in and learned).
        config: Thresholds.
        durations: Typical durations of learned primitives [s], by name.
    """

    def __init__(self, repertoire: Repertoire | None = None, config: IntentConfig | None = None,
                 durations: dict[str, float] | None = None) -> None:
        self.repertoire = repertoire or Repertoire()
        self.config = config or IntentConfig()
        self.goals = self.repertoire.goals
        self.learned_durations = durations or {}
        self.arms = {side: _ArmTrack() for side in Side}
        self.committed: str | None = None
        self._above = 0
        self._stack_primitives()
        self.last = self._prior_belief()
        # At rest: none, with every goal at the floor (the hands rest).
        rest = {g: self.config.floor_p for g in self.goals}
        rest["none"] = 1.0 - self.config.floor_p * (len(self.goals) - 1)
        self._rest = GoalBelief(rest)

    def _stack_primitives(self) -> None:
        """Flatten (primitive, target) pairs into arrays for one vectorised evaluation."""
        rows = [(p, t) for p in self.repertoire.primitives if p.template_m is None
                for t in p.targets_m]
        self._prims = [p for p, _ in rows]
        self._targets = np.array([t for _, t in rows]).reshape(-1, 3)
        self._lift = np.array([p.lift_m for p in self._prims])
        self._arc = np.array([p.arc for p in self._prims])
        self._osc = np.array([p.oscillation_m for p in self._prims])
        self._goal_of = np.array([self.goals.index(p.name) for p in self._prims], dtype=int)
        self._templates = [p for p in self.repertoire.primitives if p.template_m is not None]

    def _prior(self) -> FloatArray:
        n = len(self.goals)
        prior = np.full(n, (1 - self.config.prior_none) / max(n - 1, 1))
        prior[-1] = self.config.prior_none
        return prior

    def _prior_belief(self) -> GoalBelief:
        return GoalBelief(dict(zip(self.goals, self._prior().tolist(), strict=True)))


    def reset(self) -> None:
        """Forget everything (a new person, a new session)."""
        self.arms = {side: _ArmTrack() for side in Side}
        self.committed = None
        self._above = 0
        self.last = self._prior_belief()

    # ---- segmentation ------------------------------------------------------------------------
    def _update_arm(self, track: _ArmTrack, t_s: float, wrist: Vec3) -> None:
        cfg = self.config
        track.history.append((t_s, wrist))
        if len(track.history) >= 2:
            (t0, p0), (t1, p1) = track.history[max(len(track.history) - SPEED_WINDOW, 0)], \
                track.history[-1]
            track.speed = float(np.linalg.norm(p1 - p0)) / max(t1 - t0, 1e-3)
        if not track.moving:
            # At rest the hand has a home; leaving it by a few centimetres is an onset (a
            # displacement shows sooner and is less noisy than a speed).
            if track.home is None or track.speed < cfg.offset_speed_m_s:
                track.home = wrist.copy() if track.home is None else (
                    0.8 * track.home + 0.2 * wrist)
            left_home = float(np.linalg.norm(wrist - track.home)) > cfg.onset_displacement_m
            if track.speed > cfg.onset_speed_m_s or left_home:
                track.moving = True
                back = [(t, p) for t, p in track.history
                        if float(np.linalg.norm(p - track.home)) <= cfg.onset_displacement_m / 2]
                t_start = back[-1][0] if back else track.history[0][0]
                track.start_t, track.start = t_start, track.home.copy()
                track.starts.append(track.home.copy())
                track.samples = [(t, p.copy()) for t, p in track.history if t >= t_start]
                track.slow_since = None
                track.peak = track.speed
            return
        track.samples.append((t_s, wrist))
        if t_s - track.start_t > MAX_SEGMENT_S:  # no gesture lasts this long: start afresh
            track.start_t, track.start = t_s, wrist.copy()
            track.samples = [(t_s, wrist)]
            track.peak = track.speed
        track.peak = max(track.peak, track.speed)
        # A pause well below the movement's peak speed ends it too (reach, grasp, lift).
        if track.speed < max(cfg.offset_speed_m_s, cfg.pause_fraction * track.peak):
            track.slow_since = t_s if track.slow_since is None else track.slow_since
            if t_s - track.slow_since >= cfg.offset_hold_s:
                track.moving = False
                track.home = wrist.copy()
        else:
            track.slow_since = None

    # ---- recognition -------------------------------------------------------------------------
    def _log_likelihoods(self, track: _ArmTrack) -> tuple[FloatArray, int, float]:
        """Per-goal log likelihood of the path so far; best (row, duration) for acting."""
        cfg = self.config
        assert track.start is not None
        samples = track.samples
        idx = np.unique(np.linspace(0, len(samples) - 1,
                                    min(cfg.max_samples, len(samples))).astype(int))
        tau = np.array([samples[i][0] - track.start_t for i in idx])  # (J,)
        obs = np.array([samples[i][1] for i in idx])  # (J, 3)
        start = track.start
        durations = np.array(DURATIONS_S)
        s = min_jerk_array(tau[None, :] / durations[:, None])  # (D, J)
        chord = self._targets - start  # (M, 3)
        arc_ctrl = (start + self._targets) / 2 + (2 * self._arc * np.linalg.norm(chord, axis=1)
                                                  )[:, None] * np.array([0.0, 0.0, 1.0])
        lift_ctrl = start + self._lift[:, None] * np.array([0.0, 0.0, 1.0])
        control = np.where((self._lift > 0)[:, None], lift_ctrl, arc_ctrl)  # (M, 3)
        a = ((1 - s) ** 2)[None, :, :, None]
        b = (2 * s * (1 - s))[None, :, :, None]
        c = (s * s)[None, :, :, None]
        pred = (a * start + b * control[:, None, None, :]
                + c * self._targets[:, None, None, :])  # (M, D, J, 3)
        diff = obs[None, None] - pred
        # After arriving, a wave (or a scratch) swings side to side: widen y by its amplitude.
        arrived = (tau[None, :] > durations[:, None])[None, :, :]  # (1, D, J)
        widen = 1.0 + np.where(arrived, (self._osc / cfg.sigma_m)[:, None, None] ** 2, 0.0)
        d2 = diff[..., 0] ** 2 + diff[..., 2] ** 2 + diff[..., 1] ** 2 / widen  # (M, D, J)
        n = len(idx)
        ll = -0.5 * n * d2.mean(axis=2) / cfg.sigma_m ** 2  # (M, D)
        if cfg.direction_weight > 0 and n >= 3:
            # Where the hand is heading now against where each prediction heads: early in a
            # movement the direction tells more than the few centimetres travelled.
            ll = ll + cfg.direction_weight * _heading_cos(pred[:, :, -1] - pred[:, :, -3],
                                                          obs[-1] - obs[-3])
        # Starts that do not fit a primitive (the cup gestures leave the table) rule it out.
        fits = np.array([p.start_fits(start) and (p.lift_m == 0 or start[2] < -0.12)
                         for p in self._prims])
        ll = np.where(fits[:, None], ll, -np.inf)
        # Per goal, the mean likelihood over its (target, duration) rows, in one pass.
        top = float(np.max(ll)) if np.isfinite(ll).any() else 0.0
        sums = np.bincount(self._goal_of, weights=np.exp(ll - top).sum(axis=1),
                           minlength=len(self.goals))
        counts = np.bincount(self._goal_of, minlength=len(self.goals)) * ll.shape[1]
        with np.errstate(divide="ignore"):
            per_goal = np.where(counts > 0, np.log(sums / np.maximum(counts, 1)) + top, -np.inf)
        for p in self._templates:
            g = self.goals.index(p.name)
            dur = self.learned_durations.get(p.name, 1.0)
            cands = []
            for scale in (0.7, 0.85, 1.0, 1.2, 1.45):
                pred_t = p.path(start, start, min_jerk_array(tau / (dur * scale)))
                cands.append(-0.5 * n * np.mean(np.sum((obs - pred_t) ** 2, axis=1))
                             / cfg.sigma_m ** 2)
            per_goal[g] = np.logaddexp(per_goal[g], _logsumexp(np.array(cands))
                                       - math.log(len(cands)))
        # The "returning" explanation of none: straight back to where the hand rests.
        rest = track.rest()
        if rest is not None and float(np.linalg.norm(rest - start)) > cfg.min_travel_m:
            pred_r = start + s[:, :, None] * (rest - start)  # (D, J, 3)
            ll_r = -0.5 * n * np.mean(np.sum((obs[None] - pred_r) ** 2, axis=2), axis=1) \
                / cfg.sigma_m ** 2
            if cfg.direction_weight > 0 and n >= 3:
                ll_r = ll_r + cfg.direction_weight * _heading_cos(pred_r[:, -1] - pred_r[:, -3],
                                                                  obs[-1] - obs[-3])
            per_goal[-1] = np.logaddexp(per_goal[-1], _logsumexp(ll_r) - math.log(len(ll_r)))
        # The "still" explanation of none: the hand hardly left its start.
        still = -0.5 * n * float(np.mean(np.sum((obs - start) ** 2, axis=1))) / cfg.sigma_m ** 2
        per_goal[-1] = np.logaddexp(per_goal[-1], still)
        best = np.unravel_index(int(np.argmax(ll)), ll.shape) if np.isfinite(ll).any() else (0, 0)
        return per_goal, int(best[0]), float(durations[best[1]])

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """Update with one filtered frame (None: nobody tracked, the belief is kept)."""
        cfg = self.config
        if pose is None:
            return self.last
        scale = person_scale(pose.world_m)
        pts = points_in_torso(pose.world_m)
        for side, track in self.arms.items():
            self._update_arm(track, t_s, _arm_frame(pts, side, scale))
        moving = [(track.speed, side) for side, track in self.arms.items() if track.moving]
        if not moving:  # a still person: no goal-directed movement under way
            self.committed = None
            self._above = 0
            self.last = self._rest
            return self.last
        _, side = max(moving, key=lambda m: m[0])
        track = self.arms[side]
        assert track.start is not None
        log_post, row, duration = self._log_likelihoods(track)
        log_post = log_post + np.log(self._prior())
        post = np.exp(log_post - np.max(log_post))
        post = post / post.sum()
        post = np.maximum(post, cfg.floor_p)
        post = post / post.sum()
        travel = float(np.linalg.norm(track.samples[-1][1] - track.start))
        best = int(np.argmax(post))
        goal = self.goals[best]
        if goal != "none" and post[best] >= cfg.commit_p and travel >= cfg.min_travel_m:
            self._above += 1
        else:
            self._above = 0
        if self.committed is None and self._above >= cfg.commit_frames:
            self.committed = goal
        elif self.committed is not None:
            p_committed = post[self.goals.index(self.committed)]
            if p_committed < cfg.release_p:
                self.committed = None
        target = self._targets[row] if len(self._targets) else None
        learned = next((p for p in self._templates if p.name == goal), None)
        if learned is not None:  # a learned gesture ends where its template ends
            target = learned.path(track.start, track.start, np.ones(1))[0]
        self.last = GoalBelief(dict(zip(self.goals, post.tolist(), strict=True)),
                               self.committed, side, track.start.copy(),
                               None if target is None else _clip_reach(target.copy()),
                               t_s - track.start_t, duration, True)
        return self.last


def _heading_cos(v_pred: FloatArray, v_obs: Vec3) -> FloatArray:
    """Cosine between predicted headings (..., 3) and the observed one (3,); 0 where undefined."""
    norm = np.linalg.norm(v_pred, axis=-1) * max(float(np.linalg.norm(v_obs)), 1e-9)
    return np.where(norm > 1e-9, (v_pred @ v_obs) / np.maximum(norm, 1e-9), 0.0)


def _clip_reach(p: Vec3) -> Vec3:
    n = float(np.linalg.norm(p))
    return p if n <= ROBOT_REACH_M else p * (ROBOT_REACH_M / n)


def _logsumexp(x: FloatArray) -> float:
    m = float(np.max(x))
    if not math.isfinite(m):
        return -math.inf
    return m + math.log(float(np.sum(np.exp(x - m))))


class VelocityBaseline:
    """``velocity``: the comparison baseline.

    The goal whose target lies nearest the direction the hand is moving (from the movement's
    start); no path model, no ``none`` model.
    """

    def __init__(self, repertoire: Repertoire | None = None,
                 config: IntentConfig | None = None) -> None:
        self.inner = RepertoireIntent(repertoire, config)

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """The belief after this frame."""
        belief = self.inner(pose, t_s)
        if not belief.moving or belief.side is None or belief.start_m is None:
            return GoalBelief(belief.probs)
        track = self.inner.arms[belief.side]
        start = belief.start_m
        direction = track.samples[-1][1] - start
        goals = self.inner.goals
        scores = np.full(len(goals), -np.inf)
        for prim, target in zip(self.inner._prims, self.inner._targets, strict=True):
            if prim.name == "none":
                continue
            to_target = target - start
            cos = float(np.dot(direction, to_target)) / max(
                float(np.linalg.norm(direction) * np.linalg.norm(to_target)), 1e-9)
            g = goals.index(prim.name)
            scores[g] = max(scores[g], cos)
        probs = np.exp(8.0 * (scores - np.max(scores)))
        probs = probs / probs.sum()
        best = int(np.argmax(probs))
        committed = goals[best] if np.linalg.norm(direction) > 0.06 else None
        return GoalBelief(dict(zip(goals, probs.tolist(), strict=True)), committed,
                          belief.side, belief.start_m, None, belief.elapsed_s, 0.0, True)


class NoIntent:
    """``none``: no recognition at all (the belief stays at the prior, nothing is committed)."""

    def __init__(self) -> None:
        self.goals = Repertoire().goals

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """The uniform belief."""
        return GoalBelief({g: 1.0 / len(self.goals) for g in self.goals})
