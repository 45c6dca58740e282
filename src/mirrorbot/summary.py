"""``summary.json``: what a run did, in numbers (frames, tracking, speed, latency, goals)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

LATENCY_PERCENTILES = (50, 95, 99)
NOT_AFTER_POSE = ("track", "sim")


class SummaryBuilder:
    """Accumulates per-frame facts and writes ``summary.json`` at the end of a run."""

    def __init__(self) -> None:
        self.frames = 0
        self.tracked = 0
        self._timing_ms: dict[str, list[float]] = defaultdict(list)
        self.goal_events: list[dict[str, Any]] = []

    def add(self, *, tracked: bool, timing_ms: dict[str, float]) -> None:
        """Count one frame and its stage timings [ms]."""
        self.frames += 1
        self.tracked += int(tracked)
        for stage, ms in timing_ms.items():
            self._timing_ms[stage].append(ms)
        # Everything the controller adds after the pose model, per frame (physics excluded).
        self._timing_ms["after_pose_model"].append(
            sum(ms for stage, ms in timing_ms.items() if stage not in NOT_AFTER_POSE))

    def latency_ms(self) -> dict[str, dict[str, float]]:
        """Per-stage latency percentiles and maximum [ms]."""
        out: dict[str, dict[str, float]] = {}
        for stage, values in self._timing_ms.items():
            arr = np.asarray(values)
            stats = {f"p{p}": round(float(np.percentile(arr, p)), 4)
                     for p in LATENCY_PERCENTILES}
            stats["max"] = round(float(arr.max()), 4)
            out[stage] = stats
        return out

    def build(self, *, wall_s: float, sim_time_s: float, sim_wall_s: float,
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
        """The summary as a JSON-ready dict.

        Args:
            wall_s: Wall time of the whole run [s].
            sim_time_s: Simulated time [s].
            sim_wall_s: Wall time spent stepping physics [s].
            extra: More fields (source, mode, evaluation metrics, ...).
        """
        summary: dict[str, Any] = {
            "frames": self.frames,
            "tracked_fraction": round(self.tracked / self.frames, 4) if self.frames else 0.0,
            "fps": round(self.frames / wall_s, 2) if wall_s > 0 else 0.0,
            "wall_s": round(wall_s, 3),
            "sim_time_s": round(sim_time_s, 4),
            "sim_realtime_factor": round(sim_time_s / sim_wall_s, 1) if sim_wall_s > 0 else None,
            "latency_ms": self.latency_ms(),
            "goal_events": self.goal_events,
        }
        summary.update(extra or {})
        return summary


def write_summary(path: Path, summary: dict[str, Any]) -> None:
    """Write ``summary.json`` atomically (a crash never leaves half a file)."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(summary, indent=2) + "\n")
    tmp.replace(path)
