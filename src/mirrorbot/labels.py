"""The goal vocabulary (docs/conventions.md) and labelled gesture intervals."""

from __future__ import annotations

from dataclasses import dataclass

from mirrorbot.errors import ConfigError

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
        if not self.end_s > self.start_s >= 0.0:
            raise ConfigError(f"label {self.goal!r}: need 0 <= start < end, got "
                              f"start={self.start_s}, end={self.end_s}")
        if not self.goal:
            raise ConfigError("a label needs a goal name")

    def to_json(self) -> dict[str, object]:
        """The contract's ``{"start", "end", "goal"}`` object."""
        return {"start": round(self.start_s, 4), "end": round(self.end_s, 4), "goal": self.goal}
