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

from mirrorbot.arrays import FloatArray, ImageBGR

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


def _photo_frame() -> ImageBGR:
    """The real test photo (models/media/astronaut.jpg) centred in a 640x480 frame."""
    import cv2

    from mirrorbot.paths import media_path

    photo = cv2.imread(str(media_path("astronaut.jpg")), cv2.IMREAD_COLOR)
    canvas = np.zeros((480, 640, 3), np.uint8)
    canvas[:, 80:560] = cv2.resize(photo, (480, 480))
    return canvas


def bench_tracking(frames: int = 60) -> dict[str, Any]:
    """The bundled pose model on a real photo (models/media/astronaut.jpg) in video mode, 640x480.

    Returns:
        Latency stats [ms] and the fraction of frames where the person was found.
    """
    from mirrorbot.perception.tracker import SolutionsPoseTracker

    canvas = _photo_frame()
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


def bench_pose_noise(frames: int = 300) -> dict[str, Any]:
    """The bundled pose model's jitter and wander on the still photo with camera noise.

    See :mod:`mirrorbot.eval.pose_noise`; the synthetic person's noise is meant to match these.
    """
    from mirrorbot.eval.pose_noise import noise_figures, track_still
    from mirrorbot.perception.tracker import SolutionsPoseTracker

    canvas = _photo_frame()
    tracker = SolutionsPoseTracker()
    try:
        return noise_figures(track_still(tracker, canvas, frames))
    finally:
        tracker.close()


def bench_filter(frames: int = 3000) -> dict[str, Any]:
    """The pose filter per frame, with the pose ahead for the robot [ms] (33 landmarks)."""
    from mirrorbot.perception.landmarks import NUM_LANDMARKS, PoseFrame
    from mirrorbot.perception.pose_filter import PoseFilter

    rng = np.random.default_rng(0)
    f = PoseFilter()
    poses = [PoseFrame(t_s=k / 30, world_m=rng.normal(0, 0.3, (NUM_LANDMARKS, 3)),
                       visibility=rng.uniform(0.3, 1.0, NUM_LANDMARKS),
                       image_uv=rng.uniform(0, 1, (NUM_LANDMARKS, 2))) for k in range(frames)]

    def step(k: int) -> None:
        pose = f(poses[k], poses[k].t_s)
        assert pose is not None
        f.for_robot(pose)

    return latency_stats(_time_calls(step, frames))


def bench_retarget(seconds: float = 20.0) -> dict[str, Any]:
    """Retargeting per frame on the noisy synthetic session: ours, naive, and the shaper [ms]."""
    from mirrorbot.control.collision_avoidance import collision_model_for
    from mirrorbot.control.safety import CommandShaper
    from mirrorbot.perception.pose_filter import PoseFilter
    from mirrorbot.retarget.naive_retarget import NaiveRetargeter
    from mirrorbot.retarget.retarget import DirectionRetargeter, Mapping, RetargetContext
    from mirrorbot.robot.scripted import rest_pose
    from mirrorbot.sim.simulator import Simulator
    from mirrorbot.synth.synth_person import SyntheticConfig, SyntheticPerson

    person = SyntheticPerson(SyntheticConfig(seed=7))
    poses = [f.observed for f in person.frames() if f.observed is not None]
    poses = poses[: int(seconds * 30)]
    pose_filter = PoseFilter()
    filtered = [pose_filter.for_robot(f) for f in (pose_filter(p, p.t_s) for p in poses)
                if f is not None]  # what the robot is driven by
    with Simulator() as sim:
        q_rest = rest_pose(sim.model)
        context = RetargetContext(sim.model, Mapping.MIRROR, q_rest, sim.inverse_kinematics)
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


def bench_reach(objects: int = 8) -> dict[str, Any]:
    """The reach-goal posterior (ours) per sample of one hand, among ``objects`` objects [ms].

    Over the synthetic person's reaches (:mod:`mirrorbot.synth.synth_reaches`), the objects padded
    to ``objects`` with more on the table.
    """
    from mirrorbot.mind.reach_goal import ReachGoal
    from mirrorbot.synth.synth_reaches import synthetic_reach_set

    rng = np.random.default_rng(0)
    samples: list[float] = []
    for seed in (4001, 4002, 4003):
        reach_set = synthetic_reach_set(seed)
        points = dict(list(reach_set.objects_m.items())[:objects])
        centre = np.mean(list(points.values()), axis=0)
        while len(points) < objects:
            points[f"extra{len(points)}"] = centre + rng.normal(0.0, 0.2, 3)
        for reach in reach_set.reaches:
            model = ReachGoal(points)
            for p, t in zip(reach.hand_m, reach.t_s, strict=True):
                t0 = time.perf_counter()
                model.update(p, float(t))
                samples.append(1e3 * (time.perf_counter() - t0))
    return {**latency_stats(samples), "objects": objects}


def bench_simulation(seconds: float = 10.0) -> dict[str, Any]:
    """Headless physics with the robot under position control: real-time factor and step time.

    As the run loop drives it: each frame's targets ramped over its physics steps.
    """
    from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
    from mirrorbot.robot.scripted import rest_pose, scripted_wave
    from mirrorbot.sim.scene import load_scene
    from mirrorbot.sim.simulator import PHYSICS_RATE_HZ, Simulator

    with Simulator(scene=load_scene(scene_path(DEFAULT_SCENE_NAME))) as sim:
        sim.reset(rest_pose(sim.model))
        n_frames = int(seconds * 30)
        steps_per_frame = int(PHYSICS_RATE_HZ / 30)
        wave: list[FloatArray] = [scripted_wave(sim.model, k / 30, seconds)
                                  for k in range(n_frames)]

        def frame(k: int) -> None:
            sim.command(wave[k], ramp_steps=steps_per_frame)
            sim.step(steps_per_frame)

        samples = _time_calls(frame, n_frames)
    wall_s = sum(samples) / 1e3
    return {"realtime_factor": round(seconds / wall_s, 1),
            "frame_ms": latency_stats(samples)}


def bench_end_to_end(frames: int = 300) -> dict[str, Any]:
    """A real video file (the photo panning, 640x480, MJPG) through the whole pipeline.

    Decoding, the bundled pose model, filter, retargeting, shaping and physics, with the session
    log and summary written but no output video: frames per second of the source processed.
    """
    import tempfile
    from pathlib import Path

    import cv2

    from mirrorbot.paths import media_path
    from mirrorbot.run.session import RunConfig, run_session

    photo = cv2.imread(str(media_path("astronaut.jpg")), cv2.IMREAD_COLOR)
    with tempfile.TemporaryDirectory() as tmp:
        video = Path(tmp) / "pan.avi"
        fourcc = cv2.VideoWriter.fourcc(*"MJPG")
        writer = cv2.VideoWriter(str(video), fourcc, 30.0, (640, 480))
        for k in range(frames):
            canvas = np.zeros((480, 640, 3), np.uint8)
            x = 80 + int(70 * np.sin(2 * np.pi * k / frames))
            canvas[:, x:x + 480] = cv2.resize(photo, (480, 480))
            writer.write(canvas)
        writer.release()
        t0 = time.perf_counter()
        summary = run_session(RunConfig(source=f"video:{video}", out_dir=Path(tmp) / "out",
                                        video=False, progress=False))
        wall = time.perf_counter() - t0
    lat = summary["latency_ms"]
    return {"frames": summary["frames"], "fps": round(summary["frames"] / wall, 1),
            "tracked_fraction": summary["tracked_fraction"],
            "after_pose_model_ms": lat["after_pose_model"],
            "stages_ms": {k: v for k, v in lat.items() if k != "after_pose_model"}}


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far [MB]."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_bench(as_json: bool = False) -> dict[str, Any]:
    """Run every benchmark, print the figures, and return them."""
    from mirrorbot.eval.bench_video import bench_demo, bench_gui, bench_video_parts

    results: dict[str, Any] = {}
    stages: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("tracking", bench_tracking), ("pose_noise", bench_pose_noise), ("filter", bench_filter),
        ("retarget", bench_retarget), ("reach", bench_reach),
        ("simulation", bench_simulation), ("end_to_end", bench_end_to_end),
        ("video_parts", bench_video_parts), ("demo", bench_demo), ("gui", bench_gui)]
    for name, fn in stages:
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        results[name] = fn()
    results["peak_memory_mb"] = round(peak_memory_mb(), 1)
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
    if "pose_noise" in results:
        r = results["pose_noise"]
        for group in ("shoulders_elbows", "wrists"):
            g = r[group]
            lines.append(f"pose model noise, still photo, {group.replace('_', ' and ')}: jitter "
                         f"{'/'.join(f'{v:g}' for v in g['jitter_mm'])} mm, wander "
                         f"{'/'.join(f'{v:g}' for v in g['wander_mm'])} mm (x/y/z)")
    if "retarget" in results:
        for name, label in (("ours", "retarget"), ("shape", "shape"), ("naive", "naive IK")):
            r = results["retarget"][name]
            lines.append(f"{label:<10} {r['p50']:>8.3f}  {r['p99']:>8.3f}   "
                         + ("limits + self-collision" if name == "shape" else
                            "both arms" + (" (baseline)" if name == "naive" else "")))
    if "reach" in results:
        r = results["reach"]
        lines.append(f"{'reach':<10} {r['p50']:>8.3f}  {r['p99']:>8.3f}   reach-goal posterior, "
                     f"one hand among {r['objects']} objects")
    if "simulation" in results:
        r = results["simulation"]
        lines.append(f"{'sim frame':<10} {r['frame_ms']['p50']:>8.3f}  "
                     f"{r['frame_ms']['p99']:>8.3f}   real-time factor {r['realtime_factor']}x "
                     "(8 physics steps per 30 Hz frame)")
    if "end_to_end" in results:
        r = results["end_to_end"]
        a = r["after_pose_model_ms"]
        lines.append(f"{'after pose':<10} {a['p50']:>8.3f}  {a['p99']:>8.3f}   filter + retarget + "
                     "intent + shape + control, per frame of the run below")
        lines.append(f"end to end: {r['fps']} fps on a real {r['frames']}-frame 640x480 video "
                     f"(decode, pose model, controller, physics, log), tracked "
                     f"{100 * r['tracked_fraction']:.0f}%")
    from mirrorbot.eval.bench_video import format_video

    lines += format_video(results)
    if "peak_memory_mb" in results:
        lines.append(f"peak memory: {results['peak_memory_mb']} MB")
    return "\n".join(lines)


def _rss_mb() -> float:
    """Resident memory of this process now [MB] (Linux /proc)."""
    import os

    with open("/proc/self/statm", encoding="ascii") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_soak(seconds: float, as_json: bool = False) -> dict[str, Any]:
    """Process ``seconds`` of synthetic input as fast as possible and check it stayed sound.

    Reports resident memory after the first minute and at the end, the log's completeness,
    and any command beyond the joint position, velocity or acceleration limits.
    """
    import json as json_module
    import tempfile
    import threading
    from pathlib import Path

    from mirrorbot.control.safety import SafetyConfig
    from mirrorbot.paths import robot_urdf_path
    from mirrorbot.robot.urdf import load_robot_model
    from mirrorbot.run.session import RunConfig, run_session

    repeat = max(1, int(np.ceil(seconds / 30.0)))
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    start = time.perf_counter()

    def sample() -> None:
        while not stop.wait(1.0):
            samples.append((time.perf_counter() - start, _rss_mb()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        try:
            summary = run_session(RunConfig(
                source=f"synthetic:session?seed=11&repeat={repeat}", out_dir=out, video=False,
                max_seconds=seconds, progress=True, plot=False))  # the loop's memory alone
        finally:
            stop.set()
            sampler.join()
        model = load_robot_model(robot_urdf_path())
        lines = (out / "session.jsonl").read_text().splitlines()
        q = np.array([json_module.loads(line)["q_target"] for line in lines[1:]])
    dt = 1.0 / 30.0
    v = np.diff(q, axis=0) / dt
    a = np.diff(v, axis=0) / dt
    a_limit = SafetyConfig.for_input(noise_free=False).accel_limits(model)
    tol = 1e-3  # the log rounds angles to 1e-5 rad; differences amplify that
    after_warmup = [m for t, m in samples if t >= 60.0] or [m for _, m in samples]
    result = {
        "source_seconds": round(summary["sim_time_s"], 1), "frames": summary["frames"],
        "log_lines": len(lines) - 1, "log_complete": len(lines) - 1 == summary["frames"],
        "wall_s": summary["wall_s"], "fps": summary["fps"],
        "rss_mb_after_first_minute": round(after_warmup[0], 1) if after_warmup else None,
        "rss_mb_at_end": round(samples[-1][1], 1) if samples else round(_rss_mb(), 1),
        "violations": {
            "position": int(np.sum((q < model.lower_rad - 1e-6) | (q > model.upper_rad + 1e-6))),
            "velocity": int(np.sum(np.abs(v) > model.velocity_rad_s + tol / dt)),
            "acceleration": int(np.sum(np.abs(a) > a_limit + 2 * tol / dt ** 2)),
        },
    }
    if as_json:
        print(json_module.dumps(result, indent=2))
    else:
        print(f"soak: {result['frames']} frames ({result['source_seconds']} s of input) in "
              f"{result['wall_s']:.0f} s; log complete: {result['log_complete']}; RSS "
              f"{result['rss_mb_after_first_minute']} MB after the first minute, "
              f"{result['rss_mb_at_end']} MB at the end; violations {result['violations']}")
    return result
