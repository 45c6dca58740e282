"""The straight-line inverse-planning baseline of reach goals (Dragan & Srinivasa 2013).

Path length as the cost: ``P(g | S->Q) ~ exp(-beta (C(S->Q) + |Q - g|)) / exp(-beta |S - g|)``,
uniform prior, with ``C(S->Q)`` the length of the path travelled from its first sample S to the
current Q and ``|Q - g|`` the straight-line cost to go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.errors import ConfigError


@dataclass(frozen=True)
class ReachBelief:
    """The posterior over objects after one sample of one hand.

    Attributes:
        probs: Object name -> probability that the hand is reaching for it, given that it is
            reaching for one of them (sums to 1).
        committed: The object the robot acts on, or None.
        p_none: Probability that the hand reaches for no object (still, idle, moving away).
        moving: Whether the hand moves faster than its model's still speed.
    """

    probs: dict[str, float]
    committed: str | None = None
    p_none: float = 1.0
    moving: bool = False

    @property
    def best(self) -> str | None:
        """The most probable object (None without objects)."""
        return max(self.probs, key=lambda k: self.probs[k]) if self.probs else None

    def to_json(self) -> dict[str, object]:
        """The session log's ``reach_target`` object (docs/conventions.md)."""
        return {"probs": {k: round(v, 4) for k, v in self.probs.items()},
                "committed": self.committed, "p_none": round(self.p_none, 4)}


def objects_array(objects_m: dict[str, Vec3]) -> tuple[tuple[str, ...], FloatArray]:
    """Names and positions (k, 3) [m] of the objects, checked (at least one, finite)."""
    if not objects_m:
        raise ConfigError("a reach-goal model needs at least one object")
    names = tuple(objects_m)
    points = np.array([np.asarray(objects_m[n], dtype=np.float64).reshape(3) for n in names])
    if not np.all(np.isfinite(points)):
        raise ConfigError(f"object positions must be finite, got {objects_m}")
    return names, points


def softmax(x: FloatArray) -> FloatArray:
    """exp(x) normalised, stable for any finite x (n,)."""
    e = np.exp(x - x.max())
    return np.asarray(e / e.sum(), dtype=np.float64)


@dataclass(frozen=True, kw_only=True)
class StraightLineConfig:
    """The baseline's one setting.

    Attributes:
        beta_per_m: Rationality: costs (path lengths [m]) are multiplied by this [1/m].
    """

    beta_per_m: float = 20.0

    def __post_init__(self) -> None:
        if not self.beta_per_m > 0:
            raise ConfigError(f"beta_per_m must be > 0, got {self.beta_per_m}")


class StraightLineGoal:
    """The straight-line inverse-planning baseline (see the module's docstring).

    Args:
        objects_m: Object name -> position (3,) [m].
        config: Settings.
    """

    def __init__(self, objects_m: dict[str, Vec3], config: StraightLineConfig | None = None,
                 ) -> None:
        self.config = config or StraightLineConfig()
        self.names, self.points_m = objects_array(objects_m)
        self.reset()

    def reset(self) -> None:
        """Start a new path at the next sample."""
        self.start_m: Vec3 | None = None
        self.prev_m: Vec3 | None = None
        self.path_m = 0.0

    def update(self, p_m: Vec3, t_s: float) -> ReachBelief:
        """The posterior after the sample ``p_m`` (3,) [m] (``t_s`` unused: the cost is length)."""
        p = np.asarray(p_m, dtype=np.float64)
        if self.start_m is None or self.prev_m is None:
            self.start_m = self.prev_m = p
        self.path_m += float(np.linalg.norm(p - self.prev_m))
        self.prev_m = p
        d_start = np.linalg.norm(self.points_m - self.start_m, axis=1)
        d_now = np.linalg.norm(self.points_m - p, axis=1)
        post = softmax(-self.config.beta_per_m * (self.path_m + d_now - d_start))
        return ReachBelief({n: float(q) for n, q in zip(self.names, post, strict=True)},
                           None, 0.0, True)
