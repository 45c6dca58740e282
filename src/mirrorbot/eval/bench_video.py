"""``mirrorbot bench``'s figures for the video: the demo's speed, and where its time goes.

``bench_demo`` runs the demo as ``make demo`` does (video, summary.png and all) and reports
frames per second; ``bench_video_parts`` times each part of a video frame alone: the robot's
picture (PyBullet's TinyRenderer), the person's picture, the composed frame with its overlay,
and the H.264 encoder (ffmpeg's own CPU time, in its process beside ours).
"""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from mirrorbot.eval.bench import latency_stats

DEMO_SECONDS = 20.0  # source time of the demo run that bench measures [s]


def bench_demo(seconds: float = DEMO_SECONDS) -> dict[str, Any]:
    """The demo, headless, video included, for ``seconds`` of its session.

    Returns:
        ``fps``: frames per second of the run loop (stages, physics, video, log);
        ``wall_s``: the whole command's time, start-up, warm-up and summary.png included;
        ``realtime_factor``: source seconds per wall second, start-up included.
    """
    from mirrorbot.run.demo import DemoConfig, run_demo

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = run_demo(DemoConfig(out_dir=Path(tmp) / "demo", seconds=seconds,
                                      progress=False))
        wall_s = time.perf_counter() - t0
    return {"frames": summary["frames"], "fps": summary["fps"], "wall_s": round(wall_s, 2),
            "source_s": seconds, "realtime_factor": round(seconds / wall_s, 2),
            "on_screen_latency_ms": summary["latency_ms"].get("total")}


def bench_gui(seconds: float = 10.0) -> dict[str, Any]:
    """``demo --gui`` (PyBullet's window and the video window, paced to real time).

    Needs a display (an X server, Xvfb included); without one the result says so.

    Returns:
        ``fps``: frames per second of the loop (30 when it keeps up with real time);
        ``on_screen_latency_ms``: a frame's arrival to its display in the video window.
    """
    from mirrorbot.output.display import has_display
    from mirrorbot.run.demo import DemoConfig, run_demo

    if not has_display():
        return {"skipped": "no display (set DISPLAY, e.g. under Xvfb)"}
    with tempfile.TemporaryDirectory() as tmp:
        summary = run_demo(DemoConfig(out_dir=Path(tmp) / "gui", seconds=seconds, gui=True,
                                      progress=False))
    return {"frames": summary["frames"], "fps": summary["fps"],
            "on_screen_latency_ms": summary["latency_ms"].get("total")}


def bench_video_parts(frames: int = 150) -> dict[str, Any]:
    """Each part of a demo video frame, timed alone over ``frames`` frames of the session [ms].

    ``robot``: the simulator's picture (480x360); ``person``: the synthetic person's picture
    with the skeleton over it, mirrored; ``compose``: the two panels side by side with the
    overlay; ``encode_cpu``: ffmpeg's CPU time per frame (it runs in its own process, on the
    other core when there is one); ``write``: our time handing frames to it.
    """
    from mirrorbot.mind.behaviour import Behaviour
    from mirrorbot.output.overlay import OverlayInfo, compose_frame, draw_skeleton, mirrored
    from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
    from mirrorbot.robot.scripted import rest_pose
    from mirrorbot.run.loop import VIDEO_CAMERA, _open_video
    from mirrorbot.sim.scene import load_scene
    from mirrorbot.sim.simulator import Simulator
    from mirrorbot.sources.pose_sources import synthetic_person
    from mirrorbot.synth.synth_person import render_frame

    scene = load_scene(scene_path(DEFAULT_SCENE_NAME))
    person = synthetic_person("session?seed=0", scene)
    parts: dict[str, list[float]] = {"robot": [], "person": [], "compose": [], "write": []}
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with Simulator(scene=scene) as sim, tempfile.TemporaryDirectory() as tmp:
        sim.reset(rest_pose(sim.model))
        sim.render_rgba(VIDEO_CAMERA)  # the floor's picture is drawn once; not timed
        video = _open_video(Path(tmp) / "video.mp4", 30.0)
        try:
            for k, frame in enumerate(person.frames()):
                if k == frames:
                    break
                t0 = time.perf_counter()
                robot = sim.render_rgba(VIDEO_CAMERA)
                t1 = time.perf_counter()
                view = render_frame(person, frame)
                if frame.observed is not None and frame.observed.image_uv is not None:
                    view = draw_skeleton(view, frame.observed.image_uv,
                                         frame.observed.visibility)
                view = mirrored(view)
                t2 = time.perf_counter()
                composed = compose_frame(view, robot, OverlayInfo(
                    t_s=frame.t_s, behaviour=Behaviour.MIRROR, caption="source: bench",
                    goal_probs={"wave": 0.5, "none": 0.5}, latency_ms=10.0))
                t3 = time.perf_counter()
                video.write(composed)
                t4 = time.perf_counter()
                for name, a, b in (("robot", t0, t1), ("person", t1, t2), ("compose", t2, t3),
                                   ("write", t3, t4)):
                    parts[name].append(1e3 * (b - a))
        finally:
            video.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    encode_s = (children.ru_utime + children.ru_stime
                - children_before.ru_utime - children_before.ru_stime)
    n = len(parts["robot"])
    return {**{name: latency_stats(v) for name, v in parts.items()},
            "encode_cpu_ms": round(1e3 * encode_s / max(n, 1), 2), "frames": n}


def format_video(results: dict[str, Any]) -> list[str]:
    """The video figures as text lines for :func:`mirrorbot.eval.bench.format_table`."""
    lines = []
    if "video_parts" in results:
        r = results["video_parts"]
        lines.append("video frame (p50 ms): robot picture {:.1f}, person picture {:.1f}, "
                     "compose {:.1f}, hand to encoder {:.1f}; encoder CPU {:.1f} ms a frame "
                     "(its own process)".format(r["robot"]["p50"], r["person"]["p50"],
                                                r["compose"]["p50"], r["write"]["p50"],
                                                r["encode_cpu_ms"]))
    if "demo" in results:
        r = results["demo"]
        lines.append(f"demo, video included: {r['fps']} fps in the loop; {r['source_s']:g} s of "
                     f"session in {r['wall_s']} s with start-up ({r['realtime_factor']}x real "
                     "time)")
    if "gui" in results:
        r = results["gui"]
        if "skipped" in r:
            lines.append(f"demo --gui: skipped, {r['skipped']}")
        else:
            lat = r["on_screen_latency_ms"] or {}
            lines.append(f"demo --gui: {r['fps']} fps (30 keeps up), on-screen latency p50 "
                         f"{lat.get('p50', float('nan')):.0f} ms, p95 "
                         f"{lat.get('p95', float('nan')):.0f} ms")
    return lines
