"""Learning a new gesture from a few demonstrations (``mirrorbot learn NAME a.jsonl b.jsonl ...``).

Each recording is filtered, its most moving arm is mapped into the robot's arm frame (as the
recogniser sees it: relative to the shoulder, scaled to the robot's arm, outward kept outward),
and its main movement is cut out: the first labelled movement when the recording has labels,
else the fastest movement from the speed's onset to its offset. The movements are resampled
on a common phase and averaged into a template path: a primitive of the robot's own repertoire,
stored as JSON (docs/repertoire.md) and recognised like the built-in goals.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.errors import ConfigError, SourceError
from mirrorbot.labels import GOALS
from mirrorbot.landmarks import Side
from mirrorbot.person_arm_frames import wrists_in_arm_frames
from mirrorbot.pose_filter import RECOGNITION_FILTER, PoseFilter
from mirrorbot.recording import read_recording
from mirrorbot.repertoire import Primitive, builtin_primitives, save_primitive

MIN_DEMOS = 3
TEMPLATE_POINTS = 21
ONSET_FRACTION = 0.15  # of the peak speed: where a demonstrated movement starts and ends
MIN_TRAVEL_M = 0.08
SPEED_WINDOW = 4  # frames
MAX_NAME_CHARS = 64  # the name is a file name too


@dataclass(frozen=True)
class Demonstration:
    """One cut-out movement: times (N,) [s] and wrist positions (N, 3) [m], arm frame."""

    source: str
    side: Side
    times_s: FloatArray
    wrist_m: FloatArray


def extract_movement(path: Path) -> Demonstration:
    """The main movement of one recording.

    Raises:
        SourceError: The recording cannot be read or shows no clear movement.
    """
    header, frames = read_recording(path)
    pose_filter = PoseFilter(RECOGNITION_FILTER)  # the recogniser's view, as in the loop
    times: list[float] = []
    wrists: dict[Side, list[FloatArray]] = {side: [] for side in Side}
    for t_s, pose in frames:
        filtered = pose_filter(pose, t_s)
        if filtered is None:
            continue
        times.append(t_s)
        for side, wrist in wrists_in_arm_frames(filtered.world_m).items():
            wrists[side].append(wrist)
    if len(times) < 10:
        raise SourceError(f"{path}: fewer than 10 tracked frames; record the demonstration again")
    t = np.array(times)
    travel = {side: float(np.sum(np.linalg.norm(np.diff(np.array(w), axis=0), axis=1)))
              for side, w in wrists.items()}
    side = max(travel, key=lambda s: travel[s])
    pos = np.array(wrists[side])
    goal_labels = [lb for lb in header.labels if lb.goal != "none"]
    if goal_labels:  # a labelled recording says where the movement is
        label = goal_labels[0]
        inside = np.flatnonzero((t >= label.start_s) & (t <= label.end_s))
        if len(inside) >= 5:
            travel_in = {s: float(np.sum(np.linalg.norm(np.diff(np.array(w)[inside], axis=0),
                                                        axis=1))) for s, w in wrists.items()}
            side = max(travel_in, key=lambda s: travel_in[s])
            pos = np.array(wrists[side])[inside]
            _check_moved(path, float(np.max(np.linalg.norm(pos - pos[0], axis=1))))
            return Demonstration(str(path), side, t[inside] - t[inside[0]], pos)
    k = SPEED_WINDOW
    speed = np.zeros(len(t))
    speed[k:] = np.linalg.norm(pos[k:] - pos[:-k], axis=1) / np.maximum(t[k:] - t[:-k], 1e-3)
    peak = int(np.argmax(speed))
    threshold = ONSET_FRACTION * speed[peak]
    start = peak
    while start > 0 and speed[start - 1] > threshold:
        start -= 1
    start = max(start - k, 0)  # the speed is measured over the last k frames
    end = peak
    while end < len(t) - 1 and speed[end + 1] > threshold:
        end += 1
    moved = float(np.linalg.norm(pos[end] - pos[start]))
    _check_moved(path, moved if end - start >= 5 else 0.0)
    return Demonstration(str(path), side, t[start:end + 1] - t[start], pos[start:end + 1])


def _check_moved(path: Path, moved_m: float) -> None:
    """Refuse a demonstration whose hand moved less than :data:`MIN_TRAVEL_M` [m]."""
    if moved_m < MIN_TRAVEL_M:
        raise SourceError(f"{path}: no clear movement found (the hand moved {100 * moved_m:.0f} "
                          "cm); demonstrate the gesture once, from rest to rest")


def learn_primitive(name: str, demos: list[Demonstration]) -> tuple[Primitive, float, float]:
    """Average demonstrations into a template primitive.

    Returns:
        The primitive, its typical duration [s] and the demonstrations' spread around the
        template [m] (RMS).
    """
    phases = np.linspace(0.0, 1.0, TEMPLATE_POINTS)
    paths = []
    for demo in demos:
        phase = demo.times_s / demo.times_s[-1]
        disp = demo.wrist_m - demo.wrist_m[0]
        paths.append(np.column_stack([np.interp(phases, phase, disp[:, i]) for i in range(3)]))
    stack = np.array(paths)
    template = stack.mean(axis=0)
    spread = float(np.sqrt(np.mean(np.sum((stack - template) ** 2, axis=2))))
    starts = np.array([d.wrist_m[0] for d in demos])
    ends = np.array([d.wrist_m[-1] for d in demos])
    primitive = Primitive(name, ends.mean(axis=0)[None, :], template_m=template,
                          start_region_m=starts.mean(axis=0),
                          start_radius_m=max(0.12, 3 * float(np.std(starts, axis=0).max())))
    duration = float(np.mean([d.times_s[-1] for d in demos]))
    return primitive, duration, spread


def learn(name: str, files: list[Path], out_dir: Path) -> tuple[Path, Primitive, float, float]:
    """The ``learn`` command: fit and store; returns (file, primitive, duration, spread).

    Raises:
        ConfigError: A bad name or too few demonstrations.
        SourceError: A recording that cannot be used (the message names it).
    """
    if not name.replace("_", "").replace("-", "").isalnum() or not name.isascii():
        raise ConfigError(f"gesture name {name!r} must be letters, digits, '-' or '_'")
    if len(name) > MAX_NAME_CHARS:
        raise ConfigError(f"gesture name is {len(name)} characters long; give one of at most "
                          f"{MAX_NAME_CHARS}")
    builtin = {p.name for p in builtin_primitives()} | set(GOALS)
    clash = [b for b in builtin if b.casefold() == name.casefold()]
    if clash:
        but_case = "" if clash[0] == name else f" ({clash[0]!r} but for case)"
        raise ConfigError(f"{name!r} is a built-in goal{but_case}; choose another name "
                          f"(built-in: {sorted(builtin)})")
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out_dir} is a file; pass a folder for the learned gesture")
    if len(files) < MIN_DEMOS:
        raise ConfigError(f"learning needs at least {MIN_DEMOS} demonstrations, got "
                          f"{len(files)}; record more with `mirrorbot record`")
    demos = [extract_movement(path) for path in files]
    primitive, duration, spread = learn_primitive(name, demos)
    path = out_dir / f"{name}.json"
    save_primitive(primitive, path, demos=len(demos), duration_s=duration)
    return path, primitive, duration, spread
