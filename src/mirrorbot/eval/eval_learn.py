"""``mirrorbot eval learn --data DIR``: gestures learned by watching, read in people not watched.

The social-learning check on real motion. For each goal of the labelled clips in ``DIR`` (BVH
with a ``labels.csv`` giving a ``style`` per clip, e.g. an actor or a manner) and each style:

1. the robot learns the goal anew (:func:`mirrorbot.mind.learning.learn_primitive`) from that goal's
   clips of every **other** style (leave one style out: never from a clip it is tested on);
2. the built-in primitives of that goal are taken out of its repertoire, so only what it learned
   can recognise it;
3. every clip of the held-out style is run through the recogniser (the run's filter first).

Per goal: the held-out clips of the goal read as the learned gesture (the majority committed
goal, as ``eval intent --data`` reads a clip), and the held-out clips of other goals on which
it was committed at all (false commitments). ``--json`` gives the same per goal and per style.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from mirrorbot.errors import SourceError
from mirrorbot.eval.eval_intent_clips import Clip, labelled_clips, run_clip, score_clip
from mirrorbot.labels import GestureLabel
from mirrorbot.mind.intent import RepertoireIntent
from mirrorbot.mind.learning import (
    MIN_DEMOS,
    Demonstration,
    demonstration,
    describe,
    learn_primitive,
)
from mirrorbot.mind.repertoire import Repertoire
from mirrorbot.progress import Progress
from mirrorbot.warn import warn

LEARNED_PREFIX = "learned-"  # the learned gesture's name: LEARNED_PREFIX + goal


def learnable_goals(clips: list[Clip]) -> dict[str, list[str]]:
    """The goals that can be learned leaving one style out, and their styles (sorted).

    A goal (not ``none``) needs clips of at least two styles and :data:`MIN_DEMOS` clips
    outside each one.
    """
    styles: dict[str, Counter[str]] = {}
    for clip in clips:
        if clip.goal != "none" and "style" in clip.extra:
            styles.setdefault(clip.goal, Counter())[clip.extra["style"]] += 1
    out = {}
    for goal, count in sorted(styles.items()):
        total = sum(count.values())
        if len(count) >= 2 and all(total - n >= MIN_DEMOS for n in count.values()):
            out[goal] = sorted(count)
    return out


def _demo(clip: Clip, skipped: dict[str, str]) -> Demonstration | None:
    """The clip's movement as a demonstration, or None (noted in ``skipped``, warned once)."""
    try:
        return demonstration(clip.name, clip.frames,
                             (GestureLabel(clip.frames[0][0], clip.frames[-1][0], clip.goal),))
    except SourceError as exc:
        if clip.name not in skipped:
            skipped[clip.name] = str(exc)
            warn(f"not learned from {exc}")
        return None


def _read(clip: Clip, model: RepertoireIntent) -> tuple[str, set[str]]:
    """The goal the clip is read as (:func:`score_clip`'s), and every goal committed."""
    beliefs = run_clip(model, clip)
    return score_clip(clip, beliefs)["read_as"], {b.committed for b in beliefs if b.committed}


def evaluate_learning(clips: list[Clip], progress: bool = True) -> dict[str, Any]:
    """Leave-one-style-out figures per goal (see the module docstring).

    Raises:
        SourceError: No goal has clips of two styles to learn from.
    """
    goals = learnable_goals(clips)
    if not goals:
        raise SourceError("no goal to learn: eval learn needs, per goal, clips of at least two "
                          f"styles (a style column in labels.csv) and {MIN_DEMOS} clips outside "
                          "each style")
    runs = sum(len(s) for s in goals.values())
    bar = Progress(runs, "held-out styles", enabled=progress)
    per_goal: dict[str, Any] = {}
    skipped: dict[str, str] = {}  # clip -> why it could not be learned from
    for goal, styles in goals.items():
        name = LEARNED_PREFIX + goal
        folds = []
        for style in styles:
            train = [c for c in clips if c.goal == goal and c.extra.get("style") != style]
            demos = [d for d in (_demo(c, skipped) for c in train) if d is not None]
            if len(demos) < MIN_DEMOS:
                bar.update()
                continue
            primitive, _, _ = learn_primitive(name, demos)
            repertoire = Repertoire()
            repertoire.primitives = [p for p in repertoire.primitives if p.name != goal]
            repertoire.add(primitive)
            held = [c for c in clips if c.extra.get("style") == style]
            right, n_goal, false, n_other, read = 0, 0, 0, 0, {}
            for clip in held:
                majority, committed = _read(clip, RepertoireIntent(repertoire))
                read[clip.name] = majority
                if clip.goal == goal:
                    n_goal += 1
                    right += majority == name
                else:
                    n_other += 1
                    false += name in committed
            folds.append({"style": style, "learned_from": len(demos),
                          "learned": describe(primitive), "right": right, "clips": n_goal,
                          "false_commitments": false, "other_clips": n_other, "read_as": read})
            bar.update()
        if not folds:
            continue
        per_goal[goal] = {
            "right": sum(f["right"] for f in folds), "clips": sum(f["clips"] for f in folds),
            "false_commitments": sum(f["false_commitments"] for f in folds),
            "other_clips": sum(f["other_clips"] for f in folds), "folds": folds}
    bar.close()
    if not per_goal:
        raise SourceError(f"nothing could be learned: fewer than {MIN_DEMOS} usable clips "
                          "outside each style (see the warnings above)")
    return {"goals": per_goal, "skipped": skipped,
            "method": "leave one style out; the goal's built-in primitives removed; read as = "
                      "the goal committed for most committed frames"}


def format_report(result: dict[str, Any]) -> str:
    """The human-readable table of :func:`evaluate_learning`."""
    lines = [f"{'goal':8s} {'held-out style':16s} {'learned from':>12s} {'read right':>10s} "
             f"{'false commits':>13s}  what it learned"]
    for goal, g in result["goals"].items():
        for f in g["folds"]:
            lines.append(f"{goal:8s} {f['style']:16s} {f['learned_from']:>12d} "
                         f"{f['right']:>5d} / {f['clips']:<3d}"
                         f"{f['false_commitments']:>7d} / {f['other_clips']:<4d} {f['learned']}")
        lines.append(f"{goal}: held-out clips read as the learned gesture {g['right']} of "
                     f"{g['clips']}; committed on {g['false_commitments']} of "
                     f"{g['other_clips']} held-out clips of other goals")
    return "\n".join(lines)


def run_eval_learn(data: Path, as_json: bool = False) -> None:
    """The ``eval learn`` command: print the figures (a table, or JSON).

    Raises:
        SourceError: No labelled clips, or nothing to learn from them.
    """
    result = evaluate_learning(labelled_clips(data), progress=not as_json)
    print(json.dumps(result, indent=1) if as_json else format_report(result))
