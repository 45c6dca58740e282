"""Where the robot's head looks: at the person's moving hand, else at their face.

A social cue of the mirror system: the robot's attention follows the active hand. Angles are
for the robot's ``head_pan`` (positive: to its left) and ``head_tilt`` (positive: down).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.perception.body_frames import points_in_torso
from mirrorbot.perception.landmarks import ARM_LANDMARKS, Landmark, Side
from mirrorbot.sim.scene import FACING_FLIP, Scene
from mirrorbot.transforms import norm3


def person_point_in_base(world_m: FloatArray, landmark: int, person_position_m: Vec3) -> Vec3:
    """A landmark of the person (33, 3) as a point in the robot's base frame (3,) [m].

    The person sits facing the robot with the middle of their shoulders at
    ``person_position_m`` (the inverse of :meth:`Scene.p_person_torso`).
    """
    return np.asarray(person_position_m) + FACING_FLIP * points_in_torso(world_m)[landmark]


def head_angles_to(p_base_m: Vec3, head_pivot_m: Vec3) -> tuple[float, float]:
    """(pan, tilt) [rad] that point the head at a base-frame point.

    Args:
        p_base_m: The point, base frame (3,) [m].
        head_pivot_m: Where the head turns (:attr:`RobotDimensions.head_pivot_m`), (3,) [m].
    """
    d = p_base_m - head_pivot_m
    pan = math.atan2(float(d[1]), float(d[0]))
    tilt = math.atan2(-float(d[2]), math.hypot(float(d[0]), float(d[1])))
    return pan, tilt


def gaze_target(world_m: FloatArray, active: Side | None, person_position_m: Vec3) -> Vec3:
    """The point to look at: the active hand's wrist, or the face when no hand is moving."""
    landmark = Landmark.NOSE if active is None else ARM_LANDMARKS[active][2]
    return person_point_in_base(world_m, int(landmark), person_position_m)


def pointing_arm(world_m: FloatArray, min_straightness: float = 0.9) -> Side | None:
    """The arm held out straight toward something (joint attention), or None.

    An arm counts when shoulder-to-wrist is at least ``min_straightness`` of the limb's length
    (elbow nearly straight), the hand is in front of the body (0.6 of the arm's length) and
    not hanging down (the ray at most 55 degrees below horizontal). Of two, the straighter.
    """
    pts = points_in_torso(world_m)
    best: tuple[float, Side] | None = None
    for side in Side:
        s, e, w = (pts[int(i)] for i in ARM_LANDMARKS[side])
        limb = norm3(e - s) + norm3(w - e)
        reach = w - s
        length = norm3(reach)
        straightness = length / max(limb, 1e-9)
        if (straightness >= min_straightness and reach[0] >= 0.6 * limb
                and reach[2] >= -math.sin(math.radians(55.0)) * length):
            best = max(best, (straightness, side)) if best else (straightness, side)
    return best[1] if best else None


def pointed_target(world_m: FloatArray, side: Side, person_position_m: Vec3,
                   objects_m: dict[str, Vec3], table_z_m: float) -> tuple[Vec3, str]:
    """Where the person points with ``side``'s arm, in the base frame (3,) [m], and its name.

    The scene object within 20 degrees of the shoulder-to-wrist ray, else where the ray meets
    the table top ("table"), else a point 1.5 m along it ("far away").
    """
    shoulder = person_point_in_base(world_m, int(ARM_LANDMARKS[side][0]), person_position_m)
    wrist = person_point_in_base(world_m, int(ARM_LANDMARKS[side][2]), person_position_m)
    ray = wrist - shoulder
    ray = ray / max(norm3(ray), 1e-9)
    best, best_name, best_angle = None, "table", math.radians(20.0)
    for name, p in objects_m.items():
        to_obj = p - shoulder
        angle = math.acos(max(-1.0, min(1.0, float(np.dot(to_obj, ray))
                                        / max(float(np.linalg.norm(to_obj)), 1e-9))))
        if angle < best_angle:
            best, best_name, best_angle = p, name, angle
    if best is not None:
        return best, best_name
    if ray[2] < -1e-3:  # downward: meet the table top
        return shoulder + ray * ((table_z_m - shoulder[2]) / ray[2]), "table"
    return shoulder + ray * 1.5, "far away"


@dataclass(frozen=True)
class Gaze:
    """Where the head's joints are and where the person sits.

    Attributes:
        pan_index: Index of ``head_pan`` in q.
        tilt_index: Index of ``head_tilt`` in q.
        head_pivot_m: Where the head turns, base frame (3,) [m].
        person_position_m: The person's mid-shoulders in the base frame (3,) [m].
        objects_m: Scene objects one may point at, by name, base frame [m].
        table_z_m: Height of the table top [m].
    """

    pan_index: int
    tilt_index: int
    head_pivot_m: Vec3
    person_position_m: FloatArray
    objects_m: dict[str, FloatArray]
    table_z_m: float


def table_top_z(scene: Scene) -> float:
    """Height of the scene's table top [m] (0.72 m when the scene has no table)."""
    for obj in scene.objects:
        if obj.name == "table":
            return max(p.position_m[2] + p.size_m[2] / 2 for p in obj.parts
                       if p.shape == "box")
    return 0.72
