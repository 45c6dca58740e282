"""Motion capture as a source: BVH parsing, joint names, units, labels, broken files, eval --data.

Every BVH file here is written by the test: a small standing skeleton (hips, spine, head, arms,
legs) in one of the supported namings, whose left arm swings out sideways and up.
"""

from __future__ import annotations

import gzip
import json
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from helpers import run_cli
from mirrorbot.errors import SourceError
from mirrorbot.output.skeleton_view import view_points
from mirrorbot.perception.bvh import forward_kinematics, load_bvh, parse_bvh
from mirrorbot.perception.landmarks import Landmark
from mirrorbot.perception.mocap_landmarks import mocap_landmarks, normalise_joint_name
from mirrorbot.perception.source_spec import SourceKind, parse_source
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.sources.mocap_source import MocapClip, parse_bvh_options

POS_TOL_M = 1e-6
HANG_DEG = 8.0  # the arms hang this far out from the body

NAMINGS = {  # role -> joint name
    "bandai": {"hips": "Hips", "spine": "Chest", "neck": "Neck", "head": "Head",
               "l_arm": "UpperArm_L", "l_fore": "LowerArm_L", "l_hand": "Hand_L",
               "r_arm": "UpperArm_R", "r_fore": "LowerArm_R", "r_hand": "Hand_R",
               "l_up": "UpperLeg_L", "l_leg": "LowerLeg_L", "l_foot": "Foot_L",
               "r_up": "UpperLeg_R", "r_leg": "LowerLeg_R", "r_foot": "Foot_R"},
    "cmu": {"hips": "Hips", "spine": "Spine", "neck": "Neck", "head": "Head",
            "l_arm": "LeftArm", "l_fore": "LeftForeArm", "l_hand": "LeftHand",
            "r_arm": "RightArm", "r_fore": "RightForeArm", "r_hand": "RightHand",
            "l_up": "LeftUpLeg", "l_leg": "LeftLeg", "l_foot": "LeftFoot",
            "r_up": "RightUpLeg", "r_leg": "RightLeg", "r_foot": "RightFoot"},
}
NAMINGS["mixamo"] = {k: f"mixamorig:{v}" for k, v in NAMINGS["cmu"].items()}


def write_bvh(path: Path, naming: str = "cmu", *, unit_m: float = 0.01, frames: int = 45,
              rate_hz: float = 30.0, raise_deg: float = 160.0, forward: bool = False,
              hold_frames: int = 0, raise_frames: int | None = None,
              arm_angles: Callable[[int], tuple[list[float], list[float]]] | None = None,
              body_angles: Callable[[int], tuple[float, float]] | None = None) -> Path:
    """A standing person (Y up, facing +z) whose left arm rises ``raise_deg`` from hanging.

    Sideways (about the forward axis) or, with ``forward``, to the front. The first
    ``hold_frames`` frames hold the arm down; the raise takes ``raise_frames`` (default half
    the clip) on a cosine profile. ``arm_angles(k)``, when given, replaces that: both arms' Z, X, Y
    rotations [deg] of frame k, upper arm and forearm of the left (the right mirrors it);
    ``body_angles(k)``: the trunk's forward bend and the left thigh's forward swing [deg] (the
    right thigh swings the other way). Offsets are world-aligned (a T-pose file whose arms
    hang at zero rotation), in units of ``unit_m`` metres.
    """
    n = NAMINGS[naming]
    u = 1.0 / unit_m  # file units per metre

    def off(x: float, y: float, z: float) -> str:
        return f"OFFSET {x * u:.6f} {y * u:.6f} {z * u:.6f}"

    rot = "CHANNELS 3 Zrotation Xrotation Yrotation"

    def chain(names: list[str], offsets: list[tuple[float, float, float]], end: tuple) -> str:
        text, close = "", ""
        for name, o in zip(names, offsets, strict=True):
            text += f"JOINT {name}\n{{\n{off(*o)}\n{rot}\n"
            close += "}\n"
        return text + f"End Site\n{{\n{off(*end)}\n}}\n" + close

    # The person's left is +x when they face +z with Y up (x = y cross z).
    arms = "".join(chain([n[f"{s}_arm"], n[f"{s}_fore"], n[f"{s}_hand"]],
                         [(sign * 0.18, 0.45, 0.0), (0, -0.29, 0), (0, -0.26, 0)], (0, -0.09, 0))
                   for s, sign in (("l", 1.0), ("r", -1.0)))
    legs = "".join(chain([n[f"{s}_up"], n[f"{s}_leg"], n[f"{s}_foot"]],
                         [(sign * 0.09, 0.0, 0.0), (0, -0.45, 0), (0, -0.42, 0)],
                         (0, -0.05, 0.12)) for s, sign in (("l", 1.0), ("r", -1.0)))
    hierarchy = (f"HIERARCHY\nROOT {n['hips']}\n{{\n{off(0, 0.95, 0)}\n"
                 "CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation\n"
                 f"JOINT {n['spine']}\n{{\n{off(0, 0.1, 0)}\n{rot}\n"
                 f"JOINT {n['neck']}\n{{\n{off(0, 0.45, 0)}\n{rot}\n"
                 f"JOINT {n['head']}\n{{\n{off(0, 0.08, 0)}\n{rot}\n"
                 f"End Site\n{{\n{off(0, 0.15, 0)}\n}}\n}}\n}}\n"
                 f"{arms}}}\n{legs}}}\n")
    # Channels in file order: hips 6, spine 3, neck 3, head 3, left arm 9, right arm 9, legs 18.
    rows = []
    for k in range(frames):
        span = raise_frames if raise_frames is not None else max(frames // 2, 1)
        share = 0.0 if k < hold_frames else min((k - hold_frames) / span, 1.0)
        angle = raise_deg * (0.5 - 0.5 * np.cos(np.pi * share))
        bend, swing = body_angles(k) if body_angles is not None else (0.0, 0.0)
        # Hips 6 channels; the spine bends forward (a positive turn about x tips +y toward +z).
        values = [0.0, 0.95 * u, 0.0, 0.0, 0.0, 0.0] + [0.0, bend, 0.0] + [0.0] * 6
        # Sideways: about +z (forward) by -angle lifts the +x arm; forward: about x by -angle.
        # Z, X, Y rotations; both arms hang HANG_DEG away from the body, as people's do.
        if arm_angles is None:
            l_arm = [HANG_DEG, -angle, 0.0] if forward else [HANG_DEG + angle, 0.0, 0.0]
            values += l_arm + [0.0] * 6 + [-HANG_DEG, 0.0, 0.0] + [0.0] * 6
            values += [0.0, -swing, 0.0] + [0.0] * 6 + [0.0, swing, 0.0] + [0.0] * 6
        else:
            upper, fore = arm_angles(k)
            mirror = [-upper[0], upper[1], -upper[2]], [-fore[0], fore[1], -fore[2]]
            values += [*upper, *fore, 0.0, 0.0, 0.0, *mirror[0], *mirror[1], 0.0, 0.0, 0.0]
            values += [0.0, -swing, 0.0] + [0.0] * 6 + [0.0, swing, 0.0] + [0.0] * 6
        rows.append(" ".join(f"{v:.5f}" for v in values))
    text = (hierarchy + f"MOTION\nFrames: {frames}\nFrame Time: {1.0 / rate_hz:.6f}\n"
            + "\n".join(rows) + "\n")
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


def test_rotation_order_and_signs_follow_the_channels(tmp_path: Path) -> None:
    """Channels compose in file order, right-handed: Ry(90) takes x to -z, Rz(90) x to y."""
    text = ("HIERARCHY\nROOT a\n{\nOFFSET 0 0 0\nCHANNELS 3 Zrotation Xrotation Yrotation\n"
            "JOINT b\n{\nOFFSET 1 0 0\nCHANNELS 3 Zrotation Xrotation Yrotation\n"
            "End Site\n{\nOFFSET 1 0 0\n}\n}\n}\nMOTION\nFrames: 2\nFrame Time: 0.5\n"
            "0 0 90 0 0 0\n90 0 0 0 0 0\n")
    clip = parse_bvh(text, tmp_path / "x.bvh")
    P, _, ends = forward_kinematics(clip)
    np.testing.assert_allclose(P[0, 1], [0, 0, -1], atol=POS_TOL_M)
    np.testing.assert_allclose(P[1, 1], [0, 1, 0], atol=POS_TOL_M)
    np.testing.assert_allclose(ends[0, 1], [0, 0, -2], atol=POS_TOL_M)


@pytest.mark.parametrize("naming", sorted(NAMINGS))
def test_each_naming_gives_the_landmarks_of_a_person_facing_the_camera(tmp_path: Path,
                                                                       naming: str) -> None:
    clip = load_bvh(write_bvh(tmp_path / f"{naming}.bvh", naming))
    m = mocap_landmarks(clip)
    assert m.units == "cm" and m.up_axis == "+y"
    w = m.world_m
    assert w.shape == (45, 33, 3)
    hips = (w[:, Landmark.LEFT_HIP] + w[:, Landmark.RIGHT_HIP]) / 2
    np.testing.assert_allclose(hips, 0.0, atol=POS_TOL_M)  # hip-centred
    # The person's left is the image's right (+x); up is -y; the nose is toward the camera.
    assert w[0, Landmark.LEFT_SHOULDER, 0] == pytest.approx(0.18, abs=1e-6)
    assert w[0, Landmark.LEFT_SHOULDER, 1] == pytest.approx(-0.55, abs=1e-6)
    assert w[0, Landmark.NOSE, 2] < w[0, Landmark.LEFT_EAR, 2] - 0.05
    # The left arm hangs, then is raised 160 degrees sideways: the wrist ends above the head.
    hang = np.radians(HANG_DEG)
    assert w[0, Landmark.LEFT_WRIST, 1] == pytest.approx(-0.55 + 0.55 * np.cos(hang), abs=1e-6)
    assert w[0, Landmark.LEFT_WRIST, 0] == pytest.approx(0.18 + 0.55 * np.sin(hang), abs=1e-6)
    assert w[-1, Landmark.LEFT_WRIST, 1] < w[-1, Landmark.NOSE, 1]
    # Arm lengths are the skeleton's, in metres.
    upper = np.linalg.norm(w[:, Landmark.LEFT_ELBOW] - w[:, Landmark.LEFT_SHOULDER], axis=1)
    np.testing.assert_allclose(upper, 0.29, atol=1e-6)


@pytest.mark.parametrize(("unit_m", "name"), [(1.0, "m"), (0.001, "mm"), (0.0254, "in"),
                                              (0.0254 / 0.45, "cmu")])
def test_units_are_found_from_the_skeleton(tmp_path: Path, unit_m: float, name: str) -> None:
    m = mocap_landmarks(load_bvh(write_bvh(tmp_path / "u.bvh", unit_m=unit_m)))
    assert m.units == name
    width = np.linalg.norm(m.world_m[0, Landmark.LEFT_SHOULDER]
                           - m.world_m[0, Landmark.RIGHT_SHOULDER])
    assert width == pytest.approx(0.36, rel=1e-4)


def test_units_and_up_can_be_given(tmp_path: Path) -> None:
    path = write_bvh(tmp_path / "g.bvh", unit_m=0.01)
    m = mocap_landmarks(load_bvh(path), parse_bvh_options({"units": "m", "up": "y"}))
    assert m.units == "m" and m.scale_m == 1.0
    with pytest.raises(SourceError, match="units='furlong' is not known"):
        mocap_landmarks(load_bvh(path), parse_bvh_options({"units": "furlong"}))
    with pytest.raises(SourceError, match="unknown bvh option"):
        parse_bvh_options({"speed": "2"})


def test_joint_names_are_normalised() -> None:
    assert normalise_joint_name("mixamorig:Left_Arm") == "leftarm"
    assert normalise_joint_name("UpperArm_L") == "upperarml"


def test_a_bvh_source_plays_with_labels_from_labels_csv(tmp_path: Path) -> None:
    path = write_bvh(tmp_path / "clip.bvh.gz", "mixamo", frames=60)
    (tmp_path / "labels.csv").write_text("file,goal,hands,style\nclip.bvh.gz,raise,left,calm\n")
    spec = parse_source(f"bvh:{path}?units=cm")
    assert spec.kind is SourceKind.BVH and spec.path == path
    assert parse_source(str(path)).kind is SourceKind.BVH  # a bare .bvh.gz path is mocap
    clip = MocapClip(spec.path, parse_bvh_options(spec.options))
    assert len(clip) == 60 and clip.rate_hz == pytest.approx(30.0, rel=1e-4)
    (label,) = clip.labels
    assert label.goal == "raise" and label.start_s == 0.0
    assert label.end_s == pytest.approx(59 / 30.0, rel=1e-4)
    assert clip.header_extra["mocap"]["style"] == "calm"
    frames = list(clip.frames())
    assert frames[1][0] == pytest.approx(1 / 30.0, rel=1e-4)
    # The video draws the skeleton as a camera in front would see it: whole, upright, facing.
    uv = view_points(frames[0][1].world_m)
    assert uv is not None and np.all((uv > 0.0) & (uv < 1.0))
    assert uv[Landmark.NOSE, 1] < uv[Landmark.LEFT_HIP, 1] < uv[Landmark.LEFT_ANKLE, 1]
    assert uv[Landmark.LEFT_SHOULDER, 0] > uv[Landmark.RIGHT_SHOULDER, 0]  # left on the right


def test_a_120_hz_clip_is_thinned_to_60(tmp_path: Path) -> None:
    clip = MocapClip(write_bvh(tmp_path / "fast.bvh", frames=120, rate_hz=120.0))
    assert clip.stride == 2 and len(clip) == 60 and clip.rate_hz == pytest.approx(60.0, rel=1e-3)


BROKEN = {
    "no_motion.bvh": "HIERARCHY\nROOT a\n{\nOFFSET 0 0 0\nCHANNELS 3 Zrotation Xrotation "
                     "Yrotation\n}\n",
    "short_row.bvh": "HIERARCHY\nROOT a\n{\nOFFSET 0 0 0\nCHANNELS 3 Zrotation Xrotation "
                     "Yrotation\n}\nMOTION\nFrames: 1\nFrame Time: 0.03\n1 2\n",
    "not_bvh.bvh": "hello\n",
    "huge_offset.bvh": "HIERARCHY\nROOT a\n{\nOFFSET 0 1e300 0\nCHANNELS 3 Zrotation Xrotation "
                       "Yrotation\n}\nMOTION\nFrames: 1\nFrame Time: 0.03\n0 0 0\n",
    "robot_arm.bvh": "HIERARCHY\nROOT base\n{\nOFFSET 0 0 0\nCHANNELS 3 Zrotation Xrotation "
                     "Yrotation\nEnd Site\n{\nOFFSET 0 1 0\n}\n}\nMOTION\nFrames: 1\n"
                     "Frame Time: 0.03\n0 0 0\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_bvh_is_refused_with_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(BROKEN[name])
    with pytest.raises(SourceError, match=name):
        MocapClip(path)


def test_a_broken_bvh_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.bvh.gz"
    path.write_bytes(b"not gzip at all")
    result = run_cli("run", "--source", f"bvh:{path}", "--out", str(tmp_path / "out"),
                     "--no-video")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.bvh.gz" in lines[0] and "gzip" in lines[0]


def _frame_lines(text: str) -> tuple[str, list[str], int]:
    """(text up to the frame lines, the frame lines, line number of the first one)."""
    head, _, rest = text.partition("MOTION\n")
    header = "MOTION\n" + "".join(rest.splitlines(keepends=True)[:2])
    rows = rest.splitlines()[2:]
    return head + header, rows, (head + header).count("\n") + 1


def test_a_bvh_cut_inside_a_frame_line_plays_its_whole_frames_with_one_warning(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An interrupted copy cuts a frame line in the middle: the whole frames before it play."""
    head, rows, first = _frame_lines(write_bvh(tmp_path / "whole.bvh", frames=60).read_text())
    cut = tmp_path / "cut.bvh"
    cut.write_text(head + "\n".join(rows[:40]) + "\n" + rows[40][: len(rows[40]) // 2])
    clip = load_bvh(cut)
    assert clip.frame_count == 40
    np.testing.assert_array_equal(clip.motion, load_bvh(tmp_path / "whole.bvh").motion[:40])
    warnings = capsys.readouterr().err.strip().splitlines()
    assert len(warnings) == 1
    assert f"line {first + 40} cut short; playing the first 40 frames" in warnings[0]
    at_line_end = tmp_path / "at_line_end.bvh"  # cut between two lines: plays, says so too
    at_line_end.write_text(head + "\n".join(rows[:40]) + "\n")
    assert load_bvh(at_line_end).frame_count == 40
    assert "ends after 40" in capsys.readouterr().err


@pytest.mark.parametrize(("row", "match"), [
    (lambda r: r.replace("0.00000", "abc", 1), "'abc' in a frame line is not a number"),
    (lambda r: " ".join(r.split()[:-2]), "a frame line has 49 values, every frame needs 51"),
    (lambda r: r + " 1 2", "a frame line has 53 values, every frame needs 51"),
], ids=["not_a_number", "short", "long"])
def test_a_bad_frame_line_is_named_by_its_own_line(tmp_path: Path, row: Callable[[str], str],
                                                   match: str) -> None:
    head, rows, first = _frame_lines(write_bvh(tmp_path / "whole.bvh", frames=60).read_text())
    rows[30] = row(rows[30])
    path = tmp_path / "bad.bvh"
    path.write_text(head + "\n".join(rows) + "\n")
    with pytest.raises(SourceError, match=f"bad.bvh, line {first + 30}: {match}"):
        load_bvh(path)


@pytest.mark.parametrize(("value", "columns", "match"), [
    ("1e308", slice(None), "line {line}: Hips Xposition is 1e\\+308, more than 1000 times"),
    ("inf", slice(3, 4), "line {line}: Hips Zrotation is inf, not a finite number"),
    ("nan", slice(7, 8), "line {line}: Spine Xrotation is nan, not a finite number"),
    ("1e20", slice(9, 10), "line {line}: Neck Zrotation is 1e\\+20 degrees"),
], ids=["huge", "inf", "nan", "huge_rotation"])
def test_absurd_values_in_a_frame_are_one_error_naming_line_and_channel(
        tmp_path: Path, value: str, columns: slice, match: str) -> None:
    """No numpy warning on the way: the line is refused before any arithmetic."""
    head, rows, first = _frame_lines(write_bvh(tmp_path / "whole.bvh", frames=60).read_text())
    values = rows[30].split()
    values[columns] = [value] * len(values[columns])
    rows[30] = " ".join(values)
    path = tmp_path / "absurd.bvh"
    path.write_text(head + "\n".join(rows) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(SourceError, match=match.format(line=first + 30)) as info:
            MocapClip(path)
    assert "delete that line" in str(info.value)


@pytest.mark.slow  # end to end through the CLI, a few seconds
def test_eval_retarget_data_scores_two_small_bvh_files(tmp_path: Path) -> None:
    """Two clips made here: the mirror follows a slow sideways and a forward raise."""
    data = tmp_path / "clips"
    data.mkdir()
    write_bvh(data / "side.bvh", "bandai", frames=90, raise_deg=110.0)
    write_bvh(data / "front.bvh", "cmu", frames=90, raise_deg=110.0, forward=True)
    result = run_cli("eval", "retarget", "--data", str(data), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [c["clip"] for c in report["clips"]] == ["front.bvh", "side.bvh"]
    overall = report["overall"]
    assert overall["clips"] == 2 and overall["scored_frames"] == 2 * (90 - 15)
    assert overall["median_deg"] < 5.0 and overall["worst_clip_p90_deg"] < 20.0
    assert overall["stalls"] == 0 and overall["blocked_frames"] == 0
    assert all(v == 0 for v in overall["violations"].values())
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = run_cli("eval", "retarget", "--data", str(empty))
    assert bad.returncode == 2 and "no .bvh" in bad.stderr
    short = tmp_path / "short"
    short.mkdir()
    write_bvh(short / "blink.bvh", "bandai", frames=10, raise_deg=0.0)  # within the skip
    nothing = run_cli("eval", "retarget", "--data", str(short))
    said = [line for line in nothing.stderr.splitlines() if line.startswith("mirrorbot: error")]
    assert nothing.returncode == 2 and len(said) == 1, nothing.stderr  # was exit 0, "None deg"
    assert "has a frame to score" in said[0]


def test_a_forward_raise_from_rest_passes_the_table_and_arrives_in_half_a_second(
        tmp_path: Path) -> None:
    """A straight arm raised forward to 40 degrees above horizontal in a quarter second.

    Before, the table stopped the robot's arm at its edge (shoulder at 0.63 rad for the whole
    hold, commanded 2.3). Copying only, in PyBullet with the tabletop scene.
    """
    from mirrorbot.eval.eval_clips import trace_clip
    from mirrorbot.eval.eval_retarget import _angle_deg
    from mirrorbot.paths import scene_path
    from mirrorbot.retarget.retarget import Mapping
    from mirrorbot.sim.scene import load_scene
    from mirrorbot.sim.simulator import Simulator

    hold, span, rate = 15, 8, 30.0
    path = write_bvh(tmp_path / "raise.bvh", frames=60, raise_deg=130.0, forward=True,
                     hold_frames=hold, raise_frames=span)
    scene = load_scene(scene_path("tabletop"))
    with Simulator(scene=scene) as sim:
        trace, _ = trace_clip(f"bvh:{path}", sim, scene, Mapping.MIRROR)
        flex = sim.model.index("right_shoulder_flex")  # the person's left drives the right
    arrived = int(round((hold + span) / 1.0 + 0.5 * rate))
    err = _angle_deg(trace.robot[arrived], trace.person[arrived])
    assert err.max() < 5.0, err
    assert trace.q[arrived][flex] > 2.1  # 130 degrees of flexion (2.27 rad)
    late = np.array([_angle_deg(r, p).max() for r, p in zip(trace.robot[arrived:],
                                                            trace.person[arrived:],
                                                            strict=True)])
    assert late.max() < 5.0


def _elbow_and_hand_paths_m(trace: object, model: object) -> tuple[np.ndarray, np.ndarray]:
    """Path lengths [m] of each robot arm's elbow and wrist over a trace, (2,) each."""
    from mirrorbot.robot.urdf_builder import FOREARM_LENGTH_M, UPPER_ARM_LENGTH_M

    dirs = np.array(trace.robot)  # (T, 2 arms, 2 limbs, 3)
    elbow = UPPER_ARM_LENGTH_M * dirs[:, :, 0]
    wrist = elbow + FOREARM_LENGTH_M * dirs[:, :, 1]
    step = lambda p: np.linalg.norm(np.diff(p, axis=0), axis=-1).sum(axis=0)  # noqa: E731
    return step(elbow), step(wrist)


def _cosine(k: int, start: int, frames: int) -> float:
    return float(0.5 - 0.5 * np.cos(np.pi * min(max((k - start) / frames, 0.0), 1.0)))


@pytest.mark.parametrize("gesture", ["raise_through_the_side", "wave_overhead"])
def test_overhead_gestures_never_swing_the_elbow_across(tmp_path: Path, gesture: str) -> None:
    """Both arms raised overhead through the side, palms turned up; a wave over the head.

    With a flexion-first shoulder both sat on its gimbal or past its limits: the elbow swung
    out and across while the hand went straight up (real actors' raises, 75 deg at the 90th
    percentile). Copying, the elbow travels no more than its share of the hand's path, and
    the arm ends where the person's is.
    """
    from mirrorbot.eval.eval_clips import trace_clip
    from mirrorbot.eval.eval_retarget import _angle_deg
    from mirrorbot.paths import scene_path
    from mirrorbot.retarget.retarget import Mapping
    from mirrorbot.sim.scene import load_scene
    from mirrorbot.sim.simulator import Simulator

    def raise_through_the_side(k: int) -> tuple[list[float], list[float]]:
        s = _cosine(k, 10, 20)  # 0.67 s from hanging to overhead
        return [HANG_DEG + s * (172.0 - HANG_DEG), 0.0, 80.0 * s], [0.0, -20.0 * s, 0.0]

    def wave_overhead(k: int) -> tuple[list[float], list[float]]:
        s = _cosine(k, 5, 15)
        swing = 35.0 * np.sin(2 * np.pi * 2.0 * max(k - 20, 0) / 30.0)  # 2 Hz over the head
        return [HANG_DEG + s * (150.0 - HANG_DEG), -10.0 * s, 0.0], [s * swing, -40.0 * s, 0.0]

    path = write_bvh(tmp_path / f"{gesture}.bvh", frames=75,
                     arm_angles=raise_through_the_side if gesture.startswith("raise")
                     else wave_overhead)
    scene = load_scene(scene_path("tabletop"))
    with Simulator(scene=scene) as sim:
        trace, _ = trace_clip(f"bvh:{path}", sim, scene, Mapping.MIRROR)
        elbow_m, hand_m = _elbow_and_hand_paths_m(trace, sim.model)
    # The elbow is half as far from the shoulder as the hand: a swing makes its path the longer.
    assert np.all(elbow_m < 0.7 * hand_m), (elbow_m, hand_m)
    end = _angle_deg(trace.robot[-1], trace.person[-1])
    assert end.max() < 10.0, end


def test_motion_capture_drives_the_arms_unfiltered_at_full_speed(model: RobotModel,
                                                                  tmp_path: Path) -> None:
    """Noise-free input: no filter in front of the arms, the joints' whole speed.

    Input through a pose model keeps its filter and 70% of the speed (faster only followed
    the noise: 26% more jerk on the synthetic sessions at the same error).
    """
    from mirrorbot.control.safety import NOISY_INPUT_VELOCITY_FRACTION
    from mirrorbot.paths import scene_path
    from mirrorbot.perception.landmarks import PoseFrame
    from mirrorbot.perception.pose_filter import FilterConfig, FilterMethod, PoseFilter
    from mirrorbot.retarget.retarget import Mapping
    from mirrorbot.robot.scripted import rest_pose
    from mirrorbot.run.session import build_stages
    from mirrorbot.sim.scene import load_scene
    from mirrorbot.sources.pose_sources import open_pose_source

    path = write_bvh(tmp_path / "a.bvh")
    assert open_pose_source(parse_source(f"bvh:{path}")).noise_free
    assert not getattr(open_pose_source(parse_source("synthetic:wave")), "noise_free", False)
    scene = load_scene(scene_path("tabletop"))
    fast, slow = (build_stages(model, scene, Mapping.MIRROR, rest_pose(model), noise_free=free)
                  for free in (True, False))
    np.testing.assert_allclose(fast.shaper.v_max, model.velocity_rad_s)
    np.testing.assert_allclose(slow.shaper.v_max,
                               NOISY_INPUT_VELOCITY_FRACTION * model.velocity_rad_s)
    raw = PoseFilter(FilterConfig(method=FilterMethod.NONE))
    rng = np.random.default_rng(0)
    for k in range(5):
        world = rng.normal(0.0, 0.3, (33, 3))
        filtered = raw(PoseFrame(k / 30, world, np.ones(33)), k / 30)
        assert filtered is not None
        np.testing.assert_array_equal(raw.for_robot(filtered).world_m, world)


def test_a_bvh_gz_cut_short_plays_what_it_holds(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """An interrupted copy of a compressed clip plays its whole frames up to the cut."""
    whole = write_bvh(tmp_path / "whole.bvh", frames=300)
    packed = gzip.compress(whole.read_bytes())
    cut = tmp_path / "cut.bvh.gz"
    cut.write_bytes(packed[: int(len(packed) * 0.6)])
    clip = load_bvh(cut)
    assert 0 < clip.frame_count < 300
    np.testing.assert_array_equal(clip.motion, load_bvh(whole).motion[:clip.frame_count])
    err = capsys.readouterr().err
    assert "compressed file is cut short" in err and "playing the first" in err
    with pytest.raises(SourceError, match="cannot be read"):  # nothing decompresses at all
        (tmp_path / "stub.bvh.gz").write_bytes(packed[:12])
        load_bvh(tmp_path / "stub.bvh.gz")


def test_more_frame_lines_than_the_header_says_are_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'Frames: 5' above 60 frame lines plays 5 frames and says how to play them all."""
    text = write_bvh(tmp_path / "whole.bvh", frames=60).read_text()
    short = tmp_path / "short_header.bvh"
    short.write_text(text.replace("Frames: 60", "Frames: 5"))
    assert load_bvh(short).frame_count == 5
    assert "60 frame lines but 'Frames: 5'; playing 5 (set 'Frames:' to 60" \
        in capsys.readouterr().err
