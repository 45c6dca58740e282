"""Scene files (``sims/scenes/*.json``): the objects around the robot, without pybullet.

A scene is JSON: ``{"format": "mirrorbot-scene", "version": 1, "name": ..., "objects": [...]}``.
Each object has a ``name``, an ``rgba`` colour, ``fixed`` (default false) or a ``mass_kg``, and
``parts``: primitives ``{"shape": "box"|"cylinder"|"sphere", "size_m": [...], "position_m":
[x, y, z]}`` in the robot base frame (box: x, y, z extents; cylinder: radius, length along z;
sphere: radius). ``person_position_m`` is the mid-point of the seated person's shoulders
(robot base frame, metres); the person faces the robot (-x).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.arrays import Vec3
from mirrorbot.errors import ModelError

SHAPE_SIZES = {"box": 3, "cylinder": 2, "sphere": 1}
# The person faces the robot: their x (out of the chest) is the robot's -x, their left its -y.
# Multiplying by this maps directions either way between the two frames.
FACING_FLIP = np.array([-1.0, -1.0, 1.0])


@dataclass(frozen=True, kw_only=True)
class ScenePart:
    """One primitive of an object, in the robot base frame."""

    shape: str
    size_m: tuple[float, ...]
    position_m: Vec3


@dataclass(frozen=True, kw_only=True)
class SceneObject:
    """A named object made of primitives; ``fixed`` objects do not move."""

    name: str
    parts: tuple[ScenePart, ...]
    rgba: tuple[float, float, float, float]
    fixed: bool
    mass_kg: float

    @property
    def position_m(self) -> Vec3:
        """Where the object is: its first part's centre, (3,) [m]."""
        return self.parts[0].position_m


@dataclass(frozen=True, kw_only=True)
class Scene:
    """Everything a scene file says."""

    name: str
    objects: tuple[SceneObject, ...]
    person_position_m: Vec3

    def p_person_torso(self, p_base_m: Vec3) -> Vec3:
        """A robot-base point [m] in the person's torso frame (x toward the robot, y their left)."""
        return FACING_FLIP * (np.asarray(p_base_m, dtype=np.float64) - self.person_position_m)

    def object(self, name: str) -> SceneObject:
        """The object called ``name``; the error lists the scene's objects."""
        for obj in self.objects:
            if obj.name == name:
                return obj
        raise ModelError(f"object {name!r} is not in scene {self.name!r}. "
                         f"Available objects: {[o.name for o in self.objects]}")


MAX_SCENE_M = 100.0  # a coordinate or size beyond this is junk (or a unit mix-up)
MAX_MASS_KG = 1e4


def _vec(value: object, n: int, where: str, *, lo: float = -MAX_SCENE_M,
         hi: float = MAX_SCENE_M, positive: bool = False) -> tuple[float, ...]:
    """``n`` finite numbers in [lo, hi] (and above 0 when ``positive``), or a one-line error."""
    if not isinstance(value, list) or len(value) != n or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise ModelError(f"{where} must be a list of {n} numbers, got {value!r:.80}")
    try:
        out = tuple(float(v) for v in value)
    except OverflowError:  # an integer too large for a float
        out = (math.inf,)
    if not all(math.isfinite(v) and lo <= v <= hi and (v > 0 or not positive) for v in out):
        kind = "above 0 and at most" if positive else f"finite, in [{lo:g},"
        raise ModelError(f"{where} must be {kind} {hi:g}{'' if positive else ']'}, got "
                         f"{value!r:.80}; fix the scene file")
    return out


def _fields(value: object, where: str) -> dict[str, Any]:
    """A JSON object, or a one-line error naming where it was expected."""
    if not isinstance(value, dict):
        raise ModelError(f"{where} must be an object ({{...}}), got {type(value).__name__}; fix "
                         "the scene file (see sims/scenes/tabletop.json)")
    return value


def load_scene(path: Path) -> Scene:
    """Read and validate a scene file.

    Raises:
        ModelError: The file is missing, not JSON, or a field is malformed (the message names it).
    """
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ModelError(f"scene file {path} does not exist") from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"scene file {path} is not valid JSON ({exc})") from None
    except (OSError, ValueError, RecursionError) as exc:  # a folder, unreadable, huge, nested
        raise ModelError(f"scene file {path} cannot be read ({exc!s:.100}); pass a scene "
                         ".json file such as sims/scenes/tabletop.json") from None
    if not isinstance(data, dict) or data.get("format") != "mirrorbot-scene":
        raise ModelError(f"{path} is not a scene file: expected \"format\": \"mirrorbot-scene\"")
    raw_objects = data.get("objects", [])
    if not isinstance(raw_objects, list):
        raise ModelError(f"{path.name}: objects must be a list, got "
                         f"{type(raw_objects).__name__}; fix the scene file")
    objects: list[SceneObject] = []
    for i, item in enumerate(raw_objects):
        where = f"{path.name}: objects[{i}]"
        raw = _fields(item, where)
        raw_parts = raw.get("parts", [])
        if not isinstance(raw_parts, list):
            raise ModelError(f"{where}.parts must be a list, got {type(raw_parts).__name__}")
        parts = []
        for k, item_part in enumerate(raw_parts):
            part = _fields(item_part, f"{where}.parts[{k}]")
            shape = part.get("shape")
            if shape not in SHAPE_SIZES:
                raise ModelError(f"{where}.parts[{k}].shape must be one of "
                                 f"{sorted(SHAPE_SIZES)}, got {shape!r}")
            parts.append(ScenePart(
                shape=shape,
                size_m=_vec(part.get("size_m"), SHAPE_SIZES[shape], f"{where}.parts[{k}].size_m",
                            positive=True),
                position_m=np.array(_vec(part.get("position_m"), 3,
                                         f"{where}.parts[{k}].position_m")),
            ))
        if not parts or not isinstance(raw.get("name"), str):
            raise ModelError(f"{where} needs a \"name\" and at least one part")
        if any(o.name == raw["name"] for o in objects):
            raise ModelError(f"{where}: the name {raw['name']!r} is used twice; give each "
                             "object its own name")
        rgba = _vec(raw.get("rgba", [0.7, 0.7, 0.7, 1.0]), 4, f"{where}.rgba", lo=0.0, hi=1.0)
        mass = raw.get("mass_kg", 0.0)
        if not isinstance(mass, int | float) or isinstance(mass, bool) \
                or not 0.0 <= mass <= MAX_MASS_KG:  # NaN fails too; a huge int compares
            raise ModelError(f"{where}.mass_kg must be a number of kg in [0, {MAX_MASS_KG:g}], "
                             f"got {mass!r:.40}; fix the scene file")
        objects.append(SceneObject(
            name=raw["name"], parts=tuple(parts), rgba=(rgba[0], rgba[1], rgba[2], rgba[3]),
            fixed=bool(raw.get("fixed", False)), mass_kg=float(mass),
        ))
    person = np.array(_vec(data.get("person_position_m", [1.25, 0.0, 1.05]), 3,
                           f"{path.name}: person_position_m"))
    return Scene(name=str(data.get("name", path.stem)), objects=tuple(objects),
                 person_position_m=person)
