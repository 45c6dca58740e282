"""Goal recognition by the robot's own repertoire: what is this movement for?

The person's wrist path is mapped into the robot's body (the mirror mapping: relative to the
shoulder, scaled to the robot's arm, outward kept outward) and compared, from the same start,
with what each of the robot's own primitives (:mod:`mirrorbot.repertoire`) would do, over
candidate targets, durations and onset phases (how long before it was seen to the movement
began). That gives a posterior over goals plus ``none``, updated every frame. Movement onset
and offset segment the stream into gestures (a hand that nearly stops at the table and moves
on, as in a grasp between a reach and a lift, starts a new one); between gestures the belief
returns to the prior. The onset and offset thresholds rise with the
tracker's noise, measured as it goes (the hands' speed when still and how far a resting hand
strays from home): the pose model's landmarks wander by centimetres, and fixed thresholds made
one long "movement" of a wandering hand. A goal is committed when its probability stays above
a threshold for a few frames, and released (hysteresis) when it falls well below it.

One piece of context enters the prior: a movement that starts at the table away from where the
hand rests (where it has just gone to take something) is probably lifting what it took, so the
goals that begin with a lift are favoured (:data:`LIFT_CONTEXT_FACTOR`).

The comparison is a Gaussian likelihood of the observed path under each predicted path (as in
Bayesian goal inference from partial trajectories, Dragan & Srinivasa), with the number of
samples capped so that the belief cannot run away with a long movement.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray, IntArray, Vec3
from mirrorbot.body_frames import points_in_torso
from mirrorbot.body_motion import BodyMotion
from mirrorbot.compiled import kernel
from mirrorbot.errors import ConfigError
from mirrorbot.landmarks import ARM_LANDMARKS, Landmark, PoseFrame, Side
from mirrorbot.repertoire import (
    DROP_FIRST,
    DURATIONS_S,
    ROBOT_REACH_M,
    SWING_ABOUT_SHOULDER,
    Repertoire,
    bezier_control,
    min_jerk_array,
)
from mirrorbot.scripted import min_jerk
from mirrorbot.transforms import norm3
from mirrorbot.urdf_builder import FOREARM_LENGTH_M, UPPER_ARM_LENGTH_M

ROBOT_ARM_M = UPPER_ARM_LENGTH_M + FOREARM_LENGTH_M
SPEED_WINDOW = 6  # samples over which the wrist speed is measured (0.17 s at 30 Hz)
MAX_SEGMENT_S = 4.0
"""A movement is read from this much of its recent path [s] (memory stays bounded): a long wave
goes on from where it started, swinging; restarted from wherever the hand was, mid-swing, the
swing read as a raise."""
LIFT_CONTEXT_FACTOR = 4.0
"""A movement that starts at table height away from where the hand rests (it has just gone to
something there) probably lifts what it took: the goals that begin with a lift (the cup goals)
get this many times their prior. Early in a lift the path alone cannot tell a drink from a
raise."""
LIFT_CONTEXT_AWAY_M = 0.08  # how far from its rest place such a start is [m]
TABLE_START_Z_M = -0.12  # starts below this (arm frame) are at the table, as for the cup goals
FLOOR_QUANTILE = 0.2
"""The hands' speed when still (the tracker's noise) is taken as this quantile of their speed
(people are still for much of the time; a running estimate, so it adapts to the camera)."""
FLOOR_STEP_M_S = 0.002  # how far the running quantile moves per sample [m/s]
FLOOR_MARGIN = 2.5
"""A movement ends below this many times the still speed, and starts above twice that."""
VALLEY_FRACTION = 0.35
"""A hand that slows below this fraction of its peak speed at the table and then speeds up
again starts a new movement (a grasp between a reach and a lift)."""
VALLEY_RISE = 2.5  # ... speeding up to this many times its slowest [ratio]
SWING_CHORDS = 2.0
"""A movement that starts within this many swing amplitudes of a swinging goal's target (a
wave that paused beside the head and goes on) swings from its start, not after arriving: the
filtered view damps a 2 Hz wave to a wobble, the wave's own segmentation ends at the pause,
and the rest of the wave read as ``none``."""
SWING_MIN_M = 0.02
"""A stroke of the hand this long [m] (robot-scaled) and as much back is a turn; the turns of
a swing are evidence for the goals whose primitives swing."""
SWING_NOISE_MARGIN = 3.0  # ... or this many times how far a resting hand strays (the tracker)
HOLD_SIGMA_M = 0.02
"""How far the tip of a hand held up strays about where it is held [m] (robot-scaled): people's
raised hands drift and tremble by a centimetre or two."""
SWING_FACTOR = 3.0
"""Each turn after the first multiplies the swinging goals' odds by this; each
:data:`STILL_TURN_S` a held hand does not turn divides them by it."""
STILL_TURN_S = 0.25  # a slow wave's half-cycle [s] (people wave at 2-4 Hz)
SWING_TURNS_MAX = 8  # ... for at most this many turns
CARRY_SHARE = 0.8
"""A gesture that goes on keeps this share of its belief as its prior (the rest is the usual
prior)."""
HANGING_Z_M = -0.4
"""A hand that rests lower than this (arm frame, robot-scaled) hangs: a standing person (or one
with hands in the lap); higher, it rests on a table."""
AT_TABLE_STANDING_WEIGHT = 0.25
"""The prior weight, within their goal, of the standing ways to a goal (:attr:`Primitive.standing`)
for a person whose hands rest on a table: seated at a table people point and reach at the
table, and raise a hand from it."""
HOLD_DRIFT_M = 0.05
"""A held hand that strays less than this from where it stopped [m] (robot-scaled) is still
held: people's raised hands drift, and each drift read as a new movement from there ("the hand
stays where it started": ``none``) undid the raise."""
HOLD_EVIDENCE_S = 1.0
"""A hand held away from rest after a movement adds this long of stillness to the movement's
evidence (then its belief is kept as it is until the hand moves again)."""
SPREAD_GAIN = 0.05  # per frame at rest: how fast the spread of a resting hand is followed
SPREAD_MARGIN = 2.0
"""A resting hand has left home when it is this many times its usual distance from it away."""


@dataclass(frozen=True, kw_only=True)
class IntentConfig:
    """Recognition and commitment parameters.

    Attributes:
        onset_speed_m_s: Wrist speed that starts a movement [m/s] (at least; more with a
            noisier tracker, see ``FLOOR_MARGIN``).
        onset_displacement_m: Or a hand this far from where it rested [m] (at least; more
            when the resting hand wanders, see ``SPREAD_MARGIN``).
        direction_weight: Weight of the heading (cosine between the hand's and the
            prediction's current direction) in the log likelihood.
        pause_fraction: A slow-down below this fraction of the movement's peak speed, held for
            ``offset_hold_s``, also ends it (a reach, a grasp, then a lift are three).
        offset_speed_m_s: Below this for ``offset_hold_s`` a movement has ended [m/s] (at most;
            less readily with a noisier tracker).
        offset_hold_s: [s].
        sigma_m: Spread of the observed path around a primitive's prediction [m].
        max_samples: Samples of the path used (evenly spread), which also caps the evidence.
        prior_none: Prior probability of ``none``; goals share the rest.
        commit_p: Probability a goal must keep for ``commit_frames`` frames to be committed.
        commit_frames: [frames].
        release_p: Below this the commitment is released.
        min_travel_m: The hand must have moved this far before anything is committed [m].
        floor_p: Every goal keeps at least this probability (the belief never locks).
        onset_offsets_s: How long before it was seen to start a movement may have begun [s]:
            phase hypotheses, marginalised like the durations. The filtered hand leaves its
            rest place late (a 1 s raise is seen to start 0.1 s in); judged from the wrong
            phase, early in a movement the robot's own raise read as a wave.
        forecast_s: How far ahead the moving hand is forecast [s] (:attr:`GoalBelief.lead_m`):
            the robot mirrors where the hand is going, not where it was (0: no forecast).
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
    onset_offsets_s: tuple[float, ...] = (0.0, 0.05, 0.1)
    forecast_s: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.release_p < self.commit_p < 1:
            raise ConfigError(f"need 0 < release_p < commit_p < 1, got {self.release_p}, "
                              f"{self.commit_p}")
        if not self.sigma_m > 0:
            raise ConfigError(f"sigma_m must be > 0, got {self.sigma_m}")
        if not self.onset_offsets_s or min(self.onset_offsets_s) < 0:
            raise ConfigError("onset_offsets_s must be one or more times >= 0 [s], got "
                              f"{self.onset_offsets_s}")
        if not 0.0 <= self.forecast_s <= 1.0:
            raise ConfigError(f"forecast_s must be in [0, 1] s, got {self.forecast_s}")


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
        lead_m: Where the moving hand is expected to go in the next
            :attr:`IntentConfig.forecast_s`, relative to where it is, arm frame (3,) [m]: each
            goal's predictions, weighted by how well they explain the path so far, weighted by
            the posterior (``none``'s: back to rest, staying or touching the head, weighted
            the same way). None at rest.
    """

    probs: dict[str, float]
    committed: str | None = None
    side: Side | None = None
    start_m: Vec3 | None = None
    target_m: Vec3 | None = None
    elapsed_s: float = 0.0
    duration_s: float = 0.0
    moving: bool = False
    lead_m: Vec3 | None = None


class IntentModel(Protocol):
    """Updates a belief over goals from each (filtered) pose, or None when nobody is seen."""

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """The belief after this frame."""
        ...


_ARM_POINTS = np.array([[int(i) for i in ARM_LANDMARKS[side]] for side in Side])
"""Shoulder, elbow and wrist landmark of each arm, (2, 3), in ``Side`` order."""


def wrists_in_arm_frames(world_m: FloatArray) -> dict[Side, Vec3]:
    """Each of the person's wrists relative to its shoulder, in its arm frame (3,) [m].

    Scaled to the robot's arm by this frame's :func:`person_scale`; the arm frame is x
    forward, y outward (for both arms), z up.
    """
    rel = _wrists_in_arm_frames(np.ascontiguousarray(world_m, dtype=np.float64), _ARM_POINTS)
    return {side: rel[k] for k, side in enumerate(Side)}


_HAND_TIPS = np.array([[int(Landmark.LEFT_INDEX), int(Landmark.LEFT_PINKY)],
                       [int(Landmark.RIGHT_INDEX), int(Landmark.RIGHT_PINKY)]])
"""Each hand's index and little finger landmarks, (2, 2), in ``Side`` order."""


def hands_in_arm_frames(world_m: FloatArray) -> dict[Side, Vec3]:
    """Each hand's tip (between index and little finger) relative to its shoulder (3,) [m].

    In the arm frame and robot-scaled as :func:`wrists_in_arm_frames`. A wave made by the hand
    alone (flapping at the wrist) moves the tip, not the wrist.
    """
    world = np.ascontiguousarray(world_m, dtype=np.float64)
    pts = points_in_torso(world)
    scale = _person_scale(world, _ARM_POINTS)
    out = {}
    for k, side in enumerate(Side):
        rel = ((pts[_HAND_TIPS[k, 0]] + pts[_HAND_TIPS[k, 1]]) / 2 - pts[_ARM_POINTS[k, 0]]) * scale
        if side is Side.RIGHT:
            rel[1] = -rel[1]  # outward is +y for both arms
        out[side] = rel
    return out


def wrist_in_arm_frame(world_m: FloatArray, side: Side, scale: float) -> Vec3:
    """One wrist as in :func:`wrists_in_arm_frames`, scaled by a given ``scale``."""
    rel = _wrists_scaled(np.ascontiguousarray(world_m, dtype=np.float64), _ARM_POINTS, scale)
    return rel[list(Side).index(side)]


def person_scale(world_m: FloatArray) -> float:
    """Robot arm length over the person's (mean of both arms, this frame)."""
    return _person_scale(np.ascontiguousarray(world_m, dtype=np.float64), _ARM_POINTS)


@kernel
def _person_scale(world_m: FloatArray, arm_points: IntArray) -> float:
    """:func:`person_scale` of landmarks (33, 3) [m]; ``arm_points``: :data:`_ARM_POINTS`."""
    total = 0.0
    for a in range(arm_points.shape[0]):
        s, e, w = world_m[arm_points[a, 0]], world_m[arm_points[a, 1]], world_m[arm_points[a, 2]]
        total += norm3(e - s) + norm3(w - e)
    return ROBOT_ARM_M / max(total / arm_points.shape[0], 0.2)


@kernel
def _wrists_scaled(world_m: FloatArray, arm_points: IntArray, scale: float) -> FloatArray:
    """Each wrist in its arm frame (2, 3) [m], ``Side`` order, scaled by ``scale``."""
    pts = points_in_torso(world_m)
    out = np.empty((arm_points.shape[0], 3))
    for a in range(arm_points.shape[0]):
        out[a] = (pts[arm_points[a, 2]] - pts[arm_points[a, 0]]) * scale
    out[1, 1] = -out[1, 1]  # the right arm: outward is +y for both arms
    return out


@kernel
def _wrists_in_arm_frames(world_m: FloatArray, arm_points: IntArray) -> FloatArray:
    """:func:`wrists_in_arm_frames` as (2, 3) [m] in ``Side`` order, in one call."""
    return _wrists_scaled(world_m, arm_points, _person_scale(world_m, arm_points))


@dataclass
class _ArmTrack:
    """The recent path of one arm and its segmentation state."""

    history: deque[tuple[float, Vec3, Vec3]] = field(default_factory=lambda: deque(maxlen=12))
    moving: bool = False
    start_t: float = 0.0
    start: Vec3 | None = None
    samples: list[tuple[float, Vec3, Vec3]] = field(default_factory=list)  # (t, wrist, hand)
    slow_since: float | None = None
    speed: float = 0.0
    home: Vec3 | None = None
    peak: float = 0.0
    rest_spread: float = 0.0
    valley: tuple[float, float, Vec3] | None = None  # slowest since the peak: (speed, t, where)
    starts: deque[Vec3] = field(default_factory=lambda: deque(maxlen=9))
    holding: bool = False  # the movement ended away from rest: the hand is held there
    from_hold: bool = False  # this movement started where the hand was held
    above: int = 0  # frames in a row its best goal has been above the commitment threshold
    last_post: FloatArray | None = None  # the belief when this arm was last read
    turns: int = 0  # times this movement turned back on itself (a swing's half-cycles)
    still_turns: int = 0  # ... and the half-cycles of a swing it was held through, unturned
    last_turn_t: float = 0.0
    turn_anchor: Vec3 | None = None  # where the current stroke began (3,) [m]
    turn_extreme: Vec3 | None = None  # the current stroke's farthest point (3,) [m]
    carried: FloatArray | None = None  # a continued gesture's prior: the belief so far (log)
    hold_since: float = 0.0
    _rest: Vec3 | None = None

    def rest(self) -> Vec3 | None:
        """Where this hand usually rests: the median of recent movement starts (3,) [m]."""
        if not self.starts:
            return None
        if self._rest is None:  # computed once per new start
            self._rest = _column_medians(np.array(self.starts))
        return self._rest

    def add_start(self, start: Vec3) -> None:
        """A movement started at ``start`` (3,) [m]."""
        self.starts.append(start)
        self._rest = None


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
        self._body = BodyMotion()
        self.speed_floor_m_s = 0.0  # the hands' speed when still: the tracker's noise
        self._stack_primitives()
        self._log_prior = np.log(self._prior())
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
        self._standing = np.array([p.standing for p in self._prims], dtype=np.bool_)
        self._goal_of = np.array([self.goals.index(p.name) for p in self._prims],
                                 dtype=np.int64)
        self._durations = np.array(DURATIONS_S, dtype=np.float64)
        self._offsets = np.array(self.config.onset_offsets_s, dtype=np.float64)
        self._fits = np.ones(len(self._prims), dtype=np.bool_)
        # Start regions per row; a primitive that may start anywhere has an infinite radius.
        self._region_m = np.array([np.zeros(3) if p.start_region_m is None else p.start_region_m
                                   for p in self._prims]).reshape(-1, 3)
        self._region_radius_m = np.array([np.inf if p.start_region_m is None
                                          else p.start_radius_m for p in self._prims])
        self._fits_for: tuple[int, float] | None = None  # the movement _fits was made for
        self._templates = [p for p in self.repertoire.primitives if p.template_m is not None]
        self._swing_goals = np.array(sorted({self.goals.index(p.name) for p in self._prims
                                             if p.oscillation_m >= SWING_MIN_M}),
                                     dtype=np.int64)
        self._lift_goals = np.array(sorted({self.goals.index(p.name) for p in self._prims
                                            if p.lift_m > 0}), dtype=np.int64)

    def _prior(self) -> FloatArray:
        n = len(self.goals)
        prior = np.full(n, (1 - self.config.prior_none) / max(n - 1, 1))
        prior[-1] = self.config.prior_none
        return prior

    def _prior_belief(self) -> GoalBelief:
        return GoalBelief(dict(zip(self.goals, self._prior().tolist(), strict=True)))


    def reset(self) -> None:
        """Forget the person (a new person, a new session).

        The hands' still speed (:attr:`speed_floor_m_s`) is kept: it measures the tracker.
        """
        self.arms = {side: _ArmTrack() for side in Side}
        self.committed = None
        self._body.reset()
        self.last = self._prior_belief()

    # ---- segmentation ------------------------------------------------------------------------
    def _update_arm(self, track: _ArmTrack, t_s: float, wrist: Vec3, hand: Vec3) -> None:
        cfg = self.config
        track.history.append((t_s, wrist, hand))
        if len(track.history) >= 2:
            (t0, p0, _), (t1, p1, _) = \
                track.history[max(len(track.history) - SPEED_WINDOW, 0)], track.history[-1]
            track.speed = norm3(p1 - p0) / max(t1 - t0, 1e-3)
            self.speed_floor_m_s += FLOOR_STEP_M_S * (
                FLOOR_QUANTILE - (1.0 if track.speed < self.speed_floor_m_s else 0.0))
        noise = FLOOR_MARGIN * self.speed_floor_m_s
        onset_speed = max(cfg.onset_speed_m_s, 2.0 * noise)
        offset_speed = max(cfg.offset_speed_m_s, noise)
        if not track.moving:
            if track.holding:
                self._count_turns(track, hand, t_s)  # a hand that swings little still waves
                if t_s - max(track.last_turn_t, track.hold_since) >= STILL_TURN_S:
                    track.still_turns += 1  # held through a half-cycle without turning
                    track.last_turn_t = t_s
                if t_s - track.hold_since <= HOLD_EVIDENCE_S:
                    track.samples.append((t_s, wrist, hand))  # a held hand is evidence too
                if track.home is not None and norm3(wrist - track.home) <= HOLD_DRIFT_M:
                    return  # a held hand drifts a little: the same gesture goes on
                self._start_movement(track)
                return
            # At rest the hand has a home; leaving it by a few centimetres is an onset (a
            # displacement shows sooner and is less noisy than a speed).
            if track.home is None or track.speed < offset_speed:
                track.home = wrist.copy() if track.home is None else (
                    0.8 * track.home + 0.2 * wrist)
            away = norm3(wrist - track.home)
            track.rest_spread += SPREAD_GAIN * (away - track.rest_spread)
            left_home = away > max(cfg.onset_displacement_m, SPREAD_MARGIN * track.rest_spread)
            if track.speed > onset_speed or left_home:
                self._start_movement(track)
            return
        track.samples.append((t_s, wrist, hand))
        if t_s - track.samples[0][0] > MAX_SEGMENT_S:  # a long one: its recent part (memory)
            track.samples = [x for x in track.samples if x[0] >= t_s - MAX_SEGMENT_S]
        track.peak = max(track.peak, track.speed)
        self._count_turns(track, hand, t_s)
        self._restart_at_valley(track, t_s, wrist, offset_speed)
        # A pause well below the movement's peak speed ends it too (reach, grasp, lift).
        if track.speed < max(offset_speed, cfg.pause_fraction * track.peak):
            track.slow_since = t_s if track.slow_since is None else track.slow_since
            if t_s - track.slow_since >= cfg.offset_hold_s:
                track.moving = False
                track.home = wrist.copy()
                track.holding = self._held_away(track, wrist)
                track.hold_since = t_s
        else:
            track.slow_since = None

    def _hold_sigma(self, track: _ArmTrack) -> float:
        """How far a held hand's tip strays [m].

        :data:`HOLD_SIGMA_M`, or more with a wandering tracker (this hand's spread at rest).
        """
        return max(HOLD_SIGMA_M, SWING_NOISE_MARGIN * track.rest_spread)

    def _count_turns(self, track: _ArmTrack, wrist: Vec3, t_s: float) -> None:
        """Count the times the hand (its tip, ``wrist`` here) turns back on itself.

        A turn is a stroke of at least :data:`SWING_MIN_M` (more for a wandering tracker)
        followed by as much back. Amplitude and direction free: a small wave beside the
        shoulder and a big one overhead turn alike. A raise does not turn until it comes down
        (a new movement).
        """
        if track.turn_anchor is None or track.turn_extreme is None:
            track.turn_anchor, track.turn_extreme = wrist.copy(), wrist.copy()
            return
        stroke = max(SWING_MIN_M, SWING_NOISE_MARGIN * track.rest_spread)
        if norm3(wrist - track.turn_anchor) > norm3(track.turn_extreme - track.turn_anchor):
            track.turn_extreme = wrist.copy()
        elif norm3(track.turn_extreme - track.turn_anchor) >= stroke \
                and norm3(wrist - track.turn_extreme) >= stroke:
            track.turns += 1
            track.last_turn_t = t_s
            track.turn_anchor, track.turn_extreme = track.turn_extreme, wrist.copy()

    def _carry(self, track: _ArmTrack) -> FloatArray | None:
        """The log prior (G,) of a gesture that goes on after a hold.

        Its belief so far, blended with the usual prior so that new evidence can still overturn
        it (:data:`CARRY_SHARE`). Read afresh, a wave that paused and swung on was read as a
        return to rest, and its belief flipped.
        """
        if track.last_post is None:
            return None
        return np.log(CARRY_SHARE * track.last_post
                      + (1.0 - CARRY_SHARE) * np.exp(self._log_prior))

    def _rank(self, track: _ArmTrack) -> tuple[bool, float]:
        """Which active arm the belief is about (the larger ranks first).

        One that has moved far enough to be read (moving, or held where its movement took it)
        before one that has just started; then the one that has gone farther (a hand raised
        high, not the other one jostled).
        """
        if track.start is None or not track.samples:
            return False, 0.0
        travelled = norm3(track.samples[-1][1] - track.start)
        return travelled >= self.config.min_travel_m, travelled

    def _start_movement(self, track: _ArmTrack) -> None:
        """The hand leaves its home (where it rests, or where it was held): a movement starts.

        It starts there, when the hand was last within half the onset displacement of it.
        """
        assert track.home is not None
        cfg = self.config
        track.moving = True
        back = [(t, p) for t, p, _ in track.history
                if norm3(p - track.home) <= cfg.onset_displacement_m / 2]
        t_start = back[-1][0] if back else track.history[0][0]
        track.start_t, track.start = t_start, track.home.copy()
        if not track.holding:  # where the hand rests, not where it was held
            track.add_start(track.home.copy())
        track.from_hold, track.holding = track.holding, False
        track.carried = self._carry(track) if track.from_hold else None
        track.samples = [(t, p.copy(), h.copy()) for t, p, h in track.history if t >= t_start]
        track.turns, track.turn_anchor, track.turn_extreme = 0, track.start, track.start
        track.still_turns = 0
        track.slow_since = None
        track.peak = track.speed
        track.valley = None

    def _held_away(self, track: _ArmTrack, wrist: Vec3) -> bool:
        """Whether a movement that just ended left the hand held up, away from its rest.

        A raised hand, a pointing arm, a wave that pauses: the gesture is the held posture,
        so the movement's belief carries on through the hold (with the hold as evidence: a
        hand held still is no swing). At the table a pause ends the movement instead (a
        reach, a grasp, a lift are three).
        """
        rest = track.rest()
        if rest is None:
            rest = track.starts[-1] if track.starts else track.start
        assert rest is not None
        return bool(wrist[2] >= TABLE_START_Z_M and norm3(wrist - rest) >= self.config.min_travel_m)

    def _restart_at_valley(self, track: _ArmTrack, t_s: float, wrist: Vec3,
                           still_speed: float) -> None:
        """A hand that nearly stopped at the table and moves on starts a new movement.

        Reaching for a cup, grasping it and lifting it are two movements, but the grasp is
        brief (0.15-0.3 s) and the filtered speed seldom stays below the pause threshold for
        ``offset_hold_s``: the lift then went on as part of the reach, recognised from the
        wrong start (a reach-and-lift reads as ``clear`` with certainty). So the slowest
        moment since the last peak is remembered; when it was at table height, below
        ``VALLEY_FRACTION`` of the peak, and the hand speeds up again past ``VALLEY_RISE``
        times that (and past ``still_speed``, the tracker's noise), the movement restarts
        there. Only at the table: a wave slows at every turn in the air.
        """
        if track.valley is None or track.speed < track.valley[0]:
            track.valley = (track.speed, t_s, wrist.copy())
            return
        v_speed, v_t, v_where = track.valley
        if (v_where[2] < TABLE_START_Z_M and v_speed < VALLEY_FRACTION * track.peak
                and track.speed > max(VALLEY_RISE * v_speed, still_speed)
                and v_t > track.start_t):
            track.start_t, track.start = v_t, v_where
            track.samples = [x for x in track.samples if x[0] >= v_t]
            track.peak = track.speed
            track.valley = None
        elif track.speed >= track.peak:  # a new peak: look for the valley after it
            track.valley = None

    # ---- recognition -------------------------------------------------------------------------
    def _log_likelihoods(self, track: _ArmTrack,
                         ) -> tuple[FloatArray, int, float, FloatArray]:
        """Per-goal log likelihoods of the path so far, and what to act on.

        Returns:
            (log likelihood per goal (G,), the best row, its duration [s], per goal the hand's
            expected displacement over the forecast horizon (G, 3) [m]).
        """
        cfg = self.config
        assert track.start is not None
        samples = track.samples
        idx = _spread(len(samples), cfg.max_samples)
        tau = np.array([samples[i][0] - track.start_t for i in idx])  # (J,)
        obs = np.array([samples[i][1] for i in idx])  # (J, 3)
        tips = np.array([samples[i][2] for i in idx])  # (J, 3)
        start = track.start
        n = len(idx)
        weight = cfg.direction_weight if n >= 3 else 0.0
        if self._fits_for != (id(track), track.start_t):  # a new movement
            # Starts that do not fit a primitive (the cup gestures leave the table) rule it out
            # (Primitive.start_fits for every row at once).
            within = np.sqrt(((self._region_m - start) ** 2).sum(axis=1)) <= self._region_radius_m
            # (a cup is taken at table height, not from a hand that hangs at the side)
            at_table = HANGING_Z_M < start[2] < TABLE_START_Z_M
            self._fits = within & ((self._lift == 0) | at_table)
            self._fits_for = (id(track), track.start_t)
        ll = _path_log_likelihoods(tau, obs, tips, start, self._durations, self._targets,
                                   self._lift,
                                   self._arc, self._osc, self._fits, cfg.sigma_m,
                                   self._hold_sigma(track), weight, self._offsets)
        weights = np.where(self._standing & (not _standing(track)), AT_TABLE_STANDING_WEIGHT,
                           1.0)
        rest = track.rest()
        per_goal, best_row, best_d = _per_goal(ll, self._goal_of, len(self.goals), weights)
        horizon = cfg.forecast_s
        lead = _forecast_per_goal(ll, self._goal_of, len(self.goals), float(tau[-1]), horizon,
                                  start, self._durations, self._targets, self._lift, self._arc,
                                  self._offsets)
        now_ahead = np.array([tau[-1], tau[-1] + horizon])
        for p in self._templates:
            g = self.goals.index(p.name)
            dur = self.learned_durations.get(p.name, 1.0)
            cands, moves = [], []
            for scale in (0.7, 0.85, 1.0, 1.2, 1.45):
                pred_t = p.path(start, start, min_jerk_array(tau / (dur * scale)))
                cands.append(-0.5 * n * np.mean(np.sum((obs - pred_t) ** 2, axis=1))
                             / cfg.sigma_m ** 2)
                ends = p.path(start, start, min_jerk_array(now_ahead / (dur * scale)))
                moves.append(ends[1] - ends[0])
            weights = np.exp(np.array(cands) - max(cands))
            lead[g] = weights @ np.array(moves) / weights.sum()
            per_goal[g] = np.logaddexp(per_goal[g], _logsumexp(np.array(cands))
                                       - math.log(len(cands)))
        # The "returning" explanation of none: back to where the hand rests.
        # ``none`` is a mixture of its explanations, and so is its forecast: (log likelihood,
        # displacement) of each; the head touch is the none primitive's rows.
        nones = [(float(per_goal[-1]), lead[-1].copy())]
        if rest is not None and norm3(rest - start) > cfg.min_travel_m:
            rests = np.repeat(rest[None, :], len(_RETURN_ARCS), axis=0)
            ll_r = _path_log_likelihoods(tau, obs, tips, start, self._durations, rests, _ZEROS_R,
                                         _RETURN_ARCS, _ZEROS_R, _TRUES_R, cfg.sigma_m,
                                         self._hold_sigma(track), weight, self._offsets)
            back = _forecast_per_goal(ll_r, _GOAL_R, 1, float(tau[-1]), horizon, start,
                                      self._durations, rests, _ZEROS_R, _RETURN_ARCS,
                                      self._offsets)[0]
            ll_r = ll_r.reshape(1, -1)
            nones.append((_logsumexp(ll_r[0]) - math.log(ll_r.shape[1]), back))
        # The "still" explanation of none: the hand hardly left its start (and stays).
        still = -0.5 * float(((obs - start) ** 2).sum()) / cfg.sigma_m ** 2
        nones.append((still, np.zeros(3)))
        if track.from_hold:  # staying where a gesture put the hand is that gesture held on
            possible = np.isfinite(per_goal[:-1])
            per_goal[:-1][possible] = np.logaddexp(per_goal[:-1][possible], still)
        # ``none``: the mean of its explanations' likelihoods, not the sum (the sum gave it a
        # prior two or three times a goal's, and a raise read as a head touch early on).
        log_l = np.array([x[0] for x in nones])
        per_goal[-1] = _logsumexp(log_l) - math.log(len(nones))
        if math.isfinite(per_goal[-1]):
            w = np.exp(log_l - log_l.max())
            lead[-1] = w @ np.array([x[1] for x in nones]) / w.sum()
        # Context: a lift from the table away from the hand's rest place lifts something.
        if rest is not None and start[2] < TABLE_START_Z_M \
                and norm3(start - rest) > LIFT_CONTEXT_AWAY_M:
            per_goal[self._lift_goals] += math.log(LIFT_CONTEXT_FACTOR)
        return per_goal, best_row, float(self._durations[best_d // len(self._offsets)]), lead

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """Update with one filtered frame (None: nobody tracked, the belief is kept).

        While the whole body moves (a walk, a bow: :mod:`mirrorbot.body_motion`) the arms'
        movement is part of that: the belief is at rest and nothing is committed.
        """
        if pose is None:
            return self.last
        belief = self.update_wrists(wrists_in_arm_frames(pose.world_m), t_s,
                                    hands_in_arm_frames(pose.world_m))
        if self._body(pose.world_m, pose.visibility, t_s):
            self.committed = None
            for arm in self.arms.values():
                arm.above = 0
            self.last = self._rest
            return self.last
        return belief

    def update_wrists(self, wrists_m: dict[Side, Vec3], t_s: float,
                      hands_m: dict[Side, Vec3] | None = None) -> GoalBelief:
        """Update with both wrists already in their arm frames ((3,) [m] each, robot-scaled).

        What :meth:`__call__` does after :func:`wrists_in_arm_frames`; for paths made in the
        robot's own arm frame (its primitives played as observations). ``hands_m``: the hands'
        tips likewise (:func:`hands_in_arm_frames`), whose turns tell a swing (default: the
        wrists).
        """
        cfg = self.config
        for side, wrist in wrists_m.items():
            self._update_arm(self.arms[side], t_s, wrist,
                             wrist if hands_m is None else hands_m[side])
        moving = [(self._rank(track), side) for side, track in self.arms.items()
                  if track.moving or track.holding]
        if not moving:  # a still person: no goal-directed movement under way
            self.committed = None
            for arm in self.arms.values():
                arm.above = 0
            self.last = self._rest
            return self.last
        _, side = max(moving, key=lambda m: m[0])
        track = self.arms[side]
        assert track.start is not None
        log_post, row, duration, lead = self._log_likelihoods(track)
        prior = self._log_prior if track.carried is None else track.carried
        swing = min(max(track.turns - 1, 0), SWING_TURNS_MAX) \
            - min(track.still_turns, SWING_TURNS_MAX)
        if swing:  # the hand swings (or is held still): evidence for (against) swinging goals
            log_post = log_post.copy()
            log_post[self._swing_goals] += math.log(SWING_FACTOR) * swing
        post = _posterior(log_post, prior, cfg.floor_p)
        track.last_post = post
        travel = _gone(track)
        best = int(np.argmax(post))
        goal = self.goals[best]
        # A standing person raises and waves a hand to the same places: a swinging goal is
        # committed once the hand has swung (its turns), not before (until then the belief
        # hedges). Seated at a table, where a hand goes tells them apart already.
        swung = track.turns > 1 or best not in self._swing_goals or not _standing(track)
        if goal != "none" and post[best] >= cfg.commit_p and travel >= cfg.min_travel_m \
                and swung:
            track.above += 1
        else:
            track.above = 0
        if self.committed is None and track.above >= cfg.commit_frames:
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
                               t_s - track.start_t, duration, track.moving,
                               post @ lead if track.moving else None)
        return self.last


def _standing(track: _ArmTrack) -> bool:
    """Whether the hand rests hanging (:data:`HANGING_Z_M`): a standing person's."""
    rest = track.rest()
    at_rest = track.start if rest is None else rest
    return at_rest is not None and bool(at_rest[2] <= HANGING_Z_M)


def _gone(track: _ArmTrack) -> float:
    """How far the hand has gone [m]: from its movement's start, or from where it rests.

    A wave that goes on from where it paused has gone far, though it swings in place.
    """
    assert track.start is not None
    now = track.samples[-1][1]
    rest = track.rest()
    return max(norm3(now - track.start), 0.0 if rest is None else norm3(now - rest))


@kernel
def _column_medians(points: FloatArray) -> Vec3:
    """The median of each column of ``points`` (N, 3), as ``np.median(points, axis=0)``."""
    out = np.empty(points.shape[1])
    for i in range(points.shape[1]):
        out[i] = np.median(points[:, i])
    return out


@functools.lru_cache(maxsize=512)
def _spread(n: int, k: int) -> tuple[int, ...]:
    """At most ``k`` indices spread evenly over ``range(n)``, first and last included."""
    return tuple(np.unique(np.linspace(0, n - 1, min(k, n)).astype(int)).tolist())


_RETURN_ARCS = np.array([0.0, SWING_ABOUT_SHOULDER, DROP_FIRST])
"""The shapes of a hand's way back to rest: straight, swinging about the shoulder (a straight
arm lowered), dropping first (a bent arm lowered)."""
_ZEROS_R = np.zeros(len(_RETURN_ARCS))
_TRUES_R = np.ones(len(_RETURN_ARCS), dtype=np.bool_)
_GOAL_R = np.zeros(len(_RETURN_ARCS), dtype=np.int64)


@kernel
def _path_log_likelihoods(tau: FloatArray, obs: FloatArray, tips: FloatArray, start: Vec3,
                          durations: FloatArray, targets: FloatArray, lift: FloatArray,
                          arc: FloatArray, osc: FloatArray, fits: BoolArray, sigma_m: float,
                          hold_sigma_m: float, direction_weight: float,
                          offsets_s: FloatArray) -> FloatArray:
    """Log likelihood of an observed path under each primitive row, duration and onset phase.

    Each prediction is a quadratic Bezier from ``start`` through a control point to the row's
    target, timed by a minimum-jerk phase: the control point is ``lift`` [m] above the start
    (a cup is lifted first) or the chord's midpoint raised by ``arc`` times its length.
    After arriving, a wave (or a scratch) swings side to side: y is widened by ``osc`` [m]
    (from the start when it starts already there, :data:`SWING_CHORDS`).
    Early in a movement the heading tells more than the few centimetres travelled, so the
    cosine between the hand's current direction and the prediction's is added, weighted.

    Args:
        tau: Sample times since the start (J,) [s].
        obs: Observed wrist positions (J, 3) [m], arm frame.
        tips: The hand tip at the same samples (J, 3) [m] (a hand that waves by flapping at
            the wrist swings its tip, not its wrist).
        start: The movement's start (3,) [m].
        durations: Candidate durations (D,) [s].
        targets: Row targets (M, 3) [m].
        lift: Per row, how high the hand is lifted first (M,) [m] (0: no lift).
        arc: Per row, how far the path bows up, in chord lengths (M,).
        osc: Per row, the side-to-side swing after arriving (M,) [m].
        fits: Per row, whether this start can begin it (M,); rows that cannot get -inf.
        sigma_m: Spread of the observation around the prediction [m].
        hold_sigma_m: Spread of a held hand's tip about where it is held [m] (a swinging one's
            is wider by its amplitude, ``osc``).
        direction_weight: Weight of the heading cosine (0: off; needs J >= 3).
        offsets_s: Candidate times the movement began before ``tau``'s zero (O,) [s]; the
            prediction is the path from that moment, shifted to pass through ``start``.

    Returns:
        (M, D * O): duration-major, offset-minor cells.
    """
    n_rows, n_dur, n_obs = targets.shape[0], durations.shape[0], tau.shape[0]
    n_off = offsets_s.shape[0]
    ll = np.empty((n_rows, n_dur * n_off))
    heading = direction_weight > 0 and n_obs >= 3
    v_obs = obs[n_obs - 1] - obs[n_obs - 3] if heading else np.zeros(3)
    n_obs_v = math.sqrt(v_obs[0] ** 2 + v_obs[1] ** 2 + v_obs[2] ** 2)
    pred = np.empty(3)
    pred_back = np.empty(3)
    ahead = np.empty(3)
    # Path parameters per (duration, offset) cell, shared by every row: at each sample, and
    # at the unseen start of the movement.
    s_obs = np.empty((n_dur * n_off, n_obs))
    s_off = np.empty(n_dur * n_off)
    for cell in range(n_dur * n_off):
        d, off = cell // n_off, offsets_s[cell % n_off]
        s_off[cell] = min_jerk(off / durations[d])
        for j in range(n_obs):
            s_obs[cell, j] = min_jerk((tau[j] + off) / durations[d])
    for m in range(n_rows):
        if not fits[m]:
            ll[m, :] = -np.inf
            continue
        target = targets[m]
        chord = math.sqrt(((target - start) ** 2).sum())
        control = bezier_control(start, target, lift[m], arc[m])
        # Already there (a wave that paused and swings on): it swings from the start.
        arrived_at_start = chord < SWING_CHORDS * osc[m]
        for cell in range(n_dur * n_off):
            d, off = cell // n_off, offsets_s[cell % n_off]
            # The movement began ``off`` before it was seen to: its path is ahead by as much.
            s0 = s_off[cell]
            a, b, c = (1 - s0) ** 2, 2 * s0 * (1 - s0), s0 * s0
            for i in range(3):
                ahead[i] = a * start[i] + b * control[i] + c * target[i] - start[i]
            total = 0.0
            # After arriving: the wrist's sideways residuals' sum (the hand's centre), and the
            # hand tip's sideways sum and sum of squares (how it swings about that centre).
            n_after, sum_dy, sum_sw, sum_sw2 = 0, 0.0, 0.0, 0.0
            for j in range(n_obs):
                s = s_obs[cell, j]
                a, b, c = (1 - s) ** 2, 2 * s * (1 - s), s * s
                for i in range(3):
                    pred[i] = a * start[i] + b * control[i] + c * target[i] - ahead[i]
                dx, dy, dz = obs[j, 0] - pred[0], obs[j, 1] - pred[1], obs[j, 2] - pred[2]
                if arrived_at_start or tau[j] + off > durations[d]:
                    total += dx * dx + dz * dz
                    n_after += 1
                    sum_dy += dy
                    sum_sw += tips[j, 1]
                    sum_sw2 += tips[j, 1] * tips[j, 1]
                else:
                    total += dx * dx + dy * dy + dz * dz
                if j == n_obs - 3:
                    pred_back[:] = pred
            value = 0.0
            if n_after > 0:
                # Arrived, the hand is held on the target (a raise) or swings about it (a
                # wave): the centre must match as tightly either way; the hand tip's spread
                # about it is a held hand's (``hold_sigma_m``) or a swing's (wider by the
                # swing's amplitude), a Gaussian each, normalised: a hand held still is no
                # swing, and one that flaps at the wrist is one.
                centre = sum_dy / n_after
                spread = max(sum_sw2 - sum_sw * sum_sw / n_after, 0.0)
                total += n_after * centre * centre
                var = hold_sigma_m ** 2 + 0.5 * osc[m] ** 2
                value -= 0.5 * spread / var + 0.5 * (n_after - 1) * math.log(var)
            value -= 0.5 * total / sigma_m ** 2
            if heading:
                v_pred = pred - pred_back
                norm = math.sqrt((v_pred ** 2).sum()) * max(n_obs_v, 1e-9)
                if norm > 1e-9:
                    value += direction_weight * (v_pred * v_obs).sum() / norm
            ll[m, cell] = value
    return ll


@kernel
def _per_goal(ll: FloatArray, goal_of: IntArray, n_goals: int, row_weight: FloatArray,
              ) -> tuple[FloatArray, int, int]:
    """Per goal, the log of the mean likelihood over its (row, cell) entries, (G,).

    ``ll``: (M, C), a row per (primitive, target) and a cell per (duration, onset phase);
    ``row_weight`` (M,): each row's prior weight within its goal. Also the best entry (row,
    cell index) overall, for acting on.
    """
    top = -np.inf
    best_row, best_d = 0, 0
    for m in range(ll.shape[0]):
        for d in range(ll.shape[1]):
            if ll[m, d] > top:
                top, best_row, best_d = ll[m, d], m, d
    sums = np.zeros(n_goals)
    counts = np.zeros(n_goals)
    for m in range(ll.shape[0]):
        for d in range(ll.shape[1]):
            counts[goal_of[m]] += row_weight[m]
            if math.isfinite(top):
                sums[goal_of[m]] += row_weight[m] * math.exp(ll[m, d] - top)
    offset = top if math.isfinite(top) else 0.0
    per_goal = np.full(n_goals, -np.inf)
    for g in range(n_goals):
        if counts[g] > 0 and sums[g] > 0:
            per_goal[g] = math.log(sums[g] / counts[g]) + offset
    return per_goal, best_row, best_d


@kernel
def _forecast_per_goal(ll: FloatArray, goal_of: IntArray, n_goals: int, t_now_s: float,
                       horizon_s: float, start: Vec3, durations: FloatArray, targets: FloatArray,
                       lift: FloatArray, arc: FloatArray, offsets_s: FloatArray) -> FloatArray:
    """Per goal, how far its predictions move the hand from ``t_now_s`` to ``+ horizon_s``.

    Each (row, cell) of ``ll`` (M, C; as :func:`_path_log_likelihoods` returns) predicts a path;
    its displacement over the horizon is weighted by its likelihood within its goal (a goal
    whose rows cannot start here moves nothing). The paths are those of
    :func:`_path_log_likelihoods` (the side-to-side swing of a wave is left out: it averages
    out).

    Returns:
        (G, 3) [m], arm frame.
    """
    n_off = offsets_s.shape[0]
    top = np.full(n_goals, -np.inf)
    for m in range(ll.shape[0]):
        for c in range(ll.shape[1]):
            top[goal_of[m]] = max(top[goal_of[m]], ll[m, c])
    sums = np.zeros(n_goals)
    out = np.zeros((n_goals, 3))
    for m in range(ll.shape[0]):
        g = goal_of[m]
        if not math.isfinite(top[g]):
            continue
        target = targets[m]
        control = bezier_control(start, target, lift[m], arc[m])
        for c in range(ll.shape[1]):
            w = math.exp(ll[m, c] - top[g])
            if w < 1e-6:
                continue
            d, off = durations[c // n_off], offsets_s[c % n_off]
            s0 = min_jerk((t_now_s + off) / d)
            s1 = min_jerk((t_now_s + off + horizon_s) / d)
            # Bezier B(s) = (1-s)^2 p0 + 2s(1-s) c + s^2 p1: its change from s0 to s1.
            a = (1 - s1) ** 2 - (1 - s0) ** 2
            b = 2 * s1 * (1 - s1) - 2 * s0 * (1 - s0)
            e = s1 * s1 - s0 * s0
            for i in range(3):
                out[g, i] += w * (a * start[i] + b * control[i] + e * target[i])
            sums[g] += w
    for g in range(n_goals):
        if sums[g] > 0:
            out[g] /= sums[g]
    return out


@kernel
def _posterior(log_likelihood: FloatArray, log_prior: FloatArray, floor_p: float) -> FloatArray:
    """The normalised posterior (G,) with every entry at least ``floor_p`` (renormalised)."""
    log_post = log_likelihood + log_prior
    post = np.exp(log_post - np.max(log_post))
    post = np.maximum(post / post.sum(), floor_p)
    return post / post.sum()


def _clip_reach(p: Vec3) -> Vec3:
    n = norm3(p)
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
