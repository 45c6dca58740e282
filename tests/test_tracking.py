"""The real bundled MediaPipe model on a real photo and on a real video file, and source errors."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from helpers import run_cli, write_video
from mirrorbot.errors import ModelError, SourceError
from mirrorbot.perception.body_frames import torso_rotation
from mirrorbot.perception.landmarks import Landmark
from mirrorbot.perception.source_spec import parse_source
from mirrorbot.perception.tracker import SolutionsPoseTracker, TasksPoseTracker
from mirrorbot.sources.pose_sources import open_pose_source

skimage_data = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def astronaut_bgr() -> np.ndarray:
    return cv2.cvtColor(skimage_data.astronaut(), cv2.COLOR_RGB2BGR)


@pytest.fixture(scope="module")
def astronaut_video(tmp_path_factory: pytest.TempPathFactory, astronaut_bgr: np.ndarray) -> Path:
    """A real video file: 12 frames of the photo panning slowly, encoded by OpenCV."""
    frames = [cv2.warpAffine(astronaut_bgr, np.float32([[1, 0, 2 * k], [0, 1, k]]), (512, 512))
              for k in range(12)]
    return write_video(tmp_path_factory.mktemp("video") / "astronaut.avi", frames)


def test_bundled_model_finds_the_astronauts_shoulders(astronaut_bgr: np.ndarray) -> None:
    tracker = SolutionsPoseTracker()
    try:
        pose = tracker.track(astronaut_bgr, 0.0)
    finally:
        tracker.close()
    assert pose is not None
    ls, rs = Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER
    assert pose.visibility[ls] > 0.9 and pose.visibility[rs] > 0.9
    width_m = float(np.linalg.norm(pose.world_m[ls] - pose.world_m[rs]))
    assert 0.25 < width_m < 0.5
    # She faces the camera: her left shoulder is on the image's right, in world and image axes.
    assert pose.world_m[ls, 0] > pose.world_m[rs, 0]
    assert pose.image_uv is not None and pose.image_uv[ls, 0] > pose.image_uv[rs, 0]
    # The torso frame's x (out of the chest) points at the camera, z up.
    R = torso_rotation(pose.world_m)
    assert R[2, 0] < -0.8 and R[1, 2] < -0.8


def test_a_flipped_image_swaps_the_arms_so_frames_must_not_be_flipped(
        astronaut_bgr: np.ndarray) -> None:
    """The model labels sides by appearance: on a mirrored image her right arm becomes "left"."""
    poses = []
    for image in (astronaut_bgr, cv2.flip(astronaut_bgr, 1)):
        tracker = SolutionsPoseTracker()
        try:
            poses.append(tracker.track(image, 0.0))
        finally:
            tracker.close()
    pose, flipped = poses
    assert pose is not None and flipped is not None
    assert pose.image_uv is not None and flipped.image_uv is not None
    ls, rs = Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER
    # The point called "left" in the flipped image is her real right shoulder, mirrored.
    assert flipped.image_uv[ls, 0] == pytest.approx(1 - pose.image_uv[rs, 0], abs=0.05)
    assert flipped.image_uv[rs, 0] == pytest.approx(1 - pose.image_uv[ls, 0], abs=0.05)


def test_video_file_yields_one_pose_per_frame(astronaut_video: Path) -> None:
    source = open_pose_source(parse_source(f"video:{astronaut_video}"))
    try:
        samples = list(source)
    finally:
        source.close()
    assert len(samples) == 12
    assert all(s.pose is not None for s in samples)
    times = [s.t_s for s in samples]
    assert np.all(np.diff(times) > 0)
    assert times[1] == pytest.approx(1 / 30)
    assert all(s.track_ms > 0 for s in samples)


def test_image_folder_skips_other_files(tmp_path: Path, astronaut_bgr: np.ndarray,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    for k in range(3):
        cv2.imwrite(str(tmp_path / f"{k:03d}.png"), astronaut_bgr)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "999.png").write_bytes(b"broken")
    source = open_pose_source(parse_source(f"images:{tmp_path}"))
    samples = list(source)
    source.close()
    assert len(samples) == 3 and all(s.pose is not None for s in samples)
    err = capsys.readouterr().err
    assert "skipping 1 non-image" in err and "999.png" in err


@pytest.mark.parametrize("text, match", [
    ("video:/nonexistent/clip.mp4", "does not exist"),
    ("images:/nonexistent", "does not exist or is not a folder"),
])
def test_missing_inputs_say_why(text: str, match: str) -> None:
    with pytest.raises(SourceError, match=match):
        open_pose_source(parse_source(text))


def test_empty_or_corrupt_video_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"\x00\x01garbage" * 100)
    for path in (empty, corrupt):
        with pytest.raises(SourceError, match="could not be opened as a video|no readable|empty"):
            open_pose_source(parse_source(f"video:{path}"))


def test_tasks_backend_reports_a_missing_or_invalid_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        TasksPoseTracker(tmp_path / "pose_landmarker_full.task")
    wrong = tmp_path / "model.tflite"
    wrong.write_bytes(b"x")
    with pytest.raises(ModelError, match="not a .task file"):
        TasksPoseTracker(wrong)
    garbage = tmp_path / "pose_landmarker_full.task"
    garbage.write_bytes(b"not a zip bundle")
    with pytest.raises(ModelError, match="could not be loaded"):
        TasksPoseTracker(garbage)


@pytest.mark.slow  # end to end through the CLI, a few seconds
def test_cli_camera_that_does_not_exist_exits_2_with_one_line(tmp_path: Path) -> None:
    for command in ("record", "run"):
        extra = ["--out", str(tmp_path / "r.jsonl")] if command == "record" else []
        result = run_cli(command, "--source", "camera:99", *extra)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "camera 99 could not be opened" in lines[0]


def test_cli_missing_task_model_exits_2(astronaut_video: Path, tmp_path: Path) -> None:
    result = run_cli("record", "--source", f"video:{astronaut_video}", "--out",
                     str(tmp_path / "r.jsonl"), "--model", str(tmp_path / "none.task"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "does not exist" in result.stderr
