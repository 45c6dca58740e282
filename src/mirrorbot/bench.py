"""``mirrorbot bench``: measured per-stage latency, throughput and simulator speed.

Figures are measured on this machine each time (nothing is estimated); the command prints a
table, or JSON with ``--json``. Stages are added here as the pipeline grows.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from mirrorbot.arrays import FloatArray

PERCENTILES = (50, 99)


def latency_stats(samples_ms: list[float]) -> dict[str, float]:
    """p50, p99 and mean of timings [ms]."""
    arr = np.asarray(samples_ms)
    out = {f"p{p}": round(float(np.percentile(arr, p)), 4) for p in PERCENTILES}
    out["mean"] = round(float(arr.mean()), 4)
    out["n"] = float(arr.size)
    return out


def _time_calls(fn: Callable[[int], object], n: int) -> list[float]:
    out = []
    for k in range(n):
        t0 = time.perf_counter()
        fn(k)
        out.append(1e3 * (time.perf_counter() - t0))
    return out


def bench_tracking(frames: int = 60) -> dict[str, Any]:
    """The bundled pose model on a real photo (models/media/astronaut.jpg) in video mode, 640x480.

    Returns:
        Latency stats [ms] and the fraction of frames where the person was found.
    """
    import cv2

    from mirrorbot.paths import media_path
    from mirrorbot.tracker import SolutionsPoseTracker

    photo = cv2.imread(str(media_path("astronaut.jpg")), cv2.IMREAD_COLOR)
    canvas = np.zeros((480, 640, 3), np.uint8)
    canvas[:, 80:560] = cv2.resize(photo, (480, 480))
    tracker = SolutionsPoseTracker()
    found = 0
    try:
        tracker.track(canvas, 0.0)  # the first call loads the model; not timed

        def one(k: int) -> None:
            nonlocal found
            found += tracker.track(canvas, (k + 1) / 30.0) is not None

        samples = _time_calls(one, frames)
    finally:
        tracker.close()
    return {**latency_stats(samples), "found_fraction": found / frames}


def bench_filter(frames: int = 3000) -> dict[str, Any]:
    """The pose filter (One Euro on 33 world + image landmarks) per frame [ms]."""
    from mirrorbot.landmarks import NUM_LANDMARKS, PoseFrame
    from mirrorbot.pose_filter import PoseFilter

    rng = np.random.default_rng(0)
    f = PoseFilter()
    poses = [PoseFrame(t_s=k / 30, world_m=rng.normal(0, 0.3, (NUM_LANDMARKS, 3)),
                       visibility=rng.uniform(0.3, 1.0, NUM_LANDMARKS),
                       image_uv=rng.uniform(0, 1, (NUM_LANDMARKS, 2))) for k in range(frames)]
    return latency_stats(_time_calls(lambda k: f(poses[k], poses[k].t_s), frames))


def bench_retarget(seconds: float = 20.0) -> dict[str, Any]:
    """Retargeting per frame on the noisy synthetic session: ours, naive, and the shaper [ms]."""
    from mirrorbot.naive_retarget import NaiveRetargeter
    from mirrorbot.pose_filter import PoseFilter
    from mirrorbot.retarget import DirectionRetargeter, Mode, RetargetContext
    from mirrorbot.safety import CommandShaper, collision_model_for
    from mirrorbot.scripted import rest_pose
    from mirrorbot.simulator import Simulator
    from mirrorbot.synth_person import SyntheticConfig, SyntheticPerson

    person = SyntheticPerson(SyntheticConfig(seed=7))
    poses = [f.observed for f in person.frames() if f.observed is not None]
    poses = poses[: int(seconds * 30)]
    pose_filter = PoseFilter()
    filtered = [pose_filter(p, p.t_s) for p in poses]
    with Simulator() as sim:
        q_rest = rest_pose(sim.model)
        context = RetargetContext(sim.model, Mode.MIRROR, q_rest, sim.inverse_kinematics)
        ours = DirectionRetargeter(context)
        naive = NaiveRetargeter(context)
        shaper = CommandShaper(sim.model, q_rest, collision=collision_model_for(sim.model))
        targets: list[FloatArray] = []

        def run_ours(k: int) -> None:
            pose = filtered[k]
            assert pose is not None
            targets.append(ours(pose))

        t_ours = _time_calls(run_ours, len(filtered))
        t_shape = _time_calls(lambda k: shaper(targets[k], 1 / 30), len(targets))
        t_naive = _time_calls(lambda k: naive(poses[k]), len(poses))
    return {"ours": latency_stats(t_ours), "shape": latency_stats(t_shape),
            "naive": latency_stats(t_naive)}


def bench_simulation(seconds: float = 10.0) -> dict[str, Any]:
    """Headless physics with the robot under position control: real-time factor and step time."""
    from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
    from mirrorbot.scene import load_scene
    from mirrorbot.scripted import rest_pose, scripted_wave
    from mirrorbot.simulator import PHYSICS_RATE_HZ, Simulator

    with Simulator(scene=load_scene(scene_path(DEFAULT_SCENE_NAME))) as sim:
        sim.reset(rest_pose(sim.model))
        n_frames = int(seconds * 30)
        steps_per_frame = int(PHYSICS_RATE_HZ / 30)
        wave: list[FloatArray] = [scripted_wave(sim.model, k / 30, seconds)
                                  for k in range(n_frames)]

        def frame(k: int) -> None:
            sim.command(wave[k])
            sim.step(steps_per_frame)

        samples = _time_calls(frame, n_frames)
    wall_s = sum(samples) / 1e3
    return {"realtime_factor": round(seconds / wall_s, 1),
            "frame_ms": latency_stats(samples)}


def run_bench(as_json: bool = False) -> dict[str, Any]:
    """Run every benchmark, print the figures, and return them."""
    results: dict[str, Any] = {}
    stages: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("tracking", bench_tracking), ("filter", bench_filter), ("retarget", bench_retarget),
        ("simulation", bench_simulation)]
    for name, fn in stages:
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        results[name] = fn()
    if as_json:
        print(json.dumps(results, indent=2))
    else:
        print(format_table(results))
    return results


def format_table(results: dict[str, Any]) -> str:
    """The figures as aligned text lines."""
    lines = ["stage        p50 ms    p99 ms   notes"]
    for name in ("tracking", "filter"):
        if name in results:
            r = results[name]
            note = (f"person found in {100 * r['found_fraction']:.0f}% of frames"
                    if "found_fraction" in r else "")
            lines.append(f"{name:<10} {r['p50']:>8.3f}  {r['p99']:>8.3f}   {note}")
    if "retarget" in results:
        for name, label in (("ours", "retarget"), ("shape", "shape"), ("naive", "naive IK")):
            r = results["retarget"][name]
            lines.append(f"{label:<10} {r['p50']:>8.3f}  {r['p99']:>8.3f}   "
                         + ("limits + self-collision" if name == "shape" else
                            "both arms" + (" (baseline)" if name == "naive" else "")))
    if "simulation" in results:
        r = results["simulation"]
        lines.append(f"{'sim frame':<10} {r['frame_ms']['p50']:>8.3f}  "
                     f"{r['frame_ms']['p99']:>8.3f}   real-time factor {r['realtime_factor']}x "
                     "(8 physics steps per 30 Hz frame)")
    return "\n".join(lines)
