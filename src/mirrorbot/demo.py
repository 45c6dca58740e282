"""The built-in demo: the robot performs a scripted wave in the tabletop scene.

This is the walking skeleton of the pipeline (simulator, log, video, summary). Once the
synthetic person exists, the demo becomes ``run`` on a scripted synthetic session.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mirrorbot.labels import GOALS
from mirrorbot.loop import LoopConfig, Step, run_loop
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.scene import load_scene
from mirrorbot.scripted import rest_pose, scripted_wave
from mirrorbot.simulator import SimConfig, SimMode, Simulator
from mirrorbot.urdf import RobotModel

DEMO_RATE_HZ = 30.0



@dataclass(frozen=True, kw_only=True)
class DemoConfig:
    """Demo settings (the command line's ``demo`` options).

    Attributes:
        out_dir: Output folder.
        seconds: Length of the session [s].
        gui: Open the PyBullet GUI and an OpenCV window.
        video: Write video.mp4.
        seed: Seed of the session (the scripted wave has no randomness yet).
        progress: Print progress to stderr.
    """

    out_dir: Path
    seconds: float = 10.0
    gui: bool = False
    video: bool = True
    seed: int = 0
    progress: bool = True


def _wave_steps(model: RobotModel, seconds: float) -> Iterator[Step]:
    n = int(round(seconds * DEMO_RATE_HZ))
    for k in range(n):
        t = k / DEMO_RATE_HZ
        yield Step(t_s=t, q_target_rad=scripted_wave(model, t, seconds), mode="mirror",
                   caption="source: scripted wave (the robot's own motion)")


def run_demo(config: DemoConfig) -> dict[str, Any]:
    """Run the demo and write session.jsonl, video.mp4 and summary.json; returns the summary."""
    sim_config = SimConfig(mode=SimMode.GUI if config.gui else SimMode.DIRECT)
    with Simulator(sim_config, load_scene(scene_path(DEFAULT_SCENE_NAME))) as sim:
        sim.reset(rest_pose(sim.model))
        n = int(round(config.seconds * DEMO_RATE_HZ))
        loop = LoopConfig(out_dir=config.out_dir, rate_hz=DEMO_RATE_HZ, video=config.video,
                          realtime=config.gui, window=config.gui, progress=config.progress,
                          goals=GOALS, source="demo:scripted-wave")
        return run_loop(_wave_steps(sim.model, config.seconds), sim, loop, total_frames=n)
