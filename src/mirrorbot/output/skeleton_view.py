"""The person as a 3-D skeleton seen by a camera in front of them, for sources without a picture.

Recordings and motion capture carry landmarks but no image: the video's left half shows their
world landmarks (MediaPipe axes, metres) through a virtual pinhole camera in front of the
person, far limbs drawn first and thinner, near ones last and thicker, so a user sees whom the
robot copies and which arm comes toward the camera.
"""

from __future__ import annotations

import cv2
import numpy as np

from mirrorbot.arrays import FloatArray, ImageBGR
from mirrorbot.perception.landmarks import SKELETON_EDGES, Landmark

# The virtual camera: this far in front of the hips [m], with this focal length as a share of
# the image width, for a 4:3 image.
VIEW_DISTANCE_M = 3.2
VIEW_FOCAL_WIDTHS = 1.0
VIEW_ASPECT = 4.0 / 3.0
BACKGROUND_BGR = (40, 40, 40)
LEFT_BGR = (0, 140, 255)  # the person's left side, here and over camera images
RIGHT_BGR = (255, 200, 0)
BONE_PX = 4.0  # a bone's thickness at the hips' depth [px]
HEAD_RADIUS_M = 0.10
MIN_VISIBILITY = 0.5


def view_points(world_m: FloatArray) -> FloatArray:
    """MediaPipe world landmarks (33, 3) [m] as normalised image points (33, 2) of the camera.

    The camera is :data:`VIEW_DISTANCE_M` in front of the hips, looking at them; the hips sit a
    little below the middle of the picture, so a person of any height with raised hands fits.
    """
    return _project(world_m, view_depth_m(world_m))


def _project(world_m: FloatArray, depth_m: FloatArray) -> FloatArray:
    """:func:`view_points` of landmarks (33, 3) [m] at their depths (33,) [m]."""
    u = 0.5 + VIEW_FOCAL_WIDTHS * world_m[:, 0] / depth_m
    v = 0.58 + VIEW_FOCAL_WIDTHS * VIEW_ASPECT * world_m[:, 1] / depth_m
    return np.column_stack([u, v])


def view_depth_m(world_m: FloatArray) -> FloatArray:
    """Each landmark's distance in front of the virtual camera, (33,) [m] (at least 0.1)."""
    depth: FloatArray = np.maximum(VIEW_DISTANCE_M + world_m[:, 2], 0.1)
    return depth


def skeleton_picture(world_m: FloatArray, visibility: FloatArray,
                     size_px: tuple[int, int] = (640, 480)) -> ImageBGR:
    """The skeleton seen by the virtual camera, (H, W, 3) BGR, unmirrored.

    Args:
        world_m: World landmarks (33, 3) [m], MediaPipe axes (x right in the image, y down,
            z away from the camera), hip-centred.
        visibility: (33,) in [0, 1]; points below :data:`MIN_VISIBILITY` are left out.
        size_px: Width and height of the picture [px].

    The person's left side is orange and their right cyan, as over camera images; a bone's
    thickness grows as it comes toward the camera, and nearer bones are drawn over farther
    ones.
    """
    w, h = size_px
    img = np.full((h, w, 3), BACKGROUND_BGR, dtype=np.uint8)
    depth = view_depth_m(world_m)
    px = _project(world_m, depth) * np.array([w, h])
    nearness = VIEW_DISTANCE_M / depth  # 1 at the hips, > 1 nearer
    seen = visibility >= MIN_VISIBILITY
    bones = [(a, b) for a, b in SKELETON_EDGES if seen[a] and seen[b]]
    bones.sort(key=lambda ab: float(nearness[ab[0]] + nearness[ab[1]]))  # far first
    head = (Landmark.LEFT_EAR, Landmark.RIGHT_EAR)
    if seen[head[0]] and seen[head[1]]:
        centre = (px[head[0]] + px[head[1]]) / 2
        radius = HEAD_RADIUS_M * VIEW_FOCAL_WIDTHS * w / float(np.mean(depth[list(head)]))
        cv2.circle(img, _pt(centre), int(radius), (90, 90, 90), 2, cv2.LINE_AA)
    for a, b in bones:
        near = float(nearness[a] + nearness[b]) / 2
        colour = _shade(bone_bgr(a, b), near)
        thickness = max(1, int(round(BONE_PX * near ** 3)))
        cv2.line(img, _pt(px[a]), _pt(px[b]), colour, thickness, cv2.LINE_AA)
        for i in (a, b):
            cv2.circle(img, _pt(px[i]), max(2, thickness // 2 + 1), (235, 235, 235), -1,
                       cv2.LINE_AA)
    return img


def bone_bgr(a: Landmark, b: Landmark) -> tuple[int, int, int]:
    """A bone's colour: :data:`LEFT_BGR` on the person's left side, else :data:`RIGHT_BGR`."""
    return LEFT_BGR if "LEFT" in a.name or "LEFT" in b.name else RIGHT_BGR


def _pt(p: FloatArray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _shade(colour: tuple[int, int, int], nearness: float) -> tuple[int, int, int]:
    """``colour`` darkened for far bones, whole for near ones (nearness 1 at the hips)."""
    k = float(np.clip(0.55 + 0.45 * (nearness - 0.85) / 0.3, 0.45, 1.0))
    r, g, b = (int(round(c * k)) for c in colour)
    return r, g, b
