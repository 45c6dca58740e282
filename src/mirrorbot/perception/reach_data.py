"""Reach files (``mirrorbot-reaches``): recorded reaches to known objects (docs/reach.md).

```
{"format": "mirrorbot-reaches", "version": 1, "units": "m",
 "objects": {"name": [x, y, z], ...},
 "reaches": [{"goal": "name", "t": [s, ...], "hand": [[x, y, z], ...]}, ...]}
```
Hand and objects are in one frame of any orientation and origin (within :data:`MAX_ABS_M`
[m] of it); ``units`` is ``m`` (``cm``
and ``mm`` are converted). A reach is the hand's path from its first sample to its last.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.errors import SourceError

REACHES_FORMAT = "mirrorbot-reaches"
REACHES_VERSION = 1
UNIT_SCALE = {"m": 1.0, "cm": 0.01, "mm": 0.001}
MAX_ABS_M = 100.0  # a coordinate further from the origin is damage or wrong units, not a reach
MAX_ABS_T_S = 1e10  # sample times beyond this (three centuries) are not times


@dataclass(frozen=True)
class Reach:
    """One reach: the hand's samples toward a labelled object.

    Attributes:
        goal: The object reached for (a key of :attr:`ReachSet.objects_m`).
        t_s: Sample times, strictly increasing, (n,) [s].
        hand_m: Hand positions, (n, 3) [m].
    """

    goal: str
    t_s: FloatArray
    hand_m: FloatArray


@dataclass(frozen=True)
class ReachSet:
    """Reaches among one set of objects.

    Attributes:
        name: Where they come from (a file, a synthetic seed).
        objects_m: Object name -> position (3,) [m], in the reaches' frame.
        reaches: The reaches.
    """

    name: str
    objects_m: dict[str, Vec3]
    reaches: tuple[Reach, ...]

    def to_json(self) -> dict[str, Any]:
        """The file format's object (positions rounded to 0.1 mm, times to 0.1 ms)."""
        return {"format": REACHES_FORMAT, "version": REACHES_VERSION, "units": "m",
                "objects": {k: np.round(v, 4).tolist() for k, v in self.objects_m.items()},
                "reaches": [{"goal": r.goal, "t": np.round(r.t_s, 4).tolist(),
                             "hand": np.round(r.hand_m, 4).tolist()} for r in self.reaches]}


def write_reaches(path: Path, reach_set: ReachSet) -> None:
    """Write ``reach_set`` as a reach file."""
    path.write_text(json.dumps(reach_set.to_json(), separators=(",", ":")))


def _bad(path: Path, what: str, fix: str) -> SourceError:
    return SourceError(f"{path.name}: {what}; {fix} (format: docs/reach.md)")


def _far(path: Path, where: str, value: object, units: str) -> SourceError:
    return _bad(path, f"{where} is {value!r} {units}, more than {MAX_ABS_M:.0f} m from the "
                "origin", "check the \"units\" field and the numbers")


def _shown(value: object, width: int = 60) -> str:
    """``repr(value)``, cut to ``width`` characters (a message stays one readable line)."""
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def _finite(v: object) -> bool:
    """A JSON number that is a finite float (an integer of 400 digits is not)."""
    if not isinstance(v, int | float) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


def _point(value: object) -> bool:
    return isinstance(value, list) and len(value) == 3 and all(_finite(v) for v in value)


def load_reaches(path: Path) -> ReachSet:
    """Read and validate a reach file.

    Raises:
        SourceError: The file is missing, not JSON, or a field is malformed; the message
            names the field and the fix, on one line.
    """
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise SourceError(f"reach file {path} does not exist; pass a .json file in the "
                          "mirrorbot-reaches format (docs/reach.md)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"reach file {path} cannot be read ({exc})") from None
    except (ValueError, RecursionError) as exc:  # bad JSON, a 4300-digit integer, nesting
        raise _bad(path, f"not valid JSON ({type(exc).__name__})" if isinstance(exc, RecursionError)
                   else f"not valid JSON ({exc})", "write it as one JSON object") from None
    if not isinstance(data, dict) or data.get("format") != REACHES_FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise _bad(path, f"\"format\" is {found!r}", f"expected \"format\": \"{REACHES_FORMAT}\"")
    if data.get("version") != REACHES_VERSION:
        raise _bad(path, f"\"version\" is {data.get('version')!r}",
                   f"this mirrorbot reads version {REACHES_VERSION}")
    units = data.get("units", "m")
    if not isinstance(units, str) or units not in UNIT_SCALE:
        raise _bad(path, f"\"units\" is {_shown(units)}", f"use one of {sorted(UNIT_SCALE)}")
    scale = UNIT_SCALE[units]
    objects = data.get("objects")
    if not isinstance(objects, dict) or not objects:
        raise _bad(path, "\"objects\" is missing or empty",
                   "give {\"name\": [x, y, z], ...} with at least one object")
    for name, p in objects.items():
        if not _point(p):
            raise _bad(path, f"objects[{_shown(name)}] is {_shown(p)}",
                       "give three finite numbers [x, y, z]")
    objects_m = {str(k): scale * np.array(v, dtype=np.float64) for k, v in objects.items()}
    for name, p_m in objects_m.items():
        if np.max(np.abs(p_m)) > MAX_ABS_M:
            raise _far(path, f"objects[{name!r}]", objects[name], units)
    raw_reaches = data.get("reaches")
    if not isinstance(raw_reaches, list) or not raw_reaches:
        raise _bad(path, "\"reaches\" is missing or empty",
                   "give a list of {\"goal\", \"t\", \"hand\"} objects")
    reaches = []
    for i, raw in enumerate(raw_reaches):
        where = f"reaches[{i}]"
        if not isinstance(raw, dict):
            raise _bad(path, f"{where} is not an object", "give {\"goal\", \"t\", \"hand\"}")
        goal = raw.get("goal")
        if not isinstance(goal, str) or goal not in objects_m:
            raise _bad(path, f"{where}.goal is {_shown(goal)}, not an object",
                       f"use one of {sorted(objects_m)}")
        t, hand = raw.get("t"), raw.get("hand")
        if not isinstance(t, list) or len(t) < 2 or not all(
                _finite(v) and abs(v) <= MAX_ABS_T_S for v in t):
            raise _bad(path, f"{where}.t is not a list of two or more finite times",
                       f"give the sample times in seconds (within ±{MAX_ABS_T_S:.0g})")
        if not isinstance(hand, list) or len(hand) != len(t):
            raise _bad(path, f"{where}.hand has {len(hand) if isinstance(hand, list) else 'no'} "
                       f"samples for {len(t)} times", "give one [x, y, z] per time")
        bad = next((k for k, p in enumerate(hand) if not _point(p)), None)
        if bad is not None:
            raise _bad(path, f"{where}.hand[{bad}] is {_shown(hand[bad])}",
                       "give three finite numbers [x, y, z]")
        hand_m = scale * np.array(hand, dtype=np.float64)
        far = np.flatnonzero(np.max(np.abs(hand_m), axis=1) > MAX_ABS_M)
        if len(far):
            raise _far(path, f"{where}.hand[{far[0]}]", hand[far[0]], units)
        t_s = np.array(t, dtype=np.float64)
        if np.any(np.diff(t_s) <= 0):
            k = int(np.argmax(np.diff(t_s) <= 0))
            raise _bad(path, f"{where}.t is not strictly increasing at index {k + 1}",
                       "sort the samples by time and drop repeated times")
        reaches.append(Reach(str(goal), t_s, hand_m))
    return ReachSet(path.name, objects_m, tuple(reaches))
