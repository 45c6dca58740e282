"""Landmark recordings: the contract's JSON Lines format (docs/recording.md), written and read.

The writer flushes every line as it is written, so Ctrl-C or a crash loses at most the frame in
flight. The reader is strict about the header (a wrong header is an error naming the problem)
and forgiving about frames: a truncated last line is dropped with a warning, a malformed line
in the middle becomes a dropout (or is skipped when even its time is unreadable), also with a
warning. Floats are written with Python's shortest exact representation, so a replay gives the
recorded landmarks bit for bit.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from mirrorbot.errors import ConfigError, SourceError
from mirrorbot.labels import GestureLabel
from mirrorbot.out_files import LineFile
from mirrorbot.perception.landmarks import PoseFrame, check_pose_arrays
from mirrorbot.warn import warn

RECORDING_FORMAT = "mirrorbot-recording"
RECORDING_VERSION = 1
LANDMARK_SET = "mediapipe-pose-33"


@dataclass(frozen=True, kw_only=True)
class RecordingHeader:
    """Line 1 of a recording.

    Attributes:
        fps: Nominal frame rate of the source [Hz].
        source: Where the landmarks came from, as the user gave it.
        labels: Labelled gestures, times from the first frame.
        extra: Any other header keys, kept as they are.
    """

    fps: float
    source: str
    labels: tuple[GestureLabel, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The header object."""
        out: dict[str, Any] = {"format": RECORDING_FORMAT, "version": RECORDING_VERSION,
                               "fps": self.fps, "source": self.source,
                               "landmarks": LANDMARK_SET}
        if self.labels:
            out["labels"] = [label.to_json() for label in self.labels]
        return {**out, **{k: v for k, v in self.extra.items() if k not in out}}


def frame_to_json(t_s: float, pose: PoseFrame | None) -> dict[str, Any]:
    """One frame line: ``world`` is null when nobody is tracked."""
    if pose is None:
        return {"t": t_s, "world": None, "visibility": None}
    out: dict[str, Any] = {"t": t_s, "world": pose.world_m.tolist(),
                           "visibility": pose.visibility.tolist()}
    if pose.image_uv is not None:
        out["image"] = pose.image_uv.tolist()
    return out


class RecordingWriter:
    """Writes a recording line by line, flushing each.

    Args:
        path: The ``.jsonl`` file to create; its folder is created if missing.
        header: The header (line 1).

    Raises:
        ConfigError: The file cannot be created.
    """

    def __init__(self, path: Path, header: RecordingHeader) -> None:
        self.path = path
        self.frames = 0
        self._last_t_s = -math.inf
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot write recording {path} ({exc.strerror}); pass a writable "
                              "--out FILE.jsonl") from None
        self._file = LineFile(path)
        self._line(header.to_json())

    def _line(self, obj: dict[str, Any]) -> None:
        self._file.write_line(json.dumps(obj, separators=(",", ":"), allow_nan=False))

    def write(self, t_s: float, pose: PoseFrame | None) -> None:
        """Append one frame at ``t_s`` [s] (strictly after the previous one)."""
        if not t_s > self._last_t_s:
            raise ValueError(f"frame times must increase: {t_s} after {self._last_t_s}")
        self._last_t_s = t_s
        self._line(frame_to_json(t_s, pose))
        self.frames += 1

    def close(self) -> None:
        """Close the file (idempotent)."""
        self._file.close()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


MIN_FPS, MAX_FPS = 1.0, 240.0  # what a run can follow (the loop's rate_hz range)
MAX_ABS_T_S = 1e9  # a frame time beyond this (30 years) is junk, not a timestamp


def _finite_time(t: object) -> bool:
    """Whether ``t`` is a usable time: a number (not a bool), finite, within 30 years."""
    if not isinstance(t, (int, float)) or isinstance(t, bool):
        return False
    try:
        return abs(float(t)) <= MAX_ABS_T_S
    except OverflowError:  # an integer too large for a float
        return False


def parse_header(line: str, path: Path) -> RecordingHeader:
    """Parse and check line 1.

    Raises:
        SourceError: Not JSON, not a mirrorbot recording, a newer version, or bad fields.
    """
    where = f"recording {path}, line 1"
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):  # JSONDecodeError; or a 4300-digit integer
        raise SourceError(f"{where}: the header is not valid JSON; is this a mirrorbot "
                          "recording (made by `mirrorbot record`)?") from None
    if not isinstance(obj, dict) or obj.get("format") != RECORDING_FORMAT:
        raise SourceError(f"{where}: the header must have \"format\": \"{RECORDING_FORMAT}\"; "
                          "is this a mirrorbot recording (see docs/recording.md)?")
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SourceError(f"{where}: \"version\" must be a whole number, got {version!r}")
    if version > RECORDING_VERSION:
        raise SourceError(f"{where}: version {version} is newer than this mirrorbot reads "
                          f"({RECORDING_VERSION}); upgrade mirrorbot")
    landmarks = obj.get("landmarks", LANDMARK_SET)
    if landmarks != LANDMARK_SET:
        raise SourceError(f"{where}: landmarks {landmarks!r} are not supported; "
                          f"expected {LANDMARK_SET!r}")
    fps = obj.get("fps")
    if not isinstance(fps, (int, float)) or isinstance(fps, bool) \
            or not MIN_FPS <= fps <= MAX_FPS:
        raise SourceError(f"{where}: \"fps\" must be a number in [{MIN_FPS:g}, {MAX_FPS:g}] "
                          f"(frames per second), got {fps!r}; fix the header")
    labels_raw = obj.get("labels", [])
    if not isinstance(labels_raw, list):
        raise SourceError(f"{where}: \"labels\" must be a list of "
                          "{\"start\", \"end\", \"goal\"} objects")
    labels = []
    for k, item in enumerate(labels_raw):
        try:
            labels.append(GestureLabel(float(item["start"]), float(item["end"]),
                                       str(item["goal"])))
        except (TypeError, KeyError, ValueError, OverflowError, ConfigError) as exc:
            raise SourceError(f"{where}: label {k} is invalid ({exc}); each label needs "
                              "numbers \"start\" < \"end\" and a \"goal\" name") from None
    known = {"format", "version", "fps", "source", "landmarks", "labels"}
    return RecordingHeader(fps=float(fps), source=str(obj.get("source", "")),
                           labels=tuple(labels),
                           extra={k: v for k, v in obj.items() if k not in known})


def parse_frame(obj: Any, where: str) -> tuple[float, PoseFrame | None]:
    """Parse one frame object into (t [s], PoseFrame or None).

    Raises:
        SourceError: The time or the landmarks are invalid; the message says which.
    """
    if not isinstance(obj, dict):
        raise SourceError(f"{where}: a frame must be a JSON object")
    t = obj.get("t")
    if not _finite_time(t):
        shown = repr(t) if len(repr(t)) <= 40 else repr(t)[:37] + "..."
        raise SourceError(f"{where}: \"t\" must be a finite number of seconds, got {shown}")
    assert isinstance(t, (int, float))
    if obj.get("world") is None:
        return float(t), None
    world, vis, uv = check_pose_arrays(obj.get("world"), obj.get("visibility"),
                                       obj.get("image"), where)
    return float(t), PoseFrame(t_s=float(t), world_m=world, visibility=vis, image_uv=uv)


@dataclass
class ReadStats:
    """What the reader had to repair, for the summary and the warnings."""

    frames: int = 0
    dropouts: int = 0
    bad_lines: int = 0
    truncated_last_line: bool = False


class _Complaints:
    """Warnings about bad lines: the first of each kind in full, the rest as one count."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._more: dict[str, list[int]] = {}

    def __call__(self, lineno: int, problem: str) -> None:
        """Warn of line ``lineno``'s ``problem`` ("what is wrong; what is done").

        Problems of one kind differ only in the value they quote (``got '2.93'``): they are
        counted together, or a file of string times gave a warning per line.
        """
        kind = _PROBLEM_VALUE.sub(r"\1...", problem)
        if kind in self._more:
            self._more[kind].append(lineno)
            return
        self._more[kind] = []
        warn(f"recording {self.path}, line {lineno}: {problem}")

    def close(self) -> None:
        """Say how many more lines had each problem (one line per problem)."""
        for kind, lines in self._more.items():
            if lines:
                shown = ", ".join(str(n) for n in lines[:5]) + (", ..." if len(lines) > 5 else "")
                warn(f"recording {self.path}: {len(lines)} more line(s) the same ({shown}): "
                      f"{kind}")
        self._more = {}


_PROBLEM_VALUE = re.compile(r"(got )[^;]*")
"""The value a problem quotes (``got '2.93'``), up to the ``;`` before what is done."""


class RecordingReader:
    """Reads a recording: the header at once, frames lazily in file order.

    Times are taken from the first frame (it is at t = 0), as the labels' are. A line that is
    not UTF-8 or not JSON is skipped with a warning; the first line may start with a UTF-8 BOM.

    Args:
        path: The ``.jsonl`` file.

    Raises:
        SourceError: The file is missing, a folder, empty, or its header is invalid.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stats = ReadStats()
        if path.is_dir():
            inside = sorted(p.name for p in path.glob("*.jsonl"))[:3]
            hint = f" (it holds {', '.join(inside)})" if inside else ""
            raise SourceError(f"recording {path} is a folder, not a file{hint}; give the path "
                              "of one .jsonl recording")
        if not path.is_file():
            raise SourceError(f"recording {path} does not exist; make one with "
                              "`mirrorbot record --source SRC --out FILE.jsonl`")
        try:
            with path.open("rb") as f:
                first = f.readline().decode("utf-8-sig")
        except OSError as exc:
            raise SourceError(f"recording {path} cannot be read ({exc.strerror}); check the "
                              "file's permissions") from None
        except UnicodeDecodeError:
            raise SourceError(f"recording {path}, line 1: the header is not UTF-8 text; is "
                              "this a mirrorbot recording (made by `mirrorbot record`)?") from None
        if not first.strip():
            raise SourceError(f"recording {path} is empty; record again with `mirrorbot record`")
        self.header = parse_header(first, path)

    @property
    def fps(self) -> float:
        """The header's frame rate [Hz]."""
        return self.header.fps

    def __iter__(self) -> Iterator[tuple[float, PoseFrame | None]]:
        """(t [s] from the first frame, PoseFrame or None) per frame, times increasing."""
        complain = _Complaints(self.path)
        try:
            yield from self._frames(complain)
        finally:
            complain.close()

    def _frames(self, complain: _Complaints) -> Iterator[tuple[float, PoseFrame | None]]:
        stats = self.stats
        last_t = -math.inf
        t_first: float | None = None
        with self.path.open("rb") as f:
            f.readline()
            lineno = 1
            for raw in f:
                lineno += 1
                where = f"recording {self.path}, line {lineno}"
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    stats.bad_lines += 1
                    complain(lineno, "not UTF-8 text; skipping it")
                    continue
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except (ValueError, RecursionError):  # JSONDecodeError; or a 4300-digit integer
                    if not line.endswith("\n"):
                        stats.truncated_last_line = True
                        warn(f"{where} is cut short (the recording was interrupted); "
                              "dropping it")
                    else:
                        stats.bad_lines += 1
                        complain(lineno, "not valid JSON; skipping it")
                    continue
                try:
                    t, pose = parse_frame(obj, where)
                except SourceError as exc:
                    t_raw = obj.get("t") if isinstance(obj, dict) else None
                    problem = str(exc).removeprefix(f"{where}: ")
                    stats.bad_lines += 1
                    if isinstance(t_raw, (int, float)) and _finite_time(t_raw) \
                            and float(t_raw) > last_t:
                        stats.dropouts += 1
                        complain(lineno, f"{problem}; treating the frame as a dropout")
                        last_t = float(t_raw)
                        t_first = last_t if t_first is None else t_first
                        yield last_t - t_first, None
                    else:
                        complain(lineno, f"{problem}; skipping it")
                    continue
                if not t > last_t:
                    stats.bad_lines += 1
                    complain(lineno, "its time does not come after the previous line's; "
                                     "skipping it")
                    continue
                last_t = t
                t_first = t if t_first is None else t_first
                stats.frames += 1
                stats.dropouts += pose is None
                yield t - t_first, pose if pose is None or t_first == 0.0 \
                    else replace(pose, t_s=t - t_first)


def read_recording(path: Path) -> tuple[RecordingHeader, list[tuple[float, PoseFrame | None]]]:
    """The whole recording in memory: (header, [(t [s], PoseFrame or None), ...])."""
    reader = RecordingReader(path)
    return reader.header, list(reader)
