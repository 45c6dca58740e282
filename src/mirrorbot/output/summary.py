"""``summary.json``: what a run did, in numbers (frames, tracking, speed, latency, goals)."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.out_files import write_atomic

LATENCY_PERCENTILES = (50, 95, 99)
NOT_AFTER_POSE = ("track", "sim", "total")


class LatencyHistogram:
    """Percentiles of a stream of timings in constant memory (runs may last for hours).

    Log-spaced bins from 1 microsecond to 100 s, 2% wide: a percentile is exact to within 1%.
    The first values are also kept exactly, so short runs report exact percentiles.
    """

    EXACT = 4096
    LOW_MS, HIGH_MS, BIN_RATIO = 1e-3, 1e5, 1.02

    def __init__(self) -> None:
        self._log_ratio = math.log(self.BIN_RATIO)
        n = int(math.ceil(math.log(self.HIGH_MS / self.LOW_MS) / self._log_ratio)) + 2
        self._counts = np.zeros(n, dtype=np.int64)
        self._exact: list[float] = []
        self.count = 0
        self.max_ms = 0.0

    def add(self, ms: float) -> None:
        """Count one timing [ms]."""
        self.count += 1
        self.max_ms = max(self.max_ms, ms)
        if len(self._exact) < self.EXACT:
            self._exact.append(ms)
        k = 0 if ms <= self.LOW_MS else int(math.log(ms / self.LOW_MS) / self._log_ratio) + 1
        self._counts[min(k, len(self._counts) - 1)] += 1

    def percentile(self, p: float) -> float:
        """The p-th percentile [ms]."""
        if self.count <= self.EXACT:
            return float(np.percentile(np.asarray(self._exact), p))
        rank = p / 100.0 * (self.count - 1)
        k = int(np.searchsorted(np.cumsum(self._counts), rank, side="right"))
        if k == 0:
            return self.LOW_MS
        return self.LOW_MS * self.BIN_RATIO ** (k - 0.5)


class SummaryBuilder:
    """Accumulates per-frame facts and writes ``summary.json`` at the end of a run."""

    def __init__(self) -> None:
        self.frames = 0
        self.tracked = 0
        self._timing_ms: dict[str, LatencyHistogram] = defaultdict(LatencyHistogram)
        self.goal_events: list[dict[str, Any]] = []

    def add(self, *, tracked: bool, timing_ms: dict[str, float]) -> None:
        """Count one frame and its stage timings [ms]."""
        self.frames += 1
        self.tracked += int(tracked)
        for stage, ms in timing_ms.items():
            self._timing_ms[stage].add(ms)
        # Everything the controller adds after the pose model, per frame (physics excluded).
        self._timing_ms["after_pose_model"].add(
            sum(ms for stage, ms in timing_ms.items() if stage not in NOT_AFTER_POSE))

    def latency_ms(self) -> dict[str, dict[str, float]]:
        """Per-stage latency percentiles and maximum [ms]."""
        out: dict[str, dict[str, float]] = {}
        for stage, hist in self._timing_ms.items():
            stats = {f"p{p}": round(hist.percentile(p), 4) for p in LATENCY_PERCENTILES}
            stats["max"] = round(hist.max_ms, 4)
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
    write_atomic(path, json.dumps(summary, indent=2, allow_nan=False) + "\n")
