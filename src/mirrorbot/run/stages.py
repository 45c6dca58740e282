"""The per-frame stages of a run, one typed value for :func:`mirrorbot.run.pipeline.pipeline_steps`.

:func:`mirrorbot.run.session.build_stages` builds every stage of a run; a test builds only what it
needs (``Stages(retargeter=..., shaper=..., q_rest_rad=...)``), the optional stages left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.control.safety import CommandShaper
from mirrorbot.errors import ConfigError
from mirrorbot.mind.anticipation import Anticipation
from mirrorbot.mind.echo import Echo
from mirrorbot.mind.gaze import Gaze
from mirrorbot.mind.intent import IntentModel
from mirrorbot.mind.reach_watch import ReachWatch
from mirrorbot.perception.calibration import Calibration
from mirrorbot.perception.landmarks import Side
from mirrorbot.perception.pose_filter import FilterConfig
from mirrorbot.retarget.retarget import Mapping, Retargeter


@dataclass(frozen=True, kw_only=True, eq=False)
class Stages:
    """What the pipeline runs each frame; the fields are fixed, the stages keep their own state.

    Attributes:
        retargeter: The person's pose -> the robot's joint targets, built for ``mapping``.
        shaper: Keeps the commands within the robot's limits and out of collisions.
        q_rest_rad: The rest pose (n,) [rad]: where the robot returns without a person.
        mapping: Mirror or anatomical at the start of the run (the pipeline owns it from then
            on: :class:`mirrorbot.run.pipeline.Pipeline`).
        retargeter_for: Builds the retargeter for a mapping, for the live window's ``m``; None:
            the mapping cannot be switched.
        calibration: The person's proportions (restarted on a cut and by ``c``), or None.
        intent: The goal recogniser, or None (no beliefs logged).
        gaze: Where the head looks, or None (the head follows the retargeter).
        echo: How strongly to mirror each arm, or None (always fully).
        arm_index: The robot's arm joints per side, for ``echo``'s per-arm gains.
        anticipation: Completes and answers committed goals, or None (mirror only).
        filter_config: The pose filter's settings, or None for the defaults.
        reach: Which of the scene's objects a hand reaches for, or None.
    """

    retargeter: Retargeter
    shaper: CommandShaper
    q_rest_rad: FloatArray
    mapping: Mapping = Mapping.MIRROR
    retargeter_for: Callable[[Mapping], Retargeter] | None = None
    calibration: Calibration | None = None
    intent: IntentModel | None = None
    gaze: Gaze | None = None
    echo: Echo | None = None
    arm_index: dict[Side, list[int]] | None = None
    anticipation: Anticipation | None = None
    filter_config: FilterConfig | None = None
    reach: ReachWatch | None = None

    def __post_init__(self) -> None:
        if np.shape(self.q_rest_rad) != self.shaper.q.shape:
            raise ConfigError(f"q_rest_rad has shape {np.shape(self.q_rest_rad)}, the shaper's "
                              f"joints {self.shaper.q.shape}; pass the rest pose of the same robot")
        if self.anticipation is not None and self.anticipation.mapping is not self.mapping:
            raise ConfigError(f"anticipation.mapping is {self.anticipation.mapping.value}, "
                              f"mapping {self.mapping.value}; build Anticipation with the stages' "
                              "mapping")
