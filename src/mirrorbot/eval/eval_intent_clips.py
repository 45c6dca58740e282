"""``mirrorbot eval intent --data DIR`` on whole labelled clips (motion capture, recordings).

Each clip of the folder carries one goal for its whole length (a BVH file's row of
``labels.csv``; a recording whose labels name one goal). The recogniser sees the clip as it
sees a run (the recognition filter, then the intent model) and per clip is reported:

- **read as**: the goal it committed to for most of the committed frames (``none`` when it
  never committed), against the label: right when they agree (a ``none`` clip is right when
  nothing was committed);
- **commitments**: how many times it committed, and on ``none`` clips each is a false one;
- **first right**: when it first committed to the label, as a fraction of the clip;
- **flips**: changes of the confident goal (the most probable one, at ``CONFIDENT`` or more)
  from one goal to another; ``none`` (at rest before and after a gesture) is not a goal, so a
  gesture read right from start to end has none (rest, wave, rest), and one read as a raise
  before it turns out a wave has one.

Overall: the share of clips read right, commitments on ``none`` clips, the share of goal clips
whose right goal was committed by ``BY_FRACTION`` of the clip, the most flips in a clip.
Recordings with several labels are scored per movement by ``mirrorbot.eval.eval_intent`` instead.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.errors import SourceError
from mirrorbot.eval.eval_intent import Session, learned_line, run_model
from mirrorbot.labels import check_label_goals
from mirrorbot.mind.intent import GoalBelief, IntentModel
from mirrorbot.mind.repertoire import load_repertoire
from mirrorbot.output.goal_metrics import top_goal
from mirrorbot.paths import repertoire_dir
from mirrorbot.perception.landmarks import PoseFrame
from mirrorbot.perception.recording import read_recording
from mirrorbot.progress import Progress
from mirrorbot.sources.mocap_source import LABELS_FILE, MocapClip, bvh_files, read_labels_csv
from mirrorbot.warn import warn

CONFIDENT = 0.9  # a goal this probable is what the robot believes
BY_FRACTION = 0.6  # the right goal committed by this fraction of a clip counts as in time


@dataclass
class Clip:
    """One labelled clip: frames and its goal."""

    name: str
    frames: list[tuple[float, PoseFrame | None]]
    goal: str
    extra: dict[str, str]


def labelled_clips(folder: Path) -> list[Clip]:
    """BVH clips with a ``labels.csv`` row, and recordings labelled with one goal, in ``folder``.

    Raises:
        SourceError: Not a folder, or no labelled clip in it.
    """
    if not folder.is_dir():
        raise SourceError(f"--data {folder} is not a folder; pass a folder of labelled .bvh, "
                          ".bvh.gz or .jsonl clips")
    clips = []
    paths = bvh_files(folder)
    missing = sorted(set(read_labels_csv(folder)) - {path.name for path in paths})
    if missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        warn(f"{folder / LABELS_FILE} names {len(missing)} clip(s) that are not in {folder} "
             f"({shown}); they are not used")
    for path in paths:
        mocap = MocapClip(path)
        if mocap.labels:
            extra = {k: str(v) for k, v in mocap.header_extra["mocap"].items()}
            clips.append(Clip(path.name, list(mocap.frames()), mocap.labels[0].goal, extra))
    for path in sorted(folder.glob("*.jsonl")):
        header, frames = read_recording(path)
        goals = {label.goal for label in header.labels}
        if len(goals) == 1:
            clips.append(Clip(path.name, frames, goals.pop(), {}))
    if not clips:
        raise SourceError(f"no labelled clip in {folder}: BVH files need a row in a labels.csv "
                          "beside them (file,goal), recordings a label")
    return clips


def _top(belief: GoalBelief) -> tuple[str, float]:
    """The most probable goal (:func:`top_goal`: ``none`` for an empty belief) and its p."""
    goal = top_goal(belief)
    return goal, float(belief.probs.get(goal, 1.0))


def score_clip(clip: Clip, beliefs: list[GoalBelief]) -> dict[str, Any]:
    """The figures of one clip (see the module docstring)."""
    times = np.array([t for t, _ in clip.frames])
    span = max(float(times[-1] - times[0]), 1e-9) if len(times) else 1e-9
    committed = [b.committed for b in beliefs if b.committed is not None]
    read_as = Counter(committed).most_common(1)[0][0] if committed else "none"
    commitments = sum(1 for prev, cur in zip([None, *beliefs[:-1]], beliefs, strict=True)
                      if cur.committed is not None
                      and (prev is None or prev.committed != cur.committed))
    first_right = next((float((t - times[0]) / span) for t, b in zip(times, beliefs, strict=True)
                        if b.committed == clip.goal), None)
    flips, confident = 0, None
    for belief in beliefs:
        goal, p = _top(belief)
        if p >= CONFIDENT and goal != "none":
            if confident is not None and goal != confident:
                flips += 1
            confident = goal
    return {"clip": clip.name, "label": clip.goal, "read_as": read_as,
            "right": read_as == clip.goal, "commitments": commitments,
            "first_right_fraction": None if first_right is None else round(first_right, 3),
            "flips": flips, **({"style": clip.extra["style"]} if "style" in clip.extra else {})}


def run_clip(model: IntentModel, clip: Clip) -> list[GoalBelief]:
    """The model's belief at every frame of ``clip`` (through the recognition filter)."""
    beliefs, _ = run_model(model, Session(clip.name, clip.frames, (), ""))
    return beliefs


def evaluate_clips(clips: list[Clip], make_model: Callable[[], IntentModel],
                   progress: bool = True) -> dict[str, Any]:
    """Every clip scored, and the overall figures."""
    rows = []
    bar = Progress(len(clips), "clips", enabled=progress)
    for clip in clips:
        rows.append(score_clip(clip, run_clip(make_model(), clip)))
        bar.update()
    bar.close()
    goal_rows = [r for r in rows if r["label"] != "none"]
    none_rows = [r for r in rows if r["label"] == "none"]
    in_time = [r["first_right_fraction"] is not None and r["first_right_fraction"] <= BY_FRACTION
               for r in goal_rows]
    in_time_share = round(float(np.mean(in_time)), 3) if in_time else None
    read_right = round(float(np.mean([r["right"] for r in rows])), 3)
    on_none = int(sum(r["commitments"] for r in none_rows))
    max_flips = int(max((r["flips"] for r in rows), default=0))
    overall: dict[str, Any] = {
        "clips": len(rows),
        "read_right": read_right,
        "read_right_count": int(sum(r["right"] for r in rows)),
        "commitments_on_none_clips": on_none,
        "none_clips": len(none_rows),
        "right_goal_committed_by_60pct": in_time_share,
        "max_flips_per_clip": max_flips,
        "median_flips_per_clip": float(np.median([r["flips"] for r in rows])) if rows else 0.0,
        "by_label": {label: {"clips": len(g), "right": int(sum(r["right"] for r in g))}
                     for label in sorted({r["label"] for r in rows})
                     for g in [[r for r in rows if r["label"] == label]]},
    }
    targets = {"read_right_at_least_90pct": read_right >= 0.9,
               "no_commitment_on_none_clips": on_none == 0,
               "right_goal_by_60pct_in_80pct": (in_time_share or 0.0) >= 0.8,
               "at_most_one_flip_per_clip": max_flips <= 1}
    return {"overall": overall, "targets": targets, "clips": rows}


def format_clips_report(r: dict[str, Any]) -> str:
    """The figures as a readable table."""
    width = max(12, *(len(c["clip"]) for c in r["clips"])) + 2
    lines = [f"{'clip':<{width}}{'label':>8}{'read as':>10}{'commits':>9}{'first right':>13}"
             f"{'flips':>7}"]
    for c in r["clips"]:
        first = "-" if c["first_right_fraction"] is None else f"{c['first_right_fraction']:.2f}"
        lines.append(f"{c['clip']:<{width}}{c['label']:>8}{c['read_as']:>10}"
                     f"{c['commitments']:>9}{first:>13}{c['flips']:>7}")
    o = r["overall"]
    lines += [
        f"{o['clips']} clips: read right {o['read_right_count']} ({100 * o['read_right']:.0f}%); "
        f"commitments on the {o['none_clips']} none clips {o['commitments_on_none_clips']}; "
        f"right goal committed by 60% of the clip in "
        f"{100 * (o['right_goal_committed_by_60pct'] or 0):.0f}% of goal clips; flips per clip "
        f"median {o['median_flips_per_clip']:g}, most {o['max_flips_per_clip']}",
        "by label: " + ", ".join(f"{k} {v['right']}/{v['clips']}"
                                 for k, v in o["by_label"].items()),
        "targets: " + ", ".join(f"{k} {'yes' if ok else 'NO'}" for k, ok in r["targets"].items()),
    ]
    if "learned" in r:
        lines.append(learned_line(r))
    return "\n".join(lines)


def run_eval_intent_clips(folder: Path, make_model: Callable[[], IntentModel], *,
                          as_json: bool = False, progress: bool = True) -> dict[str, Any]:
    """Evaluate a folder of labelled clips, print a table (or JSON), return the figures.

    Raises:
        SourceError: A clip labelled with a goal the robot does not know.
    """
    clips = labelled_clips(folder)
    repertoire, learned = load_repertoire(repertoire_dir())
    check_label_goals(((f"the label of {c.name} in {folder}", c.goal) for c in clips),
                      repertoire.goals)
    result = evaluate_clips(clips, make_model, progress=progress)
    result["data"] = str(folder)
    result["repertoire"], result["learned"] = str(repertoire_dir()), sorted(learned)
    print(json.dumps(result, indent=2) if as_json else format_clips_report(result))
    return result
