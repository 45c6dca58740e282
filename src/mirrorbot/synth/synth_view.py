"""A simple drawn camera view of the synthetic person: a room, a table, and a body of capsules.

Not photo-real (the tracker is not run on it); it shows the viewer what the person does, in the
same image coordinates as the landmarks.
"""

from __future__ import annotations

import cv2
import numpy as np

from mirrorbot.arrays import FloatArray, ImageBGR, Vec3
from mirrorbot.perception.landmarks import Landmark
from mirrorbot.synth.synth_body import R_MP_TORSO_FACING, PinholeCamera
from mirrorbot.synth.synth_gestures import TABLE_Z_M

SKIN_BGR = (140, 170, 215)
SHIRT_BGR = (150, 95, 60)
SLEEVE_BGR = (165, 110, 70)
TROUSERS_BGR = (70, 60, 55)
TABLE_BGR = (60, 97, 140)
CUP_BGR = (40, 190, 240)
TORSO_DROP_M = 0.50  # shoulders above the hip origin, for placing the table


def _px(camera: PinholeCamera, points_mp: FloatArray) -> tuple[FloatArray, FloatArray]:
    uv, depth = camera.project(points_mp)
    return uv * np.array([camera.width_px, camera.height_px]), depth


def _background(camera: PinholeCamera) -> ImageBGR:
    h, w = camera.height_px, camera.width_px
    rows = np.linspace(0.0, 1.0, h)[:, None, None]
    wall = np.array([200, 210, 215]) * (1 - 0.25 * rows)
    return np.broadcast_to(wall, (h, w, 3)).astype(np.uint8).copy()


def _table_polygon(camera: PinholeCamera) -> np.ndarray:
    corners_torso = np.array([[0.18, -0.6, TABLE_Z_M], [0.18, 0.6, TABLE_Z_M],
                              [0.9, 0.6, TABLE_Z_M], [0.9, -0.6, TABLE_Z_M]])
    hips = np.array([0.0, 0.0, -TORSO_DROP_M])
    corners_mp = (corners_torso - hips) @ R_MP_TORSO_FACING.T
    xy, _ = _px(camera, corners_mp)
    return xy.astype(np.int32)


def _capsule(img: ImageBGR, a: FloatArray, b: FloatArray, radius_px: float,
             colour: tuple[int, int, int]) -> None:
    r = max(int(radius_px), 1)
    pa, pb = tuple(int(v) for v in a), tuple(int(v) for v in b)
    cv2.line(img, pa, pb, colour, 2 * r, cv2.LINE_AA)
    cv2.circle(img, pa, r, colour, -1, cv2.LINE_AA)
    cv2.circle(img, pb, r, colour, -1, cv2.LINE_AA)


def render_person(world_mp: FloatArray, cup_mp: Vec3, camera: PinholeCamera) -> ImageBGR:
    """Draw the person (33, 3) [m] and their cup (3,) [m] as the camera sees them, (H, W, 3)."""
    img = _background(camera)
    xy, depth = _px(camera, world_mp)
    scale = camera.focal_px / np.maximum(depth, 0.3)  # px per metre at each point
    L = Landmark
    for side in ("LEFT", "RIGHT"):  # legs first: the table hides them
        hip, knee, ankle = (L[f"{side}_{j}"] for j in ("HIP", "KNEE", "ANKLE"))
        _capsule(img, xy[hip], xy[knee], 0.07 * scale[hip], TROUSERS_BGR)
        _capsule(img, xy[knee], xy[ankle], 0.055 * scale[knee], TROUSERS_BGR)
    torso = np.array([xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER], xy[L.RIGHT_HIP],
                      xy[L.LEFT_HIP]], dtype=np.int32)
    cv2.fillConvexPoly(img, torso, SHIRT_BGR, cv2.LINE_AA)
    _capsule(img, xy[L.LEFT_SHOULDER], xy[L.RIGHT_SHOULDER], 0.06 * scale[L.LEFT_SHOULDER],
             SHIRT_BGR)
    cv2.fillConvexPoly(img, _table_polygon(camera), TABLE_BGR, cv2.LINE_AA)
    face = xy[[L.NOSE, L.LEFT_EAR, L.RIGHT_EAR, L.MOUTH_LEFT, L.MOUTH_RIGHT]]
    centre = (xy[L.LEFT_EAR] + xy[L.RIGHT_EAR]) / 2 + np.array([0.0, -0.01 * scale[L.NOSE]])
    radius = 0.11 * scale[L.NOSE]
    neck_top = centre + np.array([0.0, 0.6 * radius])
    shoulders_mid = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    _capsule(img, shoulders_mid, neck_top, 0.4 * radius, SKIN_BGR)
    cv2.ellipse(img, (int(centre[0]), int(centre[1])), (int(0.85 * radius), int(radius)), 0, 0,
                360, SKIN_BGR, -1, cv2.LINE_AA)
    for eye in (L.LEFT_EYE, L.RIGHT_EYE):
        cv2.circle(img, (int(xy[eye][0]), int(xy[eye][1])), max(int(0.012 * scale[eye]), 1),
                   (50, 40, 40), -1, cv2.LINE_AA)
    mouth = face[3:5].astype(np.int32)
    cv2.line(img, tuple(int(v) for v in mouth[0]), tuple(int(v) for v in mouth[1]),
             (60, 60, 150), max(int(0.008 * scale[L.NOSE]), 1), cv2.LINE_AA)
    arms = []
    for side in ("LEFT", "RIGHT"):
        s, e, w = (L[f"{side}_{j}"] for j in ("SHOULDER", "ELBOW", "WRIST"))
        arms.append((float(depth[[e, w]].mean()), side, s, e, w))
    cup_xy, cup_depth = _px(camera, cup_mp[None, :])
    cup_drawn = False
    for arm_depth, side, s, e, w in sorted(arms, reverse=True):  # far arm first
        if not cup_drawn and cup_depth[0] > arm_depth:
            _draw_cup(img, cup_xy[0], camera.focal_px / cup_depth[0])
            cup_drawn = True
        _capsule(img, xy[s], xy[e], 0.045 * scale[s], SLEEVE_BGR)
        _capsule(img, xy[e], xy[w], 0.035 * scale[e], SKIN_BGR)
        hand = np.array([xy[w], xy[L[f"{side}_INDEX"]], xy[L[f"{side}_PINKY"]]], np.int32)
        cv2.fillConvexPoly(img, hand, SKIN_BGR, cv2.LINE_AA)
        _capsule(img, xy[w], xy[L[f"{side}_THUMB"]], 0.012 * scale[w], SKIN_BGR)
    if not cup_drawn:
        _draw_cup(img, cup_xy[0], camera.focal_px / cup_depth[0])
    return img


def _draw_cup(img: ImageBGR, centre: FloatArray, px_per_m: float) -> None:
    w, h = 0.04 * px_per_m, 0.05 * px_per_m
    x, y = float(centre[0]), float(centre[1])
    cv2.rectangle(img, (int(x - w), int(y - h)), (int(x + w), int(y + h)), CUP_BGR, -1,
                  cv2.LINE_AA)
    cv2.ellipse(img, (int(x), int(y - h)), (int(w), max(int(0.3 * w), 1)), 0, 0, 360,
                (30, 150, 200), -1, cv2.LINE_AA)
