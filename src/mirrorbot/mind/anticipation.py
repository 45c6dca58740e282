"""Anticipatory motion: the robot mirrors ahead of the person, and completes committed goals.

From the first frame the robot mirrors, and as the recogniser's belief sharpens it mirrors
where the person's hand is going rather than where it is (the forecast,
:attr:`GoalBelief.forecast_m`): no commitment is needed to move ahead of the person, and an
undecided belief leaves a plain copy. When the recogniser commits to a goal the robot can
complete (``raise``, ``reach``, ``drink``, ``clear`` and learned gestures) or answer
(``offer``: reaching out toward the person's hand to receive; ``wave``: waving back, its hand
beside its head going side to side at its own rhythm, its elbow out and below the hand), the
driving arm blends from the mirrored pose to the robot's own primitive: its wrist heads for the
goal region as fast as its limits allow, so it arrives before the person's. The blend rises and
falls smoothly (``blend_s``), so a commitment that is released returns the arm to mirroring
without a jump; the command shaper keeps every limit. Pointing is answered by the head
(:mod:`gaze`). A reach for one of the scene's objects (:mod:`mirrorbot.mind.reach_watch`) leads the
mirroring hand toward that object as the belief sharpens (:class:`ReachLead`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.mind.behaviour import Behaviour
from mirrorbot.mind.intent import GoalBelief
from mirrorbot.perception.landmarks import Side
from mirrorbot.retarget.retarget import Mapping, driving_side
from mirrorbot.robot.arm_kinematics import DOWN, arm_frames
from mirrorbot.robot.arm_solver import ArmSolver
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.robot.urdf_builder import (
    FOREARM_LENGTH_M,
    SHOULDER_HALF_WIDTH_M,
    SHOULDER_HEIGHT_M,
    UPPER_ARM_LENGTH_M,
)
from mirrorbot.transforms import dot3, norm3

NOT_COMPLETED = ("point", "none")  # pointing is answered by the head (gaze)
# Outward-axis sign of each robot arm's frame (x forward, y away from the body, z up).
OUTWARD = {Side.LEFT: 1.0, Side.RIGHT: -1.0}
ANSWER = {"offer": "reaching out to receive", "wave": "waving back"}
_DOWN = np.ascontiguousarray(DOWN, dtype=np.float64)  # a limb along its own axis
_NONE3 = np.zeros(3)
# Waving back, the elbow is out and below the hand (arm frame: x forward, y out, z up), so the
# upper arm stays clear of straight out sideways, where flexion and rotation turn about one axis.
_WAVE_ELBOW = UPPER_ARM_LENGTH_M * np.array([0.25, 0.85, -0.47])


@dataclass(frozen=True, kw_only=True)
class AnticipationConfig:
    """Blending settings.

    Attributes:
        blend_s: Time for the blend to go from mirroring to the robot's own motion [s].
        wave_hz: The robot's own waving rhythm when it waves back [Hz].
        wave_amplitude_m: Side-to-side amplitude of its wrist when it waves back [m].
        answer_hold_s: An answer, once begun, lasts at least this long unless another goal is
            committed (a wave back is a whole gesture, not a flicker) [s].
        lead_the_mirror: Mirror where the person's hand is going (the recogniser's forecast,
            :attr:`GoalBelief.forecast_m`) rather than where it is; a committed goal's own motion
            is blended onto that.
        mirror_lead_blend_s: Time for the forecast (and a reach's lead) to fade in when a
            movement starts, and out when it ends [s].
        forecast_lead_power: The forecast is scaled by the belief's :func:`sharpness` to this power:
            at a movement's start the belief is the prior and the robot copies; as it sharpens
            the robot moves ahead. (Unscaled, every onset lunged 20 cm toward the average of
            all goals: the arms travelled 31% more than mirroring alone, 8% more with this.)
    """

    blend_s: float = 0.3
    wave_hz: float = 1.2
    wave_amplitude_m: float = 0.08
    answer_hold_s: float = 1.5
    lead_the_mirror: bool = True
    mirror_lead_blend_s: float = 0.15
    forecast_lead_power: float = 2.0


@dataclass(frozen=True)
class ReachLead:
    """An object the person's hand reaches for, to lead the mirroring hand toward.

    Attributes:
        side: The person's reaching hand.
        target_base_m: The object, robot base frame (3,) [m].
        weight: How far to lead, 0 (mirror) to 1 (the wrist at the object, as far as the arm
            goes): :attr:`mirrorbot.mind.reach_watch.ReachTarget.lead_weight`.
    """

    side: Side
    target_base_m: Vec3
    weight: float


def sharpness(probs: dict[str, float]) -> float:
    """How decided a belief is: 1 - entropy / log(number of goals), in [0, 1].

    0 for a uniform belief (nothing known yet), 1 for certainty.
    """
    if len(probs) < 2:
        return 1.0
    p = np.array([v for v in probs.values() if v > 0.0])
    return float(min(max(1.0 + (p * np.log(p)).sum() / math.log(len(probs)), 0.0), 1.0))


def base_to_arm_frame(p_base_m: Vec3, side: Side) -> Vec3:
    """A base-frame point (3,) [m] relative to the robot's ``side`` shoulder, in its arm frame."""
    shoulder = np.array([0.0, OUTWARD[side] * SHOULDER_HALF_WIDTH_M, SHOULDER_HEIGHT_M])
    d = np.asarray(p_base_m, dtype=np.float64) - shoulder
    return np.array([d[0], OUTWARD[side] * d[1], d[2]])


@kernel
def elbow_for_wrist(wrist_m: Vec3, elbow_hint_m: Vec3) -> Vec3:
    """An elbow position (arm frame, (3,) [m]) that puts the wrist at ``wrist_m``.

    Of the circle of possible elbows, the point nearest ``elbow_hint_m`` (the current elbow),
    so the arm keeps its swivel.
    """
    l1, l2 = UPPER_ARM_LENGTH_M, FOREARM_LENGTH_M
    d = norm3(wrist_m)
    n = wrist_m / max(d, 1e-9)
    d = min(max(d, abs(l1 - l2) + 0.02), 0.98 * (l1 + l2))
    a = (l1 * l1 - l2 * l2 + d * d) / (2 * d)
    r = math.sqrt(max(l1 * l1 - a * a, 0.0))
    toward = elbow_hint_m - dot3(elbow_hint_m, n) * n
    if norm3(toward) < 1e-6:
        toward = np.array([0.0, 0.0, -1.0]) - n[2] * n
    toward = toward / max(norm3(toward), 1e-9)
    return a * n + r * toward


@kernel
def wrist_of(q7: FloatArray) -> Vec3:
    """The wrist (arm frame, (3,) [m]) of arm joints ``q7`` (7,) [rad]."""
    R_u, R_f, _ = arm_frames(q7)
    return UPPER_ARM_LENGTH_M * (R_u @ _DOWN) + FOREARM_LENGTH_M * (R_f @ _DOWN)


@kernel
def limbs_toward(wrist_m: Vec3, elbow_hint_m: Vec3) -> tuple[Vec3, Vec3]:
    """(upper arm, forearm) directions (3,) putting the wrist at ``wrist_m`` (arm frame [m]).

    The elbow is the possible one nearest ``elbow_hint_m`` (:func:`elbow_for_wrist`).
    """
    elbow = elbow_for_wrist(wrist_m, elbow_hint_m)
    fore = wrist_m - elbow
    return elbow / max(norm3(elbow), 1e-9), fore / max(norm3(fore), 1e-9)


@kernel
def limbs_for_wrist(q7: FloatArray, wrist_m: Vec3) -> tuple[Vec3, Vec3]:
    """(upper arm, forearm) directions (3,) putting the wrist at ``wrist_m`` (arm frame [m]).

    The elbow keeps the swivel of the arm's joints ``q7`` (7,) [rad] (:func:`elbow_for_wrist`).
    """
    R_u, _, _ = arm_frames(q7)
    return limbs_toward(wrist_m, UPPER_ARM_LENGTH_M * (R_u @ _DOWN))


def _ramp(weights: dict[Side, float], toward: Side | None, dt_s: float, ramp_s: float) -> None:
    """Move each arm's blend weight (in place) toward 1 for ``toward`` and 0 for the other.

    By at most ``dt_s / ramp_s`` a call (at once when ``ramp_s`` is 0): a full blend takes
    ``ramp_s`` [s].
    """
    step = dt_s / ramp_s if ramp_s > 0 else 1.0
    for side in Side:
        target = 1.0 if side is toward else 0.0
        weights[side] += min(max(target - weights[side], -step), step)


class Anticipation:
    """Turns a committed goal into the robot's own motion, blended with the mirror.

    Args:
        model: The robot.
        mapping: Mirror or anatomical (which robot arm the moving person arm drives).
        config: Blending settings.
    """

    def __init__(self, model: RobotModel, mapping: Mapping,
                 config: AnticipationConfig | None = None) -> None:
        self.mapping = mapping
        self.config = config or AnticipationConfig()
        self.index = {side: model.arm_indices(side) for side in Side}
        self.lower, self.upper = model.lower_rad, model.upper_rad
        self.blend = {side: 0.0 for side in Side}
        self.forecast_blend = {side: 0.0 for side in Side}
        self._forecast_lead_m: dict[Side, Vec3] = {}  # the last forecast displacement per robot arm
        self.reach_blend = {side: 0.0 for side in Side}
        self._reach_goal: dict[Side, tuple[Vec3, float]] = {}  # (object [m], weight) per arm
        self.reach_solvers: dict[Side, ArmSolver] = {}
        self.solvers: dict[Side, ArmSolver] = {}
        self.forecast_solvers: dict[Side, ArmSolver] = {}
        self._last_own: dict[Side, FloatArray] = {}
        self.wave_phase_rad = 0.0
        self._answer: tuple[GoalBelief, float] | None = None  # (the answered belief, until [s])
        self.t_s = 0.0

    def __call__(self, q_mirror: FloatArray, belief: GoalBelief | None, dt_s: float,
                 person_wrist_base_m: Callable[[Side], Vec3] | None = None,
                 reach: ReachLead | None = None) -> tuple[FloatArray, Behaviour, str]:
        """(joint targets (n,) [rad], behaviour, reason) after anticipation.

        ``person_wrist_base_m(side)``: the person's wrist in the robot's base frame [m]; when
        given, an offer is received where the person's hand is (the robot reaches toward it as
        far as its arm allows) instead of at the mirrored place. Called only then.
        ``reach``: the object the person's hand reaches for; the mirroring hand is led toward
        it by the lead's weight (:meth:`_reach_lead`).
        """
        self.t_s += dt_s
        q_mirror = self._forecast_lead(q_mirror, belief, dt_s)
        q_mirror = self._reach_lead(q_mirror, reach, dt_s)
        belief = self._keep_answering(belief)
        active: Side | None = None
        goal = belief.committed if belief is not None else None
        if belief is not None and belief.side is not None and belief.target_m is not None \
                and goal is not None and goal not in NOT_COMPLETED:
            active = self._driven_by(belief.side)
        q = q_mirror.copy()
        _ramp(self.blend, active, dt_s, self.config.blend_s)
        waving = active is not None and goal == "wave"
        self.wave_phase_rad = (self.wave_phase_rad + 2 * math.pi * self.config.wave_hz * dt_s
                               if waving else 0.0)
        for side in Side:
            idx = self.index[side]
            if self.blend[side] <= 0.0:
                self.solvers.pop(side, None)
                continue
            if side is active:
                assert belief is not None and belief.target_m is not None
                assert belief.side is not None
                wrist_goal_m = belief.target_m
                if goal == "offer" and person_wrist_base_m is not None:
                    wrist_goal_m = base_to_arm_frame(person_wrist_base_m(belief.side), side)
                if waving:  # side to side along the arm frame's outward axis (y)
                    wrist_goal_m = wrist_goal_m + np.array(
                        [0.0, self.config.wave_amplitude_m * math.sin(self.wave_phase_rad), 0.0])
                q_own = self._solve(self.solvers, side, q_mirror[idx], wrist_goal_m,
                                    _WAVE_ELBOW if waving else None)
                self._last_own[side] = q_own
            else:  # released: fade from where the own motion was back to mirroring
                q_own = self._last_own.get(side, q_mirror[idx])
            w = self.blend[side]
            q[idx] = (1 - w) * q_mirror[idx] + w * q_own
        if active is None or goal is None:
            return q, Behaviour.MIRROR, ""
        if goal in ANSWER:
            return q, Behaviour.RESPOND, ANSWER[goal]
        return q, Behaviour.ANTICIPATE, f"completing {goal} with its own movement"

    def _forecast_lead(self, q_mirror: FloatArray, belief: GoalBelief | None, dt_s: float,
              ) -> FloatArray:
        """The mirrored joints (n,) [rad] with the moving arm's wrist where the hand is going.

        The recogniser's forecast displacement (:attr:`GoalBelief.forecast_m`, arm frame) is added
        to the mirrored wrist and the arm solved for it, keeping its swivel and the mirrored
        hand; it fades in and out over ``mirror_lead_blend_s`` as movements start and end.
        """
        if not self.config.lead_the_mirror:
            return q_mirror
        moving: Side | None = None
        if belief is not None and belief.moving and belief.side is not None \
                and belief.forecast_m is not None:
            moving = self._driven_by(belief.side)
            scale = sharpness(belief.probs) ** self.config.forecast_lead_power
            self._forecast_lead_m[moving] = scale * belief.forecast_m
        _ramp(self.forecast_blend, moving, dt_s, self.config.mirror_lead_blend_s)
        q = q_mirror
        for side in Side:
            w = self.forecast_blend[side]
            if w <= 0.0 or side not in self._forecast_lead_m:
                self.forecast_solvers.pop(side, None)
                continue
            idx = self.index[side]
            q_lead = self._solve(self.forecast_solvers, side, q_mirror[idx],
                                 wrist_of(q_mirror[idx]) + self._forecast_lead_m[side])
            q = q.copy() if q is q_mirror else q
            q[idx] = (1 - w) * q_mirror[idx] + w * q_lead
        return q

    def _reach_lead(self, q_mirror: FloatArray, reach: ReachLead | None, dt_s: float,
                    ) -> FloatArray:
        """The mirrored joints (n,) [rad] with the driven wrist led toward a reached object.

        The wrist moves from where mirroring puts it toward the object (as far as the arm
        goes) by ``reach.weight``; the lead fades in and out over ``mirror_lead_blend_s``.
        """
        if not self.config.lead_the_mirror:
            return q_mirror
        active: Side | None = None
        if reach is not None and reach.weight > 0.0:
            active = self._driven_by(reach.side)
            self._reach_goal[active] = (reach.target_base_m, reach.weight)
        _ramp(self.reach_blend, active, dt_s, self.config.mirror_lead_blend_s)
        q = q_mirror
        for side in Side:
            w = self.reach_blend[side]
            if w <= 0.0 or side not in self._reach_goal:
                self.reach_solvers.pop(side, None)
                continue
            idx = self.index[side]
            target_base_m, weight = self._reach_goal[side]
            wrist = wrist_of(q_mirror[idx])
            goal = base_to_arm_frame(target_base_m, side)
            q_led = self._solve(self.reach_solvers, side, q_mirror[idx],
                                wrist + weight * (goal - wrist))
            q = q.copy() if q is q_mirror else q
            q[idx] = (1 - w) * q_mirror[idx] + w * q_led
        return q

    def _keep_answering(self, belief: GoalBelief | None) -> GoalBelief | None:
        """The belief to act on: an answer carries on for ``answer_hold_s`` once begun.

        It answers at the place it began at: the belief's target is the best-fitting place of
        the person's gesture, frame by frame, and a wave back that followed it jumped between
        places (its hand swung 50 cm wide and dropped below its shoulder).
        """
        if belief is not None and belief.committed is not None:
            if belief.committed in ANSWER and belief.target_m is not None:
                if self._answer is None or self._answer[0].committed != belief.committed:
                    self._answer = (belief, self.t_s + self.config.answer_hold_s)
                return dataclasses.replace(belief, target_m=self._answer[0].target_m)
            self._answer = None
            return belief
        if self._answer is not None and self.t_s < self._answer[1]:
            return self._answer[0]
        self._answer = None
        return belief

    def _driven_by(self, person_side: Side) -> Side:
        """The robot arm that the person's ``person_side`` arm drives."""
        return next(s for s in Side if driving_side(s, self.mapping) is person_side)

    def _solve(self, solvers: dict[Side, ArmSolver], side: Side, q7_mirror: FloatArray,
               target_arm_m: Vec3, elbow_hint_m: Vec3 | None = None) -> FloatArray:
        """The arm's joints (7,) [rad] with the wrist at ``target_arm_m`` (arm frame [m]).

        The elbow keeps the mirrored arm's swivel (or is the one nearest ``elbow_hint_m``, arm
        frame [m]) and the hand is as mirrored; continuity is kept by ``solvers[side]`` (made on
        first use).
        """
        solver = solvers.get(side)
        if solver is None:
            idx = self.index[side]
            solver = solvers[side] = ArmSolver(self.lower[idx], self.upper[idx], q7_mirror)
        # The arm frame's y is outward; the solver's left-arm convention is the same for both.
        target = np.asarray(target_arm_m, dtype=np.float64)
        upper, fore = (limbs_for_wrist(q7_mirror, target) if elbow_hint_m is None
                       else limbs_toward(target, elbow_hint_m))
        q7 = solver.solve_vectors(upper, fore, _NONE3, _NONE3, False)
        q7[4:7] = q7_mirror[4:7]
        return q7
