"""The frame loop's stages as one typed value, and the pipeline as the one owner of the mapping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mirrorbot.control.safety import CommandShaper
from mirrorbot.errors import ConfigError
from mirrorbot.mind.anticipation import Anticipation
from mirrorbot.perception.landmarks import PoseFrame
from mirrorbot.perception.source_spec import parse_source
from mirrorbot.retarget.retarget import Mapping
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.run.live_controls import LiveControls, LiveHooks
from mirrorbot.run.pipeline import pipeline_steps
from mirrorbot.run.stages import Stages
from mirrorbot.sources.pose_sources import open_pose_source

SOURCE = "synthetic:wave?seed=1&noise=off"


def test_the_stages_refuse_a_rest_pose_or_an_anticipation_of_another_kind(
        model: RobotModel) -> None:
    q0 = rest_pose(model)
    shaper = CommandShaper(model, q0)
    with pytest.raises(ConfigError, match="q_rest_rad has shape"):
        Stages(retargeter=lambda pose: q0, shaper=shaper, q_rest_rad=q0[:3])
    with pytest.raises(ConfigError, match="anticipation.mapping is anatomical, mapping mirror"):
        Stages(retargeter=lambda pose: q0, shaper=shaper, q_rest_rad=q0,
               anticipation=Anticipation(model, Mapping.ANATOMICAL))


def test_the_pipeline_switches_everything_that_depends_on_the_mapping(
        model: RobotModel, tmp_path: Path) -> None:
    """The m key: the retargeter is rebuilt for the new mapping and the anticipation follows."""
    q0 = rest_pose(model)
    built: list[Mapping] = []

    def retargeter_for(mapping: Mapping):  # noqa: ANN202
        built.append(mapping)
        return lambda pose: q0

    anticipation = Anticipation(model, Mapping.MIRROR)
    stages = Stages(retargeter=retargeter_for(Mapping.MIRROR), retargeter_for=retargeter_for,
                    shaper=CommandShaper(model, q0), q_rest_rad=q0, anticipation=anticipation)
    controls = LiveControls(mapping=Mapping.MIRROR)
    live = LiveHooks(controls, tmp_path, 30.0)
    source = open_pose_source(parse_source(SOURCE))
    steps = pipeline_steps(source, stages, want_view=False, live=live)
    for _ in range(3):
        next(steps)
    controls.key(ord("m"))
    for _ in range(3):
        next(steps)
    source.close()
    assert built == [Mapping.MIRROR, Mapping.ANATOMICAL]  # rebuilt once, at the switch
    assert anticipation.mapping is Mapping.ANATOMICAL
    assert stages.mapping is Mapping.MIRROR  # the stages keep what the run started with


def test_a_mapping_switch_needs_a_way_to_build_the_retargeter(model: RobotModel,
                                                              tmp_path: Path) -> None:
    q0 = rest_pose(model)

    def still(pose: PoseFrame) -> np.ndarray:
        return q0

    stages = Stages(retargeter=still, shaper=CommandShaper(model, q0), q_rest_rad=q0)
    live = LiveHooks(LiveControls(mapping=Mapping.ANATOMICAL), tmp_path, 30.0)
    source = open_pose_source(parse_source(SOURCE))
    with pytest.raises(ConfigError, match="no retargeter_for; build them with build_stages"):
        next(pipeline_steps(source, stages, want_view=False, live=live))
    source.close()
