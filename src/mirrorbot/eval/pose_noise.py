"""How much a pose tracker's world landmarks move while the person does not.

A still photo is shown to the tracker frame after frame with fresh camera noise (Gaussian,
``CAMERA_NOISE_LEVELS`` grey levels), as a webcam would deliver a person standing still. What
the landmarks do then is the tracker's noise, in two parts:

- **jitter**: the frame-to-frame part, std of the change from one frame to the next over
  sqrt(2) [mm] (for white noise, the noise's own std);
- **wander**: the slow part, std of the landmarks' one-second moving average about its mean
  [mm].

The synthetic person's noise (:mod:`mirrorbot.synth.synth_noise`) models both; this measures them on
the real model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mirrorbot.arrays import FloatArray, ImageBGR
from mirrorbot.perception.landmarks import ARM_LANDMARKS, Side
from mirrorbot.perception.tracker import Tracker

CAMERA_NOISE_LEVELS = 4.0
RATE_HZ = 30.0
WANDER_WINDOW_S = 1.0

GROUPS = {
    "shoulders_elbows": [int(ARM_LANDMARKS[s][i]) for s in Side for i in (0, 1)],
    "wrists": [int(ARM_LANDMARKS[s][2]) for s in Side],
}


def track_still(tracker: Tracker, image_bgr: ImageBGR, frames: int, seed: int = 0) -> FloatArray:
    """World landmarks (N, 33, 3) [m] of ``image_bgr`` shown ``frames`` times with camera noise.

    Frames where nobody was found are NaN.
    """
    rng = np.random.default_rng(seed)
    out = np.full((frames, 33, 3), np.nan)
    for k in range(frames):
        noisy = image_bgr.astype(np.float32) + rng.normal(0.0, CAMERA_NOISE_LEVELS,
                                                          image_bgr.shape).astype(np.float32)
        pose = tracker.track(np.clip(noisy, 0, 255).astype(np.uint8), k / RATE_HZ)
        if pose is not None:
            out[k] = pose.world_m
    return out


def noise_figures(world_m: FloatArray) -> dict[str, Any]:
    """Jitter and wander [mm] per axis (x, y, z) of each landmark group, from (N, 33, 3) [m]."""
    half = int(WANDER_WINDOW_S * RATE_HZ / 2)
    slow = np.array([np.nanmean(world_m[max(0, k - half):k + half + 1], axis=0)
                     for k in range(len(world_m))])
    out: dict[str, Any] = {"frames": int(len(world_m)),
                           "found_fraction": float(np.mean(~np.isnan(world_m[:, 0, 0])))}
    for name, idx in GROUPS.items():
        jitter = np.nanstd(np.diff(world_m[:, idx], axis=0), axis=(0, 1)) / np.sqrt(2)
        wander = np.nanstd(slow[:, idx] - np.nanmean(slow[:, idx], axis=0), axis=(0, 1))
        out[name] = {"jitter_mm": [round(1e3 * float(v), 1) for v in jitter],
                     "wander_mm": [round(1e3 * float(v), 1) for v in wander]}
    return out
