"""Command shaping: joint targets made safe to send to the robot (the facade of two parts).

Every command leaves here within the joint position limits, the velocity limits and the
acceleration limits, and outside self-collision (by the capsule model of
:mod:`mirrorbot.robot.collision_model`, which is conservative against PyBullet's shapes). A target
in collision is replaced by the nearest safe configuration on the way to it: the robot stops at
contact distance instead of pushing through.

A target that would put the arms within ``target_margin_m`` of touching something (a person
scratching their head asks the robot's hand to pass through its own head) is first replaced by
the nearest configuration that keeps the margin
(:func:`~mirrorbot.control.collision_avoidance.push_out`): the robot then goes as near the person's
pose as it safely can, instead of stopping wherever its straight path first touches and
waiting there. The upper arms hang beside the torso by design, so they only need to
stay clear of it, not the margin.

A joint may go faster than it could stop at its target by the target's own speed, when the
target moves on (never past it within a period), so a moving target is followed without
falling behind by the stopping distance; below ``follow_deadband_rad_s`` a target's speed is
taken as noise.

The two parts' kernels: :mod:`mirrorbot.control.rate_limits` (velocity and acceleration,
stopping in time) and :mod:`mirrorbot.control.collision_avoidance` (the push-out, the braking
look-ahead, stopping short of contact); this module's :class:`CommandShaper` combines them each
control period.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray, IntArray
from mirrorbot.control.collision_avoidance import (
    braking_path_is_free,
    clearance_gradient,
    collision_model_for,
    margin_clearance,
    push_out,
    reach_bound_m,
    stop_short,
)
from mirrorbot.control.rate_limits import ACCEL_MARGIN, free_velocity, pace_range, v_stop
from mirrorbot.control.retreat import Retreat
from mirrorbot.errors import ConfigError
from mirrorbot.robot.collision_model import CollisionModel
from mirrorbot.robot.urdf import RobotModel

STILL_RAD_S = 0.05  # slower than this everywhere, the robot can stop at once: no look-ahead
NOISY_INPUT_VELOCITY_FRACTION = 0.7  # the 8 rad/s shoulders at 5.6, their 160 rad/s^2 at 112


@dataclass(frozen=True, kw_only=True)
class SafetyConfig:
    """Limits of the command shaper.

    Attributes:
        accel_per_s: Acceleration limit of the head and the shoulder and elbow joints, as a
            multiple of each joint's velocity limit [1/s]: with 20/s the shoulders' 6 rad/s
            give 120 rad/s^2, the elbows' 7 give 140 and the head's 3 give 60. The shoulder
            motors (80 N m on the arm's 0.48 kg m^2 about the shoulder) could give about
            170 rad/s^2. At 36 rad/s^2 the robot fell about 50 ms behind the synthetic person's
            gestures even without noise (``eval retarget``); at 120 rad/s^2 about 7 ms. The
            filter's adaptive noise keeps a still arm steady with the faster limit
            (``mirrorbot.perception.landmark_tracker``).
        hand_accel_per_s: The same for the forearm rotation and the wrist [1/s]. The hand's
            orientation comes from the three noisiest points the pose model gives (pinky,
            index, thumb), a few centimetres apart, so its noise turns the hand a lot; a lower
            ceiling keeps that noise from shaking the hand. Made up to six times the jerk of
            the commanded joints at 40/s (``eval retarget``'s jitter).
        follow_smoothing: Weight of the newest period in the running estimate of how fast
            each shoulder and elbow target moves [0, 1] (0: the shaper stops at each target
            as if it stood still).
        follow_deadband_rad_s: Target speeds below this are taken as noise and not followed
            [rad/s]. A joint that must be able to stop at each target falls behind one that
            moves faster than it can brake from within a period: 7.8 ms behind a 5 rad/s
            ramp, none when following. On the synthetic sessions that was 2 ms of the extra
            lag (``eval retarget``, tuning seeds: 25.7 -> 23.7 ms) at about the same jitter;
            a still arm seen through the real pose model is commanded exactly as without.
        velocity_fraction: Fraction of the URDF velocity limit used (the acceleration limits
            scale with it). Below 1 for input with a pose model's noise
            (:data:`NOISY_INPUT_VELOCITY_FRACTION`): the joints' full speed is for noise-free
            motion (motion capture), where it copies real actors' brisk gestures; through the
            pose model's noise it only shook the arms more (26% more RMS jerk on the
            synthetic sessions at the same error).
        min_clearance_m: Gap kept between parts by the capsule model [m].
        target_margin_m: A target closer than this to contact is pushed out to it first
            (the upper arms against the torso: only out of contact) [m].
    """

    accel_per_s: float = 20.0
    hand_accel_per_s: float = 6.0
    follow_smoothing: float = 0.5
    follow_deadband_rad_s: float = 1.0
    velocity_fraction: float = 1.0
    min_clearance_m: float = 0.0
    target_margin_m: float = 0.01

    def __post_init__(self) -> None:
        for name in ("accel_per_s", "hand_accel_per_s"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"{name} must be > 0, got {value}")
        if not 0 < self.velocity_fraction <= 1:
            raise ConfigError(f"velocity_fraction must be in (0, 1], got "
                              f"{self.velocity_fraction}")
        if not self.target_margin_m >= 0:
            raise ConfigError(f"target_margin_m must be >= 0, got {self.target_margin_m}")
        if not 0 <= self.follow_smoothing <= 1:
            raise ConfigError(f"follow_smoothing must be in [0, 1], got {self.follow_smoothing}")
        if not self.follow_deadband_rad_s >= 0:
            raise ConfigError(f"follow_deadband_rad_s must be >= 0, got "
                              f"{self.follow_deadband_rad_s}")

    def accel_limits(self, model: RobotModel) -> FloatArray:
        """Each joint's acceleration limit (n,) [rad/s^2]: what the shaper promises."""
        per_s = np.full(len(model.velocity_rad_s), self.accel_per_s)
        per_s[model.hand_indices()] = self.hand_accel_per_s
        return model.velocity_rad_s * self.velocity_fraction * per_s

    @classmethod
    def for_input(cls, noise_free: bool) -> SafetyConfig:
        """The limits for a source: full speed for noise-free input, else a share of it."""
        return cls(velocity_fraction=1.0 if noise_free else NOISY_INPUT_VELOCITY_FRACTION)


class CommandShaper:
    """Turns wanted joint targets into safe commands, one call per control period.

    Args:
        model: The robot (limits).
        q0_rad: The configuration the robot starts in, (n,) [rad].
        config: Limits.
        collision: The capsule model (None: from ``model`` without obstacles).
    """

    def __init__(self, model: RobotModel, q0_rad: FloatArray, config: SafetyConfig | None = None,
                 collision: CollisionModel | None = None) -> None:
        self.model = model
        self.config = config or SafetyConfig()
        self.collision = collision or collision_model_for(model)
        self.v_max = model.velocity_rad_s * self.config.velocity_fraction
        self.a_limit = self.config.accel_limits(model)  # what is promised
        self.a_max = ACCEL_MARGIN * self.a_limit  # what is planned with (discrete stops)
        self.q = model.clamp(np.asarray(q0_rad, dtype=np.float64))
        self.v = np.zeros_like(self.q)
        self.blocked = False  # this period's command was held back by a collision
        self._braking = False
        self._clearance_q: float | None = None  # a lower bound of self.q's clearance
        self._clearance_next: float | None = None
        self._arm_mask = np.zeros(len(self.q), dtype=bool)
        self._arm_joints = [np.asarray(idx, dtype=np.int64)
                            for idx in self.collision.arm_index.values()]
        for idx in self._arm_joints:
            self._arm_mask[idx] = True
        self._all_arm_joints = np.flatnonzero(self._arm_mask)
        # The joints that push an arm clear (shoulder, elbow): moving only these keeps the hand
        # as the person holds it, and halves the cost of a clearance gradient.
        self._hand_joints = np.asarray(model.hand_indices(), dtype=np.int64)
        self._push_joints = np.setdiff1d(self._all_arm_joints, self._hand_joints)
        self._follow_mask = np.zeros(len(self.q), dtype=bool)  # whose target's speed is matched
        self._follow_mask[self._push_joints] = True
        self._last_target: FloatArray | None = None
        self._target_rate = np.zeros_like(self.q)  # running estimate [rad/s]
        self.retreat = Retreat(self.collision, self._arm_joints, self.config.min_clearance_m)
        self.pushed_out = False  # this period's target was moved away from contact
        # The emergency stop, the push-out and braking are rare: load (or compile) their
        # kernels now, not in the frame that needs them (loading took 4 ms in the first frame
        # that braked).
        stop_short(self.q, self.q, self._arm_joints[0], self.config.min_clearance_m,
                   self.collision.geometry)
        push_out(self.q, 0.0, self._push_joints, self.config.target_margin_m,
                 self.model.lower_rad, self.model.upper_rad, self.collision.geometry)
        self._v_stop(np.zeros_like(self.q), 1.0 / 30.0)  # braking's cap (its kernel)
        self.collision.upper_arm_torso_gap_m(self.q)  # the braking look-ahead's torso check

    def reset(self, q_rad: FloatArray) -> None:
        """Start from ``q_rad`` at rest."""
        self.q = self.model.clamp(np.asarray(q_rad, dtype=np.float64))
        self.v = np.zeros_like(self.q)
        self._clearance_q = None
        self._last_target = None
        self._target_rate[:] = 0.0
        self.retreat.reset()

    def __call__(self, q_target_rad: FloatArray, dt_s: float) -> FloatArray:
        """The next command (n,) [rad], ``dt_s`` [s] after the previous one."""
        target = self.model.clamp(q_target_rad)
        if dt_s <= 0:
            return self.q.copy()
        target = self._nearest_safe(target)
        wanted = target
        target = self.retreat.steer(self.q, target)  # out of a dead end first
        if self._last_target is None:
            self._last_target = target.copy()
        v = free_velocity(self.q, self.v, target, self._last_target, self._target_rate,
                          self._follow_mask, self.config.follow_smoothing,
                          self.config.follow_deadband_rad_s, self.v_max, self.a_max,
                          self.model.lower_rad, self.model.upper_rad, dt_s)
        self._braking = False
        v = self._brake_before_contact(v, dt_s, target)
        q_next = self.model.clamp(self.q + v * dt_s)
        q_next = self._avoid_collision(q_next, dt_s)
        self.blocked = self.blocked or self._braking
        self.v = (q_next - self.q) / dt_s
        self.q = q_next
        self._clearance_q = self._clearance_next
        arms_still = float(np.max(np.abs(self.v[self._arm_mask]))) < STILL_RAD_S
        self.retreat.record(q_next, wanted, self.blocked and arms_still, dt_s)
        return q_next.copy()

    def _nearest_safe(self, target: FloatArray) -> FloatArray:
        """``target`` (n,) [rad], or the nearest configuration keeping the target margin."""
        margin = self.config.target_margin_m + self.config.min_clearance_m
        clearance = margin_clearance(target, margin, self.collision.geometry)
        self.pushed_out = clearance < margin
        if not self.pushed_out:
            return target
        return push_out(target, clearance, self._push_joints, margin, self.model.lower_rad,
                        self.model.upper_rad, self.collision.geometry)

    def _v_stop(self, distance_rad: FloatArray, dt_s: float) -> FloatArray:
        """The fastest speeds (n,) [rad/s] that can still stop within ``distance_rad``.

        Braking at the planning acceleration in whole control periods (the discrete form of
        sqrt(2 a d)).
        """
        return v_stop(np.abs(distance_rad), self.a_max, dt_s)

    def _reach_bound_m(self, q_other: FloatArray, q_from: FloatArray | None = None) -> float:
        """How far any point of the robot can move from ``q_from`` to ``q_other`` [m].

        ``q_from`` defaults to the current command. Each arm joint moves points at most
        ``MAX_LEVER_M`` from its axis; both arms may move toward each other, so their bounds
        add. Used to skip exact checks that cannot fail.
        """
        return reach_bound_m(q_other, self.q if q_from is None else q_from, self._arm_mask)

    def _clearance_now(self) -> float:
        """A lower bound of the current command's clearance (exact when it was computed).

        The upper arms against the torso are left out: those are checked exactly each time.
        """
        if self._clearance_q is None:
            self._clearance_q = self.collision.clearance_split(self.q)[1]
        return self._clearance_q

    def _brake_before_contact(self, v: FloatArray, dt_s: float, target: FloatArray,
                              ) -> FloatArray:
        """Slow down in time when going on would bring an arm into contact.

        Near an obstacle, the configuration where the robot would come to rest if it started
        braking after this step is checked; if that is in contact, every joint decelerates as
        hard as allowed now, so the stop respects the acceleration limit. Before braking, the
        arm tries the straight line to ``target`` (all its joints at one pace) and sliding
        along the obstacle (:meth:`_detours`): each joint heading for its own target at its
        own limits bends the path, and bent into contact it would brake again and again and
        never leave (a hand beside the head asked to come down stayed there).
        """
        if float(np.max(np.abs(v))) < STILL_RAD_S:
            return v
        if self._path_is_free(v, dt_s):
            return v
        self._braking = True
        for detour in self._detours(v, target, dt_s):
            if self._path_is_free(detour, dt_s):
                self._braking = False
                return detour
        return self._braked_velocity(dt_s, v)

    def _detours(self, v_free: FloatArray, target: FloatArray, dt_s: float,
                 ) -> Iterator[FloatArray]:
        """Velocities (n,) [rad/s] to try when ``v_free``'s path runs into contact, best first.

        The straight line to ``target``: all arm joints at one pace, and the shoulders and
        elbows alone while the hand joints slow down as hard as they may (the hand joints'
        low acceleration limit often leaves no pace for all of them: a wrist turning against
        the line cannot reverse within a period, and the arm braked in the middle of a fast
        raise and fell behind for good). Then the straight line with the part that closes the
        gap to the nearest obstacle taken out (sliding along it), and sliding while opening
        the gap to the target margin (an arm already touching cannot slide without). Each at
        the fastest pace the limits allow from the current velocity, then at half, a quarter
        and an eighth of it. The head keeps ``v_free``.
        """
        arm, push, hand = self._all_arm_joints, self._push_joints, self._hand_joints
        to_target = target - self.q
        straight, straight_push = to_target[arm], to_target[push]
        v_hand = self.v[hand]
        v_hand = np.sign(v_hand) * np.maximum(np.abs(v_hand) - self.a_max[hand] * dt_s, 0.0)
        # (steered joints, their direction, its paces, whether the hand joints slow down)
        ranges = [(arm, straight, self._paces(straight, arm, dt_s), False),
                  (push, straight_push, self._paces(straight_push, push, dt_s), True)]

        def at(fraction: float, joints: IntArray, direction: FloatArray,
               paces: tuple[float, float], slow_hand: bool) -> FloatArray:
            v = v_free.copy()
            v[joints] = direction * max(paces[0], fraction * paces[1])
            if slow_hand:
                v[hand] = v_hand
            return v

        for joints, direction, paces, slow_hand in ranges:  # the cheapest first: no gradient
            if paces is not None:
                yield at(1.0, joints, direction, paces, slow_hand)
        grad = clearance_gradient(self.q, arm, self.config.target_margin_m,
                                  self.collision.geometry)  # the hand may be what touches
        into = float(straight @ grad)
        if into < 0:
            norm_sq = max(float(grad @ grad), 1e-12)
            sliding = straight - into / norm_sq * grad
            # and, already at contact, away from it by what the margin asks
            gap = self.config.target_margin_m - margin_clearance(
                self.q, self.config.target_margin_m, self.collision.geometry)
            away = sliding + max(gap, 0.0) / norm_sq * grad
            ranges += [(arm, sliding, self._paces(sliding, arm, dt_s), False),
                       (arm, away, self._paces(away, arm, dt_s), False)]
        for fraction in (1.0, 0.5, 0.25, 0.125):  # the faster first, whichever the direction
            for k, (joints, direction, paces, slow_hand) in enumerate(ranges):
                if paces is not None and (fraction < 1.0 or k > 1):  # the lines: tried above
                    yield at(fraction, joints, direction, paces, slow_hand)

    def _paces(self, direction: FloatArray, joints: IntArray, dt_s: float,
               ) -> tuple[float, float] | None:
        """The range of paces [1/s] at which ``joints`` can move along ``direction`` now.

        ``direction`` (len(joints),) [rad]: those joints' velocity is pace times it, within
        each joint's acceleration limit from its current velocity, its velocity limit, and the
        speed from which it can stop within its part of ``direction`` and before its position
        limit. None if no pace meets them all.
        """
        lo, hi = pace_range(direction, joints, self.q, self.v, self.a_max, self.v_max,
                            self.model.lower_rad, self.model.upper_rad, dt_s)
        return (lo, hi) if lo <= hi and hi > 0 else None

    def _path_is_free(self, v: FloatArray, dt_s: float) -> bool:
        """Whether moving at ``v`` (n,) [rad/s] now and then braking stays out of contact."""
        if float(np.max(np.abs(v))) < STILL_RAD_S:
            return True
        t_stop = float(np.max(np.abs(v) / self.a_max))
        # Braking in whole periods goes about half a period's travel beyond v t_stop / 2.
        q_rest = self.model.clamp(self.q + v * (1.5 * dt_s + t_stop / 2))
        limit = self.config.min_clearance_m  # no margin on top: it stalled arms hanging 1-2
        # cm beside the torso
        if (self._clearance_now() - self._reach_bound_m(q_rest) >= limit
                and self.collision.upper_arm_torso_gap_m(q_rest) >= limit):
            return True  # even the whole braking path cannot reach anything
        # Already closer than the limit (the person's pose brought the robot's head and hand
        # together): a path that goes no deeper is free, or the arm could never leave. Every
        # path from there starts below the limit, and the arm froze with the hand at the face.
        if self._clearance_now() < limit:  # (a lower bound: the exact one only then)
            limit = min(limit, min(self.collision.clearance_split(self.q)))
        # The braking path is straight in joint space (bent where a joint reaches its limit),
        # but the clearance along it need not fall steadily: see braking_path_is_free.
        return braking_path_is_free(self.q, v, dt_s, 1.5 * dt_s + t_stop / 2,
                                    self.model.lower_rad, self.model.upper_rad, limit,
                                    self._arm_mask, self.collision.geometry)

    def _braked_velocity(self, dt_s: float, v_free: FloatArray) -> FloatArray:
        """The velocity after one period of braking, (n,) [rad/s].

        All arm joints slow by the same factor, so the arms keep to the straight line the
        look-ahead checked; the joint nearest its acceleration limit sets the factor. The
        head keeps ``v_free``, so the robot still looks around, unless its own turn closes
        the gap to a hand (a hand held at the mouth): then it slows as hard as allowed too.
        """
        v = v_free.copy()
        head = ~self._arm_mask
        if np.any(v[head] != 0.0):
            q_head = self.q.copy()
            q_head[head] += v[head] * dt_s
            if self.collision.clearance_m(q_head) < self.collision.clearance_m(self.q):
                v[head] = np.sign(self.v[head]) * np.maximum(
                    np.abs(self.v[head]) - self.a_max[head] * dt_s, 0.0)
        speed = np.abs(self.v)
        moving = (speed > 1e-9) & self._arm_mask
        if not np.any(moving):
            v[self._arm_mask] = 0.0
            return v
        keep = float(np.max(1.0 - self.a_max[moving] * dt_s / speed[moving]))
        braked = self.v * max(keep, 0.0)
        # A joint heading for its position limit must still stop there (else the clamp stops
        # it at once): no faster than its stopping speed, never slowed beyond the limit.
        to_limit = np.where(self.v > 0, self.model.upper_rad - self.q,
                            self.q - self.model.lower_rad)
        cap = np.maximum(self._v_stop(to_limit, dt_s), speed - self.a_max * dt_s)
        braked = np.sign(braked) * np.minimum(np.abs(braked), cap)
        v[self._arm_mask] = braked[self._arm_mask]
        return v

    def _avoid_collision(self, q_next: FloatArray, dt_s: float) -> FloatArray:
        """``q_next`` if free; else each arm goes as far toward it as it can without touching.

        Arms are handled one after the other, so an arm resting against something never
        blocks the other. An arm already too close may only move away.
        """
        limit = self.config.min_clearance_m
        clearance = self.collision.clearance_m
        self.blocked = False
        bound = self._clearance_now() - self._reach_bound_m(q_next)
        if bound >= limit and self.collision.upper_arm_torso_gap_m(q_next) >= limit:
            self._clearance_next = bound  # too far from anything to touch it in this step
            return q_next
        upper_torso, other = self.collision.clearance_split(q_next)
        if min(upper_torso, other) >= limit:
            self._clearance_next = other
            return q_next
        self._clearance_next = None
        # Too fast to stop within this period: brake as hard as allowed (the acceleration limit
        # holds), if that path is free. Slow enough, stop or slide below without breaking it.
        if np.any(np.abs(self.v) > self.a_max * dt_s):
            v_free = (q_next - self.q) / dt_s
            q_brake = self.model.clamp(self.q + self._braked_velocity(dt_s, v_free) * dt_s)
            upper_torso, other = self.collision.clearance_split(q_brake)
            if min(upper_torso, other) >= limit:
                self.blocked = True
                self._clearance_next = other
                return q_brake
        # An emergency (something moved into the arm's way): stop short, whatever it takes.
        q_new = self.q.copy()
        # The head first: it goes on unless it would itself close the gap (tilted toward a hand
        # held at the mouth, it brought the two within the limit and the arm froze there).
        head = q_new.copy()
        head[~self._arm_mask] = q_next[~self._arm_mask]
        c_head = clearance(head)
        if c_head >= limit or c_head >= clearance(q_new):
            q_new = head
        else:
            self.blocked = True
        for idx in self._arm_joints:
            candidate = q_new.copy()
            candidate[idx] = q_next[idx]
            c_candidate = clearance(candidate)
            if c_candidate >= limit:
                q_new = candidate
                continue
            self.blocked = True
            c_now = clearance(q_new)
            if c_now < limit:  # already too close: only moves that open the gap
                if c_candidate > c_now:
                    q_new = candidate
                continue
            q_new = stop_short(q_new, q_next, idx, limit, self.collision.geometry)
        return q_new
