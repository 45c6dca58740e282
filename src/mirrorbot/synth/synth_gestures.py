"""The synthetic person's gestures: human-like arm movements with labelled goals and timing.

Each gesture expands into timed :class:`Move` values for one arm. A move follows a quadratic
Bezier path (a slightly curved path, or one that first lifts straight up, for the cup) timed
by a minimum-jerk profile, so speed is bell-shaped and zero at both ends. Durations (0.6-1.6 s),
targets, curvature and elbow swivel vary with the seed. ``drink``, ``offer`` and ``clear`` all
start by lifting the cup straight up, so the first part of the three looks alike.

Every position is in the person's torso frame (x out of the chest, y to their left, z up) [m].
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from mirrorbot.arrays import Vec3
from mirrorbot.errors import ConfigError
from mirrorbot.labels import GestureLabel
from mirrorbot.perception.landmarks import Side
from mirrorbot.robot.scripted import min_jerk
from mirrorbot.synth.synth_body import ArmState, BodyParams, mouth_torso, side_sign

GESTURES = ("wave", "point", "raise", "reach", "drink", "offer", "clear", "none")
CUP_GESTURES = ("drink", "offer", "clear")
# Gestures outside the goal vocabulary: the robot does not know them until it is taught
# (``mirrorbot learn``). ``heart``: a hand laid on the heart (left chest), held, lowered.
EXTRA_GESTURES = ("heart",)
TABLE_Z_M = -0.31  # the table top relative to the shoulders of the seated person
CUP_GRASP_Z_M = TABLE_Z_M + 0.05  # wrist height when holding the cup on the table
FORWARD = np.array([1.0, 0.0, 0.0])
UP = np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True)
class Move:
    """One arm movement from ``start`` to ``end`` between ``t0_s`` and ``t1_s``.

    Attributes:
        t0_s: Start [s].
        t1_s: End [s].
        start: Arm state at the start.
        end: Arm state at the end.
        control_m: The Bezier control point of the wrist path (3,) [m].
        wave_amp_m: Side-to-side oscillation of the wrist (a wave, a scratch) [m].
        wave_hz: Its frequency [Hz].
        carries_cup: The hand holds the cup during this move.
    """

    t0_s: float
    t1_s: float
    start: ArmState
    end: ArmState
    control_m: Vec3
    wave_amp_m: float = 0.0
    wave_hz: float = 0.0
    carries_cup: bool = False

    def state(self, t_s: float) -> ArmState:
        """The arm at time ``t_s`` (clamped to the move's interval)."""
        tau = min(max((t_s - self.t0_s) / (self.t1_s - self.t0_s), 0.0), 1.0)
        s = min_jerk(tau)
        p0, c, p1 = self.start.wrist_m, self.control_m, self.end.wrist_m
        wrist = (1 - s) ** 2 * p0 + 2 * s * (1 - s) * c + s * s * p1
        if self.wave_amp_m:
            window = math.sin(math.pi * tau) ** 0.5  # starts and ends at rest
            phase = 2 * math.pi * self.wave_hz * (t_s - self.t0_s)
            wrist = wrist + self.wave_amp_m * window * math.sin(phase) * np.array([0, 1.0, 0])
        return ArmState(
            wrist_m=wrist,
            swivel_rad=(1 - s) * self.start.swivel_rad + s * self.end.swivel_rad,
            palm_hint=(1 - s) * self.start.palm_hint + s * self.end.palm_hint,
            wrist_flex_rad=(1 - s) * self.start.wrist_flex_rad + s * self.end.wrist_flex_rad)


@dataclass
class ArmTrack:
    """The moves of one arm in time order, and its state between them."""

    side: Side
    rest: ArmState
    moves: list[Move] = field(default_factory=list)
    _start_cache: list[float] = field(default_factory=list, repr=False)

    @property
    def last(self) -> ArmState:
        """Where the arm is after its last move."""
        return self.moves[-1].end if self.moves else self.rest

    def state(self, t_s: float) -> tuple[ArmState, bool]:
        """(arm state, holding the cup) at ``t_s`` (a binary search: sessions may be long)."""
        k = bisect.bisect_right(self._starts, t_s)
        if k == 0:
            return self.rest, False
        move = self.moves[k - 1]
        if t_s <= move.t1_s:
            return move.state(t_s), move.carries_cup
        return move.end, move.carries_cup

    @property
    def _starts(self) -> list[float]:
        if len(self._start_cache) != len(self.moves):
            self._start_cache = [m.t0_s for m in self.moves]
        return self._start_cache


@dataclass(frozen=True)
class PostureEvent:
    """A whole-body change: lean [rad], roll [rad] and shrug [m] rising and falling back."""

    t0_s: float
    t1_s: float
    lean_rad: float = 0.0
    roll_rad: float = 0.0
    shrug_m: float = 0.0

    def amount(self, t_s: float) -> float:
        """0 outside, rising to 1 in the middle and back (a smooth bump)."""
        tau = (t_s - self.t0_s) / (self.t1_s - self.t0_s)
        if not 0.0 <= tau <= 1.0:
            return 0.0
        return min_jerk(2 * tau) if tau < 0.5 else min_jerk(2 - 2 * tau)


@dataclass
class SessionPlan:
    """Everything the synthetic person will do.

    Attributes:
        params: The body.
        arms: Moves per side.
        labels: The labelled gestures, in time order.
        posture: Whole-body events (idle sway, adjusting posture).
        cup_rest_m: Where the cup stands at each time it is put down: (time [s], position).
        duration_s: Length of the session [s].
        sway_rad: Amplitude of a slow idle sway (always on, like a seated person).
        sway_hz: Its frequency [Hz].
    """

    params: BodyParams
    arms: dict[Side, ArmTrack]
    labels: list[GestureLabel] = field(default_factory=list)
    posture: list[PostureEvent] = field(default_factory=list)
    cup_rest_m: list[tuple[float, Vec3]] = field(default_factory=list)
    duration_s: float = 0.0
    sway_rad: float = 0.015
    sway_hz: float = 0.17

    def whole_body(self, t_s: float) -> tuple[float, float, float]:
        """(lean [rad], roll [rad], shrug [m]) at ``t_s``."""
        lean = self.sway_rad * math.sin(2 * math.pi * self.sway_hz * t_s)
        roll = 0.6 * self.sway_rad * math.sin(2 * math.pi * 0.7 * self.sway_hz * t_s + 1.0)
        shrug = 0.0
        for event in self.posture:
            a = event.amount(t_s)
            lean += a * event.lean_rad
            roll += a * event.roll_rad
            shrug += a * event.shrug_m
        return lean, roll, shrug

    def cup_position(self, t_s: float) -> tuple[Vec3, Side | None]:
        """Where the cup is, and which hand holds it (None when it stands on the table)."""
        for side, track in self.arms.items():
            state, holding = track.state(t_s)
            if holding:
                return state.wrist_m + np.array([0.0, -side_sign(side) * 0.035, 0.0]), side
        position = self.cup_rest_m[0][1]
        for t, p in self.cup_rest_m:
            if t <= t_s:
                position = p
        return position, None


def rest_state(params: BodyParams, side: Side) -> ArmState:
    """Forearm resting on the table edge, palm down."""
    sign = side_sign(side)
    return ArmState(wrist_m=np.array([0.25, sign * 0.17, TABLE_Z_M + 0.03]), swivel_rad=0.2,
                    palm_hint=np.array([0.0, -0.3 * sign, -1.0]))


CUP_LIFT_RANGE_M = (0.14, 0.2)
"""How high the synthetic person lifts a cup before carrying it, by default [m]."""


class Planner:
    """Builds a session gesture by gesture with seeded variation.

    Args:
        params: The body.
        rng: Randomness for durations, targets, curvature and swivel.
        objects_m: Scene objects in the person's torso frame, by name (for ``reach`` and
            ``point``); the cup is the person's own (``mug`` in the tabletop scene).
        cup_m: Where the cup stands at the start.
        cup_lift_m: The range of how high the cup is lifted before it is carried [m].
    """

    def __init__(self, params: BodyParams, rng: np.random.Generator,
                 objects_m: dict[str, Vec3], cup_m: Vec3,
                 cup_lift_m: tuple[float, float] = CUP_LIFT_RANGE_M) -> None:
        self.params = params
        self.cup_lift_m = cup_lift_m
        self.rng = rng
        self.objects_m = objects_m
        self.plan = SessionPlan(params=params, arms={
            side: ArmTrack(side, rest_state(params, side)) for side in Side})
        self.plan.cup_rest_m.append((0.0, np.asarray(cup_m, dtype=np.float64)))
        self.t_s = 0.0
        self.builders: dict[str, Callable[[Side], None]] = {
            "wave": self._wave, "point": self._point, "raise": self._raise,
            "reach": self._reach, "drink": partial(self._cup, "drink"),
            "offer": partial(self._cup, "offer"), "clear": partial(self._cup, "clear"),
            "none": self._none, "heart": self._heart}

    # ---- helpers -------------------------------------------------------------------------
    def _u(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def _duration(self) -> float:
        return self._u(0.6, 1.6)

    def _move(self, side: Side, end: ArmState, duration_s: float, *, curve: float | None = None,
              lift_m: float = 0.0, carries_cup: bool = False, wave_amp_m: float = 0.0,
              wave_hz: float = 0.0) -> Move:
        track = self.plan.arms[side]
        start = track.last
        p0, p1 = start.wrist_m, end.wrist_m
        if lift_m:
            control = p0 + lift_m * UP  # leave straight upward, then curve toward the goal
        else:
            bend = self._u(0.03, 0.08) if curve is None else curve
            chord = p1 - p0
            perp = np.cross(chord, FORWARD if abs(chord[0]) < 0.9 * np.linalg.norm(chord)
                            else UP)
            norm = float(np.linalg.norm(perp))
            direction = perp / norm if norm > 1e-9 else np.zeros(3)
            if direction[2] < 0:  # human reaches arc upward rather than dip
                direction = -direction
            control = (p0 + p1) / 2 + 2 * bend * float(np.linalg.norm(chord)) * direction
        move = Move(self.t_s, self.t_s + duration_s, start, end, control,
                    wave_amp_m=wave_amp_m, wave_hz=wave_hz, carries_cup=carries_cup)
        track.moves.append(move)
        self.t_s = move.t1_s
        return move

    def _hold(self, side: Side, seconds: float, *, carries_cup: bool = False) -> None:
        state = self.plan.arms[side].last
        self._move(side, state, seconds, curve=0.0, carries_cup=carries_cup)

    def _return(self, side: Side) -> None:
        self._move(side, rest_state(self.params, side), self._u(0.7, 1.2))

    def _label(self, goal: str, start_s: float, end_s: float) -> None:
        self.plan.labels.append(GestureLabel(start_s, end_s, goal))

    def _toward(self, side: Side, target: Vec3, fraction: float) -> Vec3:
        """A wrist position toward ``target`` at ``fraction`` of the arm's reach at most."""
        s = self.params.shoulder(side)
        d = target - s
        dist = float(np.linalg.norm(d))
        limit = fraction * self.params.reach_m
        return target.copy() if dist <= limit else s + d * (limit / dist)

    # ---- gestures ------------------------------------------------------------------------
    def _wave(self, side: Side) -> None:
        sign = side_sign(side)
        up = ArmState(wrist_m=np.array([self._u(0.05, 0.15), sign * self._u(0.30, 0.40),
                                        self._u(0.18, 0.30)]),
                      swivel_rad=self._u(0.5, 0.9), palm_hint=FORWARD.copy())
        t0 = self.t_s
        self._move(side, up, self._duration())
        self._move(side, up, self._u(1.2, 2.2), curve=0.0, wave_amp_m=self._u(0.06, 0.10),
                   wave_hz=self._u(1.5, 2.3))
        self._label("wave", t0, self.t_s)
        self._return(side)

    def _point(self, side: Side) -> None:
        far = [name for name, p in self.objects_m.items() if name not in ("mug", "table")
               and np.linalg.norm(p - self.params.shoulder(side)) > 1.15 * self.params.reach_m]
        target = self.objects_m[self.rng.choice(far)] if far else np.array([1.0, 0.0, -0.3])
        s = self.params.shoulder(side)
        direction = (target - s) / np.linalg.norm(target - s)
        end = ArmState(wrist_m=s + 0.95 * self.params.reach_m * direction,
                       swivel_rad=self._u(0.1, 0.4), palm_hint=-UP + 0.3 * side_sign(side) * UP,
                       wrist_flex_rad=self._u(-0.1, 0.05))
        t0 = self.t_s
        self._move(side, end, self._duration())
        self._label("point", t0, self.t_s)
        self._hold(side, self._u(0.5, 1.0))
        self._return(side)

    def _raise(self, side: Side) -> None:
        sign = side_sign(side)
        end = ArmState(wrist_m=np.array([self._u(0.0, 0.12), sign * self._u(0.20, 0.30),
                                         self._u(0.45, 0.52)]),
                       swivel_rad=self._u(0.3, 0.7), palm_hint=FORWARD - 0.5 * sign * UP)
        t0 = self.t_s
        self._move(side, end, self._duration())
        self._label("raise", t0, self.t_s)
        self._hold(side, self._u(0.5, 0.8))
        self._return(side)

    def _heart(self, side: Side) -> None:
        # The palm on the left chest: the wrist 14-20 cm below the shoulders' line (it was
        # 20-26 cm, at the table's height for a seated person: the hand lay on the table
        # beside the other one rather than on the heart).
        end = ArmState(wrist_m=np.array([self._u(0.14, 0.18), self._u(0.0, 0.05),
                                         self._u(-0.20, -0.14)]),
                       swivel_rad=self._u(0.2, 0.5), palm_hint=-FORWARD.copy())
        t0 = self.t_s
        self._move(side, end, self._duration())
        self._label("heart", t0, self.t_s)
        self._hold(side, self._u(0.5, 0.9))
        self._return(side)

    def _reach(self, side: Side) -> None:
        sign = side_sign(side)
        near = [n for n, p in self.objects_m.items() if n not in ("mug", "table")
                and np.linalg.norm(p - self.params.shoulder(side)) < 1.1 * self.params.reach_m]
        if near:
            target = self.objects_m[self.rng.choice(near)]
        else:
            target = np.array([self._u(0.35, 0.45), sign * self._u(0.0, 0.25), TABLE_Z_M])
        end = ArmState(wrist_m=self._toward(side, target + np.array([0, 0, 0.05]), 0.97),
                       swivel_rad=self._u(0.1, 0.4), palm_hint=-UP.copy(),
                       wrist_flex_rad=self._u(0.1, 0.3))
        t0 = self.t_s
        self._move(side, end, self._duration())
        self._label("reach", t0, self.t_s)
        self._hold(side, self._u(0.3, 0.5))
        self._return(side)

    def _cup(self, goal: str, side: Side) -> None:
        sign = side_sign(side)
        cup, _ = self.plan.cup_position(self.t_s)
        grasp = ArmState(wrist_m=self._toward(side, cup + np.array([-0.02, sign * 0.035,
                                                                    CUP_GRASP_Z_M - cup[2]]),
                                              0.97),
                         swivel_rad=self._u(0.15, 0.35), palm_hint=-sign * np.array([0, 1.0, 0]))
        self._move(side, grasp, self._u(0.7, 1.1))  # reach for the cup (not labelled)
        self._hold(side, self._u(0.15, 0.3), carries_cup=True)
        mouth = mouth_torso(self.params)
        if goal == "drink":
            end = ArmState(wrist_m=mouth + np.array([self._u(0.03, 0.06), sign * 0.035,
                                                     self._u(-0.10, -0.07)]),
                           swivel_rad=self._u(0.6, 0.9), palm_hint=-sign * np.array([0, 1.0, 0]),
                           wrist_flex_rad=self._u(-0.3, -0.1))
        elif goal == "offer":
            end = ArmState(wrist_m=self._toward(side, np.array([0.62, sign * self._u(0.0, 0.08),
                                                               self._u(-0.14, -0.04)]), 0.95),
                           swivel_rad=self._u(0.1, 0.3), palm_hint=-sign * np.array([0, 1.0, 0]))
        else:  # clear: the cup moves aside, to the hand's own side, and is put down
            end = ArmState(wrist_m=self._toward(side, np.array([self._u(0.25, 0.35),
                                                               sign * self._u(0.45, 0.55),
                                                               CUP_GRASP_Z_M]), 0.97),
                           swivel_rad=self._u(0.4, 0.7), palm_hint=-sign * np.array([0, 1.0, 0]))
        t0 = self.t_s
        self._move(side, end, self._u(0.9, 1.6), lift_m=self._u(*self.cup_lift_m),
                   carries_cup=True)
        self._label(goal, t0, self.t_s)
        if goal == "clear":
            self._hold(side, self._u(0.2, 0.3), carries_cup=False)
            new_cup = end.wrist_m + np.array([0.0, -sign * 0.035, -(CUP_GRASP_Z_M - TABLE_Z_M)
                                              + 0.05])
            self.plan.cup_rest_m.append((self.t_s, new_cup))
            self._return(side)
            return
        self._hold(side, self._u(0.3, 0.6), carries_cup=True)
        self._move(side, grasp, self._u(0.7, 1.0), carries_cup=True)  # put the cup back
        self._hold(side, 0.2)
        self._return(side)

    def _none(self, side: Side) -> None:
        kind = self.rng.choice(["scratch", "posture", "shift"])
        t0 = self.t_s
        sign = side_sign(side)
        if kind == "scratch":
            head = ArmState(wrist_m=np.array([self._u(-0.02, 0.05), sign * self._u(0.10, 0.16),
                                              self._u(0.18, 0.26)]),
                            swivel_rad=self._u(0.9, 1.3), palm_hint=-sign * np.array([0, 1.0, 0]),
                            wrist_flex_rad=0.4)
            self._move(side, head, self._duration())
            self._move(side, head, self._u(0.8, 1.4), curve=0.0, wave_amp_m=0.015, wave_hz=3.5)
            self._return(side)
        elif kind == "posture":
            span = self._u(1.5, 2.5)
            self.plan.posture.append(PostureEvent(t0, t0 + span, lean_rad=self._u(-0.12, 0.12),
                                                  roll_rad=self._u(-0.06, 0.06),
                                                  shrug_m=self._u(0.02, 0.04)))
            rest = rest_state(self.params, side)
            shifted = ArmState(rest.wrist_m + np.array([self._u(-0.08, 0.05),
                                                         self._u(-0.05, 0.05), 0.0]),
                               rest.swivel_rad, rest.palm_hint)
            self._move(side, shifted, span / 2)
            self._move(side, rest, span / 2)
        else:  # shift the resting hands a little, as people do while listening
            rest = rest_state(self.params, side)
            for _ in range(2):
                shifted = ArmState(rest.wrist_m + np.array([self._u(-0.06, 0.08),
                                                             self._u(-0.06, 0.06),
                                                             self._u(0.0, 0.05)]),
                                   rest.swivel_rad, rest.palm_hint)
                self._move(side, shifted, self._u(0.6, 1.0))
            self._move(side, rest, self._u(0.6, 1.0))
        self._label("none", t0, self.t_s)

    # ---- the session ---------------------------------------------------------------------
    def add(self, goal: str, side: Side | None = None) -> None:
        """Append one gesture (with the rest before it)."""
        if goal not in self.builders:
            raise ConfigError(f"unknown gesture {goal!r}. Available gestures: "
                              f"{list(GESTURES + EXTRA_GESTURES)}")
        self.t_s += self._u(0.4, 1.0)  # rest
        if side is None:
            dominant = self.params.handedness
            if goal in CUP_GESTURES:
                side = dominant
            else:
                side = dominant if self.rng.uniform() < 0.6 else dominant.other
        self.builders[goal](side)

    def finish(self, tail_s: float = 1.0) -> SessionPlan:
        """The plan, with a rest at the end."""
        self.plan.duration_s = self.t_s + tail_s
        return self.plan


def plan_session(gestures: list[str], params: BodyParams, rng: np.random.Generator,
                 objects_m: dict[str, Vec3], cup_m: Vec3,
                 cup_lift_m: tuple[float, float] = CUP_LIFT_RANGE_M) -> SessionPlan:
    """The plan for a list of gestures, performed in order with rests between them."""
    planner = Planner(params, rng, objects_m, cup_m, cup_lift_m)
    for goal in gestures:
        planner.add(goal)
    return planner.finish()


def arm_states(plan: SessionPlan, t_s: float) -> dict[Side, ArmState]:
    """Both arms at ``t_s``."""
    return {side: track.state(t_s)[0] for side, track in plan.arms.items()}
