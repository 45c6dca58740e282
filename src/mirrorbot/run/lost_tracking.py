"""What the robot does while nobody is tracked: hold the pose, then return to rest smoothly."""

from __future__ import annotations

from mirrorbot.arrays import FloatArray
from mirrorbot.robot.scripted import min_jerk

HOLD_S = 0.5  # after losing the person, hold the pose this long [s]
RETURN_S = 1.5  # then glide to the rest pose over this long [s]


class LostTracking:
    """What the robot does without a person: hold, then return to rest, smoothly.

    Args:
        q_rest_rad: The rest pose (n,) [rad].
    """

    def __init__(self, q_rest_rad: FloatArray) -> None:
        self.q_rest = q_rest_rad
        self.lost_since_s: float | None = None
        self.q_lost: FloatArray | None = None

    def tracked(self) -> None:
        """The person is seen."""
        self.lost_since_s = None

    def target(self, t_s: float, q_last_rad: FloatArray) -> tuple[FloatArray, str]:
        """Joint targets (n,) [rad] and the reason while nobody is tracked."""
        if self.lost_since_s is None:
            self.lost_since_s = t_s
            self.q_lost = q_last_rad.copy()
        assert self.q_lost is not None
        gone = t_s - self.lost_since_s
        if gone <= HOLD_S:
            return self.q_lost, "tracking lost: holding"
        blend = min_jerk((gone - HOLD_S) / RETURN_S)
        reason = "tracking lost: returning to rest" if blend < 1 else "nobody tracked: resting"
        return self.q_lost + blend * (self.q_rest - self.q_lost), reason
