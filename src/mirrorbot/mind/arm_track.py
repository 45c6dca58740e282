"""One arm's recent path and the recogniser's segmentation state of it.

The recogniser (:class:`mirrorbot.mind.intent.RepertoireIntent`) keeps one per arm: the path since
the movement under way started, where the hand rests and was held, its turns (a swing's
half-cycles) and its commitment count.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.transforms import norm3

HANGING_Z_M = -0.4
"""A hand that rests lower than this (arm frame, robot-scaled) hangs: a standing person (or one
with hands in the lap); higher, it rests on a table."""


@dataclass
class ArmTrack:
    """The recent path of one arm and its segmentation state."""

    history: deque[tuple[float, Vec3, Vec3]] = field(default_factory=lambda: deque(maxlen=12))
    moving: bool = False
    start_t: float = 0.0
    start: Vec3 | None = None
    samples: list[tuple[float, Vec3, Vec3]] = field(default_factory=list)  # (t, wrist, hand)
    slow_since: float | None = None
    speed: float = 0.0
    home: Vec3 | None = None
    peak: float = 0.0
    rest_spread: float = 0.0
    valley: tuple[float, float, Vec3] | None = None  # slowest since the peak: (speed, t, where)
    starts: deque[Vec3] = field(default_factory=lambda: deque(maxlen=9))
    holding: bool = False  # the movement ended away from rest: the hand is held there
    from_hold: bool = False  # this movement started where the hand was held
    above: int = 0  # frames in a row its best goal has been above the commitment threshold
    last_post: FloatArray | None = None  # the belief when this arm was last read
    mouth_s: float = 0.0  # how long this gesture's hand has stayed at the mouth [s]
    mouth_run_s: float = 0.0  # how long the hand has been at the mouth without leaving it [s]
    gesture_start: Vec3 | None = None  # where the gesture began from rest (through its holds)
    turns: int = 0  # times this movement turned back on itself (a swing's half-cycles)
    still_turns: int = 0  # ... and the half-cycles of a swing it was held through, unturned
    last_turn_t: float = 0.0
    turn_anchor: Vec3 | None = None  # where the current stroke began (3,) [m]
    turn_extreme: Vec3 | None = None  # the current stroke's farthest point (3,) [m]
    carried: FloatArray | None = None  # a continued gesture's prior: the belief so far (log)
    reads: deque[tuple[float, FloatArray]] = field(default_factory=lambda: deque(maxlen=16))
    reads_for: float | None = None  # the movement (its start time [s]) ``reads`` are of
    hold_since: float = 0.0
    held_at: Vec3 | None = None  # where the hand stopped when its hold began (3,) [m]
    _rest: Vec3 | None = None

    def rest(self) -> Vec3 | None:
        """Where this hand usually rests: the median of recent movement starts (3,) [m]."""
        if not self.starts:
            return None
        if self._rest is None:  # computed once per new start
            self._rest = column_medians(np.array(self.starts))
        return self._rest

    def add_start(self, start: Vec3) -> None:
        """A movement started at ``start`` (3,) [m]."""
        self.starts.append(start)
        self._rest = None


def standing(track: ArmTrack) -> bool:
    """Whether the hand rests hanging (:data:`HANGING_Z_M`): a standing person's."""
    rest = track.rest()
    at_rest = track.start if rest is None else rest
    return at_rest is not None and bool(at_rest[2] <= HANGING_Z_M)


def gone(track: ArmTrack) -> float:
    """How far the hand has gone [m]: from its movement's start, or from where it rests.

    A wave that goes on from where it paused has gone far, though it swings in place.
    """
    assert track.start is not None
    now = track.samples[-1][1]
    rest = track.rest()
    return max(norm3(now - track.start), 0.0 if rest is None else norm3(now - rest))


@kernel
def column_medians(points: FloatArray) -> Vec3:
    """The median of each column of ``points`` (N, 3), as ``np.median(points, axis=0)``."""
    out = np.empty(points.shape[1])
    for i in range(points.shape[1]):
        out[i] = np.median(points[:, i])
    return out
