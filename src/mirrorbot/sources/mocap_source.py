"""The ``bvh:PATH.bvh[.gz][?units=cm&up=y]`` source: motion capture played like a recording.

Labels come from a ``labels.csv`` beside the file when it has a row for it (columns ``file``
and ``goal``, optionally ``hands`` and ``style``, as in the Bandai Namco development set): the
goal covers the whole clip. Clips faster than :data:`MAX_RATE_HZ` are played at every k-th
frame.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.errors import SourceError
from mirrorbot.labels import GestureLabel
from mirrorbot.perception.bvh import load_bvh
from mirrorbot.perception.landmarks import NUM_LANDMARKS, PoseFrame
from mirrorbot.perception.mocap_landmarks import MocapLandmarks, MocapOptions, mocap_landmarks
from mirrorbot.perception.source_spec import check_known_options
from mirrorbot.warn import warn_once

LABELS_FILE = "labels.csv"
MAX_RATE_HZ = 60.0  # faster clips (120 Hz capture) are thinned to at most this
BVH_OPTIONS = ("units", "scale", "up")
VISIBILITY = 1.0  # every joint of a motion capture is seen


@dataclass(frozen=True)
class ClipLabel:
    """A ``labels.csv`` row: the clip's goal and what else the row says."""

    goal: str
    extra: dict[str, str]


def read_labels_csv(folder: Path) -> dict[str, ClipLabel]:
    """``labels.csv`` in ``folder`` by file name ({} when there is none).

    Raises:
        SourceError: The file exists but has no ``file`` and ``goal`` columns or is unreadable.
    """
    path = folder / LABELS_FILE
    if not path.is_file():
        return {}
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SourceError(f"{path} cannot be read ({exc}); it must be CSV with columns "
                          "file,goal") from None
    if rows and not {"file", "goal"} <= set(rows[0]):
        raise SourceError(f"{path} needs the columns file and goal (it has "
                          f"{', '.join(k for k in rows[0] if k)})")
    out: dict[str, ClipLabel] = {}
    for row in rows:
        name, goal = (row.get("file") or "").strip(), (row.get("goal") or "").strip()
        if name and goal:
            if name in out and out[name].goal != goal:
                warn_once(f"{path} labels {name} twice ({out[name].goal!r}, then {goal!r}); "
                          "the last row is used, delete the other")
            out[name] = ClipLabel(goal, {k: (v or "").strip() for k, v in row.items()
                                         if k and k not in ("file", "goal")})
    return out


def parse_bvh_options(options: dict[str, str]) -> MocapOptions:
    """``{"units": "cm", "up": "y"}`` -> MocapOptions.

    Raises:
        SourceError: An unknown option or a bad scale.
    """
    check_known_options(options, list(BVH_OPTIONS), "bvh")
    scale = None
    if "scale" in options:
        try:
            scale = float(options["scale"])
        except ValueError:
            scale = math.nan
        if not (math.isfinite(scale) and scale > 0):
            raise SourceError(f"bvh option scale={options['scale']!r} must be a positive "
                              "number of metres per file unit")
    return MocapOptions(units=options.get("units") or None, scale_m=scale,
                        up=options.get("up") or None)


class MocapClip:
    """A BVH clip read as poses: landmarks, rate, labels (what a ``bvh:`` source plays).

    Args:
        path: The ``.bvh`` or ``.bvh.gz`` file.
        options: Units and up axis (found from the skeleton when not given).

    Raises:
        SourceError: The file is missing or malformed, or its skeleton cannot be read.
    """

    def __init__(self, path: Path, options: MocapOptions | None = None) -> None:
        self.path = path
        clip = load_bvh(path)
        self.mocap: MocapLandmarks = mocap_landmarks(clip, options)
        self.stride = max(1, math.ceil(clip.rate_hz / MAX_RATE_HZ - 1e-3))  # 120.005 Hz: 2
        self.rate_hz = clip.rate_hz / self.stride
        self.world_m = self.mocap.world_m[::self.stride]
        duration_s = max(len(self.world_m) - 1, 1) / self.rate_hz
        row = read_labels_csv(path.parent).get(path.name)
        self.labels: tuple[GestureLabel, ...] = () if row is None else (
            GestureLabel(0.0, duration_s, row.goal),)
        self.header_extra: dict[str, Any] = {
            "mocap": {"file": path.name, "units": self.mocap.units,
                      "metres_per_unit": self.mocap.scale_m, "up_axis": self.mocap.up_axis,
                      "rate_hz": clip.rate_hz, "stride": self.stride,
                      **({} if row is None else row.extra)}}

    def __len__(self) -> int:
        return len(self.world_m)

    def frames(self) -> Iterator[tuple[float, PoseFrame]]:
        """(t [s], PoseFrame) for every kept frame.

        Without image points: the video draws the skeleton from the world landmarks
        (:mod:`mirrorbot.output.skeleton_view`), as for every source without a picture.
        """
        vis = np.full(NUM_LANDMARKS, VISIBILITY)
        for k, world in enumerate(self.world_m):
            t_s = k / self.rate_hz
            yield t_s, PoseFrame(t_s=t_s, world_m=world.copy(), visibility=vis)


def bvh_files(folder: Path) -> list[Path]:
    """The ``.bvh`` and ``.bvh.gz`` files of ``folder``, sorted by name."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.name.lower().endswith((".bvh", ".bvh.gz")))
