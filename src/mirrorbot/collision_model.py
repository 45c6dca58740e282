"""A capsule model of the robot for fast self-collision checks in numpy (no pybullet).

The arms are capsules (upper arm, forearm, hand); the torso and the table top are boxes; the
head is a sphere and the pedestal a capsule. Shapes are slightly inflated over the URDF's so
that a configuration this model calls free is also free in PyBullet (tests check that).
:func:`clearance_m` gives the smallest distance between any two parts that may not touch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mirrorbot.arm_kinematics import MIRROR, arm_frames, shoulder_rotation
from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.urdf_builder import (
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


def arm_segments(q7: FloatArray, side_sign: float) -> FloatArray:
    """The capsule axes of one arm, (3, 2, 3) [m]: upper arm, forearm, hand (start, end).

    Args:
        q7: The arm's joints (7,) [rad].
        side_sign: +1 for the left arm, -1 for the right.
    """
    R_u, R_f, R_h = arm_frames(q7)
    dirs = -np.array([R_u[:, 2], R_f[:, 2], R_h[:, 2]])  # each frame's -z: along the limb
    if side_sign < 0:
        dirs[:, 1] = -dirs[:, 1]
    u, f, h = dirs
    s = np.array([0.0, side_sign * SHOULDER_HALF_WIDTH_M, SHOULDER_HEIGHT_M])
    e = s + UPPER_ARM_LENGTH_M * u
    w = e + FOREARM_LENGTH_M * f
    hand_end = w + (HAND_LENGTH_M + 0.01) * h
    return np.array([[s + 0.05 * u, e - 0.01 * u], [e + 0.03 * f, w], [w + 0.01 * h, hand_end]])


ARM_RADII_M = np.array([UPPER_ARM_RADIUS_M, FOREARM_RADIUS_M,
                        math.hypot(HAND_SIZE_M[0], HAND_SIZE_M[1]) / 2]) + INFLATE_M


def segment_distances(p0: FloatArray, p1: FloatArray, q0: FloatArray, q1: FloatArray,
                      ) -> FloatArray:
    """Closest distances between segments p0-p1 and q0-q1, batched: (N, 3) each -> (N,) [m]."""
    d1, d2, r = p1 - p0, q1 - q0, p0 - q0
    a = (d1 * d1).sum(axis=1)
    e = (d2 * d2).sum(axis=1)
    f = (d2 * r).sum(axis=1)
    c = (d1 * r).sum(axis=1)
    b = (d1 * d2).sum(axis=1)
    eps = 1e-12
    inv_a = 1.0 / np.maximum(a, eps)
    denom = a * e - b * b
    s = np.where(denom > eps, np.minimum(np.maximum((b * f - c * e) / np.maximum(denom, eps),
                                                    0.0), 1.0), 0.0)
    point_q = e <= eps
    t = np.where(point_q, 0.0, (b * s + f) / np.maximum(e, eps))
    s = np.where(t < 0, np.minimum(np.maximum(-c * inv_a, 0.0), 1.0), s)
    s = np.where(t > 1, np.minimum(np.maximum((b - c) * inv_a, 0.0), 1.0), s)
    s = np.where(point_q, np.minimum(np.maximum(-c * inv_a, 0.0), 1.0), s)
    t = np.minimum(np.maximum(t, 0.0), 1.0)
    closest = r + d1 * s[:, None] - d2 * t[:, None]
    return np.sqrt((closest * closest).sum(axis=1))


def points_box_distance(points: FloatArray, box: Box) -> FloatArray:
    """Distance of points (N, 3) to a box, 0 inside, (N,) [m]."""
    outside = np.maximum(np.abs(points - box.centre_m) - box.half_m, 0.0)
    return np.sqrt((outside * outside).sum(axis=1))


def _head_centre(q_head: FloatArray) -> Vec3:
    pan, tilt = float(q_head[0]), float(q_head[1])
    # Centre 0.10 m above the tilt axis, tilted about y then panned about z.
    local = np.array([math.sin(tilt) * 0.10, 0.0, math.cos(tilt) * 0.10])
    c, s = math.cos(pan), math.sin(pan)
    rotated = np.array([c * local[0] - s * local[1], s * local[0] + c * local[1], local[2]])
    return np.array([0.0, 0.0, NECK_HEIGHT_M + HEAD_TILT_OFFSET_M]) + rotated


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
        self.head_index = head_index
        self.arm_index = {1.0: left_index, -1.0: right_index}
        self.boxes = (Box(TORSO_CENTRE_M, TORSO_HALF_M + INFLATE_M), *obstacles)
        # (the torso's inflation is taken back for the upper arm, see clearance_m)
        self._t = np.linspace(0.0, 1.0, SEGMENT_SAMPLES)
        # The shoulder sits 8 mm beside the torso by design: no inflation for the upper arms.
        self._torso_relief = np.zeros(6)
        self._torso_relief[[0, 3]] = ARM_RADII_M[0] - (UPPER_ARM_RADIUS_M + SHOULDER_MARGIN_M
                                                       - INFLATE_M)
        pedestal = np.array([[0.0, 0.0, 0.04], [0.0, 0.0, PEDESTAL_HEIGHT_M]])
        radii = np.concatenate([ARM_RADII_M, ARM_RADII_M])
        li, ri = (g.ravel() for g in np.meshgrid(np.arange(3), np.arange(3) + 3, indexing="ij"))
        # Pairs: 6 parts x head, 6 parts x pedestal, 2 hands x own upper arm, 9 left x right.
        self._pa = np.concatenate([np.arange(6), np.arange(6), [2, 5], li])
        self._pb = np.concatenate([[0, 3], ri])  # the second segment of the last 11 pairs
        n = len(self._pa)
        self._fixed = np.zeros((n, 2, 3))
        self._fixed[6:12] = pedestal
        self._pair_radii = np.concatenate([
            radii + HEAD_RADIUS_M + INFLATE_M, radii + 0.07 + INFLATE_M,
            ARM_RADII_M[[2, 2]] + ARM_RADII_M[[0, 0]], radii[li] + radii[ri]])

    def parts(self, q_rad: FloatArray) -> dict[float, FloatArray]:
        """Arm capsule axes per side sign (+1 left, -1 right), each (3, 2, 3) [m]."""
        return {sign: arm_segments(q_rad[idx], sign) for sign, idx in self.arm_index.items()}

    def clearance_m(self, q_rad: FloatArray) -> float:
        """The smallest gap between parts that may not touch [m] (negative: overlapping)."""
        return min(self.clearance_split(q_rad))

    def upper_arm_torso_gap_m(self, q_rad: FloatArray) -> float:
        """The gap between the upper arms and the torso alone [m] (cheap: two segments).

        The shoulders sit next to the torso, so this gap is always small; it is kept apart
        from the others so that the rest can be bounded instead of recomputed.
        """
        down = np.array([0.0, 0.0, -1.0])
        gaps = []
        for sign, idx in self.arm_index.items():
            u = shoulder_rotation(q_rad[idx]) @ down
            if sign < 0:
                u = u * MIRROR
            s = np.array([0.0, sign * SHOULDER_HALF_WIDTH_M, SHOULDER_HEIGHT_M])
            a, b = s + 0.05 * u, s + (UPPER_ARM_LENGTH_M - 0.01) * u
            pts = a + self._t[:, None] * (b - a)
            gaps.append(float(points_box_distance(pts, self.boxes[0]).min()))
        return min(gaps) - ARM_RADII_M[0] + self._torso_relief[0]

    def clearance_split(self, q_rad: FloatArray) -> tuple[float, float]:
        """(upper arms against the torso, every other pair) gaps [m]."""
        arms = self.parts(q_rad)
        segs = np.concatenate([arms[1.0], arms[-1.0]])  # (6, 2, 3): left u, f, h; right u, f, h
        radii = np.concatenate([ARM_RADII_M, ARM_RADII_M])
        # Boxes (torso, table): points sampled along each capsule axis.
        pts = segs[:, 0, None, :] + self._t[None, :, None] * (segs[:, 1] - segs[:, 0])[:, None]
        flat = pts.reshape(-1, 3)
        gaps = [points_box_distance(flat, box).reshape(6, -1).min(axis=1) - radii
                for box in self.boxes]
        gaps[0] = gaps[0] + self._torso_relief
        upper_torso = float(gaps[0][[0, 3]].min())
        gaps[0] = gaps[0][[1, 2, 4, 5]]
        # Segment pairs: every arm part with the head and the pedestal, each hand with its own
        # upper arm, and every left part with every right part.
        head = _head_centre(q_rad[self.head_index])
        p0, p1, q0, q1 = (segs[self._pa, 0], segs[self._pa, 1], self._fixed[:, 0].copy(),
                          self._fixed[:, 1].copy())
        q0[:6] = head
        q1[:6] = head
        q0[12:] = segs[self._pb, 0]
        q1[12:] = segs[self._pb, 1]
        d = segment_distances(p0, p1, q0, q1) - self._pair_radii
        return upper_torso, float(min(min(g.min() for g in gaps), d.min()))
