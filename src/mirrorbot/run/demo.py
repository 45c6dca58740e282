"""The built-in demo: ``run`` on the synthetic person's ~30 s session that covers every gesture.

The synthetic person waves, drinks, points, offers the cup, idles, raises a hand, reaches for
the book and clears the cup away; the robot mirrors it through the whole pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mirrorbot.run.session import RunConfig, run_session


@dataclass(frozen=True, kw_only=True)
class DemoConfig:
    """Demo settings (the command line's ``demo`` options).

    Attributes:
        out_dir: Output folder.
        seconds: Stop after this long [s]; None plays the whole session (about 33 s).
        gui: Open the PyBullet GUI and an OpenCV window (plays in real time).
        video: Write video.mp4.
        seed: Seed of the synthetic session (body, timing, targets, noise).
        progress: Print progress to stderr.
        overwrite: Replace the files of an earlier run in ``out_dir`` (else it is refused).
    """

    out_dir: Path
    seconds: float | None = None
    gui: bool = False
    video: bool = True
    seed: int = 0
    progress: bool = True
    overwrite: bool = False

    @property
    def source(self) -> str:
        """The synthetic source the demo runs."""
        return f"synthetic:session?seed={self.seed}"


def run_demo(config: DemoConfig) -> dict[str, Any]:
    """Run the demo and write session.jsonl, video.mp4 and summary.json; returns the summary."""
    return run_session(RunConfig(source=config.source, out_dir=config.out_dir, gui=config.gui,
                                 video=config.video, realtime=config.gui,
                                 max_seconds=config.seconds, progress=config.progress,
                                 overwrite=config.overwrite))
