"""Recording and replay: exact round trip, damaged files, Ctrl-C, and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import run_cli, write_video
from mirrorbot.errors import SourceError
from mirrorbot.labels import GestureLabel
from mirrorbot.perception.landmarks import NUM_LANDMARKS, PoseFrame
from mirrorbot.perception.recording import (
    RecordingHeader,
    RecordingReader,
    RecordingWriter,
    read_recording,
)
from mirrorbot.run.record import record_landmarks
from mirrorbot.sources.pose_sources import PoseSample

LABELS = (GestureLabel(0.2, 0.9, "drink"), GestureLabel(1.0, 1.5, "wave"))


def _random_frames(n: int, seed: int = 0) -> list[tuple[float, PoseFrame | None]]:
    rng = np.random.default_rng(seed)
    out: list[tuple[float, PoseFrame | None]] = []
    for k in range(n):
        t = k / 30.0
        if k % 7 == 3:
            out.append((t, None))
            continue
        uv = rng.uniform(0, 1, (NUM_LANDMARKS, 2)) if k % 2 else None
        out.append((t, PoseFrame(t_s=t, world_m=rng.normal(0, 0.4, (NUM_LANDMARKS, 3)),
                                 visibility=rng.uniform(0, 1, NUM_LANDMARKS), image_uv=uv)))
    return out


def _write(path: Path, frames: list[tuple[float, PoseFrame | None]]) -> None:
    with RecordingWriter(path, RecordingHeader(fps=30.0, source="test", labels=LABELS)) as w:
        for t, pose in frames:
            w.write(t, pose)


def _assert_same(a: list[tuple[float, PoseFrame | None]],
                 b: list[tuple[float, PoseFrame | None]]) -> None:
    assert len(a) == len(b)
    for (ta, pa), (tb, pb) in zip(a, b, strict=True):
        assert ta == tb
        assert (pa is None) == (pb is None)
        if pa is not None and pb is not None:
            np.testing.assert_array_equal(pa.world_m, pb.world_m)
            np.testing.assert_array_equal(pa.visibility, pb.visibility)
            if pa.image_uv is None:
                assert pb.image_uv is None
            else:
                np.testing.assert_array_equal(pa.image_uv, pb.image_uv)


def test_record_then_replay_gives_identical_landmarks(tmp_path: Path) -> None:
    frames = _random_frames(40)
    _write(tmp_path / "r.jsonl", frames)
    header, replayed = read_recording(tmp_path / "r.jsonl")
    assert header.fps == 30.0 and header.labels == LABELS
    _assert_same(frames, replayed)


def test_truncated_last_line_is_dropped_with_a_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.jsonl"
    _write(path, _random_frames(10))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 300])  # cut into the last frame
    reader = RecordingReader(path)
    frames = list(reader)
    assert len(frames) == 9
    assert reader.stats.truncated_last_line
    assert "cut short" in capsys.readouterr().err


@pytest.mark.parametrize("first_line, match", [
    ("not json at all", "header is not valid JSON"),
    ('{"format": "something-else", "version": 1, "fps": 30}', "mirrorbot-recording"),
    ('{"format": "mirrorbot-recording", "version": 99, "fps": 30}', "newer"),
    ('{"format": "mirrorbot-recording", "version": 1, "fps": -1}', "fps"),
    ('{"format": "mirrorbot-recording", "version": 1, "fps": 30, "labels": [{"goal": "x"}]}',
     "label 0 is invalid"),
])
def test_malformed_header_is_a_clear_error(tmp_path: Path, first_line: str, match: str) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(first_line + "\n")
    with pytest.raises(SourceError, match=match):
        RecordingReader(path)


def test_missing_and_empty_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        RecordingReader(tmp_path / "none.jsonl")
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(SourceError, match="is empty"):
        RecordingReader(tmp_path / "empty.jsonl")


def test_bad_lines_in_the_middle_become_dropouts_or_are_skipped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.jsonl"
    _write(path, _random_frames(6))
    lines = path.read_text().splitlines()
    nan_frame = json.loads(lines[2])
    nan_frame["world"] = [[float("nan")] * 3] * NUM_LANDMARKS
    short_frame = json.loads(lines[3])
    short_frame["world"] = short_frame["world"][:20]
    lines[2] = json.dumps(nan_frame)  # json writes NaN, as other tools might
    lines[3] = json.dumps(short_frame)
    lines[5] = "{broken"
    path.write_text("\n".join(lines) + "\n")
    reader = RecordingReader(path)
    frames = list(reader)
    assert [t for t, _ in frames] == pytest.approx([0, 1 / 30, 2 / 30, 3 / 30, 5 / 30])
    assert frames[1][1] is None and frames[2][1] is None  # NaN and wrong count: dropouts
    err = capsys.readouterr().err
    assert "NaN" in err and "shape (33, 3)" in err and "not valid JSON" in err
    assert reader.stats.bad_lines == 3


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.text(max_size=60), st.binary(max_size=60).map(
    lambda b: b.decode("latin-1")), st.just('{"t": 1e400, "world": []}'),
    st.just('{"t": 0.5, "world": [[0, 0, 0]], "visibility": [1]}')), max_size=8))
def test_fuzzed_frame_lines_never_crash_the_reader(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "fuzz.jsonl"
    header = json.dumps({"format": "mirrorbot-recording", "version": 1, "fps": 30.0})
    path.write_text(header + "\n" + "\n".join(x.replace("\n", " ") for x in lines) + "\n",
                    encoding="utf-8", errors="replace")
    last = -np.inf
    for t, pose in RecordingReader(path):
        assert t > last
        last = t
        assert pose is None or pose.world_m.shape == (NUM_LANDMARKS, 3)


class _InterruptedSource:
    """A source that is stopped by Ctrl-C after ``n`` frames."""

    text = "test"
    rate_hz = 30.0
    frame_count = None
    labels = ()
    is_live = True

    def __init__(self, n: int) -> None:
        self.n = n
        self.frames = _random_frames(n + 5)

    def __iter__(self) -> Iterator[PoseSample]:
        for k, (t, pose) in enumerate(self.frames):
            if k == self.n:
                raise KeyboardInterrupt
            yield PoseSample(t, pose)

    def close(self) -> None:
        pass


def test_ctrl_c_during_record_keeps_every_frame_seen(tmp_path: Path) -> None:
    source = _InterruptedSource(17)
    result = record_landmarks(source, tmp_path / "r.jsonl", progress=False)
    assert result.interrupted and result.frames == 17
    _, frames = read_recording(tmp_path / "r.jsonl")
    _assert_same(source.frames[:17], frames)


def test_cli_record_from_video_and_replay_is_deterministic(tmp_path: Path) -> None:
    skimage_data = pytest.importorskip("skimage.data")
    image = cv2.cvtColor(skimage_data.astronaut(), cv2.COLOR_RGB2BGR)
    video = write_video(tmp_path / "clip.avi", [np.roll(image, 3 * k, axis=1) for k in range(8)])
    first = run_cli("record", "--source", f"video:{video}", "--out", str(tmp_path / "a.jsonl"))
    assert first.returncode == 0, first.stderr
    assert "wrote 8 frames (8 with a person" in first.stdout
    again = run_cli("record", "--source", f"recording:{tmp_path / 'a.jsonl'}", "--out",
                    str(tmp_path / "b.jsonl"), "--seconds", "10")
    assert again.returncode == 0, again.stderr
    _, a = read_recording(tmp_path / "a.jsonl")
    _, b = read_recording(tmp_path / "b.jsonl")
    _assert_same(a, b)


def test_cli_bad_recording_header_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"format": "nope"}\n')
    result = run_cli("record", "--source", f"recording:{path}", "--out", str(tmp_path / "o.jsonl"))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "mirrorbot-recording" in result.stderr


@pytest.mark.slow
def test_sigint_during_cli_record_keeps_a_valid_file(tmp_path: Path) -> None:
    """A real Ctrl-C (SIGINT) to `mirrorbot record` on a long video: exit 130, frames kept."""
    import os
    import signal
    import subprocess
    import sys
    import time

    skimage_data = pytest.importorskip("skimage.data")
    image = cv2.cvtColor(skimage_data.astronaut(), cv2.COLOR_RGB2BGR)
    # 20 s of video, far longer than the test waits.
    video = write_video(tmp_path / "long.avi", [np.roll(image, k % 50, axis=1)
                                                for k in range(600)])
    out = tmp_path / "r.jsonl"
    script = Path(sys.executable).with_name("mirrorbot")
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    proc = subprocess.Popen([str(script), "record", "--source", f"video:{video}", "--out",
                             str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out.exists() and out.read_text().count("\n") >= 6:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "stopped by Ctrl-C" in stderr
    _, frames = read_recording(out)
    assert 5 <= len(frames) < 600
    assert all(pose is not None for _, pose in frames)
