"""images:DIR of unrelated photos (each its own person, held) or of video frames (a sequence)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from mirrorbot.errors import SourceError
from mirrorbot.perception.source_spec import parse_source
from mirrorbot.perception.tracker import SolutionsPoseTracker
from mirrorbot.run.session import RunConfig, run_session
from mirrorbot.sources.photo_source import (
    HOLD_S,
    FolderMode,
    PhotoSource,
    guess_folder_mode,
    parse_images_options,
)
from mirrorbot.sources.pose_sources import TrackedSource, open_pose_source

skimage_data = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two unrelated photos of two people (the astronaut, the cameraman) and one without."""
    folder = tmp_path_factory.mktemp("photos")
    cv2.imwrite(str(folder / "a.png"), cv2.cvtColor(skimage_data.astronaut(), cv2.COLOR_RGB2BGR))
    cv2.imwrite(str(folder / "b.jpg"), skimage_data.camera())
    cv2.imwrite(str(folder / "c.png"), cv2.cvtColor(skimage_data.coffee(), cv2.COLOR_RGB2BGR))
    return folder


@pytest.fixture(scope="module")
def frames(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Frames of a video: the astronaut panning by 3 px a frame, 640x480."""
    folder = tmp_path_factory.mktemp("frames")
    photo = cv2.resize(cv2.cvtColor(skimage_data.astronaut(), cv2.COLOR_RGB2BGR), (480, 480))
    for k in range(12):
        canvas = np.zeros((480, 640, 3), np.uint8)
        x = 60 + 3 * k
        canvas[:, x:x + 480] = photo
        cv2.imwrite(str(folder / f"frame_{k:04d}.png"), canvas)
    return folder


def test_photos_and_video_frames_are_told_apart(photos: Path, frames: Path,
                                                 tmp_path: Path) -> None:
    assert guess_folder_mode(sorted(photos.iterdir())) is FolderMode.PHOTOS
    assert guess_folder_mode(sorted(frames.iterdir())) is FolderMode.SEQUENCE
    assert guess_folder_mode(sorted(frames.iterdir())[:1]) is FolderMode.PHOTOS  # one image
    # Frames of one size that look alike, but one of another size: photos.
    odd = sorted(frames.iterdir())[:3]
    (tmp_path / "x").mkdir()
    for k, p in enumerate(odd):
        image = cv2.imread(str(p))
        cv2.imwrite(str(tmp_path / "x" / f"{k}.png"),
                    image if k < 2 else cv2.resize(image, (320, 240)))
    assert guess_folder_mode(sorted((tmp_path / "x").iterdir())) is FolderMode.PHOTOS


def test_the_mode_can_be_said_and_bad_options_are_one_line_errors() -> None:
    spec = parse_source("images:some/dir?mode=sequence&hold=3")
    assert spec.path == Path("some/dir")
    options = parse_images_options(spec.options)
    assert options.mode is FolderMode.SEQUENCE and options.hold_s == 3.0
    assert parse_images_options({}).mode is None and parse_images_options({}).hold_s == HOLD_S
    with pytest.raises(SourceError, match=r"mode='film' must be one of \['photos', 'sequence'\]"):
        parse_images_options({"mode": "film"})
    with pytest.raises(SourceError, match="unknown images option"):
        parse_images_options({"speed": "2"})
    with pytest.raises(SourceError, match="hold=0 must be in"):
        parse_images_options({"hold": "0"})
    with pytest.raises(SourceError, match="must be a number of seconds"):
        parse_images_options({"hold": "long"})


def test_each_photo_is_its_own_person_held_for_a_moment(photos: Path) -> None:
    """Static mode: the second photo's skeleton is the one found in it alone."""
    source = open_pose_source(parse_source(f"images:{photos}?hold=0.5"))
    try:
        assert isinstance(source, PhotoSource) and source.frame_count == 3 * 15
        samples = list(source)
    finally:
        source.close()
    assert len(samples) == 45 and [k for k, s in enumerate(samples) if s.cut] == [0, 15, 30]
    assert np.allclose(np.diff([s.t_s for s in samples]), 1 / 30)
    first, second, third = samples[0:15], samples[15:30], samples[30:45]
    assert all(s.pose is not None for s in first + second)
    assert all(s.pose is None for s in third)  # a cup of coffee: nobody
    assert all(np.array_equal(s.pose.world_m, first[0].pose.world_m) for s in first)
    alone = SolutionsPoseTracker(static=True)
    try:
        fresh = alone.track(cv2.imread(str(photos / "b.jpg")), 0.0)
    finally:
        alone.close()
    assert fresh is not None and fresh.image_uv is not None
    assert second[0].pose.image_uv is not None
    assert np.allclose(second[0].pose.image_uv, fresh.image_uv, atol=1e-3)


def test_video_frames_are_tracked_as_a_sequence(frames: Path) -> None:
    source = open_pose_source(parse_source(f"images:{frames}"))
    try:
        assert isinstance(source, TrackedSource)
        samples = list(source)
    finally:
        source.close()
    assert len(samples) == 12 and not any(s.cut for s in samples)
    forced = open_pose_source(parse_source(f"images:{frames}?mode=photos&hold=0.1"))
    forced.close()
    assert isinstance(forced, PhotoSource)


def test_the_robot_takes_each_photos_pose_without_holding_still(photos: Path,
                                                                 tmp_path: Path) -> None:
    """No "the body jumps between frames" hold when the next photo shows another person."""
    run_session(RunConfig(source=f"images:{photos}?hold=1", out_dir=tmp_path / "out",
                          video=False, progress=False, plot=False))
    lines = (tmp_path / "out" / "session.jsonl").read_text().splitlines()[1:]
    frames = [json.loads(line) for line in lines]
    assert len(frames) == 90
    assert not any("jumps" in f.get("reason", "") for f in frames)
    q = np.array([f["q"] for f in frames])
    # The robot moves to the second photo's pose and settles there.
    assert np.abs(q[59] - q[29]).max() > 0.1
    assert np.abs(q[59] - q[55]).max() < 0.02


def test_one_photo_given_as_the_source_is_held_like_a_folders(photos: Path,
                                                               tmp_path: Path) -> None:
    """``--source a.png`` is one photo held for a moment, not a one-frame video.

    OpenCV opens an image as a video of one frame: the run was one frame long, 0 s of
    simulation, and the robot never moved, without a word.
    """
    from helpers import run_cli

    spec = parse_source(str(photos / "a.png"))
    source = open_pose_source(spec)
    try:
        assert isinstance(source, PhotoSource)
        samples = list(source)
    finally:
        source.close()
    assert len(samples) == 60 and all(s.pose is not None for s in samples)  # 2 s at 30 Hz
    result = run_cli("run", "--source", str(tmp_path / "missing.jpg"), "--out",
                     str(tmp_path / "o"), "--no-video")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "does not exist" in lines[0], \
        result.stderr
