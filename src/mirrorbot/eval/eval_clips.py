"""``mirrorbot eval retarget --data DIR``: the mirror scored on real people's motion.

Every BVH clip (``.bvh``, ``.bvh.gz``) and recording (``.jsonl``) in the folder is played through
the run's own stages, copying only (no anticipation), into PyBullet, and the robot as it
actually moved (its measured joints) is compared with the person:

- **limb error**: the angle between each robot upper arm and forearm and the person's limb it
  copies, in the torso frame, mapped as the run maps it (mirror or anatomical) [deg]; per clip
  its median and 90th percentile over frames and the four limbs, after the clip's first
  ``SKIP_S`` seconds (the robot starts at rest);
- **lag**: the delay of the robot behind the person that best aligns the two (least mean
  error over delays of 0 to ``MAX_LAG_S``) [ms];
- **stalls**: times the worst limb stays more than ``STALL_DEG`` off for ``STALL_S`` or longer;
- **blocked**: frames in which a joint's measured angle has been more than ``BLOCKED_RAD`` from
  its command for over ``BLOCKED_S`` (something holds the arm: the table, its own body);
- **violations**: commanded frames past a joint's position, velocity or acceleration limit;
  measured joints past a position limit by more than ``MEASURED_LIMIT_TOL_RAD``; frames in which
  PyBullet finds the robot penetrating itself or a scene object.

For a recording the person's landmarks are the recorded ones (a pose model's noise included);
for motion capture they are the skeleton's, so the figures are the mirror's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray
from mirrorbot.control.safety import SafetyConfig
from mirrorbot.errors import SourceError
from mirrorbot.eval.eval_retarget import _angle_deg, _limb_dirs, _target_dirs
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.perception.landmarks import PoseFrame
from mirrorbot.perception.source_spec import parse_source
from mirrorbot.progress import Progress
from mirrorbot.retarget.retarget import Mapping
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.run.loop import PhysicsClock, advance
from mirrorbot.run.pipeline import pipeline_steps
from mirrorbot.run.session import build_stages, warm_up
from mirrorbot.sim.scene import Scene, load_scene
from mirrorbot.sim.simulator import Simulator
from mirrorbot.sources.mocap_source import bvh_files
from mirrorbot.sources.pose_sources import PoseSample, PoseSource, open_pose_source

SKIP_S = 0.5
MAX_LAG_S = 0.5
STALL_DEG = 30.0
STALL_S = 0.5
BLOCKED_RAD = 0.1
BLOCKED_S = 0.2
LIMIT_TOL_RAD = 1e-6  # commands: the shaper clamps exactly
MEASURED_LIMIT_TOL_RAD = 0.01  # measured joints: the physics' own give at a limit
PENETRATION_M = 1e-3  # contacts deeper than this count (as eval retarget counts them)
TARGETS = {"median_deg": 4.0, "median_clip_p90_deg": 12.0, "worst_clip_p90_deg": 25.0}


class _TeeSource:
    """A PoseSource that remembers the sample it handed out last (the person's true pose)."""

    def __init__(self, source: PoseSource) -> None:
        self._source = source
        self.text = source.text
        self.rate_hz = source.rate_hz
        self.frame_count = source.frame_count
        self.labels = source.labels
        self.is_live = source.is_live
        self.noise_free = source.noise_free
        self.last: PoseSample | None = None

    def __iter__(self) -> Iterator[PoseSample]:
        for sample in self._source:
            self.last = sample
            yield sample

    def close(self) -> None:
        self._source.close()


@dataclass
class _ClipTrace:
    noise_free: bool = False  # the source's (it sets the shaper's limits)
    t_s: list[float] = field(default_factory=list)
    person: list[FloatArray | None] = field(default_factory=list)  # (2, 2, 3) or None
    robot: list[FloatArray] = field(default_factory=list)  # (2, 2, 3), measured joints
    q_cmd: list[FloatArray] = field(default_factory=list)
    q: list[FloatArray] = field(default_factory=list)
    penetrating: list[bool] = field(default_factory=list)


def data_sources(folder: Path) -> list[str]:
    """The ``--source`` texts of every clip in ``folder`` (BVH files, then recordings).

    Raises:
        SourceError: Not a folder, or no clips in it.
    """
    if not folder.is_dir():
        raise SourceError(f"--data {folder} is not a folder; pass a folder of .bvh, .bvh.gz or "
                          ".jsonl clips")
    clips = [f"bvh:{p}" for p in bvh_files(folder)]
    clips += [f"recording:{p}" for p in sorted(folder.glob("*.jsonl")) if p.is_file()]
    if not clips:
        raise SourceError(f"--data {folder} holds no .bvh, .bvh.gz or .jsonl clips")
    return clips


def _runs(mask: BoolArray) -> list[tuple[int, int]]:
    """(start, end) index pairs of the True runs of ``mask`` (end exclusive)."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def trace_clip(source_text: str, sim: Simulator, scene: Scene, mode: Mapping,
               retargeter: str = "ours") -> tuple[_ClipTrace, float]:
    """Play one clip through the run's stages (copying only) into ``sim``.

    Returns:
        The per-frame trace and the clip's frame rate [Hz].
    """
    model = sim.model
    q_rest = rest_pose(model)
    source = _TeeSource(open_pose_source(parse_source(source_text), scene=scene))
    trace = _ClipTrace(noise_free=source.noise_free)
    clock = PhysicsClock()
    try:
        sim.reset(q_rest)
        stages = build_stages(model, scene, mode, q_rest, retargeter=retargeter,
                              anticipate=False, ik=sim.inverse_kinematics,
                              noise_free=source.noise_free)
        for step in pipeline_steps(source, stages, want_view=False):
            q_cmd = advance(sim, clock, step.t_s, step.q_target_rad)
            q = sim.joint_positions()
            pose = source.last.pose if source.last is not None else None
            trace.t_s.append(step.t_s)
            trace.person.append(None if pose is None else _target_dirs(
                PoseFrame(pose.t_s, pose.world_m, pose.visibility), mode))
            trace.robot.append(_limb_dirs(model, q))
            trace.q_cmd.append(q_cmd)
            trace.q.append(q)
            trace.penetrating.append(any(d < -PENETRATION_M for *_, d in
                                         sim.self_contacts() + sim.scene_contacts()))
    finally:
        source.close()
    return trace, source.rate_hz


def clip_metrics(trace: _ClipTrace, rate_hz: float, model: Any,
                 ) -> tuple[dict[str, Any], FloatArray]:
    """The figures of one clip (see the module docstring), and its scored limb errors [deg]."""
    n = len(trace.t_s)
    seen = np.array([p is not None for p in trace.person], dtype=bool)
    person = np.array([p if p is not None else np.full((2, 2, 3), np.nan)
                       for p in trace.person]) if n else np.zeros((0, 2, 2, 3))
    robot = np.array(trace.robot) if n else np.zeros((0, 2, 2, 3))
    t = np.array(trace.t_s)
    scored = seen & (t >= SKIP_S - 1e-3)
    err = _angle_deg(robot, person)  # (n, 2, 2), NaN where unseen
    limb_err = err[scored].ravel()
    worst = np.where(seen, np.nanmax(err.reshape(n, -1), axis=1, initial=0.0), 0.0) \
        if n else np.zeros(0)
    max_lag = int(round(MAX_LAG_S * rate_hz))
    lag_err = []
    for lag in range(0, max_lag + 1):
        if n - lag <= 0:
            break
        e = _angle_deg(robot[lag:], person[: n - lag])[scored[: n - lag]]
        lag_err.append(float(np.nanmean(e)) if e.size else np.inf)
    best_lag = int(np.argmin(lag_err)) if lag_err else 0
    stall_frames = int(np.ceil(STALL_S * rate_hz - 1e-9))
    stalls = [r for r in _runs((worst > STALL_DEG) & scored) if r[1] - r[0] >= stall_frames]
    q_cmd = np.array(trace.q_cmd) if n else np.zeros((0, len(model.lower_rad)))
    q = np.array(trace.q) if n else np.zeros_like(q_cmd)
    off = np.abs(q - q_cmd) > BLOCKED_RAD
    blocked_frames = int(BLOCKED_S * rate_hz)
    blocked = np.zeros(n, dtype=bool)
    blocked_joints: set[str] = set()
    for j in range(off.shape[1] if n else 0):
        for a, b in _runs(off[:, j]):
            if b - a > blocked_frames:
                blocked[a + blocked_frames:b] = True
                blocked_joints.add(model.actuated[j])
    dt = 1.0 / rate_hz
    v = np.diff(q_cmd, axis=0) / dt
    acc = np.diff(v, axis=0) / dt
    a_limit = SafetyConfig.for_input(trace.noise_free).accel_limits(model)
    past = np.maximum(q - model.upper_rad, model.lower_rad - q) if n else np.zeros_like(q)
    return {
        "frames": n, "scored_frames": int(scored.sum()),
        "median_deg": _round(np.median(limb_err)) if limb_err.size else None,
        "p90_deg": _round(np.percentile(limb_err, 90)) if limb_err.size else None,
        "max_deg": _round(limb_err.max()) if limb_err.size else None,
        "lag_ms": round(1e3 * best_lag / rate_hz, 1),
        "stalls": len(stalls),
        "stall_times_s": [[round(float(t[a]), 2), round(float(t[b - 1]), 2)] for a, b in stalls],
        "blocked_frames": int(blocked.sum()),
        "blocked_joints": sorted(blocked_joints),
        "violations": {
            "command_position": int(np.sum(np.any((q_cmd < model.lower_rad - LIMIT_TOL_RAD)
                                                  | (q_cmd > model.upper_rad + LIMIT_TOL_RAD),
                                                  axis=1))),
            "command_velocity": int(np.sum(np.any(
                np.abs(v) > model.velocity_rad_s * (1 + 1e-6) + LIMIT_TOL_RAD, axis=1))),
            "command_acceleration": int(np.sum(np.any(
                np.abs(acc) > a_limit * (1 + 1e-6) + LIMIT_TOL_RAD, axis=1))),
            "measured_position": int(np.sum(np.any(past > MEASURED_LIMIT_TOL_RAD, axis=1))),
            "penetration": int(np.sum(trace.penetrating)),
        },
        "measured_past_limit_max_rad": _round(past.max(), 4) if n else 0.0,
    }, limb_err


def _round(x: Any, digits: int = 2) -> float:
    return round(float(x), digits)


def evaluate_folder(folder: Path, *, mode: Mapping = Mapping.MIRROR, retargeter: str = "ours",
                    scene: Scene | None = None, progress: bool = True) -> dict[str, Any]:
    """Every clip of ``folder`` scored (per clip and overall)."""
    sources = data_sources(folder)
    scene = scene or load_scene(scene_path(DEFAULT_SCENE_NAME))
    clips = []
    all_err: list[FloatArray] = []
    bar = Progress(len(sources), "clips", enabled=progress)
    with Simulator(scene=scene) as sim:
        warm_up(sim.model, scene, mode, progress=progress)
        for text in sources:
            trace, rate_hz = trace_clip(text, sim, scene, mode, retargeter)
            metrics, limb_err = clip_metrics(trace, rate_hz, sim.model)
            name = text.partition(":")[2]
            clips.append({"clip": Path(name).name, "source": text, **metrics})
            all_err.append(limb_err)
            bar.update()
    bar.close()
    return summarise(clips, np.concatenate(all_err) if all_err else np.zeros(0), folder, mode)


def summarise(clips: list[dict[str, Any]], all_err: FloatArray, folder: Path, mode: Mapping,
              ) -> dict[str, Any]:
    """Overall figures from the clips' and every scored limb error [deg]."""
    p90s = [c["p90_deg"] for c in clips if c["p90_deg"] is not None]
    lags = [c["lag_ms"] for c in clips if c["scored_frames"]]  # a clip without one has no lag
    worst = max(clips, key=lambda c: -1.0 if c["p90_deg"] is None else c["p90_deg"])
    violations = {k: int(sum(c["violations"][k] for c in clips))
                  for k in clips[0]["violations"]}
    overall = {
        "clips": len(clips), "scored_frames": int(sum(c["scored_frames"] for c in clips)),
        "median_deg": _round(np.median(all_err)) if all_err.size else None,
        "p90_deg": _round(np.percentile(all_err, 90)) if all_err.size else None,
        "median_clip_p90_deg": _round(np.median(p90s)) if p90s else None,
        "worst_clip_p90_deg": worst["p90_deg"], "worst_clip": worst["clip"],
        "median_lag_ms": _round(np.median(lags), 1) if lags else None,
        "stalls": int(sum(c["stalls"] for c in clips)),
        "blocked_frames": int(sum(c["blocked_frames"] for c in clips)),
        "violations": violations,
    }
    targets = {f"{k}_below_{v:g}": overall[k] is not None and overall[k] < v
               for k, v in TARGETS.items()}
    targets["zero_stalls"] = overall["stalls"] == 0
    targets["zero_blocked_frames"] = overall["blocked_frames"] == 0
    targets["zero_violations"] = all(v == 0 for v in violations.values())
    return {"data": str(folder), "mode": mode.value, "skip_s": SKIP_S, "overall": overall,
            "targets": targets, "clips": clips}


def format_clips_report(r: dict[str, Any]) -> str:
    """The figures as a readable table."""
    o = r["overall"]
    width = max(12, *(len(c["clip"]) for c in r["clips"])) + 2
    lines = [f"{'clip':<{width}}{'median':>8}{'p90':>8}{'max':>8}{'lag ms':>8}{'stalls':>8}"
             f"{'blocked':>9}{'violations':>12}"]
    for c in r["clips"]:
        n_viol = sum(c["violations"].values())
        lines.append(f"{c['clip']:<{width}}{_fmt(c['median_deg'])}{_fmt(c['p90_deg'])}"
                     f"{_fmt(c['max_deg'])}{c['lag_ms']:>8.0f}{c['stalls']:>8}"
                     f"{c['blocked_frames']:>9}{n_viol:>12}")
    v = o["violations"]
    lines += [
        f"{o['clips']} clips of {r['data']} ({r['mode']}, each clip's first {r['skip_s']} s "
        f"left out, {o['scored_frames']} frames): limb error median {o['median_deg']} deg, "
        f"p90 {o['p90_deg']}; median clip's p90 {o['median_clip_p90_deg']} deg, worst clip's "
        f"{o['worst_clip_p90_deg']} ({o['worst_clip']}); median lag {o['median_lag_ms']} ms",
        f"stalls {o['stalls']}, blocked frames {o['blocked_frames']}, violations: commands "
        f"{v['command_position']}/{v['command_velocity']}/{v['command_acceleration']} "
        f"(position/velocity/acceleration), measured past a limit {v['measured_position']}, "
        f"penetrating {v['penetration']}",
        "targets: " + ", ".join(f"{k} {'yes' if ok else 'NO'}" for k, ok in r["targets"].items()),
    ]
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return f"{'-':>8}" if x is None else f"{x:>8.1f}"


def run_eval_clips(folder: Path, *, as_json: bool = False, mode: Mapping = Mapping.MIRROR,
                   retargeter: str = "ours", progress: bool = True) -> dict[str, Any]:
    """Evaluate a folder of clips, print a table (or JSON), return the figures.

    Raises:
        SourceError: No clip has a frame to score (too short, or nobody tracked).
    """
    result = evaluate_folder(folder, mode=mode, retargeter=retargeter, progress=progress)
    if result["overall"]["scored_frames"] == 0:
        raise SourceError(f"no clip in {folder} has a frame to score (each is too short to "
                          "leave its first moments out, or nobody is tracked in it); nothing "
                          "to score, add longer clips with a person in them")
    print(json.dumps(result, indent=2) if as_json else format_clips_report(result))
    return result
