"""Starter for the goal-predictor assignment (see TASK.md): what is this movement for?

Score it (from the project's root)::

    .venv/bin/mirrorbot eval intent \
        --intent sims/assignments/goal_predictor/my_predictor.py:MyPredictor
"""

from __future__ import annotations

import numpy as np

from mirrorbot import GOALS, GoalBelief, PoseFrame, Side, person_scale, wrist_in_arm_frame

MOVING_M = 0.05  # the hand this far from where it rested: a movement is under way [m]


class MyPredictor:
    """Guesses from where the hand is now: up high -> raise, out in front -> reach, else none."""

    def __init__(self) -> None:
        self.rest_m: dict[Side, np.ndarray] = {}

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """The belief after this (filtered) frame; ``pose`` is None when nobody is tracked."""
        probs = {goal: 0.0 for goal in GOALS}
        if pose is None:
            probs["none"] = 1.0
            return GoalBelief(probs)
        scale = person_scale(pose.world_m)
        # Each wrist relative to its shoulder, scaled to the robot's arm [m]: x forward,
        # y outward, z up (the arm frame the robot's repertoire uses).
        wrists = {side: wrist_in_arm_frame(pose.world_m, side, scale) for side in Side}
        for side, wrist in wrists.items():
            self.rest_m.setdefault(side, wrist)
        side = max(Side, key=lambda s: float(np.linalg.norm(wrists[s] - self.rest_m[s])))
        moved = float(np.linalg.norm(wrists[side] - self.rest_m[side]))
        if moved < MOVING_M:
            probs["none"] = 1.0
            return GoalBelief(probs)
        # TODO: use the path so far (direction, speed, curvature), not just where the hand is;
        # TODO: segment movements (onset and offset), commit only when sure (GoalBelief.committed).
        wrist = wrists[side]
        guess = "raise" if wrist[2] > 0.0 else "reach" if wrist[0] > 0.3 else "none"
        probs[guess] = 1.0
        return GoalBelief(probs, side=side, moving=True)
