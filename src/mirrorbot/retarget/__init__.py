"""Retargeting: the person's arms -> the robot's joint targets (``ours`` and the ``naive`` one).

``mirrorbot.retarget`` was one module before the stage packages; the names students import from
it (the ``Retargeter`` protocol and its helpers) are still here. They live in
:mod:`mirrorbot.retarget.retarget`.
"""

from __future__ import annotations

from mirrorbot.retarget.retarget import (
    DirectionRetargeter,
    Mapping,
    RetargetContext,
    Retargeter,
    driving_side,
    person_arm_directions,
)

__all__ = ["DirectionRetargeter", "Mapping", "RetargetContext", "Retargeter", "driving_side",
           "person_arm_directions"]
