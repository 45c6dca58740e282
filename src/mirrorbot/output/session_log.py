"""The per-frame session log, ``session.jsonl`` (format in docs/conventions.md).

Line 1 is a header, then one JSON object per frame. Each line is on disk when it is written, so
a crash or Ctrl-C keeps every frame logged so far; a full disk stops the run with the log
ending at its last whole line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.mind.behaviour import Behaviour
from mirrorbot.out_files import LineFile

SESSION_FORMAT = "mirrorbot-session"
SESSION_VERSION = 1
LOGGED_LINKS = ("left_shoulder", "left_elbow", "left_wrist",
                "right_shoulder", "right_elbow", "right_wrist")
"""The contract's link keys; :data:`ROBOT_LINK_OF` names the robot link frame behind each."""

ROBOT_LINK_OF = {
    f"{side}_{key}": f"{side}_{link}" for side in ("left", "right")
    for key, link in (("shoulder", "upper_arm"), ("elbow", "forearm"), ("wrist", "hand"))
}


@dataclass(frozen=True, kw_only=True)
class FrameRecord:
    """One line of the session log.

    Attributes:
        t_s: Time since the first frame [s].
        tracked: Whether a person was tracked in this frame.
        q_target_rad: Commanded joint positions, (n,) [rad].
        q_rad: Measured joint positions after the frame's physics steps, (n,) [rad].
        links_m: Robot link origins in the base frame by contract key, each (3,) [m].
        goal_probs: Belief over goals (sums to 1, or empty before anticipation exists).
        committed_goal: The goal the robot acts on, or None.
        behaviour: What the robot does, written as ``mode``.
        timing_ms: Wall time of each stage in this frame [ms].
        reason: Why the robot behaves so or mirrors less ("" when nothing to say).
        reach_target: Which scene object a hand reaches for: ``{"probs": {object: p},
            "committed": name | None, "p_none": p, "hand": "left" | "right" | None}``, or
            None (no objects, nobody tracked); logged only when given.
    """

    t_s: float
    tracked: bool
    q_target_rad: FloatArray
    q_rad: FloatArray
    links_m: dict[str, FloatArray]
    goal_probs: dict[str, float]
    committed_goal: str | None
    behaviour: Behaviour
    timing_ms: dict[str, float]
    reason: str = ""
    reach_target: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The record as the contract's JSON object (numbers rounded to what matters)."""
        out = {
            "t": round(self.t_s, 4),
            "tracked": self.tracked,
            "q_target": np.round(self.q_target_rad, 5).tolist(),
            "q": np.round(self.q_rad, 5).tolist(),
            "links": {k: np.round(v, 5).tolist() for k, v in self.links_m.items()},
            "goal_probs": {k: round(v, 4) for k, v in self.goal_probs.items()},
            "committed_goal": self.committed_goal,
            "mode": Behaviour(self.behaviour).value,
            "reason": self.reason,
            "timing_ms": {k: round(v, 3) for k, v in self.timing_ms.items()},
        }
        if self.reach_target is not None:
            out["reach_target"] = self.reach_target
        return out


class SessionLogWriter:
    """Writes ``session.jsonl`` line by line.

    Args:
        path: The file to create (its folder must exist).
        mode: ``mirror`` or ``anatomical``.
        joints: Joint names, the order of every ``q``.
        goals: The goal vocabulary of ``goal_probs``.
        source: Where the frames come from, as the user gave it.
    """

    def __init__(self, path: Path, *, mode: str, joints: tuple[str, ...],
                 goals: tuple[str, ...], source: str) -> None:
        self.path = path
        self.frames = 0
        self._file = LineFile(path)
        header = {"format": SESSION_FORMAT, "version": SESSION_VERSION, "mode": mode,
                  "joints": list(joints), "goals": list(goals), "source": source}
        self._line(header)

    def _line(self, obj: dict[str, Any]) -> None:
        # allow_nan=False: a NaN or infinity is a bug upstream, never a line that is not JSON
        self._file.write_line(json.dumps(obj, separators=(",", ":"), allow_nan=False))

    def write(self, record: FrameRecord) -> None:
        """Append one frame and flush it to disk."""
        self._line(record.to_json())
        self.frames += 1

    def close(self) -> None:
        """Close the file (idempotent)."""
        self._file.close()

    def __enter__(self) -> SessionLogWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
