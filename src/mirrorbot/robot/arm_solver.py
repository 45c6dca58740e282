"""Closed-form solution of one robot arm from limb directions, keeping continuity (compiled).

Given the upper-arm and forearm directions (and optionally the hand's), the shoulder has two
Euler solutions; the one within the limits and nearest the last solution wins, so the arm never
swings over to the other branch. Near singularities the shoulder rotation does not spin: with
the elbow straight it is held (it does not move the arm there), and in the gimbal band (arm
straight out sideways) flexion follows slowly. All in the left-arm convention of
:mod:`mirrorbot.robot.arm_kinematics`.
"""

from __future__ import annotations

import math

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.robot.arm_kinematics import (
    ArmDirections,
    gimbal_frame,
    hand_joints,
    hand_rotation,
    shoulder_candidates,
    shoulder_rotation,
    wrap,
)
from mirrorbot.transforms import cross3, dot3, from_columns, matmul3, norm3, ry

STRAIGHT_ELBOW_SIN = (math.sin(math.radians(5.0)), math.sin(math.radians(25.0)))
"""Below the first, the humeral rotation is held (it hardly moves the forearm there); up to the
second it blends back in."""
GIMBAL_COS = (0.05, 0.25)
"""|cos(abduction)| band where flexion is slowed, then blended back in (arm straight sideways)."""
GIMBAL_MIN_GAIN = 0.15
"""In the gimbal band flexion still moves this fraction of the way per frame, so it converges
over a few frames while noise cannot spin it."""
BEYOND_COST = 1000.0
"""A solution within the limits (or within ``BEYOND_TOLERANCE_RAD`` of them) beats one beyond
them; between two beyond them the one nearer the last command wins, so a pose beyond the limits
is clamped rather than reached by swinging over to the other solution."""
BEYOND_TOLERANCE_RAD = 0.1
"""A solution this little beyond the limits (summed over the shoulder's joints) is clamped, at
``BEYOND_SLOPE`` per radian beyond, rather than traded for the other solution: an arm raised
just past the shoulder's flexion limit swung over to the other branch, out sideways and back,
160 degrees through the room."""
BEYOND_SLOPE = 10.0
_Y = np.array([0.0, 1.0, 0.0])
_NONE3 = np.zeros(3)


class ArmSolver:
    """Closed-form, continuity-keeping solution of one arm (left-arm convention).

    Args:
        lower_rad: The arm's 7 lower limits [rad].
        upper_rad: The 7 upper limits [rad].
        q0_rad: The 7 joints to start from [rad].
    """

    def __init__(self, lower_rad: FloatArray, upper_rad: FloatArray, q0_rad: FloatArray) -> None:
        self.lower = np.ascontiguousarray(lower_rad, dtype=np.float64)
        self.upper = np.ascontiguousarray(upper_rad, dtype=np.float64)
        self.q = q0_rad.astype(np.float64, copy=True)

    def solve(self, d: ArmDirections) -> FloatArray:
        """The arm's 7 joint targets [rad] for target directions ``d``, clamped to the limits.

        A degenerate direction (zero length: a limb folded onto a point) keeps the last solution.
        """
        with_hand = d.hand is not None and d.palm is not None
        return self.solve_vectors(_f64(d.upper), _f64(d.fore),
                                  _f64(d.hand) if with_hand else _NONE3,
                                  _f64(d.palm) if with_hand else _NONE3, with_hand)

    def solve_vectors(self, upper: Vec3, fore: Vec3, hand: Vec3, palm: Vec3,
                      with_hand: bool) -> FloatArray:
        """:meth:`solve` from float64 vectors (3,); ``hand`` and ``palm`` count ``with_hand``."""
        self.q = solve_arm(self.q, self.lower, self.upper, upper, fore, hand, palm, with_hand)
        return self.q.copy()


def _f64(v: Vec3 | None) -> Vec3:
    return np.ascontiguousarray(v, dtype=np.float64)


@kernel
def _near(prev: FloatArray, angles: FloatArray) -> FloatArray:
    """``angles`` unwrapped next to ``prev`` (same shape) [rad]."""
    out = np.empty(prev.shape[0])
    for i in range(prev.shape[0]):
        out[i] = prev[i] + wrap(angles[i] - prev[i])
    return out


@kernel
def _clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


@kernel
def solve_arm(q_prev: FloatArray, lower: FloatArray, upper: FloatArray, upper_dir: Vec3,
              fore_dir: Vec3, hand_dir: Vec3, palm_dir: Vec3, with_hand: bool) -> FloatArray:
    """The arm's 7 joints [rad] matching the limb directions, nearest ``q_prev`` (7,).

    Args:
        q_prev: The last solution (7,) [rad].
        lower: Lower limits (7,) [rad].
        upper: Upper limits (7,) [rad].
        upper_dir: Shoulder to elbow (3,), any length.
        fore_dir: Elbow to wrist (3,), any length.
        hand_dir: Wrist to knuckles (3,), used only ``with_hand``.
        palm_dir: Out of the palm (3,), used only ``with_hand``.
        with_hand: Whether the hand's directions are known (else the wrist keeps ``q_prev``).
    """
    n_upper, n_fore = norm3(upper_dir), norm3(fore_dir)
    if not (n_upper > 1e-6 and n_fore > 1e-6 and math.isfinite(n_upper + n_fore)):
        return q_prev.copy()
    u = upper_dir / n_upper
    f = fore_dir / n_fore
    cos_e = _clip(dot3(u, f), -1.0, 1.0)
    elbow = math.acos(cos_e)
    sin_e = math.sin(elbow)
    lo, hi = STRAIGHT_ELBOW_SIN
    twist_weight = _clip((sin_e - lo) / (hi - lo), 0.0, 1.0) ** 2
    # The elbow's flexion plane fixes the twist; with a straight elbow any twist will do (it is
    # held below).
    x = (f + cos_e * u) / sin_e if sin_e > 1e-6 else shoulder_rotation(q_prev)[:, 0].copy()
    z = -u
    x = x - dot3(x, z) * z
    if norm3(x) < 1e-6:
        x = cross3(z, _Y)
    x = x / norm3(x)
    R_u = from_columns(x, cross3(z, x), z)
    q = q_prev.copy()
    q[0:3] = _best_shoulder(q_prev, lower, upper, R_u, twist_weight)
    q[3] = elbow
    for i in range(4):
        q[i] = _clip(q[i], lower[i], upper[i])
    if with_hand and norm3(hand_dir) > 1e-6 \
            and norm3(palm_dir - dot3(palm_dir, hand_dir) * hand_dir) > 1e-6:
        R_f0 = matmul3(shoulder_rotation(q), ry(-q[3]))
        pro, flex, dev = hand_joints(R_f0, hand_rotation(hand_dir, palm_dir))
        q[4:7] = _near(q_prev[4:7], np.array([pro, flex, dev]))
    for i in range(4, 7):
        q[i] = _clip(q[i], lower[i], upper[i])
    return q


@kernel
def _best_shoulder(q_prev: FloatArray, lower: FloatArray, upper: FloatArray, R_u: FloatArray,
                   twist_weight: float) -> FloatArray:
    """Of the two (flex, abd, rot) solutions, the one within limits nearest the last, (3,).

    ``twist_weight`` (0-1) says how well the humeral rotation is defined: with the elbow
    straight it is not, and the rotation stays where it was (it does not move the arm).
    """
    candidates = shoulder_candidates(R_u)
    best = q_prev[0:3].copy()
    best_cost = math.inf
    for k in range(2):
        q = _near(q_prev[0:3], candidates[k])
        # The turn nearest the last can be beyond a limit where one turn the other way is not
        # (flexion -3.11 rad is 3.17, inside its 3.3): the arm, raised fast, went to the
        # flexion limit behind the back and stayed there, two solutions beyond the limits.
        for i in range(3):
            if q[i] < lower[i] and q[i] + 2 * math.pi <= upper[i]:
                q[i] += 2 * math.pi
            elif q[i] > upper[i] and q[i] - 2 * math.pi >= lower[i]:
                q[i] -= 2 * math.pi
        q[2] = q_prev[2] + twist_weight * (q[2] - q_prev[2])
        beyond = 0.0
        moved = 0.0
        for i in range(3):
            beyond += max(lower[i] - q[i], 0.0) + max(q[i] - upper[i], 0.0)
            moved += abs(q[i] - q_prev[i])
        cost = moved + (BEYOND_COST if beyond > BEYOND_TOLERANCE_RAD
                        else BEYOND_SLOPE * beyond)
        if cost < best_cost:
            best, best_cost = q, cost
    flex, abd = best[0], best[1]
    lo, hi = GIMBAL_COS
    w = _clip((abs(math.cos(abd)) - lo) / (hi - lo), 0.0, 1.0)
    if w < 1.0:  # near the gimbal: flexion follows slowly; abduction and rotation solve
        gain = GIMBAL_MIN_GAIN + (1 - GIMBAL_MIN_GAIN) * w
        flex = q_prev[0] + gain * (flex - q_prev[0])
        N = matmul3(ry(flex), gimbal_frame(R_u))  # = Rx(abd) Rz(rot)
        abd_rot = _near(q_prev[1:3], np.array([math.atan2(-N[1, 2], N[2, 2]),
                                                math.atan2(-N[0, 1], N[0, 0])]))
        best = np.array([flex, abd_rot[0], abd_rot[1]])
    return best
