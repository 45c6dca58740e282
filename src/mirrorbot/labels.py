"""The goal vocabulary (docs/conventions.md) and labelled gesture intervals."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass

from mirrorbot.errors import ConfigError, SourceError

GOALS = ("wave", "point", "raise", "reach", "drink", "offer", "clear", "none")
"""The contract's goals; ``none`` is movement without a goal. Scenes add ``reach:NAME``."""


@dataclass(frozen=True)
class GestureLabel:
    """A labelled movement: ``goal`` performed from ``start_s`` to ``end_s``.

    Attributes:
        start_s: Start of the movement since the first frame [s].
        end_s: End of the movement [s], after ``start_s``.
        goal: A goal name (the vocabulary, ``reach:OBJECT`` or a learned gesture's name).
    """

    start_s: float
    end_s: float
    goal: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.end_s) and self.end_s > self.start_s >= 0.0):
            raise ConfigError(f"label {self.goal!r}: need 0 <= start < end, finite seconds, "
                              f"got start={self.start_s}, end={self.end_s}")
        if not self.goal:
            raise ConfigError("a label needs a goal name")

    def to_json(self) -> dict[str, object]:
        """The contract's ``{"start", "end", "goal"}`` object."""
        return {"start": round(self.start_s, 4), "end": round(self.end_s, 4), "goal": self.goal}


def clip_labels(labels: Iterable[GestureLabel], end_s: float) -> tuple[GestureLabel, ...]:
    """``labels`` cut to end by ``end_s`` [s] (a recording stopped early); later ones dropped."""
    return tuple(label if label.end_s <= end_s else GestureLabel(label.start_s, end_s, label.goal)
                 for label in labels if label.start_s < end_s)


def check_label_goals(labels: Iterable[tuple[str, str]], known: Iterable[str]) -> None:
    """Refuse a label whose goal is not one the recogniser can be scored on.

    ``labels``: (where the label is, for the message; its goal) pairs; ``known``: the goals
    (the vocabulary with learned gestures; ``reach:OBJECT`` is always allowed). A capitalised
    or misspelt goal (``Raise``, ``rasie``: labels typed in a spreadsheet) scored every clip
    as a miss without a word.

    Raises:
        SourceError: The first unknown goal, with the nearest known one.
    """
    goals = sorted(set(known) | {"none"})
    for where, goal in labels:
        if goal in goals or goal.startswith("reach:"):
            continue
        near = [g for g in goals if g.lower() == goal.strip().lower()] \
            or difflib.get_close_matches(goal.lower(), goals, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise SourceError(f"{where}: goal {goal!r} is not a goal the robot knows; {hint}"
                          f"fix the label (goals: {', '.join(goals)}, reach:OBJECT, or a "
                          "gesture learned with `mirrorbot learn`)")
