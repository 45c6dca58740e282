"""Calibrating to the person: their proportions from the first well-seen frames, refined.

Directions drive the robot's arms, so the person's size does not change what the robot does;
the calibration tells the robot whom it is watching (a familiar, measured person versus an
unknown one), and ``c`` in the live window starts it again. A first estimate comes after
``FIRST_ESTIMATE_FRAMES`` well-seen frames (a tenth of a second from a webcam), so the robot
copies a person at full strength from then on instead of holding back for a whole second (a
raise of the arm is over in one); the estimate is then refined over ``CALIBRATION_S``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirrorbot.perception.landmarks import ARM_LANDMARKS, Landmark, PoseFrame, Side
from mirrorbot.transforms import norm3

CALIBRATION_S = 1.0  # the estimate is refined over this long [s]
FIRST_ESTIMATE_FRAMES = 4  # well-seen frames before the first estimate
MIN_VISIBILITY = 0.7
_ARM_POINTS = tuple(int(i) for side in Side for i in ARM_LANDMARKS[side])


@dataclass(frozen=True)
class Proportions:
    """The person's measured body [m] (medians over the calibration window)."""

    shoulder_width_m: float
    upper_arm_m: float
    forearm_m: float

    def to_json(self) -> dict[str, float]:
        """For summary.json."""
        return {k: round(v, 4) for k, v in self.__dict__.items()}


class Calibration:
    """Collects bone lengths over the first ``seconds`` of well-tracked frames.

    ``proportions`` is set after the first few frames and refined until ``seconds`` have
    passed (``refined`` then says so).
    """

    def __init__(self, seconds: float = CALIBRATION_S) -> None:
        self.seconds = seconds
        self.restart()

    def restart(self) -> None:
        """Forget the person and measure again."""
        self._samples: list[tuple[float, float, float]] = []
        self._start_s: float | None = None
        self.proportions: Proportions | None = None
        self.refined = False

    @property
    def calibrated(self) -> bool:
        """Whether the person's proportions are known."""
        return self.proportions is not None

    def update(self, pose: PoseFrame | None) -> None:
        """Feed one frame (None frames are skipped)."""
        if self.refined or pose is None:
            return
        if min(float(pose.visibility[i]) for i in _ARM_POINTS) < MIN_VISIBILITY:
            return
        if self._start_s is None:
            self._start_s = pose.t_s
        w = pose.world_m
        upper = sum(norm3(w[ARM_LANDMARKS[s][1]] - w[ARM_LANDMARKS[s][0]]) for s in Side) / 2
        fore = sum(norm3(w[ARM_LANDMARKS[s][2]] - w[ARM_LANDMARKS[s][1]]) for s in Side) / 2
        width = norm3(w[Landmark.LEFT_SHOULDER] - w[Landmark.RIGHT_SHOULDER])
        self._samples.append((width, upper, fore))
        if len(self._samples) >= FIRST_ESTIMATE_FRAMES:
            med = np.median(np.array(self._samples), axis=0)
            self.proportions = Proportions(float(med[0]), float(med[1]), float(med[2]))
            self.refined = pose.t_s - self._start_s >= self.seconds
