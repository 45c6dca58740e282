"""The recogniser's comparison baselines: ``velocity`` (direction only) and ``none``."""

from __future__ import annotations

import numpy as np

from mirrorbot.mind.intent import GoalBelief, RepertoireIntent
from mirrorbot.mind.intent_config import IntentConfig
from mirrorbot.mind.repertoire import Repertoire
from mirrorbot.perception.landmarks import PoseFrame


class VelocityBaseline:
    """``velocity``: the comparison baseline.

    The goal whose target lies nearest the direction the hand is moving (from the movement's
    start); no path model, no ``none`` model.
    """

    def __init__(self, repertoire: Repertoire | None = None,
                 config: IntentConfig | None = None) -> None:
        self.inner = RepertoireIntent(repertoire, config)

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """The belief after this frame."""
        belief = self.inner(pose, t_s)
        if not belief.moving or belief.side is None or belief.start_m is None:
            return GoalBelief(belief.probs)
        track = self.inner.arms[belief.side]
        start = belief.start_m
        direction = track.samples[-1][1] - start
        goals = self.inner.goals
        scores = np.full(len(goals), -np.inf)
        for prim, target in zip(self.inner._prims, self.inner._targets, strict=True):
            if prim.name == "none":
                continue
            to_target = target - start
            cos = float(np.dot(direction, to_target)) / max(
                float(np.linalg.norm(direction) * np.linalg.norm(to_target)), 1e-9)
            g = goals.index(prim.name)
            scores[g] = max(scores[g], cos)
        probs = np.exp(8.0 * (scores - np.max(scores)))
        probs = probs / probs.sum()
        best = int(np.argmax(probs))
        committed = goals[best] if np.linalg.norm(direction) > 0.06 else None
        return GoalBelief(dict(zip(goals, probs.tolist(), strict=True)), committed,
                          belief.side, belief.start_m, None, belief.elapsed_s, 0.0, True)


class NoIntent:
    """``none``: no recognition at all (the belief stays at the prior, nothing is committed)."""

    def __init__(self) -> None:
        self.goals = Repertoire().goals

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """The uniform belief."""
        return GoalBelief({g: 1.0 / len(self.goals) for g in self.goals})
