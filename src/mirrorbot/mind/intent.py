"""Goal recognition by the robot's own repertoire: what is this movement for?

The person's wrist path is mapped into the robot's body (the mirror mapping: relative to the
shoulder, scaled to the robot's arm, outward kept outward) and compared, from the same start,
with what each of the robot's own primitives (:mod:`mirrorbot.mind.repertoire`) would do, over
candidate targets, durations and onset phases (how long before it was seen to the movement
began). That gives a posterior over goals plus ``none``, updated every frame, for the movement
under way (:mod:`mirrorbot.mind.segmentation` cuts the stream into movements, holds and rests;
between gestures the belief returns to the prior). Evidence beside the path: a swing's turns,
a hand held still, a hand at the mouth (:mod:`mirrorbot.mind.hand_at_mouth`), whole-body
movement (:mod:`mirrorbot.mind.body_motion`). A goal is committed when its probability stays
above a threshold for a few frames, and released (hysteresis) when it falls well below it.

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
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.mind.arm_track import ArmTrack, gone, standing
from mirrorbot.mind.body_motion import BodyMotion
from mirrorbot.mind.hand_at_mouth import hands_at_mouth, hands_to_mouth_depth
from mirrorbot.mind.intent_config import IntentConfig
from mirrorbot.mind.intent_kernels import (
    forecast_per_goal,
    goal_log_likelihoods,
    logsumexp,
    path_log_likelihoods,
    posterior,
)
from mirrorbot.mind.person_arm_frames import (  # noqa: F401 (person_scale, wrist_in_arm_frame: API)
    person_scale,
    wrist_in_arm_frame,
    wrists_and_hands_in_arm_frames,
    wrists_in_arm_frames,
)
from mirrorbot.mind.repertoire import (
    DROP_FIRST,
    DURATIONS_S,
    FLEX_FORWARD,
    HANGING_HAND_M,
    LOWER_IN_FRONT,
    ROBOT_REACH_M,
    SWING_ABOUT_SHOULDER,
    Repertoire,
    min_jerk_array,
)
from mirrorbot.mind.segmentation import (
    SWING_MIN_M,
    TABLE_START_Z_M,
    Segmenter,
    at_table_height,
)
from mirrorbot.perception.landmarks import PoseFrame, Side
from mirrorbot.transforms import norm3

LIFT_CONTEXT_FACTOR = 4.0
"""A movement that starts at table height away from where the hand rests (it has just gone to
something there) probably lifts what it took: the goals that begin with a lift (the cup goals)
get this many times their prior. Early in a lift the path alone cannot tell a drink from a
raise."""
LIFT_CONTEXT_AWAY_M = 0.08  # how far from its rest place such a start is [m]
CARRIED_DIRECTLY_WEIGHT = 0.3
"""The prior weight, within their goal, of a cup's ways without a lift first: most people lift
a cup off the table before carrying it; some carry it off directly."""
SWING_FACTOR = 3.0
"""Each turn after the first multiplies the swinging goals' odds by this; each
:data:`STILL_TURN_S` a held hand does not turn divides them by it."""
SWING_TURNS_MAX = 8  # ... for at most this many turns
SWUNG_TURNS = 3
"""A hand has swung once it has turned this many times: up, back, forth and back again (one
and a half cycles). A standing person's wave and raise share their evidence until then
(:meth:`RepertoireIntent._unswung`), and a swinging goal is not committed before. A wind-up
turns twice (the happy actor's guide rose, dropped, then went out: read point, wave at 0.99,
reach); two turns ended the hedge, and a wave was confident before the hand had swung."""
MOUTH_STAY_S = 0.25
"""A hand counts as at the mouth once it has stayed there this long [s]: a raised hand passes in
front of the face on its way up, and the image shows it at the mouth for a moment."""
MOUTH_FACTOR = 3.0
"""A hand come to the mouth multiplies the odds of ``drink`` by this, and again for each
:data:`MOUTH_STEP_S` it stays (a cup lifted to the mouth is a drink, however it got there)."""
MOUTH_STEP_S = 0.25
MOUTH_STEPS_MAX = 8  # ... for at most this many steps
SAME_PLACE_M = 0.05  # a swinging and a held goal's targets this close share a place [m]
ARRIVING_FRACTION = 0.3
"""A hand slower than this fraction of its movement's peak speed has arrived (or turns)."""
CARRY_SHARE = 0.8
"""A gesture that goes on keeps this share of its belief as its prior (the rest is the usual
prior)."""
COMMITTED_FACTOR = 10.0
"""A committed goal's likelihood counts this many times more (2.3 nats) while it stays committed
and the belief is about the same arm: evidence has to be clearly against it before the belief
moves on. A hand held out between a point's and a reach's place swung the belief between the
two by 2-3 nats as it drifted, each above 0.9 in turn (Bandai's clips flipping twice 2 -> 1;
x3: 2, x30: our synthetic sessions 0.688 -> 0.679 at 40%)."""
AT_TABLE_STANDING_WEIGHT = 0.25
"""The prior weight, within their goal, of the standing ways to a goal (:attr:`Primitive.standing`)
for a person whose hands rest on a table: seated at a table people point and reach at the
table, and raise a hand from it."""


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
        forecast_m: Where the moving hand is expected to go in the next
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
    forecast_m: Vec3 | None = None


class IntentModel(Protocol):
    """Updates a belief over goals from each (filtered) pose, or None when nobody is seen."""

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """The belief after this frame."""
        ...


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
        self.arms = {side: ArmTrack() for side in Side}
        self.committed: str | None = None
        self._body = BodyMotion()
        self._segmenter = Segmenter(self.config, self._carry, self._standing)
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
        self._standing_rows = np.array([p.standing for p in self._prims], dtype=np.bool_)
        self._from_table = np.array([p.lift_m > 0 or p.from_table for p in self._prims],
                                    dtype=np.bool_)
        self._carried_directly = np.array([p.from_table for p in self._prims], dtype=np.bool_)
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
        self._fits_for: tuple[int, float, bool] | None = None  # the movement _fits is for
        self._templates = [p for p in self.repertoire.primitives if p.template_m is not None]
        self._drink = self.goals.index("drink") if "drink" in self.goals else None
        self._drink_rows = np.array([p.name == "drink" for p in self._prims], dtype=np.bool_)
        self._swing_goals = np.array(sorted({self.goals.index(p.name) for p in self._prims
                                             if p.oscillation_m >= SWING_MIN_M}),
                                     dtype=np.int64)
        # Swinging goals and held ones that go to the same place (a wave and a raise): pairs
        # (swinging, held) of goal indices.
        self._twins = self._same_place_pairs()
        self._lift_goals = np.array(sorted({self.goals.index(p.name) for p in self._prims
                                            if p.lift_m > 0}), dtype=np.int64)

    def _same_place_pairs(self) -> list[tuple[int, int]]:
        """(swinging goal, held goal) index pairs that share a target place.

        Within :data:`SAME_PLACE_M`; a standing person's path to it cannot tell them apart
        before the hand swings (:meth:`_unswung`).
        """
        pairs = []
        for s in self._swing_goals.tolist():
            for h in range(len(self.goals) - 1):
                if h in self._swing_goals or h == s:
                    continue
                ts, th = self._targets[self._goal_of == s], self._targets[self._goal_of == h]
                if len(ts) and len(th) and float(np.min(np.linalg.norm(
                        ts[:, None, :] - th[None, :, :], axis=2))) <= SAME_PLACE_M:
                    pairs.append((s, h))
        return pairs

    def _unswung(self, track: ArmTrack) -> bool:
        """Whether a standing person's hand is still on its way, not yet swung.

        A standing person raises and waves a hand to the same places, and how high a wave
        goes is their own (a tired goodbye went where the robot's raise goes, and was read a
        raise at 0.94 before it swung). Until the hand has swung (:data:`SWUNG_TURNS`), or
        slows to arrive (:data:`ARRIVING_FRACTION` of its peak speed), or is held, a swinging
        goal and a held one that share a place (:meth:`_same_place_pairs`) share their
        evidence: the belief hedges between them, and the mirror acts on what they share.
        Seated at a table, where a hand goes tells them apart already.
        """
        return bool(self._twins) and self._standing(track) and not track.holding \
            and track.turns < SWUNG_TURNS and track.still_turns == 0 \
            and track.speed >= ARRIVING_FRACTION * track.peak

    def _prior(self) -> FloatArray:
        n = len(self.goals)
        prior = np.full(n, (1 - self.config.prior_none) / max(n - 1, 1))
        prior[-1] = self.config.prior_none
        return prior

    def _prior_belief(self) -> GoalBelief:
        return GoalBelief(dict(zip(self.goals, self._prior().tolist(), strict=True)))


    def reset(self) -> None:
        """Forget the person (a new person, a new session).

        The hands' still speed (:attr:`Segmenter.speed_floor_m_s`) is kept: it measures the
        tracker.
        """
        self.arms = {side: ArmTrack() for side in Side}
        self.committed = None
        self._body.reset()
        self.last = self._prior_belief()

    def _carry(self, track: ArmTrack) -> FloatArray | None:
        """The log prior (G,) of a gesture that goes on after a hold.

        Its belief so far, blended with the usual prior so that new evidence can still overturn
        it (:data:`CARRY_SHARE`). Read afresh, a wave that paused and swung on was read as a
        return to rest, and its belief flipped.
        """
        if track.last_post is None:
            return None
        return np.log(CARRY_SHARE * track.last_post
                      + (1.0 - CARRY_SHARE) * np.exp(self._log_prior))

    def _attended(self, active: list[tuple[tuple[bool, float], Side]]) -> Side:
        """The arm the belief is about, of the ``active`` ones ((rank, side) each).

        A committed gesture keeps the robot's attention while its arm moves on (an actor's wave
        ended with the other hand lifted 27 cm, read as a point at 0.99 while the wave went
        on); otherwise the arm that ranks first (:meth:`_rank`). A gesture merely held does
        not keep it: the other hand's gesture is read.
        """
        side = self.last.side
        if self.committed is not None and side is not None and self.arms[side].moving:
            return side
        return max(active, key=lambda m: m[0])[1]

    def _rank(self, track: ArmTrack) -> tuple[bool, float]:
        """Which active arm the belief is about (the larger ranks first).

        One that has moved far enough to be read (moving, or held where its movement took it)
        before one that has just started; then the one that has gone farther (a hand raised
        high, not the other one jostled).
        """
        if track.start is None or not track.samples:
            return False, 0.0
        travelled = norm3(track.samples[-1][1] - track.start)
        return travelled >= self.config.min_travel_m, travelled

    # ---- recognition -------------------------------------------------------------------------
    def _log_likelihoods(self, track: ArmTrack,
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
        at_mouth = track.mouth_s > 0
        if self._fits_for != (id(track), track.start_t, at_mouth):  # a new movement
            # Starts that do not fit a primitive (the cup gestures leave the table) rule it out
            # (Primitive.start_fits for every row at once).
            # A gesture that goes on from a hold is judged by where it began from rest.
            begun = track.start if track.gesture_start is None else track.gesture_start
            within = np.sqrt(((self._region_m - begun) ** 2).sum(axis=1)) <= self._region_radius_m
            # (a cup is taken at table height, not from a hand that hangs at the side; carried
            # off without a lift only from where the hand has just taken it)
            at_table = at_table_height(begun[2])
            self._fits = within & (~self._from_table | at_table) \
                & (~self._carried_directly | self._took_something(track))
            if at_mouth:  # a hand come to the mouth may drink, from wherever it came
                self._fits |= self._drink_rows
            self._fits_for = (id(track), track.start_t, at_mouth)
        ll = path_log_likelihoods(tau, obs, tips, start, self._durations, self._targets,
                                  self._lift, self._arc, self._osc, self._fits, cfg.sigma_m,
                                  self._segmenter.hold_sigma(track), weight, self._offsets)
        weights = np.where(self._standing_rows & (not self._standing(track)),
                           AT_TABLE_STANDING_WEIGHT, 1.0) \
            * np.where(self._carried_directly, CARRIED_DIRECTLY_WEIGHT, 1.0)
        rest = track.rest()
        per_goal, best_row, best_d = goal_log_likelihoods(ll, self._goal_of, len(self.goals),
                                                          weights)
        horizon = cfg.forecast_s
        lead = forecast_per_goal(ll, self._goal_of, len(self.goals), float(tau[-1]), horizon,
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
            per_goal[g] = np.logaddexp(per_goal[g], logsumexp(np.array(cands))
                                       - math.log(len(cands)))
        # The "returning" explanation of none: back to where the hand rests.
        # ``none`` is a mixture of its explanations, and so is its forecast: (log likelihood,
        # displacement) of each; the head touch is the none primitive's rows.
        nones = [(float(per_goal[-1]), lead[-1].copy())]
        # Where the hand rests: its usual place, and hanging at the side (where anyone's hand
        # goes back to: after a bow the actors' hands part from a clasp and drop there).
        places = [p for p in (rest, HANGING_HAND_M) if p is not None
                  and norm3(p - start) > cfg.min_travel_m]
        if len(places) == 2 and norm3(places[0] - places[1]) <= cfg.min_travel_m:
            places = places[:1]
        if places:
            k = len(_RETURN_ARCS)
            rests = np.repeat(np.array(places), k, axis=0)
            arcs = np.tile(_RETURN_ARCS, len(places))
            zeros = np.zeros(len(rests))
            ll_r = path_log_likelihoods(tau, obs, tips, start, self._durations, rests, zeros,
                                        arcs, zeros, np.ones(len(rests), dtype=np.bool_),
                                        cfg.sigma_m, self._segmenter.hold_sigma(track), weight,
                                        self._offsets)
            back = forecast_per_goal(ll_r, np.zeros(len(rests), dtype=np.int64), 1,
                                     float(tau[-1]), horizon, start, self._durations, rests,
                                     zeros, arcs, self._offsets)[0]
            per_place = [logsumexp(ll_r[i * k:(i + 1) * k].ravel()) - math.log(k * ll_r.shape[1])
                         for i in range(len(places))]
            nones.append((max(per_place), back))
        # The "still" explanation of none: the hand hardly left its start (and stays).
        still = -0.5 * float(((obs - start) ** 2).sum()) / cfg.sigma_m ** 2
        nones.append((still, np.zeros(3)))
        # ``none``: the mean of its explanations' likelihoods, not the sum (the sum gave it a
        # prior two or three times a goal's, and a raise read as a head touch early on).
        log_l = np.array([x[0] for x in nones])
        per_goal[-1] = logsumexp(log_l) - math.log(len(nones))
        if track.from_hold:
            # Staying where the held posture was is that posture held on, whatever it was:
            # every goal explains it alike, and the belief carried from the hold decides.
            possible = np.isfinite(per_goal)
            per_goal[possible] = np.logaddexp(per_goal[possible], still)
        if math.isfinite(per_goal[-1]):
            w = np.exp(log_l - log_l.max())
            lead[-1] = w @ np.array([x[1] for x in nones]) / w.sum()
        # Context: a lift from the table away from the hand's rest place lifts something.
        if self._took_something(track):
            per_goal[self._lift_goals] += math.log(LIFT_CONTEXT_FACTOR)
        return per_goal, best_row, float(self._durations[best_d // len(self._offsets)]), lead

    def _standing(self, track: ArmTrack) -> bool:
        """Whether the person stands.

        From the thighs where they are seen (:attr:`BodyMotion.seated`), else from where the
        hand rests (:func:`standing`; hands on a lap rest as low as hanging ones, so the thighs
        come first).
        """
        if self._body.seated is not None:
            return not self._body.seated
        return standing(track)

    def _took_something(self, track: ArmTrack) -> bool:
        """Whether the movement starts at the table away from where the hand rests.

        There it has just gone to something (:data:`LIFT_CONTEXT_AWAY_M`): it probably carries
        what it took.
        """
        rest = track.rest()
        begun = track.start if track.gesture_start is None else track.gesture_start
        return bool(rest is not None and begun is not None and begun[2] < TABLE_START_Z_M
                    and norm3(begun - rest) > LIFT_CONTEXT_AWAY_M)

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """Update with one filtered frame (None: nobody tracked, the belief is kept).

        While the whole body moves (a walk, a bow: :mod:`mirrorbot.mind.body_motion`) the arms'
        movement is part of that: the belief is at rest and nothing is committed.
        """
        if pose is None:
            return self.last
        at_mouth = hands_at_mouth(pose)
        staying = {side: near and self.arms[side].mouth_run_s > MOUTH_STAY_S
                   for side, near in at_mouth.items()}
        wrists, hands = wrists_and_hands_in_arm_frames(hands_to_mouth_depth(pose, staying))
        belief = self.update_wrists(wrists, t_s, hands, at_mouth)
        if self._body(pose.world_m, pose.visibility, t_s):
            self.committed = None
            for arm in self.arms.values():
                arm.above = 0
            self.last = self._rest
            return self.last
        return belief

    def update_wrists(self, wrists_m: dict[Side, Vec3], t_s: float,
                      hands_m: dict[Side, Vec3] | None = None,
                      at_mouth: dict[Side, bool] | None = None) -> GoalBelief:
        """Update with both wrists already in their arm frames ((3,) [m] each, robot-scaled).

        What :meth:`__call__` does after :func:`wrists_and_hands_in_arm_frames`; for paths
        made in the robot's own arm frame (its primitives played as observations).
        ``hands_m``: the hands' tips likewise, whose turns tell a swing (default: the wrists);
        ``at_mouth``: whether each hand is at the mouth (:func:`hands_at_mouth`).
        """
        cfg = self.config
        for side, wrist in wrists_m.items():
            track = self.arms[side]
            if at_mouth is not None and at_mouth[side] and track.history:
                dt_s = t_s - track.history[-1][0]
                track.mouth_run_s += dt_s
                if track.mouth_run_s > MOUTH_STAY_S:  # stays there: not a hand passing by
                    track.mouth_s += dt_s
            else:
                track.mouth_run_s = 0.0
            self._segmenter.update(track, t_s, wrist, wrist if hands_m is None else hands_m[side])
        moving = [(self._rank(track), side) for side, track in self.arms.items()
                  if track.moving or track.holding]
        if not moving:  # a still person: no goal-directed movement under way
            self.committed = None
            for arm in self.arms.values():
                arm.above = 0
            self.last = self._rest
            return self.last
        side = self._attended(moving)
        track = self.arms[side]
        assert track.start is not None
        log_post, row, duration, lead = self._log_likelihoods(track)
        prior = self._log_prior if track.carried is None else track.carried
        swing = min(max(track.turns - 1, 0), SWING_TURNS_MAX) \
            - min(track.still_turns, SWING_TURNS_MAX)
        if self._unswung(track):  # a raise or a wave, as far as the path can tell
            log_post = log_post.copy()
            for a, b in self._twins:
                log_post[a] = log_post[b] = np.logaddexp(log_post[a], log_post[b]) - math.log(2)
        if swing:  # the hand swings (or is held still): evidence for (against) swinging goals
            log_post = log_post.copy()
            log_post[self._swing_goals] += math.log(SWING_FACTOR) * swing
        if track.mouth_s > 0 and self._drink is not None:  # the hand at the mouth: a drink
            log_post = log_post.copy()
            log_post[self._drink] += math.log(MOUTH_FACTOR) * (1.0 + min(
                track.mouth_s / MOUTH_STEP_S, MOUTH_STEPS_MAX))
        # A swing under way is read at a new phase every frame: its reads are averaged over
        # one spacing of the path's samples (so that their phases interleave).
        spacing_s = (t_s - track.start_t) / max(cfg.max_samples - 1, 1)
        log_post = smoothed_evidence(track, t_s, log_post, min(cfg.evidence_window_s, spacing_s)
                                     if track.turns > 1 else 0.0)
        if self.committed is not None and side == self.last.side:  # see COMMITTED_FACTOR
            log_post = log_post.copy()
            log_post[self.goals.index(self.committed)] += math.log(COMMITTED_FACTOR)
        post = posterior(log_post, prior, cfg.floor_p)
        track.last_post = post
        travel = gone(track)
        best = int(np.argmax(post))
        goal = self.goals[best]
        # A standing person raises and waves a hand to the same places: a swinging goal is
        # committed once the hand has swung (SWUNG_TURNS), not before (until then the belief
        # hedges). Seated at a table, where a hand goes tells them apart already.
        swung = track.turns >= SWUNG_TURNS or best not in self._swing_goals \
            or not self._standing(track)
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


def smoothed_evidence(track: ArmTrack, t_s: float, log_l: FloatArray,
                      window_s: float) -> FloatArray:
    """The movement's log likelihoods (G,), averaged over its reads of the last ``window_s``.

    Each frame reads the whole path again from a few samples spread evenly over it
    (:attr:`IntentConfig.max_samples`). Over a swing those samples alias: as the path grows
    they drift through the swing's phases, and at times most fall where the hand passes the
    middle, which a raise explains tens of nats better than a wave. Read alone, a whole-arm
    goodbye was a wave, a raise, a wave again within a tenth of a second, each above 0.9, 11
    times in a clip. Reads of one path a moment apart are not independent evidence, so they
    are averaged (a geometric mean of their likelihoods), not multiplied. A goal impossible
    now stays so, and one possible now (a hand come to the mouth may drink) is averaged over
    the reads that allowed it.

    Args:
        track: The arm; its :attr:`ArmTrack.reads` are kept per movement.
        t_s: Now [s].
        log_l: This frame's log likelihoods (G,).
        window_s: How far back reads count [s] (0: this one only).

    Returns:
        (G,) log likelihoods.
    """
    if track.reads_for != track.start_t:  # a new movement: its own reads only
        track.reads.clear()
        track.reads_for = track.start_t
    track.reads.append((t_s, log_l))
    recent = [read for when, read in track.reads if when >= t_s - window_s - 1e-9]
    if len(recent) == 1:
        return log_l
    stack = np.array(recent)  # (R, G)
    finite = np.isfinite(stack)
    mean = np.where(finite, stack, 0.0).sum(axis=0) / np.maximum(finite.sum(axis=0), 1)
    return np.where(np.isfinite(log_l), mean, log_l)


@functools.lru_cache(maxsize=512)
def _spread(n: int, k: int) -> tuple[int, ...]:
    """At most ``k`` indices spread evenly over ``range(n)``, first and last included."""
    return tuple(np.unique(np.linspace(0, n - 1, min(k, n)).astype(int)).tolist())


_RETURN_ARCS = np.array([0.0, SWING_ABOUT_SHOULDER, DROP_FIRST, FLEX_FORWARD, LOWER_IN_FRONT])
"""The shapes of a hand's way back to rest: straight, swinging about the shoulder (a straight
arm lowered), dropping first (a bent arm lowered), bowing forward (an elbow unbent), bowing
forward a little (a raised hand lowered in front, the elbow bending on the way)."""


def _clip_reach(p: Vec3) -> Vec3:
    n = norm3(p)
    return p if n <= ROBOT_REACH_M else p * (ROBOT_REACH_M / n)
