"""Whole-body context: sitting or standing, from the thighs (body_motion)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from mirrorbot.mind.body_motion import BodyMotion
from mirrorbot.perception.landmarks import Landmark, PoseFrame
from mirrorbot.sources.mocap_source import MocapClip
from mirrorbot.synth.synth_person import SyntheticConfig, SyntheticPerson
from test_mocap import write_bvh

KNEES = [int(Landmark.LEFT_KNEE), int(Landmark.RIGHT_KNEE)]


def _seated_after(poses: list[PoseFrame]) -> bool | None:
    body = BodyMotion()
    for pose in poses:
        body(pose.world_m, pose.visibility, pose.t_s)
    return body.seated


def _with_knees(pose: PoseFrame, visibility: float) -> PoseFrame:
    seen = pose.visibility.copy()
    seen[KNEES] = visibility
    return dataclasses.replace(pose, visibility=seen)


def test_sitting_and_standing_are_told_by_the_thighs(tmp_path: Path) -> None:
    """The synthetic person sits at the table (thighs forward); the BVH actor stands.

    Behind the table the synthetic person's knees are hidden: then it is not known (a camera
    that shows a person at a desk from the waist up), and the recogniser falls back on where
    the hands rest.
    """
    person = SyntheticPerson(SyntheticConfig(gestures=("wave",), seed=3))
    poses = [f.observed for f in person.frames() if f.observed is not None]
    assert _seated_after([_with_knees(p, 0.0) for p in poses]) is None
    assert _seated_after([_with_knees(p, 1.0) for p in poses]) is True
    clip = MocapClip(write_bvh(tmp_path / "stand.bvh", frames=40))
    assert _seated_after([pose for _, pose in clip.frames()]) is False


def test_a_stride_is_no_seat(tmp_path: Path) -> None:
    """One thigh swung 70 deg forward and the other as far back (a big stride): standing."""
    clip = MocapClip(write_bvh(tmp_path / "stride.bvh", frames=40,
                               body_angles=lambda k: (0.0, 70.0)))
    assert _seated_after([pose for _, pose in clip.frames()]) is False


def test_hands_holding_one_thing_are_together_and_apart_hands_are_not() -> None:
    """Both hands on a phone (wrists 0.55 shoulder widths apart) are a posture; 0.8 apart not."""
    from mirrorbot.mind.body_motion import hands_together
    from mirrorbot.perception.landmarks import NUM_LANDMARKS

    world = np.zeros((NUM_LANDMARKS, 3))
    world[int(Landmark.LEFT_SHOULDER)] = (0.18, 0.0, 0.0)
    world[int(Landmark.RIGHT_SHOULDER)] = (-0.18, 0.0, 0.0)
    for gap_sw, together in ((0.3, True), (0.55, True), (0.8, False)):
        world[int(Landmark.LEFT_WRIST)] = (0.18 * gap_sw, 0.3, -0.3)
        world[int(Landmark.RIGHT_WRIST)] = (-0.18 * gap_sw, 0.3, -0.3)
        assert hands_together(world) is together, gap_sw
