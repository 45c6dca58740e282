"""mirrorbot: a simulated humanoid that watches a person and mirrors their arm gestures.

The public API, for scenarios, course work and notebooks::

    from mirrorbot import RunConfig, run_session
    run_session(RunConfig(source="synthetic:wave", out_dir=Path("out/wave"), video=False))

- the stage protocols: :class:`Retargeter` (with :class:`RetargetContext`, :class:`Mapping`,
  :func:`driving_side`, :func:`person_arm_directions`), :class:`IntentModel` (answering a
  :class:`GoalBelief`), :class:`PoseSource` (:func:`open_pose_source`) and the filter
  (:class:`PoseFilter`, :class:`FilterConfig`);
- the robot model: :func:`load_robot_model` (of :func:`robot_urdf_path`) -> :class:`RobotModel`;
- the session runner: :class:`RunConfig`, :func:`run_session`;
- the synthetic person: :class:`SyntheticPerson`, :class:`SyntheticConfig`,
  :func:`parse_synthetic`;
- data: :class:`PoseFrame` (33 landmarks, m), :class:`Landmark`, :class:`Side`, :data:`GOALS`,
  :class:`Repertoire`, :class:`Primitive`, :func:`learn`, :class:`Scene` (:func:`load_scene`,
  :func:`scene_path`), and :class:`MirrorbotError`, the base of every error.

Each name is imported on first use, so ``import mirrorbot`` (and ``mirrorbot --help``) loads
neither pybullet nor mediapipe. The modules are grouped in packages by stage
(docs/architecture.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mirrorbot import moved

__version__ = "0.1.0"

_WHERE = {
    "mirrorbot.errors": ["MirrorbotError"],
    "mirrorbot.labels": ["GOALS"],
    "mirrorbot.paths": ["DEFAULT_SCENE_NAME", "robot_urdf_path", "scene_path"],
    "mirrorbot.perception.landmarks": ["Landmark", "PoseFrame", "Side"],
    "mirrorbot.perception.pose_filter": ["FilterConfig", "PoseFilter", "load_filter_config"],
    "mirrorbot.robot.urdf": ["RobotModel", "load_robot_model"],
    "mirrorbot.sim.scene": ["Scene", "load_scene"],
    "mirrorbot.synth.synth_person": ["SyntheticConfig", "SyntheticPerson", "parse_synthetic"],
    "mirrorbot.sources.pose_sources": ["PoseSample", "PoseSource", "open_pose_source"],
    "mirrorbot.retarget.retarget": ["Mapping", "RetargetContext", "Retargeter", "driving_side",
                                    "person_arm_directions"],
    "mirrorbot.mind.repertoire": ["Primitive", "Repertoire"],
    "mirrorbot.mind.intent": ["GoalBelief", "IntentModel"],
    "mirrorbot.mind.person_arm_frames": ["person_scale", "wrist_in_arm_frame"],
    "mirrorbot.mind.learning": ["learn"],
    "mirrorbot.run.session": ["RunConfig", "run_session"],
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

__all__ = ["DEFAULT_SCENE_NAME", "FilterConfig", "GOALS", "GoalBelief", "IntentModel", "Landmark",
           "Mapping", "MirrorbotError", "PoseFilter", "PoseFrame", "PoseSample", "PoseSource",
           "Primitive", "Repertoire", "RetargetContext", "Retargeter", "RobotModel", "RunConfig",
           "Scene", "Side", "SyntheticConfig", "SyntheticPerson", "driving_side", "learn",
           "load_filter_config", "load_robot_model", "load_scene", "open_pose_source",
           "parse_synthetic", "person_arm_directions", "person_scale", "robot_urdf_path",
           "run_session", "scene_path", "wrist_in_arm_frame"]

moved.install()


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'mirrorbot' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:
    from mirrorbot.errors import MirrorbotError
    from mirrorbot.labels import GOALS
    from mirrorbot.mind.intent import GoalBelief, IntentModel
    from mirrorbot.mind.learning import learn
    from mirrorbot.mind.person_arm_frames import person_scale, wrist_in_arm_frame
    from mirrorbot.mind.repertoire import Primitive, Repertoire
    from mirrorbot.paths import DEFAULT_SCENE_NAME, robot_urdf_path, scene_path
    from mirrorbot.perception.landmarks import Landmark, PoseFrame, Side
    from mirrorbot.perception.pose_filter import FilterConfig, PoseFilter, load_filter_config
    from mirrorbot.retarget.retarget import (
        Mapping,
        RetargetContext,
        Retargeter,
        driving_side,
        person_arm_directions,
    )
    from mirrorbot.robot.urdf import RobotModel, load_robot_model
    from mirrorbot.run.session import RunConfig, run_session
    from mirrorbot.sim.scene import Scene, load_scene
    from mirrorbot.sources.pose_sources import PoseSample, PoseSource, open_pose_source
    from mirrorbot.synth.synth_person import SyntheticConfig, SyntheticPerson, parse_synthetic
