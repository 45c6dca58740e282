"""The limits of the echo: less mirroring when poorly seen or unfamiliar, stillness on chaos."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mirrorbot.mind.echo import Echo, EchoConfig
from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark, PoseFrame, Side
from mirrorbot.perception.recording import RecordingHeader, RecordingWriter
from mirrorbot.run.session import RunConfig, run_session
from people import person


def _pose(t: float, world: np.ndarray, vis: float = 0.99) -> PoseFrame:
    return PoseFrame(t, world, np.full(NUM_LANDMARKS, vis), None)


def test_gain_follows_confidence_and_familiarity() -> None:
    echo = Echo()
    world = person()
    full = echo(_pose(0.0, world), _pose(0.0, world), 0.0, calibrated=True)
    assert full.gain == {Side.LEFT: 1.0, Side.RIGHT: 1.0} and full.reason == ""
    unfamiliar = echo(_pose(0.1, world), _pose(0.1, world), 0.1, calibrated=False)
    assert unfamiliar.gain[Side.LEFT] == EchoConfig().unfamiliar_gain
    assert "not yet calibrated" in unfamiliar.reason
    dim = _pose(0.2, world)
    vis = dim.visibility.copy()
    vis[[Landmark.LEFT_SHOULDER, Landmark.LEFT_ELBOW, Landmark.LEFT_WRIST]] = 0.45
    half = echo(dim, PoseFrame(0.2, world, vis, None), 0.2, calibrated=True)
    assert 0.0 < half.gain[Side.LEFT] < 0.5 and half.gain[Side.RIGHT] == 1.0
    assert "left arm poorly seen (45%)" in half.reason


def test_a_body_that_jumps_makes_the_robot_hold_still() -> None:
    echo = Echo()
    world = person()
    assert not echo(_pose(0.0, world), _pose(0.0, world), 0.0, True).overloaded
    jumped = world + np.array([0.8, 0.0, 0.0])  # a different person, 0.8 m away
    decision = echo(_pose(1 / 30, jumped), _pose(1 / 30, jumped), 1 / 30, True)
    assert decision.overloaded and "holding still" in decision.reason
    assert echo(_pose(0.5, jumped), _pose(0.5, jumped), 0.5, True).overloaded
    assert not echo(_pose(1.2, jumped), _pose(1.2, jumped), 1.2, True).overloaded


def test_run_holds_while_the_tracker_jumps_between_people(tmp_path: Path) -> None:
    up = np.array([0.0, 0.0, 1.0])
    a = person({"right": up}, {"right": up})
    b = person() + np.array([0.7, 0.0, 0.0])  # someone else, beside
    path = tmp_path / "two.jsonl"
    with RecordingWriter(path, RecordingHeader(fps=30.0, source="test")) as writer:
        for k in range(90):
            world = b if 40 <= k < 44 else a  # the tracker flips to the other person
            writer.write(k / 30, PoseFrame(k / 30, world, np.full(NUM_LANDMARKS, 0.99), None))
    run_session(RunConfig(source=f"recording:{path}", out_dir=tmp_path / "out", video=False,
                          progress=False))
    lines = (tmp_path / "out" / "session.jsonl").read_text().splitlines()
    frames = [json.loads(line) for line in lines[1:]]
    held = [f for f in frames[40:60] if f["mode"] == "hold"]
    assert len(held) >= 15 and all("overloaded" in f["reason"] for f in held)
    q = np.array([f["q_target"] for f in frames[40:60]])
    assert np.max(np.abs(np.diff(q, axis=0))) < 0.11  # no flailing toward the other person


def test_calibration_estimates_within_a_few_frames_and_refines_for_a_second() -> None:
    """The robot copies at full strength from the fourth well-seen frame, not after 1 s."""
    from mirrorbot.perception.calibration import FIRST_ESTIMATE_FRAMES, Calibration

    world = person()
    calibration = Calibration()
    for k in range(40):
        calibration.update(_pose(k / 30.0, world))
        assert calibration.calibrated == (k + 1 >= FIRST_ESTIMATE_FRAMES)
        assert calibration.refined == (k / 30.0 >= 1.0)
    assert calibration.proportions is not None
    assert abs(calibration.proportions.shoulder_width_m - 0.36) < 1e-6
