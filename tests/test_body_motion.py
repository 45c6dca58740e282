"""Whole-body context: sitting or standing, from the thighs (body_motion)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

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
