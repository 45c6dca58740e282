"""The run's reach goals: both of the person's hands watched against the scene's objects.

Each wrist is put in the robot's base frame (where the scene's objects are) and fed to its own
:class:`~mirrorbot.reach_goal.ReachGoal`; the hand that reports is the one committed to an
object, else the moving one most likely reaching for something. The robot acts on it: its
head turns to the committed object (:mod:`mirrorbot.pipeline`) and its mirroring hand is led
toward the object as the belief sharpens (:meth:`ReachTarget.lead_weight`,
:mod:`mirrorbot.anticipation`).
"""

from __future__ import annotations

from dataclasses import dataclass

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.mind.gaze import person_point_in_base
from mirrorbot.mind.reach_goal import ReachBelief, ReachConfig, ReachGoal
from mirrorbot.perception.landmarks import ARM_LANDMARKS, Side


@dataclass(frozen=True)
class ReachTarget:
    """What one frame says about reaching.

    Attributes:
        side: The person's hand reaching, or None (no hand moving toward anything).
        belief: Its posterior over objects.
        target_m: The most probable (or committed) object's position, base frame (3,) [m].
    """

    side: Side | None
    belief: ReachBelief
    target_m: Vec3 | None

    @property
    def lead_weight(self) -> float:
        """How far to lead the robot's hand toward the object, in [0, 1].

        0 while the belief is at chance or the hand reaches for nothing (still, moving away),
        rising to 1 as one object takes all the probability: ``((p - 1/k) / (1 - 1/k))^2``
        of the most probable object, times the probability of reaching at all.
        """
        probs = self.belief.probs
        if self.side is None or not self.belief.moving and self.belief.committed is None \
                or len(probs) < 1:
            return 0.0
        k = len(probs)
        p = max(probs.values())
        sharp = 1.0 if k == 1 else max(p - 1.0 / k, 0.0) / (1.0 - 1.0 / k)
        return float(sharp * sharp * (1.0 - self.belief.p_none))

    def to_json(self) -> dict[str, object]:
        """The session log's ``reach_target`` (docs/conventions.md)."""
        return {**self.belief.to_json(), "hand": None if self.side is None else self.side.value}


class ReachWatch:
    """Both hands' reach-goal posteriors over the scene's objects.

    Args:
        objects_m: Object name -> position in the robot's base frame (3,) [m].
        person_position_m: The person's mid-shoulders in the base frame (3,) [m].
        config: Settings of each hand's model.
    """

    def __init__(self, objects_m: dict[str, FloatArray], person_position_m: Vec3,
                 config: ReachConfig | None = None) -> None:
        self.objects_m = dict(objects_m)
        self.person_position_m = person_position_m
        self.models = {side: ReachGoal(self.objects_m, config) for side in Side}
        self._side: Side | None = None

    def reset(self) -> None:
        """Forget both hands (a cut in the stream, nobody tracked)."""
        for model in self.models.values():
            model.reset()
        self._side = None

    def __call__(self, world_m: FloatArray, t_s: float) -> ReachTarget:
        """The reach target after a pose's world landmarks (33, 3) [m] at ``t_s`` [s]."""
        beliefs = {side: model.update(person_point_in_base(
            world_m, int(ARM_LANDMARKS[side][2]), self.person_position_m), t_s)
            for side, model in self.models.items()}
        committed = [s for s, b in beliefs.items() if b.committed is not None]
        moving = [s for s, b in beliefs.items() if b.moving]
        pool = committed or moving
        if not pool:
            self._side = None
            side = min(beliefs, key=lambda s: beliefs[s].p_none)
            return ReachTarget(None, beliefs[side], None)
        if self._side in pool:  # the hand already reported goes on unless the other commits
            pool = [self._side] if self._side in committed or not committed else committed
        side = min(pool, key=lambda s: beliefs[s].p_none)
        self._side = side
        belief = beliefs[side]
        name = belief.committed or belief.best
        return ReachTarget(side, belief, None if name is None else self.objects_m[name])
