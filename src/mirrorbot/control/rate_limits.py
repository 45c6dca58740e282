"""Rate limits: how fast each joint may move toward its target, and how it stops.

Within the velocity and acceleration limits, never faster than it can still stop at its target
(braking in whole control periods) or before its position limit. A joint may go faster than it
could stop at its target by the target's own speed, when the target moves on (never past it
within a period), so a moving target is followed without falling behind by the stopping
distance; below a dead band a target's speed is taken as noise.

Compiled kernels on whole joint vectors (n,), used by
:class:`mirrorbot.control.safety.CommandShaper`.
"""

from __future__ import annotations

import math

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray, IntArray
from mirrorbot.compiled import kernel

ACCEL_MARGIN = 0.85  # plan with 85% of the acceleration limit: discrete stops stay inside it


@kernel
def free_velocity(q: FloatArray, v: FloatArray, target: FloatArray, last_target: FloatArray,
                  target_rate: FloatArray, follow_mask: BoolArray, smoothing: float,
                  deadband: float, v_max: FloatArray, a_max: FloatArray, lower: FloatArray,
                  upper: FloatArray, dt_s: float) -> FloatArray:
    """The velocity (n,) [rad/s] toward ``target`` for the next period, before collisions.

    As fast as the velocity limit allows, but no faster than can still stop at the target
    (unless it moves on, for the joints in ``follow_mask``: plus its own speed beyond
    ``deadband`` [rad/s]) nor before the position limits (``lower``, ``upper`` (n,) [rad]);
    changing by at most the acceleration limit. The target's speed is a running estimate
    (``target_rate`` (n,) [rad/s], weight ``smoothing`` on the newest period), updated in place
    with ``last_target`` (n,) [rad].
    """
    out = np.empty(q.shape[0])
    for i in range(q.shape[0]):
        target_rate[i] += smoothing * ((target[i] - last_target[i]) / dt_s - target_rate[i])
        last_target[i] = target[i]
        delta = target[i] - q[i]
        if delta == 0.0:
            want = 0.0
        else:
            # The target moving on the same way need not be stopped at; reaching it within the
            # period (the first term) is all the approach may do, so a steady ramp is tracked
            # exactly rather than overrun.
            along = max(math.copysign(target_rate[i], delta) - deadband, 0.0) \
                if follow_mask[i] else 0.0
            want = math.copysign(min(abs(delta) / dt_s,
                                     _stop_speed(abs(delta), a_max[i], dt_s) + along), delta)
        sign = 1.0 if want > 0.0 else -1.0
        want = sign * min(abs(want), _stop_speed(_room(q[i], lower[i], upper[i], sign),
                                                 a_max[i], dt_s))
        want = min(max(want, v[i] - a_max[i] * dt_s), v[i] + a_max[i] * dt_s)
        out[i] = min(max(want, -v_max[i]), v_max[i])
    return out


@kernel
def pace_range(direction: FloatArray, joints: IntArray, q: FloatArray, v: FloatArray,
               a_max: FloatArray, v_max: FloatArray, lower: FloatArray, upper: FloatArray,
               dt_s: float) -> tuple[float, float]:
    """(lowest, highest) pace [1/s] of :meth:`mirrorbot.control.safety.CommandShaper._paces`.

    Empty if lo > hi. ``direction`` (len(joints),) [rad]; ``q``, ``v``, ``a_max``, ``v_max``,
    ``lower``, ``upper`` (n,): the command, its velocity and the limits.
    """
    lo, hi = 0.0, math.inf
    any_moving = False
    for k in range(joints.shape[0]):
        j = joints[k]
        a_dt = a_max[j] * dt_s
        d = abs(direction[k])
        if d <= 1e-9:
            if abs(v[j]) > a_dt:
                return 1.0, 0.0  # a joint not on the way cannot stop in time
            continue
        any_moving = True
        sign = 1.0 if direction[k] > 0 else -1.0
        v_along = v[j] * sign
        stop = min(_stop_speed(d, a_max[j], dt_s),
                   _stop_speed(_room(q[j], lower[j], upper[j], sign), a_max[j], dt_s))
        lo = max(lo, max(v_along - a_dt, 0.0) / d)
        hi = min(hi, min(v_along + a_dt, v_max[j], stop) / d)
    if not any_moving:
        return 1.0, 0.0
    return lo, hi


@kernel
def v_stop(distance_rad: FloatArray, a_max: FloatArray, dt_s: float) -> FloatArray:
    """The fastest speeds (n,) [rad/s] that can still stop within ``distance_rad`` (n,).

    Braking at ``a_max`` (n,) [rad/s^2] in whole periods of ``dt_s`` (the discrete form of
    sqrt(2 a d)).
    """
    out = np.empty(distance_rad.shape[0])
    for i in range(out.shape[0]):
        out[i] = _stop_speed(distance_rad[i], a_max[i], dt_s)
    return out


@kernel
def _room(q: float, lower: float, upper: float, sign: float) -> float:
    """How far [rad] a joint at ``q`` can still go toward ``sign`` before its limit."""
    return max(upper - q if sign > 0 else q - lower, 0.0)


@kernel
def _stop_speed(distance_rad: float, a_max: float, dt_s: float) -> float:
    """The fastest speed [rad/s] that can still stop within ``distance_rad`` (see v_stop)."""
    a_dt = a_max * dt_s
    return min(a_dt * (math.sqrt(2.0 * distance_rad / (a_dt * dt_s) + 0.25) - 0.5),
               distance_rad / dt_s)  # below a_max dt it stops in one period
