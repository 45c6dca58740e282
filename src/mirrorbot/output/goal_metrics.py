"""How a run's goal beliefs compare with labelled movements (``eval intent`` and labelled runs).

Per labelled goal movement: the most probable goal at 20/40/60/80% of it, the decision point
(the fraction after which the most probable goal is right and stays right) and whether its goal
was committed during it; over the stream: commitments during ``none`` movements (false) and
commitments to a goal other than the movement under way (wrong). ``eval intent`` reports these
for its sessions; a run on labelled input writes them to ``summary.json`` (``metrics``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.labels import GestureLabel, clip_labels
from mirrorbot.mind.intent import GoalBelief

FRACTIONS = (0.2, 0.4, 0.6, 0.8)
DECISION_STEPS = np.linspace(0.0, 1.0, 21)
COMMIT_GRACE_S = 0.5  # a commitment this soon after its movement ended still counts as right


def top_goal(belief: GoalBelief) -> str:
    """The most probable goal.

    ``none`` for an empty belief (a plugin's, or the one held before its first finite belief),
    which names no goal.
    """
    if not belief.probs:
        return "none"
    return max(belief.probs.items(), key=lambda kv: kv[1])[0]


def score_beliefs(times_s: Sequence[float], labels: Sequence[GestureLabel],
                  beliefs: Sequence[GoalBelief]) -> dict[str, Any]:
    """The figures of one labelled stream: a belief per frame at ``times_s`` [s] (N,).

    Returns:
        ``hits`` (per fraction, per goal movement: right or not), ``decisions`` (per goal
        movement), counts of ``false_commits``, ``wrong_commits`` and ``right_commits``, the
        ``none_s`` and ``session_s`` they are per [s].
    """
    times = np.asarray(times_s, dtype=np.float64)

    def at(t: float) -> GoalBelief:
        return beliefs[int(np.clip(np.searchsorted(times, t), 0, len(times) - 1))]

    hits: dict[float, list[bool]] = {f: [] for f in FRACTIONS}
    decisions = []
    for label in labels:
        if label.goal == "none":
            continue
        span = label.end_s - label.start_s
        for f in FRACTIONS:
            hits[f].append(top_goal(at(label.start_s + f * span)) == label.goal)
        correct = [top_goal(at(label.start_s + f * span)) == label.goal for f in DECISION_STEPS]
        decision = 1.0
        for k in range(len(correct) - 1, -1, -1):
            if not correct[k]:
                break
            decision = float(DECISION_STEPS[k])
        decisions.append(decision)
    false_commits = wrong_commits = 0
    previous: str | None = None
    right_commits = 0  # goal movements during which it committed to their goal
    for label in labels:
        if label.goal != "none":
            during = (times >= label.start_s) & (times < label.end_s + COMMIT_GRACE_S)
            right_commits += any(beliefs[k].committed == label.goal
                                 for k in np.flatnonzero(during))
    for t, belief in zip(times, beliefs, strict=True):
        current = next((lb for lb in labels if lb.start_s <= t < lb.end_s), None)
        if belief.committed is not None and belief.committed != previous:
            if current is not None and current.goal == "none":
                false_commits += 1
            # Acting on the wrong goal: not the movement under way (or just finished).
            recent = [lb.goal for lb in labels if lb.start_s <= t < lb.end_s + COMMIT_GRACE_S]
            wrong_commits += belief.committed not in recent
        previous = belief.committed
    none_s = sum(label.end_s - label.start_s for label in labels if label.goal == "none")
    return {"hits": hits, "decisions": decisions, "false_commits": false_commits,
            "wrong_commits": wrong_commits, "none_s": none_s, "right_commits": right_commits,
            "session_s": float(times[-1] - times[0]) if len(times) else 0.0}


def merged_figures(scores: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Streams' :func:`score_beliefs` merged: accuracy at fractions, decision point, rates.

    ``accuracy`` and ``mean_decision_point`` are None without a labelled goal movement.
    """
    hits = {f: [h for s in scores for h in s["hits"][f]] for f in FRACTIONS}
    decisions = [d for s in scores for d in s["decisions"]]
    none_s = sum(s["none_s"] for s in scores)
    session_s = sum(s["session_s"] for s in scores)
    return {
        "accuracy": {f"{int(100 * f)}%": round(float(np.mean(hits[f])), 3) if hits[f] else None
                     for f in FRACTIONS},
        "mean_decision_point": round(float(np.mean(decisions)), 3) if decisions else None,
        "false_commitments_per_min": round(sum(s["false_commits"] for s in scores)
                                           / max(none_s / 60.0, 1e-9), 2),
        "wrong_commitments_per_min": round(sum(s["wrong_commits"] for s in scores)
                                           / max(session_s / 60.0, 1e-9), 2),
        "right_commitment_fraction": round(sum(s["right_commits"] for s in scores)
                                           / max(len(decisions), 1), 3),
        "movements": len(decisions),
        "none_minutes": round(none_s / 60.0, 2),
    }


def run_metrics(session_log: Path, labels: Sequence[GestureLabel]) -> dict[str, Any] | None:
    """The recognition figures of a run on labelled input, from its ``session.jsonl``.

    :func:`merged_figures` of the run's one stream, over the labels within the frames played
    (ends cut to the last frame) whose goal the recogniser names; ``labels_not_scored`` counts
    the others. None when the run recognised nothing (no intent model: frames without
    ``goal_probs``) or no label is left to score.
    """
    times: list[float] = []
    beliefs: list[GoalBelief] = []
    try:
        with open(session_log, encoding="utf-8") as f:
            next(f, None)  # the header
            for line in f:
                try:  # a last line cut short (a full disk, a crash) is not a frame
                    frame = json.loads(line)
                    probs, t_s = frame.get("goal_probs"), float(frame["t"])
                except (ValueError, KeyError, TypeError, AttributeError):
                    continue
                if probs:
                    times.append(t_s)
                    beliefs.append(GoalBelief(probs, frame.get("committed_goal")))
    except OSError:  # no log to score: the summary is written without metrics
        return None
    if not beliefs or not labels:
        return None
    # Only what was played and what the recogniser can name is scored: a run stopped early
    # (Ctrl-C, --seconds) or labels beyond the input's end would count movements never seen,
    # read from the last frame; a goal outside the vocabulary can never be right.
    vocabulary = set(beliefs[-1].probs)
    played = clip_labels(labels, times[-1])
    scored = tuple(label for label in played if label.goal in vocabulary)
    figures = merged_figures([score_beliefs(times, scored, beliefs)]) if scored else None
    if figures is None:
        return None
    left_out = len(labels) - len(scored)
    return {**figures, **({"labels_not_scored": left_out} if left_out else {})}
