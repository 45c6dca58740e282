"""A capsule model of the robot for fast self-collision checks in numpy (no pybullet).

The arms are capsules (upper arm, forearm, hand); the torso and the table top are boxes; the
head is a sphere and the pedestal a capsule. Shapes are slightly inflated over the URDF's so
that a configuration this model calls free is also free in PyBullet (tests check that).
:func:`clearance_m` gives the smallest distance between any two parts that may not touch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mirrorbot.arrays import FloatArray, IntArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.robot.arm_kinematics import arm_frames
from mirrorbot.robot.urdf_builder import (
    FOREARM_LENGTH_M,
    FOREARM_RADIUS_M,
    HAND_LENGTH_M,
    HAND_SIZE_M,
    HEAD_RADIUS_M,
    HEAD_TILT_OFFSET_M,
    NECK_HEIGHT_M,
    PEDESTAL_HEIGHT_M,
    SHOULDER_HALF_WIDTH_M,
    SHOULDER_HEIGHT_M,
    TORSO_SIZE_M,
    UPPER_ARM_LENGTH_M,
    UPPER_ARM_RADIUS_M,
)

INFLATE_M = 0.008  # every shape grows by this much: the model errs on the safe side
SEGMENT_SAMPLES = 11  # points per arm segment when measuring against a box
SHOULDER_MARGIN_M = 0.002  # the upper arm against the torso, whose box is inflated already
TORSO_CENTRE_M = np.array([0.0, 0.0, SHOULDER_HEIGHT_M + 0.02 - TORSO_SIZE_M[2] / 2])
TORSO_HALF_M = np.array(TORSO_SIZE_M) / 2


@dataclass(frozen=True)
class Box:
    """An axis-aligned box obstacle: centre and half extents (3,) [m], base frame."""

    centre_m: Vec3
    half_m: Vec3


@kernel
def arm_segments(q7: FloatArray, side_sign: float) -> FloatArray:
    """The capsule axes of one arm, (3, 2, 3) [m]: upper arm, forearm, hand (start, end).

    Args:
        q7: The arm's joints (7,) [rad].
        side_sign: +1 for the left arm, -1 for the right.
    """
    R_u, R_f, R_h = arm_frames(q7)
    out = np.empty((3, 2, 3))
    lengths = (UPPER_ARM_LENGTH_M, FOREARM_LENGTH_M, HAND_LENGTH_M + 0.01)
    start_offsets = (0.05, 0.03, 0.01)
    end_offsets = (-0.01, 0.0, 0.0)
    joint = np.array([0.0, side_sign * SHOULDER_HALF_WIDTH_M, SHOULDER_HEIGHT_M])
    for k in range(3):
        R = R_u if k == 0 else (R_f if k == 1 else R_h)
        for i in range(3):  # each frame's -z is along the limb; the right arm is mirrored
            axis = -R[i, 2] * (side_sign if i == 1 else 1.0)
            out[k, 0, i] = joint[i] + start_offsets[k] * axis
            joint[i] = joint[i] + lengths[k] * axis
            out[k, 1, i] = joint[i] + end_offsets[k] * axis
    return out


ARM_RADII_M = np.array([UPPER_ARM_RADIUS_M, FOREARM_RADIUS_M,
                        math.hypot(HAND_SIZE_M[0], HAND_SIZE_M[1]) / 2]) + INFLATE_M


@kernel
def _segment_distance(p0: Vec3, p1: Vec3, q0: Vec3, q1: Vec3) -> float:
    """Closest distance between segments p0-p1 and q0-q1 [m].

    Ericson, Real-Time Collision Detection, 5.1.9 (a point for a segment of zero length).
    """
    a = e = f = c = b = 0.0
    for i in range(3):
        d1, d2, r = p1[i] - p0[i], q1[i] - q0[i], p0[i] - q0[i]
        a += d1 * d1
        e += d2 * d2
        f += d2 * r
        c += d1 * r
        b += d1 * d2
    eps = 1e-12
    inv_a = 1.0 / max(a, eps)
    denom = a * e - b * b
    s = min(max((b * f - c * e) / denom, 0.0), 1.0) if denom > eps else 0.0
    if e <= eps:  # q is a point
        t = 0.0
        s = min(max(-c * inv_a, 0.0), 1.0)
    else:
        t = (b * s + f) / e
        if t < 0.0:
            s = min(max(-c * inv_a, 0.0), 1.0)
        elif t > 1.0:
            s = min(max((b - c) * inv_a, 0.0), 1.0)
        t = min(max(t, 0.0), 1.0)
    out = 0.0
    for i in range(3):
        gap = p0[i] - q0[i] + (p1[i] - p0[i]) * s - (q1[i] - q0[i]) * t
        out += gap * gap
    return math.sqrt(out)


@kernel
def _segment_distances(p0: FloatArray, p1: FloatArray, q0: FloatArray, q1: FloatArray,
                       ) -> FloatArray:
    out = np.empty(p0.shape[0])
    for k in range(p0.shape[0]):
        out[k] = _segment_distance(p0[k], p1[k], q0[k], q1[k])
    return out


def segment_distances(p0: FloatArray, p1: FloatArray, q0: FloatArray, q1: FloatArray,
                      ) -> FloatArray:
    """Closest distances between segments p0-p1 and q0-q1, batched: (N, 3) each -> (N,) [m]."""
    p0, p1, q0, q1 = (np.ascontiguousarray(x, dtype=np.float64) for x in (p0, p1, q0, q1))
    return _segment_distances(p0, p1, q0, q1)


@kernel
def _segment_box_distance(seg: FloatArray, centre: Vec3, half: Vec3, n_samples: int) -> float:
    """Smallest signed distance of ``n_samples`` points along a segment (2, 3) to a box [m].

    Negative inside the box: minus the depth to its nearest face, so that a part inside still
    has a way out (a clearance of 0 everywhere inside gave the push-out no gradient, and a
    robot's hand put inside its torso by a person's hand on their belly stayed there).
    """
    best = math.inf
    for k in range(n_samples):
        t = k / (n_samples - 1)
        d2 = 0.0
        depth = math.inf
        for i in range(3):
            x = seg[0, i] + t * (seg[1, i] - seg[0, i])
            gap = abs(x - centre[i]) - half[i]
            out = max(gap, 0.0)
            d2 += out * out
            depth = min(depth, -gap)
        d = math.sqrt(d2) if d2 > 0.0 else -depth
        best = min(best, d)
    return best


@kernel
def _head_centre(pan: float, tilt: float) -> Vec3:
    # Centre 0.10 m above the tilt axis, tilted about y then panned about z.
    lx, lz = math.sin(tilt) * 0.10, math.cos(tilt) * 0.10
    return np.array([math.cos(pan) * lx, math.sin(pan) * lx,
                     NECK_HEIGHT_M + HEAD_TILT_OFFSET_M + lz])


@kernel
def _upper_torso_gap(q: FloatArray, left_index: IntArray, right_index: IntArray,
                     torso_centre: Vec3, torso_half: Vec3, relief: float) -> float:
    """The gap between the upper arms and the torso box [m]."""
    gap = math.inf
    for sign, index in ((1.0, left_index), (-1.0, right_index)):
        segs = arm_segments(q[index], sign)
        gap = min(gap, _segment_box_distance(segs[0], torso_centre, torso_half,
                                             SEGMENT_SAMPLES))
    return gap - ARM_RADII_M[0] + relief


@kernel
def _clearance_split(q: FloatArray, head_index: IntArray, left_index: IntArray,
                     right_index: IntArray, box_centres: FloatArray, box_halves: FloatArray,
                     torso_relief: FloatArray, pa: IntArray, pb: IntArray, pedestal: FloatArray,
                     pair_radii: FloatArray) -> tuple[float, float]:
    """(upper arms against the torso, every other pair) gaps [m]; see CollisionModel."""
    segs = np.empty((6, 2, 3))  # left u, f, h; right u, f, h
    segs[:3] = arm_segments(q[left_index], 1.0)
    segs[3:] = arm_segments(q[right_index], -1.0)
    upper_torso = math.inf
    other = math.inf
    for b in range(box_centres.shape[0]):  # boxes (torso, table): points along each axis
        for i in range(6):
            gap = _segment_box_distance(segs[i], box_centres[b], box_halves[b],
                                        SEGMENT_SAMPLES) - ARM_RADII_M[i % 3]
            if b == 0:
                gap += torso_relief[i]
                if i % 3 == 0:
                    upper_torso = min(upper_torso, gap)
                    continue
            other = min(other, gap)
    head = _head_centre(q[head_index[0]], q[head_index[1]])
    for k in range(pa.shape[0]):
        if k < 6:
            d = _segment_distance(segs[pa[k], 0], segs[pa[k], 1], head, head)
        elif k < 12:
            d = _segment_distance(segs[pa[k], 0], segs[pa[k], 1], pedestal[0], pedestal[1])
        else:
            j = pb[k - 12]
            d = _segment_distance(segs[pa[k], 0], segs[pa[k], 1], segs[j, 0], segs[j, 1])
        other = min(other, d - pair_radii[k])
    return upper_torso, other


class CollisionModel:
    """Self-collision (and table) clearance of robot configurations.

    Args:
        head_index: Indices of head_pan, head_tilt in ``q``.
        left_index: Indices of the left arm's 7 joints in ``q``.
        right_index: Indices of the right arm's 7 joints in ``q``.
        obstacles: Boxes in the base frame the arms must not enter (e.g. the table top).
    """

    def __init__(self, head_index: list[int], left_index: list[int], right_index: list[int],
                 obstacles: tuple[Box, ...] = ()) -> None:
        self.arm_index = {1.0: left_index, -1.0: right_index}
        boxes = (Box(TORSO_CENTRE_M, TORSO_HALF_M + INFLATE_M), *obstacles)
        # (the torso's inflation is taken back for the upper arm, see clearance_m)
        self._head = np.asarray(head_index, dtype=np.int64)
        self._left = np.asarray(left_index, dtype=np.int64)
        self._right = np.asarray(right_index, dtype=np.int64)
        self._box_centres = np.array([box.centre_m for box in boxes], dtype=np.float64)
        self._box_halves = np.array([box.half_m for box in boxes], dtype=np.float64)
        # The shoulder sits 8 mm beside the torso by design: no inflation for the upper arms.
        self._torso_relief = np.zeros(6)
        self._torso_relief[[0, 3]] = ARM_RADII_M[0] - (UPPER_ARM_RADIUS_M + SHOULDER_MARGIN_M
                                                       - INFLATE_M)
        self._pedestal = np.array([[0.0, 0.0, 0.04], [0.0, 0.0, PEDESTAL_HEIGHT_M]])
        radii = np.concatenate([ARM_RADII_M, ARM_RADII_M])
        li, ri = (g.ravel() for g in np.meshgrid(np.arange(3), np.arange(3) + 3, indexing="ij"))
        # Pairs: 6 parts x head, 6 parts x pedestal, 2 hands x own upper arm, 9 left x right.
        self._pa = np.concatenate([np.arange(6), np.arange(6), [2, 5], li]).astype(np.int64)
        # The second segment of the last 11 pairs:
        self._pb = np.concatenate([[0, 3], ri]).astype(np.int64)
        self._pair_radii = np.concatenate([
            radii + HEAD_RADIUS_M + INFLATE_M, radii + 0.07 + INFLATE_M,
            ARM_RADII_M[[2, 2]] + ARM_RADII_M[[0, 0]], radii[li] + radii[ri]])

    def clearance_m(self, q_rad: FloatArray) -> float:
        """The smallest gap between parts that may not touch [m] (negative: overlapping)."""
        return min(self.clearance_split(q_rad))

    @property
    def geometry(self) -> tuple[Any, ...]:
        """The model's arrays, for compiled callers of :func:`clearance_of`."""
        return (self._head, self._left, self._right, self._box_centres, self._box_halves,
                self._torso_relief, self._pa, self._pb, self._pedestal, self._pair_radii)

    def upper_arm_torso_gap_m(self, q_rad: FloatArray) -> float:
        """The gap between the upper arms and the torso alone [m] (cheap: two segments).

        The shoulders sit next to the torso, so this gap is always small; it is kept apart
        from the others so that the rest can be bounded instead of recomputed.
        """
        return _upper_torso_gap(np.ascontiguousarray(q_rad, dtype=np.float64),
                                self._left, self._right, self._box_centres[0],
                                self._box_halves[0], float(self._torso_relief[0]))

    def clearance_split(self, q_rad: FloatArray) -> tuple[float, float]:
        """(upper arms against the torso, every other pair) gaps [m]."""
        return _clearance_split(np.ascontiguousarray(q_rad, dtype=np.float64), *self.geometry)


@kernel
def clearance_of(q_rad: FloatArray, geometry: tuple[Any, ...]) -> float:
    """:meth:`CollisionModel.clearance_m` inside compiled code (``geometry``: its arrays) [m]."""
    upper_torso, other = _clearance_split(q_rad, *geometry)
    return min(upper_torso, other)


@kernel
def clearance_split_of(q_rad: FloatArray, geometry: tuple[Any, ...]) -> tuple[float, float]:
    """:meth:`CollisionModel.clearance_split` inside compiled code [m]."""
    return _clearance_split(q_rad, *geometry)
