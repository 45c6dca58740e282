"""``summary.png``: what the robot believed over time against the truth, and how it moved.

Top: the goal posterior per frame (one line per goal), the labelled gestures (input with
labels) as shaded spans in their goal's colour, and the committed goal as a band. Bottom: the
arm joint trajectories (degrees) with the robot's mode as a coloured strip. Read back from
``session.jsonl`` and ``summary.json`` after a run, so it never delays or endangers the
recording; long runs are thinned to at most ``MAX_POINTS`` frames.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.mind.behaviour import Behaviour

MAX_POINTS = 6000
GOAL_COLOURS = {"wave": "#1f77b4", "point": "#ff7f0e", "raise": "#2ca02c", "reach": "#d62728",
                "drink": "#9467bd", "offer": "#8c564b", "clear": "#e377c2", "none": "#7f7f7f"}
BEHAVIOUR_COLOURS = {Behaviour.MIRROR: "#2890c8", Behaviour.ANTICIPATE: "#f0aa28",
                     Behaviour.RESPOND: "#5ac85a", Behaviour.HOLD: "#dc5050"}
EXTRA_COLOURS = ("#17becf", "#bcbd22", "#393b79", "#637939")


def _read(session_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The header and at most ``MAX_POINTS`` evenly spread frames of a session log.

    Two passes (count, then keep every k-th frame), so an hour-long log is never held in
    memory at once; a cut-off last line is skipped.
    """
    with session_path.open(encoding="utf-8") as f:
        header = json.loads(f.readline())
        count = sum(1 for _ in f)
    step = max(1, -(-count // MAX_POINTS))
    frames = []
    with session_path.open(encoding="utf-8") as f:
        f.readline()
        for k, line in enumerate(f):
            if k % step:
                continue
            try:
                frame = json.loads(line)
            except json.JSONDecodeError:
                continue
            frames.append({"t": frame["t"], "q": frame["q"], "mode": frame["mode"],
                           "probs": frame.get("goal_probs") or {},
                           "committed": frame.get("committed_goal")})
    return header, frames


def _runs(t: np.ndarray, values: list[Any]) -> list[tuple[Any, float, float]]:
    """Stretches of equal values: (value, start [s], end [s]); one patch each, not per frame."""
    out: list[tuple[Any, float, float]] = []
    start = 0
    for k in range(1, len(values) + 1):
        if k == len(values) or values[k] != values[start]:
            out.append((values[start], float(t[start]), float(t[min(k, len(t) - 1)])))
            start = k
    return out


def goal_panel_title(*, beliefs: bool, labels: bool, commitments: bool) -> str:
    """The top panel's title, naming only what it shows (no "true gestures" without labels)."""
    parts = (["goal belief (lines)"] if beliefs else []) \
        + (["true gestures (shaded)"] if labels else []) \
        + (["committed goal (band)"] if commitments else [])
    return ", ".join(parts) if parts else "no goal belief was logged"


def write_summary_plot(out_dir: Path) -> Path:
    """Draw ``out_dir/summary.png`` from the run's log and summary; returns its path."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    header, frames = _read(out_dir / "session.jsonl")
    summary_path = out_dir / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file() \
        else {}
    goals = list(header.get("goals") or [])
    for frame in frames:  # learned gestures appear in the beliefs only
        goals += [g for g in frame["probs"] if g not in goals]
    colour = dict(GOAL_COLOURS)
    for k, g in enumerate(g for g in goals if g not in colour):
        colour[g] = EXTRA_COLOURS[k % len(EXTRA_COLOURS)]
    t = np.array([f["t"] for f in frames])
    fig, (ax_goal, ax_q) = plt.subplots(2, 1, figsize=(12, 7), sharex=True,
                                        gridspec_kw={"height_ratios": [1, 1.2]})
    for label in summary.get("labels") or []:
        ax_goal.axvspan(label["start"], label["end"], color=colour.get(label["goal"], "grey"),
                        alpha=0.18, lw=0)
        ax_goal.text((label["start"] + label["end"]) / 2, 0.89, label["goal"], ha="center",
                     fontsize=8, color=colour.get(label["goal"], "grey"),
                     transform=ax_goal.get_xaxis_transform())
    for goal in goals:
        p = np.array([f["probs"].get(goal, np.nan) for f in frames])
        if np.isfinite(p).any():
            ax_goal.plot(t, p, color=colour[goal], lw=1.2, label=goal)
    for goal, t0, t1 in _runs(t, [f["committed"] for f in frames]):
        if goal:
            ax_goal.axvspan(t0, t1, ymin=0.94, ymax=0.99, color=colour.get(goal, "k"), lw=0)
    ax_goal.set_ylim(0, 1.2)
    ax_goal.set_ylabel("P(goal)")
    belief_lines = ax_goal.get_legend_handles_labels()[0]  # none when no belief was logged
    ax_goal.set_title(goal_panel_title(
        beliefs=bool(belief_lines),
        labels=bool(summary.get("labels")),
        commitments=any(f["committed"] for f in frames)), fontsize=10)
    if belief_lines:
        ax_goal.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    joints = header.get("joints", [])
    q = np.degrees(np.array([f["q"] for f in frames])) if frames \
        else np.zeros((0, len(joints)))
    for j, name in enumerate(joints):
        if name.startswith(("left_shoulder", "left_elbow", "right_shoulder", "right_elbow")):
            ax_q.plot(t, q[:, j], lw=1.0, label=name,
                      ls="-" if name.startswith("left") else "--")
    for mode, t0, t1 in _runs(t, [f["mode"] for f in frames]):
        ax_q.axvspan(t0, t1, ymin=0.0, ymax=0.03, color=BEHAVIOUR_COLOURS.get(mode, "k"), lw=0)
    ax_q.set_xlabel("time [s]")
    ax_q.set_ylabel("joint angle [deg]")
    ax_q.set_title("arm joints (solid: left arm, dashed: right arm); the strip at the bottom "
                   "is the robot's mode", fontsize=10)
    handles, _ = ax_q.get_legend_handles_labels()
    handles += [Patch(color=c, label=f"mode: {b.value}") for b, c in BEHAVIOUR_COLOURS.items()]
    ax_q.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    fig.tight_layout()
    path = out_dir / "summary.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
