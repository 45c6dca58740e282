"""The offscreen camera that films the robot: its settings, and the floor it sees.

PyBullet's TinyRenderer (the CPU renderer of offscreen images) spends most of a frame on the
floor: a plane filling half the picture cost 20 of 30 ms at 480x360. The camera does not move,
so the floor looks the same in every frame: it is drawn once per camera here (a checkerboard on
z = 0, seen through the same pinhole as PyBullet's) and the renderer draws everything else over
it. Nothing is below the floor, so the result is exact.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray, ImageRGBA
from mirrorbot.errors import ConfigError

FLOOR_TILE_M = 0.5  # side of the checkerboard's squares [m]
FLOOR_RGB = ((184, 198, 222), (232, 236, 242))  # the two squares' colours
SKY_RGB = (226, 230, 236)  # above the horizon, and where the floor fades out
FLOOR_FADE_M = (5.0, 12.0)  # the floor fades into the sky between these distances [m]
SUPERSAMPLE = 2  # rays per pixel side, so distant squares do not shimmer


@dataclass(frozen=True, kw_only=True)
class CameraConfig:
    """A pinhole camera looking at the robot.

    Attributes:
        eye_m: Camera position in the base frame, (3,) [m].
        target_m: The point it looks at, (3,) [m].
        fov_deg: Vertical field of view [deg].
        width_px: Image width [px].
        height_px: Image height [px].
    """

    # From the person's side and farther back than the table, looking past the robot's right,
    # so that the whole robot (both hands overhead, arms held up and out) stands right of the
    # video's belief panel instead of under it (a test checks four such poses).
    eye_m: tuple[float, float, float] = (2.40, 0.50, 1.60)
    target_m: tuple[float, float, float] = (0.0, -0.50, 1.15)
    fov_deg: float = 50.0
    width_px: int = 640
    height_px: int = 480

    def __post_init__(self) -> None:
        if not 10.0 <= self.fov_deg <= 120.0:
            raise ConfigError(f"fov_deg must be in [10, 120], got {self.fov_deg}")
        if self.width_px < 16 or self.height_px < 16:
            raise ConfigError(f"camera image must be at least 16x16 px, got "
                              f"{self.width_px}x{self.height_px}")


def pixel_rays(camera: CameraConfig, supersample: int = 1) -> FloatArray:
    """Unit ray directions through the pixels, (H*s, W*s, 3) in the base frame.

    The same pinhole as PyBullet's ``computeViewMatrix`` (z up) and
    ``computeProjectionMatrixFOV`` (vertical field of view, aspect width / height); row 0 is
    the top of the picture.
    """
    eye, target = np.asarray(camera.eye_m), np.asarray(camera.target_m)
    forward = (target - eye) / np.linalg.norm(target - eye)
    right = np.cross(forward, (0.0, 0.0, 1.0))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    w, h = camera.width_px * supersample, camera.height_px * supersample
    half_h = math.tan(math.radians(camera.fov_deg) / 2)
    half_w = half_h * camera.width_px / camera.height_px
    x_ndc = (2.0 * (np.arange(w) + 0.5) / w - 1.0) * half_w
    y_ndc = (1.0 - 2.0 * (np.arange(h) + 0.5) / h) * half_h
    rays = (forward + x_ndc[None, :, None] * right + y_ndc[:, None, None] * up)
    out: FloatArray = rays / np.linalg.norm(rays, axis=-1, keepdims=True)
    return out


@functools.lru_cache(maxsize=8)
def floor_picture(camera: CameraConfig) -> ImageRGBA:
    """What ``camera`` sees of an empty world: the checkered floor and the sky.

    Computed once per camera (about 0.3 s) and cached; the array is read-only.

    Returns:
        (H, W, 4) uint8 RGBA, opaque, as PyBullet gives its pictures.
    """
    rays = pixel_rays(camera, SUPERSAMPLE)
    eye = np.asarray(camera.eye_m)
    down = rays[..., 2] < -1e-6
    dist_m = np.where(down, -eye[2] / np.where(down, rays[..., 2], -1.0), np.inf)
    hit = eye[:2] + np.where(down, dist_m, 0.0)[..., None] * rays[..., :2]
    tile = (np.floor(hit[..., 0] / FLOOR_TILE_M) + np.floor(hit[..., 1] / FLOOR_TILE_M)) % 2
    floor = np.where(tile[..., None] > 0.5, FLOOR_RGB[1], FLOOR_RGB[0]).astype(np.float64)
    near, far = FLOOR_FADE_M
    fade = np.clip((dist_m - near) / (far - near), 0.0, 1.0)[..., None]
    colour = (1.0 - fade) * floor + fade * np.asarray(SKY_RGB, dtype=np.float64)
    s = SUPERSAMPLE
    mean = colour.reshape(camera.height_px, s, camera.width_px, s, 3).mean(axis=(1, 3))
    picture = np.full((camera.height_px, camera.width_px, 4), 255, dtype=np.uint8)
    picture[:, :, :3] = np.round(mean)
    picture.flags.writeable = False
    return picture
