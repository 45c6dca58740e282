"""The limits of the echo: how strongly the robot mirrors, and when it holds still.

Mirroring is scaled per arm by how well that arm is seen (the filtered landmark confidence) and
by familiarity (a person whose proportions are calibrated, against one just met). When the
input is erratic (the body jumps further between frames than a person can move: a tracker
switching between people, or lost in clutter) the robot holds still rather than flail. Each
decision comes with the reason, which goes to the log and the video.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.compiled import kernel
from mirrorbot.errors import ConfigError
from mirrorbot.perception.landmarks import ARM_LANDMARKS, Landmark, PoseFrame, Side
from mirrorbot.transforms import norm3

TORSO_POINTS = [int(i) for i in (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER,
                                 Landmark.LEFT_HIP, Landmark.RIGHT_HIP)]


@dataclass(frozen=True, kw_only=True)
class EchoConfig:
    """Thresholds of the echo.

    Attributes:
        full_confidence: Arm confidence (mean visibility) at and above which mirroring is full.
        zero_confidence: At and below this the arm does not mirror at all.
        unfamiliar_gain: Mirroring strength before the person is calibrated.
        max_torso_speed_m_s: Faster torso-point jumps than this are not a person [m/s].
        overload_hold_s: How long erratic input keeps the robot still after the last jump [s].
    """

    full_confidence: float = 0.8
    zero_confidence: float = 0.3
    unfamiliar_gain: float = 0.7
    max_torso_speed_m_s: float = 3.0
    overload_hold_s: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.zero_confidence < self.full_confidence <= 1:
            raise ConfigError("need 0 <= zero_confidence < full_confidence <= 1, got "
                              f"{self.zero_confidence}, {self.full_confidence}")
        if not 0 < self.unfamiliar_gain <= 1:
            raise ConfigError(f"unfamiliar_gain must be in (0, 1], got {self.unfamiliar_gain}")


@dataclass(frozen=True)
class EchoDecision:
    """How much to mirror this frame.

    Attributes:
        gain: Mirroring strength in [0, 1] per arm of the person.
        overloaded: Whether the robot should hold still.
        reason: Why it mirrors less or holds ("" when mirroring fully).
    """

    gain: dict[Side, float]
    overloaded: bool
    reason: str


class Echo:
    """Decides the mirroring strength frame by frame.

    Args:
        config: Thresholds.
    """

    def __init__(self, config: EchoConfig | None = None) -> None:
        self.config = config or EchoConfig()
        self.restart()

    def restart(self) -> None:
        """Forget the body seen so far (another photo, another person): no jump from it."""
        self._last_torso: FloatArray | None = None
        self._last_t: float | None = None
        self._overload_until = -np.inf

    def __call__(self, raw: PoseFrame | None, filtered: PoseFrame | None, t_s: float,
                 calibrated: bool) -> EchoDecision:
        """The decision for one frame: ``raw`` for erratic jumps, ``filtered`` for confidence."""
        cfg = self.config
        if raw is not None:
            torso = raw.world_m[TORSO_POINTS]
            if self._last_torso is not None and self._last_t is not None and t_s > self._last_t:
                jump = _largest_jump_m(torso, self._last_torso)
                if jump / (t_s - self._last_t) > cfg.max_torso_speed_m_s:
                    self._overload_until = t_s + cfg.overload_hold_s
            self._last_torso, self._last_t = torso.copy(), t_s
        if t_s < self._overload_until:
            return EchoDecision({s: 0.0 for s in Side}, True,
                                "overloaded: the body jumps between frames; holding still")
        if filtered is None:
            return EchoDecision({s: 0.0 for s in Side}, False, "")
        familiarity = 1.0 if calibrated else cfg.unfamiliar_gain
        gains, weak = {}, []
        for side in Side:
            points = ARM_LANDMARKS[side]
            confidence = sum(float(filtered.visibility[i]) for i in points) / len(points)
            seen = (confidence - cfg.zero_confidence) / (cfg.full_confidence
                                                          - cfg.zero_confidence)
            gains[side] = min(max(seen, 0.0), 1.0) * familiarity
            if seen < 1.0:
                weak.append(f"{side.value} arm poorly seen ({100 * confidence:.0f}%)")
        reasons = weak + ([] if calibrated else ["person not yet calibrated"])
        return EchoDecision(gains, False, "mirroring less: " + ", ".join(reasons)
                            if reasons else "")


@kernel
def _largest_jump_m(points_m: FloatArray, last_m: FloatArray) -> float:
    """The largest distance [m] any of the points (N, 3) moved from ``last_m`` (N, 3)."""
    out = 0.0
    for k in range(points_m.shape[0]):
        out = max(out, norm3(points_m[k] - last_m[k]))
    return out
