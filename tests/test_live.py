"""The live window's keys (q, r, c, m, space) and the measured on-screen latency.

There is no keyboard or webcam here: keys come from a script through the same handler the
OpenCV window feeds, and the camera is stood in for by a real video file (same loop).
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from helpers import write_video
from mirrorbot.perception.recording import read_recording
from mirrorbot.retarget.retarget import Mapping
from mirrorbot.run.live_controls import LiveControls
from mirrorbot.run.session import RunConfig, run_session
from mirrorbot.synth.synth_person import SyntheticPerson, parse_synthetic


def _script(presses: dict[float, str]):  # noqa: ANN202
    """key_script: each key once, at the first frame at or after its time."""
    pending = sorted(presses.items())

    def key(t_s: float) -> int:
        if pending and t_s >= pending[0][0] - 1e-9:
            return ord(pending.pop(0)[1])
        return -1
    return key


def _log(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "session.jsonl").read_text().splitlines()[1:]]


def test_keys_change_the_controls() -> None:
    c = LiveControls()
    assert not c.key(ord("m")) and c.mapping is Mapping.ANATOMICAL and "anatomical" in c.message
    c.key(ord("m"))
    assert c.mapping is Mapping.MIRROR
    c.key(ord(" "))
    assert c.paused and "space resumes" in c.message
    c.key(ord("r"))
    assert c.recording
    c.key(ord("c"))
    assert c.calibrate
    assert c.key(ord("x")) is False and c.key(27) is True and c.quit


def test_record_pause_and_quit_on_a_real_video(tmp_path: Path) -> None:
    """Key r records the landmarks, space holds the robot, q ends the run cleanly."""
    skimage_data = pytest.importorskip("skimage.data")
    image = cv2.cvtColor(skimage_data.astronaut(), cv2.COLOR_RGB2BGR)
    video = write_video(tmp_path / "clip.avi", [np.roll(image, k, axis=1) for k in range(30)])
    out = tmp_path / "out"
    keys = _script({0.1: "r", 0.3: " ", 0.5: " ", 0.6: "r", 0.8: "q"})
    summary = run_session(RunConfig(source=f"video:{video}", out_dir=out, progress=False),
                          key_script=keys)
    frames = _log(out)
    assert 0.8 <= frames[-1]["t"] < 0.85 and summary["frames"] == len(frames) < 30
    assert summary["interrupted"] is False and summary["recordings"] == ["recording-1.jsonl"]
    header, recorded = read_recording(out / "recording-1.jsonl")
    assert header.fps == pytest.approx(30.0)
    assert len(recorded) == 15 and all(pose is not None for _, pose in recorded)
    assert recorded[0][0] == 0.0
    paused = [f for f in frames if f["reason"] == "paused (space resumes)"]
    assert len(paused) == 6 and all(f["mode"] == "hold" for f in paused)
    q = np.array([f["q_target"] for f in paused])
    assert np.allclose(q, q[0])  # the robot holds still while paused
    assert summary["latency_ms"]["total"]["p50"] > summary["latency_ms"]["track"]["p50"]
    cap = cv2.VideoCapture(str(out / "video.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == len(frames)
    cap.release()


def test_m_switches_mirror_to_anatomical_and_c_recalibrates(tmp_path: Path) -> None:
    """The person raises their right arm: mirror lifts the robot's left, anatomical its right."""
    spec = "raise?seed=4&noise=off&hand=right"
    label = SyntheticPerson(parse_synthetic(spec)).labels[0]
    switch_s = label.end_s + 0.25  # the arm is up, held 0.5-0.8 s, the robot has caught up
    out = tmp_path / "out"
    run_session(RunConfig(source=f"synthetic:{spec}", out_dir=out, progress=False, video=False,
                          anticipate=False),
                key_script=_script({switch_s: "m", switch_s + 0.45: "c"}))
    frames = _log(out)

    joints = json.loads((out / "session.jsonl").read_text().splitlines()[0])["joints"]
    left, right = joints.index("left_shoulder_flex"), joints.index("right_shoulder_flex")
    before = next(f for f in frames if f["t"] >= switch_s - 0.05)
    after = next(f for f in frames if f["t"] >= switch_s + 0.4)
    assert before["q"][left] > 2.0 and abs(before["q"][right]) < 0.3  # mirror: left is up
    assert after["q"][right] > before["q"][right] + 0.5  # anatomical: the right goes up
    assert after["q"][left] < before["q"][left] - 0.5  # and the left comes down
    recal = [f for f in frames if f["t"] > switch_s + 0.45 and "not yet calibrated" in f["reason"]]
    assert recal  # c restarted the calibration: the echo is weaker until it is done
