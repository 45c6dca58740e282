"""Whole-body movement: is the person walking, bowing or turning rather than gesturing?

The robot recognises an arm's movement by its own arm primitives; it has none for the arm's
part in moving the whole body. An arm swinging in a walk, or hanging as the trunk bends in a
bow, leaves the shoulder forward or up like the start of a reach, and read by the arm alone it
was taken for one (the Bandai Namco development set: walks and bows drew 150 commitments in 30
clips). While the legs move relative to the hips, or the trunk tilts fast, the recogniser
treats the arms' movement as part of that (``none``).

From MediaPipe's world landmarks (hip-centred): the knees' and ankles' speed relative to the
hips (only where they are seen), and the turning rate of the trunk (hips' centre to shoulders'
centre). Either above its threshold, over a short window, marks the body as moving; the mark
is held a little after, so an arm still settling from a step is not read as a gesture either.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray
from mirrorbot.landmarks import Landmark

LEG_POINTS = [int(i) for i in (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE, Landmark.LEFT_ANKLE,
                               Landmark.RIGHT_ANKLE)]
SHOULDERS = [int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER)]
HIPS = [int(Landmark.LEFT_HIP), int(Landmark.RIGHT_HIP)]
LEG_SPEED_M_S = 0.35  # a knee or ankle this fast relative to the hips: a step
TRUNK_RATE_RAD_S = math.radians(35.0)  # the trunk turning this fast: a bow or a turn
WINDOW_S = 0.3  # the speeds are medians over this long (noise in one frame is no step)
HOLD_S = 0.5  # the body counts as moving this long after it last did
MIN_VISIBILITY = 0.5  # legs seen less than this (under a desk) are not used


class BodyMotion:
    """Tracks whether the body (legs, trunk) is moving, frame by frame."""

    def __init__(self) -> None:
        self._last: tuple[float, FloatArray, BoolArray, FloatArray] | None = None
        self._rates: deque[tuple[float, float, float]] = deque()  # (t, leg m/s, trunk rad/s)
        self._moving_until_s = -math.inf

    def reset(self) -> None:
        """Forget what was seen."""
        self._last = None
        self._rates.clear()
        self._moving_until_s = -math.inf

    def __call__(self, world_m: FloatArray, visibility: FloatArray, t_s: float) -> bool:
        """Whether the body moves at ``t_s`` [s], from landmarks (33, 3) [m] and visibility."""
        trunk = (world_m[SHOULDERS[0]] + world_m[SHOULDERS[1]]
                 - world_m[HIPS[0]] - world_m[HIPS[1]]) / 2
        norm = float(np.linalg.norm(trunk))
        axis = trunk / norm if norm > 1e-6 else np.zeros(3)
        legs, seen = world_m[LEG_POINTS], visibility[LEG_POINTS] >= MIN_VISIBILITY
        if self._last is not None and t_s > self._last[0]:
            t0, legs0, seen0, axis0 = self._last
            dt = t_s - t0
            both = seen & seen0
            leg = float(np.max(np.linalg.norm(legs - legs0, axis=1)[both]) / dt) \
                if np.any(both) else 0.0
            cos = min(max(float(axis @ axis0), -1.0), 1.0)
            trunk_rate = math.acos(cos) / dt if norm > 1e-6 and np.any(axis0) else 0.0
            self._rates.append((t_s, leg, trunk_rate))
        self._last = (t_s, legs.copy(), seen, axis)
        while self._rates and t_s - self._rates[0][0] > WINDOW_S:
            self._rates.popleft()
        if len(self._rates) >= 2:
            legs_m_s = sorted(r[1] for r in self._rates)
            trunk_rad_s = sorted(r[2] for r in self._rates)
            middle = len(legs_m_s) // 2
            if legs_m_s[middle] > LEG_SPEED_M_S or trunk_rad_s[middle] > TRUNK_RATE_RAD_S:
                self._moving_until_s = t_s + HOLD_S
        return t_s <= self._moving_until_s
