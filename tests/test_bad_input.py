"""Bad input and load: a clear message or a safe hold, nothing lost, never beyond the limits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers import run_cli, write_video
from mirrorbot import frame_sources
from mirrorbot.errors import SourceError
from mirrorbot.landmarks import NUM_LANDMARKS, Landmark, PoseFrame
from mirrorbot.pose_filter import PoseFilter
from mirrorbot.retarget import DirectionRetargeter, Mode, RetargetContext
from mirrorbot.safety import CommandShaper, collision_model_for
from mirrorbot.scripted import rest_pose
from mirrorbot.session import RunConfig, run_session
from mirrorbot.urdf import RobotModel

skimage_data = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return cv2.cvtColor(skimage_data.astronaut(), cv2.COLOR_RGB2BGR)


def _log(out: Path) -> tuple[dict, list[dict]]:
    lines = (out / "session.jsonl").read_text().splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def _assert_within_limits(out: Path, model: RobotModel) -> None:
    _, frames = _log(out)
    q = np.array([f["q_target"] for f in frames])
    t = np.array([f["t"] for f in frames])
    assert np.all(q >= model.lower_rad - 1e-5) and np.all(q <= model.upper_rad + 1e-5)
    if len(q) > 1:  # the log rounds angles to 1e-5 rad and times to 1e-4 s
        step = np.abs(np.diff(q, axis=0))
        allowed = model.velocity_rad_s * (np.diff(t)[:, None] + 1e-4) + 2e-5
        assert np.all(step <= allowed)


class _FakeCapture:
    """A webcam that delivers ``good`` frames of ``image`` and then nothing (unplugged)."""

    def __init__(self, image: np.ndarray, good: int, opened: bool = True) -> None:
        self.image, self.left, self.opened = image, good, opened

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        return self.opened

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.left <= 0:
            return False, None
        self.left -= 1
        return True, self.image.copy()

    def get(self, prop: int) -> float:
        return 30.0 if prop == cv2.CAP_PROP_FPS else 0.0

    def release(self) -> None:
        self.left = 0


def test_busy_camera_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                      astronaut: np.ndarray) -> None:
    monkeypatch.setattr(frame_sources.cv2, "VideoCapture", lambda index: _FakeCapture(
        astronaut, good=0))
    with pytest.raises(SourceError, match="opened but delivers no image; is another program"):
        frame_sources.CameraSource(0)


def test_camera_that_stops_mid_run_ends_the_run_cleanly(
        monkeypatch: pytest.MonkeyPatch, astronaut: np.ndarray, tmp_path: Path,
        model: RobotModel, capsys: pytest.CaptureFixture[str]) -> None:
    """Mocked device (none exists here); the same loop runs on real video files elsewhere."""
    monkeypatch.setattr(frame_sources.cv2, "VideoCapture", lambda index: _FakeCapture(
        astronaut, good=12))
    summary = run_session(RunConfig(source="camera:0", out_dir=tmp_path, video=False,
                                    progress=False))
    assert "camera 0 stopped delivering images" in capsys.readouterr().err
    _, frames = _log(tmp_path)
    assert summary["frames"] == len(frames) == 12 and not summary["interrupted"]
    _assert_within_limits(tmp_path, model)


def test_truncated_video_plays_what_is_there(tmp_path: Path, astronaut: np.ndarray,
                                              model: RobotModel) -> None:
    video = write_video(tmp_path / "full.avi", [np.roll(astronaut, k, 1) for k in range(30)])
    data = video.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    result = run_cli("run", "--source", f"video:{cut}", "--out", str(tmp_path / "out"),
                     "--no-video")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert 5 <= summary["frames"] < 30
    _assert_within_limits(tmp_path / "out", model)


def test_nobody_in_view_holds_at_rest(tmp_path: Path, model: RobotModel) -> None:
    rng = np.random.default_rng(0)
    empty = [np.full((480, 640, 3), 90, np.uint8) + rng.integers(0, 20, (480, 640, 3),
                                                                  dtype=np.uint8)
             for _ in range(20)]
    video = write_video(tmp_path / "empty.avi", empty)
    result = run_cli("run", "--source", f"video:{video}", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    _, frames = _log(tmp_path / "out")
    assert all(not f["tracked"] and f["mode"] == "hold" for f in frames)
    np.testing.assert_allclose(frames[-1]["q_target"], rest_pose(model), atol=1e-4)
    assert (tmp_path / "out" / "video.mp4").stat().st_size > 0


def test_two_people_the_tracker_locks_on_one(tmp_path: Path, astronaut: np.ndarray) -> None:
    pair = np.hstack([astronaut, astronaut[:, ::-1]])  # two people side by side
    frames = [np.roll(pair, 2 * k, axis=1) for k in range(15)]
    video = write_video(tmp_path / "two.avi", frames)
    out = tmp_path / "two.jsonl"
    result = run_cli("record", "--source", f"video:{video}", "--out", str(out))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()[1:]]
    mids = [(np.array(f["image"])[Landmark.LEFT_SHOULDER, 0]
             + np.array(f["image"])[Landmark.RIGHT_SHOULDER, 0]) / 2
            for f in lines if f["world"] is not None]
    assert len(mids) >= 12
    assert np.max(np.abs(np.diff(mids))) < 0.05  # no jump from one person to the other


def test_person_at_the_edge_of_the_frame(tmp_path: Path, astronaut: np.ndarray,
                                         model: RobotModel) -> None:
    frames = []
    for k in range(15):
        canvas = np.zeros((512, 512, 3), np.uint8)
        shift = 300 + 5 * k  # most of her body leaves the frame
        canvas[:, shift:] = astronaut[:, : 512 - shift]
        frames.append(canvas)
    video = write_video(tmp_path / "edge.avi", frames)
    result = run_cli("run", "--source", f"video:{video}", "--out", str(tmp_path / "out"),
                     "--no-video")
    assert result.returncode == 0, result.stderr
    _assert_within_limits(tmp_path / "out", model)


ARM_POINTS = [int(i) for i in (Landmark.LEFT_ELBOW, Landmark.RIGHT_ELBOW, Landmark.LEFT_WRIST,
                                Landmark.RIGHT_WRIST, *range(Landmark.LEFT_PINKY,
                                                             Landmark.RIGHT_THUMB + 1))]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arrays(np.float64, (6, len(ARM_POINTS), 3),
              elements=st.floats(-0.875, 0.875, allow_nan=False, width=32)),
       st.booleans())
def test_impossible_poses_never_drive_the_robot_beyond_its_limits(
        model: RobotModel, arms: np.ndarray, nonsense_torso: bool) -> None:
    """Arms anywhere: through the body, behind the back, impossible lengths; broken torsos.

    The torso is a normal one, or (every other frame) one that is no torso.
    """
    body = np.zeros((NUM_LANDMARKS, 3))
    body[Landmark.LEFT_SHOULDER], body[Landmark.RIGHT_SHOULDER] = (0.18, -0.5, 0), (-0.18, -0.5, 0)
    body[Landmark.LEFT_HIP], body[Landmark.RIGHT_HIP] = (0.1, 0, 0), (-0.1, 0, 0)
    worlds = np.repeat(body[None], len(arms), axis=0)
    worlds[:, ARM_POINTS] = arms
    if nonsense_torso:
        worlds[::2, Landmark.LEFT_SHOULDER] = worlds[::2, Landmark.RIGHT_SHOULDER]
    q0 = rest_pose(model)
    collision = collision_model_for(model)
    retarget = DirectionRetargeter(RetargetContext(model, Mode.MIRROR, q0))
    shaper = CommandShaper(model, q0, collision=collision)
    pose_filter = PoseFilter()
    q_prev = q0
    for k, world in enumerate(worlds):
        pose = pose_filter(PoseFrame(k / 30, world, np.ones(NUM_LANDMARKS), None), k / 30)
        assert pose is not None
        q = shaper(retarget(pose), 1 / 30 if k else 0.0)
        assert np.all(q >= model.lower_rad - 1e-9) and np.all(q <= model.upper_rad + 1e-9)
        assert np.all(np.abs(q - q_prev) <= model.velocity_rad_s / 30 + 1e-9)
        assert collision.clearance_m(q) >= 0.0
        q_prev = q


def test_infinite_coordinates_in_a_recording_are_dropouts(tmp_path: Path,
                                                          model: RobotModel) -> None:
    header = {"format": "mirrorbot-recording", "version": 1, "fps": 30.0}
    body = np.zeros((33, 3))
    body[Landmark.LEFT_SHOULDER], body[Landmark.RIGHT_SHOULDER] = (0.18, -0.5, 0), (-0.18, -0.5, 0)
    body[Landmark.LEFT_HIP], body[Landmark.RIGHT_HIP] = (0.1, 0, 0), (-0.1, 0, 0)
    good = {"t": 0.0, "world": body.tolist(), "visibility": [1.0] * 33}
    lines = [json.dumps(header), json.dumps(good)]
    lines.append(json.dumps({"t": 1 / 30, "world": [[1e400, 0, 0]] * 33,
                             "visibility": [1.0] * 33}))
    path = tmp_path / "inf.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = run_cli("run", "--source", f"recording:{path}", "--out", str(tmp_path / "out"),
                     "--no-video")
    assert result.returncode == 0, result.stderr
    assert "NaN or infinite" in result.stderr
    _, frames = _log(tmp_path / "out")
    assert [f["tracked"] for f in frames] == [True, False]


def test_ctrl_c_during_run_keeps_every_frame_and_a_valid_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = Path(sys.executable).with_name("mirrorbot")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    proc = subprocess.Popen([str(script), "run", "--source", "synthetic:session?repeat=5",
                             "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    log = out / "session.jsonl"
    while time.monotonic() < deadline:
        if log.exists() and log.read_text().count("\n") > 40:
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    summary = json.loads((out / "summary.json").read_text())
    _, frames = _log(out)
    assert summary["interrupted"] is True and summary["frames"] == len(frames) >= 30
    cap = cv2.VideoCapture(str(out / "video.mp4"))
    count = 0
    while cap.read()[0]:
        count += 1
    cap.release()
    assert count >= len(frames) - 2  # the video was finalised, not cut off
