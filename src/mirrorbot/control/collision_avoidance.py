"""Collision avoidance: keeping the arms out of the robot's body and the scene's fixed parts.

By the capsule model of :mod:`mirrorbot.robot.collision_model` (conservative against PyBullet's
shapes): a target too near contact is pushed out to a margin first (:func:`push_out`), a
braking path is checked before the arm commits to it (:func:`braking_path_is_free`), and an arm
that would touch stops short of contact and slides along it (:func:`stop_short`). Compiled
kernels on whole joint vectors (n,), used by :class:`mirrorbot.control.safety.CommandShaper`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray, IntArray
from mirrorbot.compiled import kernel
from mirrorbot.perception.landmarks import Side
from mirrorbot.robot.collision_model import Box, CollisionModel, clearance_of, clearance_split_of
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.sim.scene import Scene, ScenePart

COLLISION_SEARCH_STEPS = 8  # bisection steps toward a colliding target (1/256 of the step)
MAX_LEVER_M = 0.8  # shoulder to fingertip plus capsule radius: no arm point is farther out
HEAD_LEVER_M = 0.25  # the head sphere's far side from the neck joints
PATH_SPLITS = 2  # the look-ahead halves a segment of the braking path at most this often
SPLIT_BELOW_M = 0.02  # ... where an end is this close to contact (the dips seen were near it)
PUSH_OUT_STEPS = 12  # Newton steps of the push-out (it usually needs one or two)
PUSH_OUT_OVERSHOOT_M = 0.002  # aim this far past the margin: one step is usually enough
PUSH_OUT_EPS_RAD = 1e-4  # finite-difference step of the clearance gradient


def collision_model_for(model: RobotModel, scene: Scene | None = None) -> CollisionModel:
    """The capsule model of ``model``'s joints; with a scene, the fixed parts within reach.

    The shaper then keeps the arms out of them as out of the robot's own body (a scene whose
    table is within reach stops the arms above it instead of letting physics press them
    into it); the tabletop scene has none within reach.
    """
    return CollisionModel([model.index("head_pan"), model.index("head_tilt")],
                          model.arm_indices(Side.LEFT), model.arm_indices(Side.RIGHT),
                          scene_obstacles(model, scene))


def scene_obstacles(model: RobotModel, scene: Scene | None) -> tuple[Box, ...]:
    """The scene's fixed parts an arm could reach, as boxes (a part's bounding box).

    A part farther than :data:`MAX_LEVER_M` from both shoulders can never be touched, so it
    costs the collision checks nothing (the tabletop scene's table is such a part).
    """
    if scene is None:
        return ()
    out = []
    shoulders = [model.dimensions.p_base_shoulder(side) for side in Side]
    for obj in scene.objects:
        if not obj.fixed:
            continue
        for part in obj.parts:
            half = part_half_extents_m(part)
            box = Box(np.asarray(part.position_m, dtype=np.float64), half)
            if min(point_box_distance_m(p, box) for p in shoulders) < MAX_LEVER_M:
                out.append(box)
    return tuple(out)


def part_half_extents_m(part: ScenePart) -> FloatArray:
    """Half extents (3,) [m] of a scene part's axis-aligned bounding box."""
    if part.shape == "box":
        return np.asarray(part.size_m, dtype=np.float64) / 2
    if part.shape == "cylinder":
        r, length = part.size_m
        return np.array([r, r, length / 2])
    return np.full(3, part.size_m[0])


def point_box_distance_m(p_m: FloatArray, box: Box) -> float:
    """Distance [m] from a point (3,) to a box (0 inside)."""
    outside = np.maximum(np.abs(np.asarray(p_m) - box.centre_m) - box.half_m, 0.0)
    return float(np.linalg.norm(outside))


@kernel
def stop_short(q: FloatArray, q_next: FloatArray, joints: IntArray, limit_m: float,
               geometry: tuple[Any, ...]) -> FloatArray:
    """Move ``joints`` of ``q`` (n,) [rad] toward ``q_next`` as far as stays free, then slide.

    A bisection finds how far along the straight step the arm stays ``limit_m`` clear; then,
    joint by joint (largest remaining step first), the rest of each joint's step is taken if
    it stays free (whole, half or a quarter of it). An arm stopped against the head can still
    lower its elbow or turn away: it slides along the obstacle instead of freezing until the
    target is free again. ``geometry``: :attr:`CollisionModel.geometry`.
    """
    lo, hi = 0.0, 1.0
    trial = q.copy()
    for _ in range(COLLISION_SEARCH_STEPS):
        mid = (lo + hi) / 2
        for j in joints:
            trial[j] = q[j] + mid * (q_next[j] - q[j])
        if clearance_of(trial, geometry) >= limit_m:
            lo = mid
        else:
            hi = mid
    q = q.copy()
    for j in joints:
        q[j] = q[j] + lo * (q_next[j] - q[j])
    remaining = np.abs(q_next[joints] - q[joints])
    for k in np.argsort(-remaining):
        if remaining[k] < 1e-6:
            break
        joint = joints[k]
        for fraction in (1.0, 0.5, 0.25):
            trial = q.copy()
            trial[joint] = q[joint] + fraction * (q_next[joint] - q[joint])
            if clearance_of(trial, geometry) >= limit_m:
                q = trial
                break
    return q


@kernel
def margin_clearance(q: FloatArray, margin_m: float, geometry: tuple[Any, ...]) -> float:
    """The clearance [m] that must reach ``margin_m``.

    The upper arms only need to be clear of the torso (they hang beside it by design), every
    other pair the margin.
    """
    upper_torso, other = clearance_split_of(q, geometry)
    return min(upper_torso + margin_m, other)


@kernel
def clearance_gradient(q: FloatArray, joints: IntArray, margin_m: float,
                       geometry: tuple[Any, ...]) -> FloatArray:
    """The gradient of :func:`margin_clearance` over ``joints`` [m/rad], (len(joints),).

    Forward differences of ``PUSH_OUT_EPS_RAD``.
    """
    c = margin_clearance(q, margin_m, geometry)
    grad = np.zeros(joints.shape[0])
    trial = q.copy()
    for k in range(joints.shape[0]):
        j = joints[k]
        trial[j] = q[j] + PUSH_OUT_EPS_RAD
        grad[k] = (margin_clearance(trial, margin_m, geometry) - c) / PUSH_OUT_EPS_RAD
        trial[j] = q[j]
    return grad


@kernel
def push_out(q: FloatArray, clearance_m: float, joints: IntArray, margin_m: float,
             lower: FloatArray, upper: FloatArray, geometry: tuple[Any, ...]) -> FloatArray:
    """The configuration nearest ``q`` (n,) [rad] whose arms keep ``margin_m`` [m] clear.

    ``clearance_m``: ``q``'s :func:`margin_clearance`, already measured. Newton steps on the
    clearance along its gradient over ``joints``: the smallest joint change that opens the gap
    to the margin, to first order. Within the joint limits ``lower``, ``upper`` (n,). May stop
    short of the margin after ``PUSH_OUT_STEPS`` (the shaper still keeps the robot out of
    contact). The clearance is a minimum over pairs of parts, so a step that clears one pair
    can close another and the next step undo it: the clearest configuration met is returned,
    not the last (between two pairs the steps went back and forth and ended where they began).
    """
    c = clearance_m
    if c >= margin_m:
        return q
    q = q.copy()
    best, best_c = q.copy(), c
    for _ in range(PUSH_OUT_STEPS):
        grad = clearance_gradient(q, joints, margin_m, geometry)
        norm_sq = float(np.sum(grad * grad))
        if norm_sq < 1e-12:
            break
        step = (margin_m + PUSH_OUT_OVERSHOOT_M - c) / norm_sq
        for k in range(joints.shape[0]):
            j = joints[k]
            q[j] = min(max(q[j] + step * grad[k], lower[j]), upper[j])
        c = margin_clearance(q, margin_m, geometry)
        if c > best_c:
            best[:] = q
            best_c = c
        if c >= margin_m:
            break
    return best


@kernel
def _on_path(q: FloatArray, v: FloatArray, t_s: float, lower: FloatArray, upper: FloatArray,
             ) -> FloatArray:
    """``q + v t_s`` (n,) [rad] clamped to the joint limits ``lower``, ``upper``."""
    return np.minimum(np.maximum(q + v * t_s, lower), upper)


@kernel
def braking_path_is_free(q: FloatArray, v: FloatArray, dt_s: float, end_s: float,
                         lower: FloatArray, upper: FloatArray, limit_m: float,
                         arm_mask: BoolArray, geometry: tuple[Any, ...]) -> bool:
    """Whether the path ``q + v t`` (n,) [rad], clamped to the joint limits, stays clear.

    From the step itself (``dt_s``) to the stop (``end_s``) [s]: four points along it, and
    between neighbours the middle as well (up to ``PATH_SPLITS`` halvings) where an end is
    within ``SPLIT_BELOW_M`` of contact and the reach bound says the gap could close in between.
    The clearance along the path need not fall steadily: an elbow reaching its limit bends the
    path, and once put the hand into its own upper arm between two points.
    """
    n_points = 4
    times = np.empty(n_points + 1)
    gaps = np.empty(n_points + 1)
    times[0] = 0.0
    u, o = clearance_split_of(q, geometry)
    gaps[0] = min(u, o)
    for k in range(n_points):
        t = dt_s + (end_s - dt_s) * k / (n_points - 1)
        times[k + 1] = t
        u, o = clearance_split_of(_on_path(q, v, t, lower, upper), geometry)
        gaps[k + 1] = min(u, o)
        if gaps[k + 1] < limit_m:
            return False
    size = n_points * (2 ** (PATH_SPLITS + 1))
    stack_t = np.empty((size, 2))  # stretches (t_a, t_b) still to check
    stack_c = np.empty((size, 2))  # their ends' clearances [m]
    stack_d = np.empty(size, dtype=np.int64)  # halvings left
    top = 0
    for k in range(n_points):
        stack_t[top, 0], stack_t[top, 1] = times[k], times[k + 1]
        stack_c[top, 0], stack_c[top, 1] = gaps[k], gaps[k + 1]
        stack_d[top] = PATH_SPLITS
        top += 1
    while top > 0:
        top -= 1
        t_a, t_b = stack_t[top, 0], stack_t[top, 1]
        c_a, c_b = stack_c[top, 0], stack_c[top, 1]
        splits = stack_d[top]
        c_low = min(c_a, c_b)
        if splits == 0 or c_low >= limit_m + SPLIT_BELOW_M:
            continue
        q_a = _on_path(q, v, t_a, lower, upper)
        q_b = _on_path(q, v, t_b, lower, upper)
        if c_low - reach_bound_m(q_b, q_a, arm_mask) / 2 >= limit_m:
            continue
        t_m = (t_a + t_b) / 2
        u, o = clearance_split_of(_on_path(q, v, t_m, lower, upper), geometry)
        c_m = min(u, o)
        if c_m < limit_m:
            return False
        for t_0, t_1, c_0, c_1 in ((t_a, t_m, c_a, c_m), (t_m, t_b, c_m, c_b)):  # both halves
            stack_t[top, 0], stack_t[top, 1] = t_0, t_1
            stack_c[top, 0], stack_c[top, 1] = c_0, c_1
            stack_d[top] = splits - 1
            top += 1
    return True


@kernel
def reach_bound_m(q_to: FloatArray, q_from: FloatArray, arm_mask: BoolArray) -> float:
    """How far any point of the robot can move between two configurations (n,) [m].

    Each arm joint moves points at most ``MAX_LEVER_M`` from its axis, each head joint
    ``HEAD_LEVER_M``; both arms may move toward each other, so the bounds add.
    """
    out = 0.0
    for i in range(q_to.shape[0]):
        out += abs(q_to[i] - q_from[i]) * (MAX_LEVER_M if arm_mask[i] else HEAD_LEVER_M)
    return out
