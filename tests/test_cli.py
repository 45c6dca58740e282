"""The command line end to end: the demo's outputs, and clear errors with exit status 2."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from helpers import run_cli
from mirrorbot.errors import SourceError
from mirrorbot.perception.source_spec import SourceKind, parse_source

DEMO_SECONDS = 3
RATE_HZ = 30


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--out", str(out), "--seconds", str(DEMO_SECONDS))
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    return out


@pytest.mark.slow
def test_demo_writes_an_h264_video_that_opencv_reads(demo_dir: Path) -> None:
    cap = cv2.VideoCapture(str(demo_dir / "video.mp4"))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    assert len(frames) == DEMO_SECONDS * RATE_HZ
    assert frames[0].shape == (480, 1280, 3)
    # The robot moves: the simulator half changes between the first and the middle frame.
    diff = np.abs(frames[0][:, 640:].astype(int) - frames[len(frames) // 2][:, 640:].astype(int))
    assert diff.mean() > 0.5
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        pytest.skip("ffprobe not installed (Debian ffmpeg; .ci/run installs it)")
    probe = subprocess.run(
        [ffprobe, "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=codec_name,pix_fmt", "-of", "json", str(demo_dir / "video.mp4")],
        capture_output=True, text=True, check=True)
    stream = json.loads(probe.stdout)["streams"][0]
    assert stream == {"codec_name": "h264", "pix_fmt": "yuv420p"}


def test_demo_session_log_follows_the_contract(demo_dir: Path) -> None:
    lines = (demo_dir / "session.jsonl").read_text().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "mirrorbot-session" and header["version"] == 1
    assert header["mode"] == "mirror" and len(header["joints"]) == 16
    assert "wave" in header["goals"] and "none" in header["goals"]
    frames = [json.loads(line) for line in lines[1:]]
    assert len(frames) == DEMO_SECONDS * RATE_HZ
    times = [f["t"] for f in frames]
    assert times == sorted(times) and times[1] == pytest.approx(1 / RATE_HZ, abs=1e-3)
    keys = {"t", "tracked", "q_target", "q", "links", "goal_probs", "committed_goal", "mode",
            "reason", "timing_ms"}
    for f in frames:
        assert set(f) - {"reach_target"} == keys  # reach_target: the scene has objects
        if "reach_target" in f:
            reach = f["reach_target"]
            assert set(reach) == {"probs", "committed", "p_none", "hand"}
            assert abs(sum(reach["probs"].values()) - 1.0) < 1e-3
        assert len(f["q"]) == len(f["q_target"]) == 16
        assert set(f["links"]) == {f"{s}_{k}" for s in ("left", "right")
                                   for k in ("shoulder", "elbow", "wrist")}
        assert f["mode"] in ("mirror", "anticipate", "respond", "hold")
    # The session opens with a wave: one of the robot's hands rises above its shoulder.
    rise = [max(f["links"][f"{s}_wrist"][2] - f["links"][f"{s}_shoulder"][2]
                for s in ("left", "right")) for f in frames]
    assert rise[0] < 0 and max(rise) > 0.1


def test_demo_summary_reports_frames_and_latency(demo_dir: Path) -> None:
    summary = json.loads((demo_dir / "summary.json").read_text())
    assert summary["frames"] == DEMO_SECONDS * RATE_HZ
    assert summary["tracked_fraction"] >= 0.9  # the synthetic tracker drops a few frames
    assert summary["fps"] > 0
    assert summary["sim_realtime_factor"] > 1
    assert {"p50", "p95", "p99", "max"} <= set(summary["latency_ms"]["sim"])
    assert summary["interrupted"] is False
    assert summary["outputs"]["plot"] == "summary.png"


def test_demo_draws_the_belief_and_joint_plot(demo_dir: Path) -> None:
    """summary.png: a real PNG of the run, with coloured curves (not a blank canvas)."""
    image = cv2.imread(str(demo_dir / "summary.png"))
    assert image is not None and image.shape[1] >= 900
    plots = image[:, : int(0.8 * image.shape[1])]  # the axes; the legends are on the right
    saturation = cv2.cvtColor(plots, cv2.COLOR_BGR2HSV)[..., 1]
    assert np.count_nonzero(saturation > 80) > 0.005 * saturation.size  # plotted curves


def test_the_plot_title_names_only_what_is_drawn() -> None:
    from mirrorbot.output.summary_plot import goal_panel_title

    title = goal_panel_title(beliefs=True, labels=False, commitments=True)
    assert "true gestures" not in title and "goal belief" in title  # a recording or a camera
    assert "true gestures (shaded)" in goal_panel_title(beliefs=True, labels=True,
                                                        commitments=False)
    assert goal_panel_title(beliefs=False, labels=False, commitments=False) == \
        "no goal belief was logged"


def test_help_names_every_form_and_option() -> None:
    run_help = run_cli("run", "--help").stdout
    assert "--retargeter NAME|module:Class|FILE.py:Class" in run_help
    assert "?mode=photos or ?mode=sequence" in " ".join(run_help.split())
    eval_help = " ".join(run_cli("eval", "--help").stdout.split())
    assert "the stage to score" in eval_help and "print the figures as JSON" in eval_help
    # Which options apply to which stage (`eval retarget --help` prints the same).
    assert "options by stage" in eval_help
    assert "retarget --retargeter, --data, --mode, --filter, --wander" in eval_help
    assert "filter --filter reach --data" in eval_help
    learn_help = " ".join(run_cli("learn", "--help").stdout.split())
    assert "three or more recordings" in learn_help


def test_help_gives_the_defaults_and_the_synthetic_person() -> None:
    from mirrorbot.perception.source_spec import SYNTHETIC_OPTIONS
    from mirrorbot.synth.synth_gestures import EXTRA_GESTURES, GESTURES

    run_help = " ".join(run_cli("run", "--help").stdout.split())
    assert "(the default when a window opens" in run_help  # --realtime
    assert "(the default without a window)" in run_help  # --fast
    synthetic = run_help.partition("is the built-in person")[2]
    for word in (*GESTURES, *EXTRA_GESTURES, "session", *SYNTHETIC_OPTIONS):
        assert word in synthetic, word
    demo_help = " ".join(run_cli("demo", "--help").stdout.split())
    assert "(default: the whole session, about 33 s)" in demo_help and "(default 0)" in demo_help
    record_help = " ".join(run_cli("record", "--help").stdout.split())
    assert "stop after this long [s] (default: when the source ends" in record_help


def test_the_conventions_commands_block_lists_every_option() -> None:
    """docs/conventions.md is the user's copy of the contract: no option of the parser missing."""
    import argparse

    from mirrorbot.cli import build_parser

    text = (Path(__file__).resolve().parents[1] / "docs" / "conventions.md").read_text()
    block = text.split("## Commands\n```\n", 1)[1].split("```", 1)[0]
    documented: dict[str, str] = {}
    command = ""
    for line in block.splitlines():
        if line.startswith("mirrorbot "):
            command = line.split()[1] if len(line.split()) > 1 else ""
        documented[command] = documented.get(command, "") + " " + line
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in sub.choices.items():
        options = [o for a in parser._actions for o in a.option_strings
                   if o.startswith("--") and o != "--help"]
        missing = [o for o in options if o not in documented.get(name, "")]
        assert not missing, f"conventions.md's `mirrorbot {name}` lacks {missing}"


def test_bare_mirrorbot_lists_the_commands_and_exits_2() -> None:
    result = run_cli()
    assert result.returncode == 2
    for command in ("demo", "run", "record", "learn", "eval", "bench"):
        assert f"    {command} " in result.stdout, command
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "name a COMMAND" in lines[0], result.stderr


@pytest.mark.slow  # end to end through the CLI, a few seconds
def test_demo_without_video_writes_the_rest(tmp_path: Path) -> None:
    result = run_cli("demo", "--out", str(tmp_path), "--seconds", "1", "--no-video")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "session.jsonl").exists() and (tmp_path / "summary.json").exists()
    assert not (tmp_path / "video.mp4").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["run", "--source", "bogus:thing"], "unknown source 'bogus:thing'; valid forms"),
    (["run", "--source", "camera:x"], "camera index must be a whole number"),
    (["run", "--source", "camera:0", "--model", "/no/such.task"], "does not exist"),
    # The pose model is unused by sources that are landmarks already: refused, not ignored.
    (["run", "--source", "synthetic:wave", "--model", "/no/such.task"],
     "--model /no/such.task only applies to camera, video, images and photo sources"),
    (["record", "--source", "recording:r.jsonl", "--out", "never.jsonl", "--model", "m.task"],
     "a recording: source gives landmarks without one: drop --model"),
    (["demo", "--gui"], "--gui needs a display"),
    # Each eval stage refuses the options it does not use, naming the option and the stage.
    (["eval", "filter", "--lead"], "`eval filter` takes no --lead; it takes --filter"),
    (["eval", "reach", "--mode", "mirror"], "`eval reach` takes no --mode"),
    (["eval", "intent", "--no-lead", "--mode", "anatomical"], "`eval intent` takes no --mode"),
    (["eval", "intent", "--data", "tests", "--wander"], "`eval intent --data` takes no --wander"),
    (["demo", "--seconds", "-1"], "--seconds must be in"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_a_home_without_the_project_names_the_folder_and_the_variable(tmp_path: Path) -> None:
    """MIRRORBOT_HOME at a folder without models/ and sims/: say where it looked and the fix."""
    result = run_cli("run", "--source", "synthetic:wave", "--out", str(tmp_path / "o"),
                     "--no-video", env={"MIRRORBOT_HOME": str(tmp_path)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(tmp_path / "sims" / "scenes") in lines[0]
    assert f"MIRRORBOT_HOME is set to {tmp_path}: unset it, or point it at" in lines[0]
    (tmp_path / "sims" / "scenes").mkdir(parents=True)
    result = run_cli("learn", "x", "a.jsonl", env={"MIRRORBOT_HOME": str(tmp_path)})
    assert result.returncode == 2 and f"models folder not found at {tmp_path / 'models'}" \
        in result.stderr and "MIRRORBOT_HOME is set" in result.stderr


def test_record_cuts_the_labels_to_the_seconds_recorded(tmp_path: Path) -> None:
    """A 3 s recording of a longer labelled source has no label past 3 s (one ended at 3.09)."""
    out = tmp_path / "r.jsonl"
    result = run_cli("record", "--source", "synthetic:wave,drink", "--seconds", "3", "--out",
                     str(out))
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    labels = json.loads(lines[0])["labels"]
    assert [label["goal"] for label in labels] == ["wave"]  # the drink starts after 3 s
    assert labels[0]["end"] == 3.0 and json.loads(lines[-1])["t"] < 3.0


def test_unwritable_output_folder_is_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_cli("demo", "--out", str(blocker / "sub"), "--seconds", "1", "--no-video")
    assert result.returncode == 2 and "pass a writable --out DIR" in result.stderr


@pytest.mark.parametrize(("text", "kind", "arg"), [
    ("camera", SourceKind.CAMERA, "0"), ("camera:2", SourceKind.CAMERA, "2"),
    ("video:a.mp4", SourceKind.VIDEO, "a.mp4"), ("clips/a.mp4", SourceKind.VIDEO, "clips/a.mp4"),
    ("images:frames", SourceKind.IMAGES, "frames"),
    ("recording:r.jsonl", SourceKind.RECORDING, "r.jsonl"),
    ("synthetic:wave,drink", SourceKind.SYNTHETIC, "wave,drink"),
])
def test_source_forms_parse(text: str, kind: SourceKind, arg: str) -> None:
    spec = parse_source(text)
    assert (spec.kind, spec.arg) == (kind, arg)


def test_empty_source_argument_is_an_error() -> None:
    with pytest.raises(SourceError, match="needs something after the colon"):
        parse_source("video:")


@pytest.mark.slow
def test_bench_prints_measured_figures_as_json() -> None:
    result = run_cli("bench", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["tracking"]["found_fraction"] == 1.0
    assert 0 < figures["tracking"]["p50"] <= figures["tracking"]["p99"]
    assert figures["filter"]["p50"] > 0
    assert figures["simulation"]["realtime_factor"] > 0
    assert figures["demo"]["fps"] > 0 and figures["demo"]["frames"] > 0
    parts = figures["video_parts"]
    assert all(parts[k]["p50"] > 0 for k in ("robot", "person", "compose", "write"))
    assert parts["encode_cpu_ms"] > 0


def test_latency_histogram_has_exact_percentiles_in_constant_memory() -> None:
    from mirrorbot.output.summary import LatencyHistogram

    rng = np.random.default_rng(0)
    values = rng.lognormal(0.0, 1.0, 20000)
    hist = LatencyHistogram()
    for v in values:
        hist.add(float(v))
    for p in (50, 95, 99):
        assert hist.percentile(p) == pytest.approx(np.percentile(values, p), rel=0.01)
    assert hist.max_ms == pytest.approx(values.max())
    assert len(hist._exact) == hist.EXACT  # the rest is only binned


@pytest.mark.parametrize("args", [("eval",), ("eval", "foo"), ("run",),
                                  ("record", "--source", "synthetic:wave", "--out", "x.jsonl",
                                   "--seconds", "abc")])
def test_argument_errors_are_one_line_naming_the_help(args: tuple[str, ...]) -> None:
    """The parser's own errors: one line and exit 2 (a usage block came before the line)."""
    result = run_cli(*args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "error:" in lines[0] and "--help` lists the options" in lines[0]
