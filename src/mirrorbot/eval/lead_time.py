"""Robot lead time: does the robot's hand reach the goal region before the person's does?

Each hand is measured against its own goal region, a sphere of ``REGION_M``, in its arm's frame
at the shoulder (x forward, y outward, z up). For each labelled movement (``none`` excluded):

- the person's region is around where their wrist (scaled to the robot's arm length, as the
  recogniser sees it) is at the movement's labelled end;
- the robot's region is around where the mirroring robot's wrist (PyBullet) is
  ``ROBOT_SETTLE_S`` after that end: where copying the person puts the robot's hand at this
  goal. (Directions, not positions, are copied, so the robot's wrist ends some centimetres
  from the person's scaled one; measured against the person's region, a copy without lag came
  out late or never arrived, which is geometry, not time.)

A hand arrives when it first enters its region (from the movement's start to ``SETTLE_S``
after its end). The whole loop runs twice, with anticipation and mirroring only. The lead is
the person's arrival minus the robot's [ms]: positive means the robot was there first; a copy
without lag scores 0. A robot that never gets there (the goal out of its
reach, or blocked by its own body) has no lead and is counted apart, as is a movement whose
hand starts inside its goal region (a cup cleared to about where it stood): there is no arrival
to anticipate, and both robots "arrived" at once, which read as 0 ms.

The issue's target is the lead "on goals where it commits": the summary gives it over every
movement and, apart, over the movements during which the anticipating robot committed to the
labelled goal (the others it only mirrored, so their lead is the mirror's).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.labels import GestureLabel
from mirrorbot.mind.anticipation import base_to_arm_frame
from mirrorbot.mind.person_arm_frames import wrists_in_arm_frames
from mirrorbot.perception.landmarks import PoseFrame, Side

REGION_M = 0.10
SETTLE_S = 1.0  # how long after the movement's end the robot may still arrive [s]
ROBOT_SETTLE_S = 0.2
"""The mirroring robot's goal place is taken this long after the movement's end [s]: its
lag is 25-60 ms, and the person holds most goals for 0.2 s or more."""


@dataclass(frozen=True)
class Lead:
    """One labelled movement's outcome.

    Attributes:
        goal: The labelled goal.
        lead_ms: Person's arrival minus the anticipating robot's [ms], or None when it never
            arrived.
        mirror_lead_ms: The same for the robot that only mirrors (usually negative: a lag).
        committed: Whether the anticipating robot committed to the labelled goal during the
            movement (it acted on it).
        already_there: The person's hand started inside the goal region (no lead measured).
    """

    goal: str
    lead_ms: float | None
    mirror_lead_ms: float | None
    committed: bool = False
    already_there: bool = False


def _run(source: str, intent: str, anticipate: bool, out: Path) -> list[dict[str, Any]]:
    """The frames of ``session.jsonl`` of one headless run without video."""
    from mirrorbot.run.session import RunConfig, run_session

    run_session(RunConfig(source=source, out_dir=out, intent=intent, anticipate=anticipate,
                          video=False, progress=False, plot=False))
    lines = (out / "session.jsonl").read_text(encoding="utf-8").splitlines()[1:]
    return [json.loads(line) for line in lines]


def _robot_wrists(frames: list[dict[str, Any]]) -> tuple[FloatArray, dict[Side, FloatArray]]:
    """Frame times (N,) [s] and each robot wrist in its arm frame (N, 3) [m]."""
    t = np.array([f["t"] for f in frames])
    return t, {side: np.array([base_to_arm_frame(np.array(f["links"][f"{side.value}_wrist"]),
                                                 side) for f in frames]) for side in Side}


def _person_wrists(frames: list[tuple[float, PoseFrame | None]]) -> dict[Side, FloatArray]:
    """Each of the person's wrists in its arm frame, robot-scaled (N, 3) [m]; NaN untracked."""
    out = {side: np.full((len(frames), 3), np.nan) for side in Side}
    for k, (_, pose) in enumerate(frames):
        if pose is not None:
            for side, wrist in wrists_in_arm_frames(pose.world_m).items():
                out[side][k] = wrist
    return out


def _arrival(t: FloatArray, wrist: FloatArray, region: FloatArray, label: GestureLabel,
             ) -> float | None:
    """First time [s] in the movement (to ``SETTLE_S`` after it) the wrist is in the region."""
    with np.errstate(invalid="ignore"):
        inside = np.linalg.norm(wrist - region, axis=1) < REGION_M
    inside &= (t >= label.start_s) & (t <= label.end_s + SETTLE_S)
    return float(t[np.argmax(inside)]) if inside.any() else None


def _lead(reached_s: float, t: FloatArray, wrist: FloatArray, region: FloatArray,
          label: GestureLabel) -> float | None:
    """The person's arrival minus the robot's [ms], or None when the robot never arrived."""
    arrival = _arrival(t, wrist, region, label)
    return None if arrival is None else 1e3 * (reached_s - arrival)


def _extent_m(path_m: FloatArray) -> float:
    """How far a path (N, 3) [m] spreads: the sum of its extents along x, y and z, NaN skipped.

    (``np.ptp`` is NaN for a path with one untracked frame: the moving arm then tied with the
    still one and the first side won.)
    """
    tracked = path_m[np.isfinite(path_m).all(axis=1)]
    return float((tracked.max(axis=0) - tracked.min(axis=0)).sum()) if len(tracked) else 0.0


def leads(frames: list[tuple[float, PoseFrame | None]], labels: tuple[GestureLabel, ...],
          source: str, intent: str = "ours") -> list[Lead]:
    """The lead of every labelled movement; ``source`` is the same stream as a --source."""
    with tempfile.TemporaryDirectory() as tmp:
        own_frames = _run(source, intent, True, Path(tmp) / "own")
        t_own, own = _robot_wrists(own_frames)
        t_mir, mirror = _robot_wrists(_run(source, intent, False, Path(tmp) / "mirror"))
    committed_goal = [f.get("committed_goal") for f in own_frames]
    t_person = np.array([t for t, _ in frames])
    person = _person_wrists(frames)
    out = []
    for label in labels:
        during = (t_person >= label.start_s) & (t_person <= label.end_s)
        if label.goal == "none" or not during.any():
            continue
        side = max(Side, key=lambda s: _extent_m(person[s][during]))
        k_end = min(int(np.searchsorted(t_person, label.end_s)), len(t_person) - 1)
        region = person[side][k_end]
        reached = _arrival(t_person, person[side], region, label) \
            if np.isfinite(region).all() else None
        if reached is None:
            continue
        robot_side = side.other  # mirror mode: the person's right drives the robot's left
        k_robot = min(int(np.searchsorted(t_mir, label.end_s + ROBOT_SETTLE_S)), len(t_mir) - 1)
        robot_region = mirror[robot_side][k_robot]
        acting = np.flatnonzero((t_own >= label.start_s) & (t_own <= label.end_s))
        committed = any(committed_goal[k] == label.goal for k in acting)
        tracked = during & np.isfinite(person[side]).all(axis=1)
        if reached <= t_person[np.argmax(tracked)]:  # in the region from the first frame on
            out.append(Lead(label.goal, None, None, committed, already_there=True))
            continue
        out.append(Lead(label.goal, _lead(reached, t_own, own[robot_side], robot_region, label),
                        _lead(reached, t_mir, mirror[robot_side], robot_region, label),
                        committed))
    return out


def summarise(all_leads: list[Lead]) -> dict[str, Any]:
    """Median and mean lead [ms], the share where the robot was first, misses; both robots.

    ``where_committed``: the same for the movements where the anticipating robot committed to
    the labelled goal (both robots on those movements), the issue's measure;
    ``where_committed_by_goal``: the anticipating robot's, per goal. Movements whose hand started
    in its goal region are left out (``already_there`` counts them).
    """
    measured = [x for x in all_leads if not x.already_there]
    out: dict[str, Any] = {"movements": len(measured),
                           "already_there": len(all_leads) - len(measured)}
    out.update(_figures(measured))
    committed = [x for x in measured if x.committed]
    out["where_committed"] = {"movements": len(committed), **_figures(committed)}
    by_goal: dict[str, Any] = {}
    for goal in dict.fromkeys(x.goal for x in committed):
        of_goal = [x for x in committed if x.goal == goal]
        by_goal[goal] = {"movements": len(of_goal), **_figures(of_goal)["anticipating"]}
    out["where_committed_by_goal"] = by_goal
    return out


def _figures(all_leads: list[Lead]) -> dict[str, Any]:
    """Per robot (anticipating, mirroring only): median, mean, share first, never there."""
    out: dict[str, Any] = {}
    for name, key in (("anticipating", "lead_ms"), ("mirroring_only", "mirror_lead_ms")):
        values = np.array([getattr(x, key) for x in all_leads if getattr(x, key) is not None])
        out[name] = {
            "median_ms": round(float(np.median(values)), 1) if len(values) else None,
            "mean_ms": round(float(np.mean(values)), 1) if len(values) else None,
            "robot_first_fraction": round(float(np.mean(values > 0)), 3) if len(values)
            else None,
            "never_arrived": int(sum(getattr(x, key) is None for x in all_leads))}
    return out
