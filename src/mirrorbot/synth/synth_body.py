"""The synthetic person's body: a kinematic human that produces MediaPipe's 33 pose landmarks.

Points are built in the person's torso frame (origin between the shoulders, x out of the chest,
y to the person's left, z up) and mapped to MediaPipe world landmarks (metres, origin between
the hips, image axes: x right, y down, z away from the camera) for a seated person facing the
camera, optionally turned by a yaw angle and swaying. Bone lengths are fixed by construction:
the elbow is placed on the circle of points that keep both arm segments at their lengths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.errors import ConfigError
from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark, Side
from mirrorbot.transforms import cross3, rx, ry, rz, unit3

# Torso axes (columns x, y, z) in MediaPipe axes for a person squarely facing the camera.
R_MP_TORSO_FACING = np.array([[0.0, 0.0, -1.0], [1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]).T
MAX_REACH_FRACTION = 0.98  # the elbow never locks completely straight


def side_sign(side: Side) -> float:
    """+1 for the left (torso +y), -1 for the right."""
    return 1.0 if side is Side.LEFT else -1.0


@dataclass(frozen=True, kw_only=True)
class BodyParams:
    """Body dimensions of the synthetic person (joint centre to joint centre) [m].

    Attributes:
        shoulder_width_m: Between the shoulder landmarks.
        upper_arm_m: Shoulder to elbow.
        forearm_m: Elbow to wrist.
        hand_m: Wrist to the knuckles (MediaPipe's index and pinky points).
        torso_m: Mid-shoulders to mid-hips.
        hip_width_m: Between the hip landmarks.
        thigh_m: Hip to knee.
        shin_m: Knee to ankle.
        handedness: The dominant hand, used for the cup.
    """

    shoulder_width_m: float = 0.36
    upper_arm_m: float = 0.29
    forearm_m: float = 0.26
    hand_m: float = 0.085
    torso_m: float = 0.50
    hip_width_m: float = 0.22
    thigh_m: float = 0.42
    shin_m: float = 0.42
    handedness: Side = Side.RIGHT

    def __post_init__(self) -> None:
        for name in ("shoulder_width_m", "upper_arm_m", "forearm_m", "hand_m", "torso_m",
                     "hip_width_m", "thigh_m", "shin_m"):
            value = getattr(self, name)
            if not 0.02 <= value <= 1.5:
                raise ConfigError(f"{name} must be in [0.02, 1.5] m, got {value}")

    @staticmethod
    def from_height(height_m: float, handedness: Side = Side.RIGHT) -> BodyParams:
        """Proportions of an adult of ``height_m`` (Winter's segment ratios, seated)."""
        if not 1.0 <= height_m <= 2.3:
            raise ConfigError(f"height_m must be in [1.0, 2.3], got {height_m}")
        h = height_m
        return BodyParams(shoulder_width_m=0.212 * h, upper_arm_m=0.171 * h,
                          forearm_m=0.153 * h, hand_m=0.05 * h, torso_m=0.294 * h,
                          hip_width_m=0.13 * h, thigh_m=0.245 * h, shin_m=0.246 * h,
                          handedness=handedness)

    @property
    def reach_m(self) -> float:
        """Longest shoulder-to-wrist distance used."""
        return MAX_REACH_FRACTION * (self.upper_arm_m + self.forearm_m)

    def shoulder(self, side: Side) -> Vec3:
        """The shoulder landmark in the torso frame (3,) [m] (before any shrug)."""
        return np.array([0.0, side_sign(side) * self.shoulder_width_m / 2, 0.0])


@dataclass(frozen=True)
class ArmState:
    """One arm's pose in the torso frame.

    Attributes:
        wrist_m: Wrist position wanted (3,) [m]; pulled in to the arm's reach if beyond it.
        swivel_rad: Rotation of the elbow about the shoulder-wrist line; 0 = elbow lowest,
            positive = elbow out to the side.
        palm_hint: Roughly where the palm faces (3,); made perpendicular to the hand.
        wrist_flex_rad: Bend of the hand toward the palm [rad].
    """

    wrist_m: Vec3
    swivel_rad: float
    palm_hint: Vec3
    wrist_flex_rad: float = 0.0


def arm_points(params: BodyParams, side: Side, arm: ArmState, shrug_m: float = 0.0,
               ) -> tuple[Vec3, Vec3, Vec3, Vec3, Vec3]:
    """Shoulder, elbow, wrist, hand pointing direction and palm normal, torso frame.

    Returns:
        Three (3,) points [m] and two (3,) unit vectors.
    """
    s = params.shoulder(side) + np.array([0.0, 0.0, shrug_m])
    l1, l2 = params.upper_arm_m, params.forearm_m
    to_wrist = arm.wrist_m - s
    d = float(np.linalg.norm(to_wrist))
    n = unit3(to_wrist) if d > 1e-9 else np.array([0.0, 0.0, -1.0])
    d = min(max(d, abs(l1 - l2) + 0.05), params.reach_m)
    w = s + d * n
    a = (l1 * l1 - l2 * l2 + d * d) / (2 * d)
    r = math.sqrt(max(l1 * l1 - a * a, 0.0))
    down = np.array([0.0, 0.0, -1.0])
    u = down - np.dot(down, n) * n
    if np.linalg.norm(u) < 1e-6:  # arm straight up or down: swivel from the front
        u = np.array([1.0, 0.0, 0.0]) - n[0] * n
    u = unit3(u)
    # Positive swivel turns the elbow outward for the usual arm: one handedness per side. (It
    # was chosen per frame by which way v pointed, and with the wrist over the head v points
    # forward or back, so scratching the head threw the elbow 0.5 m front to back in a frame.)
    v = side_sign(side) * cross3(n, u)
    e = s + a * n + r * (math.cos(arm.swivel_rad) * u + math.sin(arm.swivel_rad) * v)
    forearm = unit3(w - e)
    palm = arm.palm_hint - np.dot(arm.palm_hint, forearm) * forearm
    palm = unit3(palm) if np.linalg.norm(palm) > 1e-6 else unit3(cross3(forearm, v))
    # Wrist flexion turns the hand toward the palm about the axis across the hand.
    c, sn = math.cos(arm.wrist_flex_rad), math.sin(arm.wrist_flex_rad)
    point = c * forearm + sn * palm
    normal = c * palm - sn * forearm
    return s, e, w, point, normal


ArmPoints = tuple[Vec3, Vec3, Vec3, Vec3, Vec3]
"""Shoulder, elbow, wrist (3,) [m], hand pointing direction and palm normal (3,), torso frame."""


def arm_points_from_directions(params: BodyParams, side: Side, upper: Vec3, fore: Vec3,
                               hand: Vec3, palm: Vec3, shrug_m: float = 0.0) -> ArmPoints:
    """An arm laid out along unit directions (torso frame), with this body's bone lengths."""
    s = params.shoulder(side) + np.array([0.0, 0.0, shrug_m])
    e = s + params.upper_arm_m * unit3(upper)
    w = e + params.forearm_m * unit3(fore)
    return s, e, w, unit3(hand), unit3(palm)


def body_points_torso(params: BodyParams, left: ArmState | ArmPoints,
                      right: ArmState | ArmPoints, *, shrug_m: float = 0.0,
                      head_yaw_rad: float = 0.0, head_pitch_rad: float = 0.0) -> FloatArray:
    """All 33 landmarks in the torso frame, (33, 3) [m].

    Arms are given as :class:`ArmState` (solved here) or as laid-out :data:`ArmPoints`. Face
    points turn with the head; hand points follow each hand's pointing direction and palm
    normal (thumb on the side given by ``across = sign * normal x point``, as
    :func:`mirrorbot.perception.body_frames.hand_axes` reads it); legs are seated (thighs forward,
    shins down).
    """
    p = np.zeros((NUM_LANDMARKS, 3))
    for side, arm in ((Side.LEFT, left), (Side.RIGHT, right)):
        sign = side_sign(side)
        s, e, w, point, normal = (arm_points(params, side, arm, shrug_m)
                                  if isinstance(arm, ArmState) else arm)
        across = sign * cross3(normal, point)  # toward the thumb
        name = side.name
        p[Landmark[f"{name}_SHOULDER"]] = s
        p[Landmark[f"{name}_ELBOW"]] = e
        p[Landmark[f"{name}_WRIST"]] = w
        hm = params.hand_m
        p[Landmark[f"{name}_INDEX"]] = w + hm * point + 0.022 * across
        p[Landmark[f"{name}_PINKY"]] = w + 0.88 * hm * point - 0.022 * across
        p[Landmark[f"{name}_THUMB"]] = w + 0.55 * hm * point + 0.045 * across + 0.01 * normal
        hip = np.array([0.0, sign * params.hip_width_m / 2, -params.torso_m])
        knee = hip + np.array([params.thigh_m, 0.01 * sign, 0.0])
        ankle = knee + np.array([0.04, 0.0, -params.shin_m])
        p[Landmark[f"{name}_HIP"]] = hip
        p[Landmark[f"{name}_KNEE"]] = knee
        p[Landmark[f"{name}_ANKLE"]] = ankle
        p[Landmark[f"{name}_HEEL"]] = ankle + np.array([-0.05, 0.0, -0.05])
        p[Landmark[f"{name}_FOOT_INDEX"]] = ankle + np.array([0.15, 0.0, -0.07])
    scale = params.shoulder_width_m / 0.36
    neck = np.array([0.0, 0.0, 0.04 * scale])
    face = {  # forward, left, up from the neck, for a head of average size
        Landmark.NOSE: (0.10, 0.0, 0.19), Landmark.LEFT_EYE_INNER: (0.085, 0.015, 0.225),
        Landmark.LEFT_EYE: (0.08, 0.033, 0.227), Landmark.LEFT_EYE_OUTER: (0.07, 0.048, 0.225),
        Landmark.RIGHT_EYE_INNER: (0.085, -0.015, 0.225),
        Landmark.RIGHT_EYE: (0.08, -0.033, 0.227),
        Landmark.RIGHT_EYE_OUTER: (0.07, -0.048, 0.225), Landmark.LEFT_EAR: (0.0, 0.075, 0.20),
        Landmark.RIGHT_EAR: (0.0, -0.075, 0.20), Landmark.MOUTH_LEFT: (0.085, 0.025, 0.145),
        Landmark.MOUTH_RIGHT: (0.085, -0.025, 0.145),
    }
    R_head = rz(head_yaw_rad) @ ry(-head_pitch_rad)
    for index, offset in face.items():
        p[index] = neck + R_head @ (scale * np.asarray(offset))
    return p


def mouth_torso(params: BodyParams) -> Vec3:
    """The mouth's centre in the torso frame (3,) [m] (head looking ahead)."""
    scale = params.shoulder_width_m / 0.36
    return np.array([0.0, 0.0, 0.04 * scale]) + scale * np.array([0.085, 0.0, 0.145])


def r_mp_torso(yaw_rad: float, lean_rad: float = 0.0, roll_rad: float = 0.0) -> FloatArray:
    """``R_mp_torso`` (3, 3): the torso axes in MediaPipe axes.

    Args:
        yaw_rad: The person's turn about MediaPipe's vertical axis [rad].
        lean_rad: Forward lean [rad].
        roll_rad: Lean to the person's left [rad].
    """
    R_mp_facing_yawed = ry(yaw_rad)  # about MediaPipe's vertical (y, down)
    R_sway = ry(lean_rad) @ rx(-roll_rad)  # in the torso frame
    return R_mp_facing_yawed @ R_MP_TORSO_FACING @ R_sway


def torso_to_mp(points_torso: FloatArray, params: BodyParams, R_mp_torso: FloatArray,
                ) -> FloatArray:
    """Torso-frame points (N, 3) [m] -> MediaPipe world landmarks (N, 3) [m], hip-centred.

    The whole body turns rigidly about the hips, so the torso frame computed back from the
    landmarks is exactly ``R_mp_torso``.
    """
    hips_mid = np.array([0.0, 0.0, -params.torso_m])
    return (points_torso - hips_mid) @ R_mp_torso.T


@dataclass(frozen=True, kw_only=True)
class PinholeCamera:
    """A virtual camera looking at the person (along MediaPipe's +z).

    Attributes:
        width_px: Image width [px].
        height_px: Image height [px].
        focal_px: Focal length [px].
        position_m: Camera centre in MediaPipe world axes (3,) [m] (the hips are the origin).
    """

    width_px: int = 640
    height_px: int = 480
    focal_px: float = 600.0
    position_m: tuple[float, float, float] = (0.0, -0.40, -2.0)

    def project(self, points_mp: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Normalised image points (N, 2) in [0, 1] and depths (N,) [m] of world points (N, 3)."""
        rel = points_mp - np.asarray(self.position_m)
        depth = rel[:, 2]
        u = (self.focal_px * rel[:, 0] / depth + self.width_px / 2) / self.width_px
        v = (self.focal_px * rel[:, 1] / depth + self.height_px / 2) / self.height_px
        return np.column_stack([u, v]), depth
