"""Backing an arm out of a dead end the way it came in.

The command shaper never lets an arm into contact, and slides it along what it touches, but
some places are dead ends: a hand brought to the mouth with the wrist bent back lies between
the head and the chest, and every way toward the next target (the hand going down) first
closes one gap or the other. The arm then stays there for as long as the person's arm is
elsewhere (15 s once, on a second synthetic person's drink).

:class:`Retreat` keeps, per arm, a trail of the configurations the arm has passed through
(each ``TRAIL_STEP_RAD`` from the last; they were all clear of contact when commanded). When the
shaper has held both arms still against contact for ``STUCK_S``, every arm still
``STUCK_FAR_RAD`` from its target whose straight line to it is not clear goes back along its
trail, crumb by crumb, until that line is clear (or the trail is used up); then it heads for
the target again.
"""

from __future__ import annotations

import numpy as np

from mirrorbot.arrays import FloatArray, IntArray
from mirrorbot.robot.collision_model import CollisionModel

TRAIL_STEP_RAD = 0.05  # a crumb each time an arm joint has moved this far from the last one
TRAIL_LENGTH = 120  # crumbs kept per arm (at least 6 rad of travel)
STUCK_S = 0.5  # held still against contact this long: a dead end (a moment is not) [s]
STUCK_FAR_RAD = 0.3  # ... while a joint of the arm is this far from its target (nearer, it is
# where it is wanted, held against something: hands on the belly inside the robot's torso)
REACHED_RAD = 0.02  # a crumb is reached when every joint of the arm is this close to it
LINE_SAMPLES = 8  # points checked along a straight line in joint space


class Retreat:
    """Per-arm trails and the retreat along them (see the module's docstring).

    Args:
        collision: The shaper's collision model.
        arm_joints: The joint indices of each arm, (7,) each.
        limit_m: The clearance the shaper keeps [m].
    """

    def __init__(self, collision: CollisionModel, arm_joints: list[IntArray],
                 limit_m: float) -> None:
        self.collision = collision
        self.arm_joints = arm_joints
        self.limit_m = limit_m
        self.trails: list[list[FloatArray]] = [[] for _ in arm_joints]
        self.retreating = [False for _ in arm_joints]
        self._stuck_s = 0.0

    def reset(self) -> None:
        """Forget the trails (the robot was put somewhere else)."""
        self.trails = [[] for _ in self.arm_joints]
        self.retreating = [False for _ in self.arm_joints]
        self._stuck_s = 0.0

    def steer(self, q_rad: FloatArray, target_rad: FloatArray) -> FloatArray:
        """The target to head for now (n,) [rad]: ``target_rad``, or a crumb for a retreating arm.

        ``q_rad``: the current command (n,) [rad].
        """
        if not any(self.retreating):
            return target_rad
        out = target_rad.copy()
        for k, idx in enumerate(self.arm_joints):
            if not self.retreating[k]:
                continue
            trail = self.trails[k]
            if not trail or self.line_is_clear(q_rad, target_rad, idx):
                self.retreating[k] = False  # out of the dead end (or nowhere left to go)
                continue
            if float(np.max(np.abs(q_rad[idx] - trail[-1]))) < REACHED_RAD and len(trail) > 1:
                trail.pop()
            out[idx] = trail[-1]
        return out

    def record(self, q_rad: FloatArray, target_rad: FloatArray, stuck: bool, dt_s: float,
               ) -> None:
        """Note a period's command ``q_rad`` (n,) [rad], sent toward ``target_rad`` (n,).

        ``dt_s``: the period [s]; ``stuck``: the shaper held the arms still against contact
        in this period.
        """
        self._stuck_s = self._stuck_s + dt_s if stuck else 0.0
        if self._stuck_s >= STUCK_S - 1e-9:
            self._stuck_s = 0.0
            for k, idx in enumerate(self.arm_joints):
                far = float(np.max(np.abs(q_rad[idx] - target_rad[idx]))) >= STUCK_FAR_RAD
                if far and len(self.trails[k]) > 0 \
                        and not self.line_is_clear(q_rad, target_rad, idx):
                    self.retreating[k] = True
        for k, idx in enumerate(self.arm_joints):
            trail = self.trails[k]
            if self.retreating[k]:
                continue
            if not trail or float(np.max(np.abs(q_rad[idx] - trail[-1]))) >= TRAIL_STEP_RAD:
                trail.append(q_rad[idx].copy())
                if len(trail) > TRAIL_LENGTH:
                    del trail[0]

    def line_is_clear(self, q_rad: FloatArray, target_rad: FloatArray, idx: IntArray) -> bool:
        """Whether the arm ``idx`` can go straight (in joint space) from ``q_rad`` to its target.

        The rest of the robot stays at ``q_rad``. Clear: no point of ``LINE_SAMPLES`` along it
        closer to contact than the limit, or than ``q_rad`` already is.
        """
        floor = min(self.limit_m, self.collision.clearance_m(q_rad))
        trial = q_rad.copy()
        for f in np.linspace(1.0 / LINE_SAMPLES, 1.0, LINE_SAMPLES):
            trial[idx] = q_rad[idx] + f * (target_rad[idx] - q_rad[idx])
            if self.collision.clearance_m(trial) < floor:
                return False
        return True
