"""eval intent --data on whole labelled clips: the per-clip figures and the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from helpers import run_cli
from mirrorbot.eval.eval_intent_clips import Clip, score_clip
from mirrorbot.mind.intent import GoalBelief
from test_mocap import write_bvh


def _beliefs(tops: list[tuple[str, float, str | None]]) -> list[GoalBelief]:
    """Beliefs whose most probable goal, its probability and the commitment are given."""
    out = []
    for goal, p, committed in tops:
        rest = (1.0 - p) / 2
        probs = {"wave": rest, "raise": rest, "none": rest}
        probs[goal] = p
        out.append(GoalBelief(probs=probs, committed=committed))
    return out


def test_a_clip_is_read_as_its_most_committed_goal_and_flips_are_counted() -> None:
    tops = ([("none", 0.95, None)] * 2 + [("raise", 0.92, "raise")] * 2
            + [("wave", 0.6, "raise")] + [("wave", 0.95, "wave")] * 5 + [("raise", 0.5, None)])
    clip = Clip("c", [(k / 10, None) for k in range(len(tops))], "wave", {})
    row = score_clip(clip, _beliefs(tops))
    assert row["read_as"] == "wave" and row["right"]  # 5 frames of wave against 3 of raise
    assert row["commitments"] == 2  # raise, then wave
    assert row["first_right_fraction"] == 0.5  # frame 5 of a clip ending at frame 10
    assert row["flips"] == 1  # raise -> wave (none at rest is no goal; 0.6 and 0.5 are unsure)
    still = score_clip(Clip("s", clip.frames, "none", {}), _beliefs([("none", 0.99, None)] * 11))
    assert still["right"] and still["commitments"] == 0 and still["flips"] == 0


def test_eval_intent_data_reads_labelled_bvh_clips(tmp_path: Path) -> None:
    """A person who stands still is read as ``none``, with no commitment; the command works."""
    data = tmp_path / "clips"
    data.mkdir()
    write_bvh(data / "still.bvh", frames=60, raise_deg=0.0)
    write_bvh(data / "raise.bvh", "mixamo", frames=75, raise_deg=170.0, hold_frames=15,
              raise_frames=20)
    (data / "labels.csv").write_text("file,goal,hands,style\nstill.bvh,none,none,calm\n"
                                     "raise.bvh,raise,left,calm\n")
    result = run_cli("eval", "intent", "--data", str(data), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    rows = {r["clip"]: r for r in report["clips"]}
    assert set(rows) == {"still.bvh", "raise.bvh"}
    assert rows["still.bvh"]["read_as"] == "none" and rows["still.bvh"]["commitments"] == 0
    assert report["overall"]["none_clips"] == 1
    assert report["overall"]["commitments_on_none_clips"] == 0
    assert set(report["targets"]) == {"read_right_at_least_90pct", "no_commitment_on_none_clips",
                                      "right_goal_by_60pct_in_80pct", "at_most_one_flip_per_clip"}
    assert np.isfinite(report["overall"]["read_right"])


def _walk(k: int) -> tuple[list[float], list[float]]:
    """Arms swinging forward and back at a walk's 1 Hz, in step with the opposite leg."""
    phase = np.sin(2 * np.pi * k / 30.0)
    return [8.0, -30.0 * phase, 0.0], [0.0, -15.0 - 10.0 * phase, 0.0]


def test_walking_and_bowing_commit_to_nothing(tmp_path: Path) -> None:
    """Arms that swing in a walk or hang as the trunk bends are not gestures.

    Read by the arms alone, the forward swing of a walk and the hands coming forward in a bow
    look like the start of a reach (real actors' walks and bows drew 150 commitments in 30
    clips); the legs moving or the trunk turning fast mark them as the body's movement.
    """
    from mirrorbot.eval.eval_intent_clips import evaluate_clips, labelled_clips
    from mirrorbot.run.session import build_intent

    data = tmp_path / "clips"
    data.mkdir()
    write_bvh(data / "walk.bvh", frames=150, arm_angles=_walk,
              body_angles=lambda k: (0.0, 25.0 * np.sin(2 * np.pi * k / 30.0)))
    write_bvh(data / "bow.bvh", frames=120,
              arm_angles=lambda k: ([8.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
              body_angles=lambda k: (60.0 * float(np.sin(np.pi * min(k / 90.0, 1.0))), 0.0))
    (data / "labels.csv").write_text("file,goal\nwalk.bvh,none\nbow.bvh,none\n")
    report = evaluate_clips(labelled_clips(data), lambda: build_intent("ours"), progress=False)
    rows = {r["clip"]: r for r in report["clips"]}
    assert rows["walk.bvh"]["commitments"] == 0 and rows["bow.bvh"]["commitments"] == 0, rows
    assert rows["walk.bvh"]["flips"] <= 1 and rows["bow.bvh"]["flips"] <= 1, rows


def test_hands_held_together_are_a_posture_not_a_gesture() -> None:
    """Hands held together are the body's posture, not one hand's gesture.

    Wrists within half a shoulder width of each other (clasped in front, as the actors hold
    them before and after a bow) mark the body's movement; one hand out does not.
    """
    from mirrorbot.mind.body_motion import BodyMotion
    from mirrorbot.perception.landmarks import Landmark

    world = np.zeros((33, 3))
    world[Landmark.LEFT_SHOULDER], world[Landmark.RIGHT_SHOULDER] = (0.2, -0.5, 0), (-0.2, -0.5, 0)
    world[Landmark.LEFT_HIP], world[Landmark.RIGHT_HIP] = (0.1, 0, 0), (-0.1, 0, 0)
    apart, together = world.copy(), world.copy()
    apart[Landmark.LEFT_WRIST], apart[Landmark.RIGHT_WRIST] = (0.25, 0.1, -0.2), (-0.1, -0.3, -0.4)
    together[Landmark.LEFT_WRIST] = (0.04, -0.1, -0.3)
    together[Landmark.RIGHT_WRIST] = (-0.04, -0.1, -0.3)
    visibility = np.ones(33)
    body = BodyMotion()
    assert not body(apart, visibility, 0.0) and not body(apart, visibility, 0.1)
    assert body(together, visibility, 0.2)
    assert body(apart, visibility, 0.5)  # held a moment after, as any body movement
    assert not body(apart, visibility, 1.0)


def test_a_label_with_a_goal_the_robot_does_not_know_is_refused(tmp_path: Path) -> None:
    """``Raise`` (or ``rasie``) typed in a spreadsheet scored every clip a miss, silently."""
    data = tmp_path / "clips"
    data.mkdir()
    write_bvh(data / "still.bvh", frames=30, raise_deg=0.0)
    for typed, meant in (("Raise", "raise"), ("rasie", "raise"), ("dance", None)):
        (data / "labels.csv").write_text(f"file,goal\nstill.bvh,{typed}\n")
        result = run_cli("eval", "intent", "--data", str(data))
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1, result.stderr
        assert f"goal {typed!r} is not a goal the robot knows" in lines[0]
        assert "still.bvh" in lines[0]
        assert (f"did you mean {meant!r}" in lines[0]) == (meant is not None), lines[0]


def test_a_recording_labelled_with_an_unknown_goal_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "recs"
    data.mkdir()
    take = data / "take.jsonl"
    made = run_cli("record", "--source", "synthetic:wave?seed=1", "--out", str(take))
    assert made.returncode == 0, made.stderr
    header, *frames = take.read_text().splitlines()
    meta = json.loads(header)
    meta["labels"] = [{**label, "goal": "dance"} for label in meta["labels"]]
    take.write_text("\n".join([json.dumps(meta), *frames]) + "\n")
    result = run_cli("eval", "intent", "--data", str(data))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "take.jsonl" in lines[0] and "goal 'dance' is not a goal the robot knows" in lines[0]


def test_labels_naming_a_missing_clip_or_a_clip_twice_are_said(tmp_path: Path) -> None:
    """A labels.csv row for a clip not in the folder, and a clip labelled twice, each warn once.

    Both were silent: a clip missing from a copy was simply not scored.
    """
    data = tmp_path / "clips"
    data.mkdir()
    write_bvh(data / "still.bvh", frames=30, raise_deg=0.0)
    (data / "labels.csv").write_text("file,goal\nstill.bvh,raise\nstill.bvh,none\n"
                                     "gone.bvh,wave\n")
    result = run_cli("eval", "intent", "--data", str(data), "--json")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 2, result.stderr
    assert "labels still.bvh twice ('raise', then 'none')" in result.stderr
    assert "names 1 clip(s) that are not in" in result.stderr and "gone.bvh" in result.stderr
    assert json.loads(result.stdout)["clips"][0]["label"] == "none"
