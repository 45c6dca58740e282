"""BVH motion capture files (``.bvh``, ``.bvh.gz``): parsing and forward kinematics, in numpy.

A BVH file is a joint hierarchy (``ROOT``/``JOINT`` with an ``OFFSET`` from the parent and the
``CHANNELS`` it animates, ``End Site`` leaves) followed by ``MOTION``: a frame count, a frame
time and one line of channel values per frame. Rotations are in degrees and compose in the
order their channels are listed (``Zrotation Xrotation Yrotation`` is R = Rz Rx Ry, the
common convention). Position channels on a joint replace that axis of its offset (the root's
always; some exporters, Bandai Namco's among them, animate every joint's position).

Units and up axis are the file's own; :mod:`mirrorbot.perception.mocap_landmarks` finds them.
"""

from __future__ import annotations

import gzip
import math
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mirrorbot.arrays import FloatArray, IntArray
from mirrorbot.errors import SourceError
from mirrorbot.warn import warn

_AXES = {"x": 0, "y": 1, "z": 2}
MAX_BVH_BYTES = 512 * 1024 * 1024  # larger files are refused rather than read into memory
MAX_ROTATION_DEG = 1e5  # about 280 turns: beyond it a rotation channel is damage, not motion
MAX_POSITION_SIZES = 1e3  # a position channel may be this many skeleton sizes from the origin
MAX_FILE_UNITS = 1e9  # any OFFSET or position beyond this overflows the kinematics' sums


@dataclass(frozen=True)
class BvhClip:
    """A parsed BVH file.

    Attributes:
        path: Where it was read from.
        names: Joint names in file order (parents before children), (J,).
        parents: Index of each joint's parent, -1 for the root, (J,).
        offsets: Each joint's offset from its parent in the parent's frame, (J, 3) [file units].
        end_offsets: The offset of each joint's ``End Site`` (zeros when it has none), (J, 3).
        channels: Per joint, its channel names in file order (e.g. ``("Zrotation", ...)``).
        channel_start: Column of each joint's first channel in ``motion``, (J,).
        motion: Channel values, (F, C): degrees for rotations, file units for positions.
        frame_time_s: Time between frames [s].
    """

    path: Path
    names: tuple[str, ...]
    parents: IntArray
    offsets: FloatArray
    end_offsets: FloatArray
    channels: tuple[tuple[str, ...], ...]
    channel_start: IntArray
    motion: FloatArray
    frame_time_s: float

    @property
    def frame_count(self) -> int:
        """Number of frames."""
        return int(self.motion.shape[0])

    @property
    def rate_hz(self) -> float:
        """Frames per second [Hz]."""
        return 1.0 / self.frame_time_s


def _bad(path: Path, line: int, what: str) -> SourceError:
    return SourceError(f"BVH file {path}, line {line}: {what}; is it a complete BVH file "
                       "(HIERARCHY, then MOTION with one line of numbers per frame)?")


def read_bvh_text(path: Path) -> str:
    """The text of a ``.bvh`` or gzip-compressed ``.bvh.gz`` file.

    Raises:
        SourceError: Missing, a folder, unreadable, too large or not text.
    """
    if path.is_dir():
        raise SourceError(f"BVH source {path} is a folder; give one .bvh file (to score a "
                          "folder of them use `mirrorbot eval retarget --data DIR`)")
    if not path.is_file():
        raise SourceError(f"BVH file {path} does not exist; check the path")
    try:
        if path.stat().st_size > MAX_BVH_BYTES:
            raise SourceError(f"BVH file {path} is larger than {MAX_BVH_BYTES >> 20} MiB; cut it "
                              "into shorter clips")
        raw = _read_gzip(path) if path.suffix == ".gz" else path.read_bytes()
        return raw.decode("utf-8-sig")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise SourceError(f"BVH file {path} cannot be read ({exc}); is it a BVH file (or a "
                          "gzip-compressed one ending in .gz)?") from None
    except UnicodeDecodeError:
        raise SourceError(f"BVH file {path} is not text; is it a BVH file?") from None


def _read_gzip(path: Path) -> bytes:
    """What a gzip file decompresses to; a file cut short gives what it holds, with a warning.

    An interrupted copy of a ``.bvh.gz`` was refused whole; its frames up to the cut play now
    (the parser then says where the text ends).
    """
    with gzip.open(path, "rb") as f:
        try:
            return f.read(MAX_BVH_BYTES + 1)
        except EOFError:
            pass
    partial = zlib.decompressobj(16 + zlib.MAX_WBITS)  # the gzip format, one member
    try:
        raw = partial.decompress(path.read_bytes(), MAX_BVH_BYTES + 1)
    except zlib.error as exc:
        raise OSError(str(exc)) from None
    if not raw:
        raise EOFError("the compressed file ends before any of its text")
    warn(f"BVH file {path}: the compressed file is cut short; reading the {len(raw)} bytes "
         "it holds")
    return raw


def parse_bvh(text: str, path: Path) -> BvhClip:
    """Parse BVH text into a :class:`BvhClip`.

    Raises:
        SourceError: The text is not a complete BVH file; the message names the line.
    """
    lines = text.splitlines()
    tokens: list[tuple[str, int]] = []
    motion_line = None
    for number, line in enumerate(lines, start=1):
        if line.strip().upper() == "MOTION":
            motion_line = number
            break
        tokens.extend((tok, number) for tok in line.replace("{", " { ").replace("}", " } ")
                      .split())
    if not tokens or tokens[0][0].upper() != "HIERARCHY":
        raise _bad(path, 1, "it does not start with HIERARCHY")
    if motion_line is None:
        raise _bad(path, len(lines), "there is no MOTION section")

    names: list[str] = []
    parents: list[int] = []
    offsets: list[list[float]] = []
    end_offsets: list[list[float]] = []
    channels: list[tuple[str, ...]] = []
    stack: list[int] = []  # joint indices; -2 marks an End Site block
    pending: tuple[str, int] | None = None  # (kind, parent) of the block about to open
    i = 1
    try:
        while i < len(tokens):
            tok, number = tokens[i]
            key = tok.upper()
            if key in ("ROOT", "JOINT"):
                if (key == "ROOT") != (not stack) or i + 1 >= len(tokens):
                    raise _bad(path, number, f"unexpected {tok}")
                names.append(tokens[i + 1][0])
                parents.append(stack[-1] if stack else -1)
                offsets.append([0.0, 0.0, 0.0])
                end_offsets.append([0.0, 0.0, 0.0])
                channels.append(())
                pending = ("joint", len(names) - 1)
                i += 2
            elif key == "END":
                if not stack or stack[-1] < 0:
                    raise _bad(path, number, "an End Site outside a joint")
                pending = ("end", stack[-1])
                i += 2  # "End Site"
            elif tok == "{":
                if pending is None:
                    raise _bad(path, number, "a '{' without ROOT, JOINT or End Site before it")
                stack.append(pending[1] if pending[0] == "joint" else -2 - pending[1])
                pending = None
                i += 1
            elif tok == "}":
                if not stack:
                    raise _bad(path, number, "an unmatched '}'")
                stack.pop()
                i += 1
            elif key == "OFFSET":
                values = [float(t) for t, _ in tokens[i + 1:i + 4]]
                if len(values) != 3 or not stack or not all(
                        abs(v) <= MAX_FILE_UNITS for v in values):  # NaN fails too
                    raise _bad(path, number, "OFFSET needs three finite numbers (within "
                               f"±{MAX_FILE_UNITS:.0g}) inside a joint")
                if stack[-1] >= 0:
                    offsets[stack[-1]] = values
                else:
                    end_offsets[-2 - stack[-1]] = values
                i += 4
            elif key == "CHANNELS":
                count = int(tokens[i + 1][0])
                chans = tuple(t for t, _ in tokens[i + 2:i + 2 + count])
                if (not stack or stack[-1] < 0 or len(chans) != count or not all(
                        c[0].lower() in _AXES and c[1:].lower() in ("rotation", "position")
                        for c in chans)):
                    raise _bad(path, number, "CHANNELS needs a count and that many of "
                               "Xposition ... Zrotation inside a joint")
                channels[stack[-1]] = chans
                i += 2 + count
            else:
                raise _bad(path, number, f"unexpected {tok!r} in the hierarchy")
    except ValueError:
        raise _bad(path, tokens[min(i + 1, len(tokens) - 1)][1],
                   "a number was expected") from None
    if stack or not names:
        raise _bad(path, motion_line, "the hierarchy is not closed or has no joints")

    frame_count, frame_time, first_row = _motion_header(lines, motion_line, path)
    starts = np.cumsum([0] + [len(c) for c in channels[:-1]]).astype(np.int64)
    width = sum(len(c) for c in channels)
    all_rows = [(number, row) for number, row in enumerate(lines[first_row:],
                                                            start=first_row + 1) if row.strip()]
    rows = all_rows[:frame_count]
    if len(all_rows) > frame_count:
        warn(f"BVH file {path}: {len(all_rows)} frame lines but 'Frames: {frame_count}'; "
             f"playing {frame_count} (set 'Frames:' to {len(all_rows)} to play them all)")
    if not rows:
        raise _bad(path, first_row, f"{frame_count} frames announced but none follow")
    parsed = [(number, _parse_row(row.split(), width)) for number, row in rows]
    if len(parsed) < frame_count:  # a file cut short plays the whole frames it has
        number, last = parsed[-1]
        if isinstance(last, str):
            parsed.pop()
            if not parsed:
                raise _bad(path, number, "the only frame line is cut short")
            warn(f"BVH file {path}: {frame_count} frames announced but the file ends early; "
                 f"line {number} cut short; playing the first {len(parsed)} frames")
        else:
            warn(f"BVH file {path}: {frame_count} frames announced but the file ends after "
                 f"{len(parsed)} (line {number}); playing them")
    frame_values: list[list[float]] = []
    for number, row_values in parsed:
        if isinstance(row_values, str):
            raise _bad(path, number, row_values)
        frame_values.append(row_values)
    motion = np.array(frame_values, dtype=np.float64).reshape(len(parsed), width)
    _check_motion(motion, [number for number, _ in parsed], names, channels, offsets,
                  end_offsets, path)
    return BvhClip(path=path, names=tuple(names), parents=np.array(parents, dtype=np.int64),
                   offsets=np.array(offsets, dtype=np.float64),
                   end_offsets=np.array(end_offsets, dtype=np.float64),
                   channels=tuple(channels), channel_start=starts, motion=motion,
                   frame_time_s=frame_time)


def _parse_row(tokens: list[str], width: int) -> list[float] | str:
    """One frame line's ``width`` values, or what is wrong with it."""
    if len(tokens) != width:
        return (f"a frame line has {len(tokens)} values, every frame needs {width} (one per "
                "channel of the hierarchy)")
    try:
        return [float(token) for token in tokens]
    except ValueError:
        for token in tokens:
            try:
                float(token)
            except ValueError:
                return f"{token[:20]!r} in a frame line is not a number"
        raise


def _check_motion(motion: FloatArray, line_numbers: list[int], names: list[str],
                  channels: list[tuple[str, ...]], offsets: list[list[float]],
                  end_offsets: list[list[float]], path: Path) -> None:
    """Refuse NaN, infinite or absurd channel values, naming the first one's line and channel.

    Rotations beyond :data:`MAX_ROTATION_DEG` and positions beyond :data:`MAX_POSITION_SIZES`
    times the skeleton's size (the sum of its offsets) are damage, not motion: their
    arithmetic overflows or loses the skeleton to rounding.
    """
    size = float(np.sum(np.linalg.norm(offsets, axis=1)) + np.sum(np.linalg.norm(end_offsets,
                                                                                 axis=1)))
    position_limit = min(MAX_POSITION_SIZES * size, MAX_FILE_UNITS) if size > 0 \
        else MAX_FILE_UNITS
    labels = [(name, channel) for name, chans in zip(names, channels, strict=True)
              for channel in chans]
    is_position = [channel[1:].lower() == "position" for _, channel in labels]
    limit = np.where(is_position, position_limit, MAX_ROTATION_DEG)
    with np.errstate(invalid="ignore"):
        bad = ~(np.abs(motion) <= limit)  # NaN compares False: caught too
    if not bad.any():
        return
    row, col = np.argwhere(bad)[0]
    value = float(motion[row, col])
    name, channel = labels[col]
    if not math.isfinite(value):
        what = f"{value}, not a finite number"
    elif is_position[col]:
        what = (f"{value:.3g}, more than {MAX_POSITION_SIZES:.0f} times the skeleton's size "
                f"({size:.3g} file units, the sum of its OFFSETs)")
    else:
        what = f"{value:.3g} degrees (more than {MAX_ROTATION_DEG:.0g})"
    bad_rows = int(bad.any(axis=1).sum())
    if bad_rows == 1:
        fix = ("the file is damaged there: re-export it, or delete that line and lower "
               "'Frames:' by one")
    else:
        fix = f"{bad_rows} of {len(motion)} frame lines hold such values; re-export the file"
        if is_position[col] and math.isfinite(value):
            fix += " (are its OFFSETs in the same units as its motion?)"
    raise SourceError(f"BVH file {path}, line {line_numbers[row]}: {name} {channel} is {what}; "
                      f"{fix}")


def _motion_header(lines: list[str], motion_line: int, path: Path) -> tuple[int, float, int]:
    """(frame count, frame time [s], index of the first frame line) after ``MOTION``."""
    fields: dict[str, str] = {}
    row = motion_line
    while row < len(lines) and len(fields) < 2:
        head, sep, value = lines[row].partition(":")
        if sep:
            fields[head.strip().lower()] = value.strip()
        elif lines[row].strip():
            break
        row += 1
    try:
        count = int(fields["frames"])
        frame_time = float(fields["frame time"])
    except (KeyError, ValueError):
        raise _bad(path, motion_line + 1, "MOTION needs 'Frames: N' and 'Frame Time: SECONDS'") \
            from None
    if count < 1 or not (0 < frame_time < 10):
        raise _bad(path, motion_line + 1, f"Frames must be >= 1 and Frame Time in (0, 10) s, "
                   f"got {count} and {frame_time}")
    return count, frame_time, row


def _axis_rotations(axis: int, angle_rad: FloatArray) -> FloatArray:
    """Rotation matrices about one axis, (F,) -> (F, 3, 3)."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    out = np.zeros((len(angle_rad), 3, 3))
    a, b = (axis + 1) % 3, (axis + 2) % 3  # cyclic: Ry has +sin at [0, 2]
    out[:, axis, axis] = 1.0
    out[:, a, a] = c
    out[:, b, b] = c
    out[:, a, b] = -s
    out[:, b, a] = s
    return out


def forward_kinematics(clip: BvhClip) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Every joint's pose in the file's world frame, for every frame.

    Returns:
        positions (F, J, 3) [file units], rotations (F, J, 3, 3) (joint frame to world) and
        end-site positions (F, J, 3) [file units] (the joint's own position where it has none).
    """
    n_frames, n_joints = clip.frame_count, len(clip.names)
    positions = np.zeros((n_frames, n_joints, 3))
    rotations = np.zeros((n_frames, n_joints, 3, 3))
    ends = np.zeros((n_frames, n_joints, 3))
    for j in range(n_joints):
        translation = np.broadcast_to(clip.offsets[j], (n_frames, 3)).copy()
        R_local = np.broadcast_to(np.eye(3), (n_frames, 3, 3)).copy()
        for k, name in enumerate(clip.channels[j]):
            values = clip.motion[:, clip.channel_start[j] + k]
            axis = _AXES[name[0].lower()]
            if name[1:].lower() == "position":
                translation[:, axis] = values
            else:
                R_local = R_local @ _axis_rotations(axis, np.radians(values))
        parent = int(clip.parents[j])
        if parent < 0:
            positions[:, j] = translation
            rotations[:, j] = R_local
        else:
            positions[:, j] = positions[:, parent] + np.einsum(
                "fij,fj->fi", rotations[:, parent], translation)
            rotations[:, j] = rotations[:, parent] @ R_local
        ends[:, j] = positions[:, j] + rotations[:, j] @ clip.end_offsets[j]
    return positions, rotations, ends


def load_bvh(path: Path) -> BvhClip:
    """Read and parse a ``.bvh`` or ``.bvh.gz`` file (see :func:`parse_bvh`)."""
    return parse_bvh(read_bvh_text(path), path)
