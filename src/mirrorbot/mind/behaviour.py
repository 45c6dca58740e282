"""What the robot is doing in a frame: the session log's ``mode`` (docs/conventions.md)."""

from __future__ import annotations

import enum


class Behaviour(str, enum.Enum):
    """The robot's behaviour in a frame.

    A ``str`` enum: the value is what the session log, the video and the plot show, so a
    member can stand wherever the string did (JSON, dict keys, comparisons).
    """

    MIRROR = "mirror"  # copying the person's arms
    ANTICIPATE = "anticipate"  # completing a recognised gesture with its own movement
    RESPOND = "respond"  # answering one (waving back, reaching to receive, looking at a target)
    HOLD = "hold"  # holding still or returning to rest (nobody tracked, paused, erratic input)

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)
