"""The robot's motor repertoire: its own movement primitives, used to act and to recognise.

A primitive moves the robot's wrist from wherever it is toward a goal region of its own body
and space, on a minimum-jerk timing over a slightly curved (or lift-first) path. Positions are
in the **arm frame** of the acting arm: origin at that arm's shoulder, x forward, y outward
(away from the body, so both arms share one repertoire), z up [m].

Built-in goals (docs/conventions.md): ``wave`` (hand up beside the head, then side to side),
``point`` (arm stretched toward something far), ``raise`` (hand above the head), ``reach`` (hand
to an object on the table), ``drink`` (a cup to the mouth: lifted from the table, or a
standing person's hanging hand bent up at the elbow), ``offer`` (cup held
out toward the partner), ``clear`` (cup moved aside). ``drink``, ``offer`` and ``clear`` start
with the cup in hand and leave the table straight up. ``none`` has primitives too: things a
body does without a goal (touching the head, small shifts), so that they are explained away
rather than mistaken for goals. Learned gestures (:mod:`mirrorbot.mind.learning`) add
primitives of the same kind (older learned files: template paths).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.errors import ModelError
from mirrorbot.out_files import write_atomic, write_failed
from mirrorbot.robot.urdf_builder import FOREARM_LENGTH_M, UPPER_ARM_LENGTH_M
from mirrorbot.warn import warn_once

ROBOT_REACH_M = 0.95 * (UPPER_ARM_LENGTH_M + FOREARM_LENGTH_M)
REPERTOIRE_FORMAT = "mirrorbot-primitive"
DURATIONS_S = (0.6, 0.8, 1.0, 1.25, 1.6, 2.0)
"""Candidate durations of a movement: recognition marginalises over them."""


SWING_ABOUT_SHOULDER = -1.0
"""``Primitive.arc`` of a path that swings about the shoulder, as a straight arm raised or
lowered does: the path's midpoint is at the mean of its ends' distances from the shoulder
(rather than on the chord, which passes close by the shoulder from hanging to overhead)."""

DROP_FIRST = -2.0
"""``Primitive.arc`` of a path that drops first and then goes to the target, as a raised hand
comes down: the forearm falls, then the upper arm swings back (the mirror of a lift)."""


FLEX_FORWARD = -3.0
"""``Primitive.arc`` of a path that bows forward, as a hand lifted by bending the elbow does (a
hanging hand brought to the mouth): the path's midpoint is :data:`FLEX_FORWARD_CHORDS` of the
chord's length in front of the chord's."""
FLEX_FORWARD_CHORDS = 0.3

LOWER_IN_FRONT = -4.0
"""``Primitive.arc`` of a raised hand lowered in front, the elbow bending as it comes down: the
path bows forward half as far as :data:`FLEX_FORWARD` (:data:`LOWER_IN_FRONT_CHORDS`), between
the straight line and the bent arm's bow. Read only as a straight line, a swing about the
shoulder, a drop or a full bow, real actors' hands lowered from a raise were taken for reaches
on their way down (committed at 0.99)."""
LOWER_IN_FRONT_CHORDS = 0.15


@kernel
def bezier_control(start_m: Vec3, target_m: Vec3, lift_m: float, arc: float) -> Vec3:
    """A primitive's Bezier control point (3,) [m] (arm frame), the one shape of its path.

    ``lift_m`` above the start (a cup is lifted first); or, with ``arc`` at
    :data:`SWING_ABOUT_SHOULDER`, placed so the path swings about the shoulder (the origin); at
    :data:`DROP_FIRST`, below the start at the target's height;
    or else the chord's midpoint raised by ``arc`` times the chord's length. Used by
    :meth:`Primitive.path` and by the recogniser's compiled likelihoods and forecast.
    """
    if lift_m > 0:
        return np.array([start_m[0], start_m[1], start_m[2] + lift_m])
    mid = (start_m + target_m) / 2
    if arc == DROP_FIRST:
        return np.array([start_m[0], start_m[1], target_m[2]])
    if arc in (FLEX_FORWARD, LOWER_IN_FRONT):
        chord = math.sqrt(((target_m - start_m) ** 2).sum())
        ahead = FLEX_FORWARD_CHORDS if arc == FLEX_FORWARD else LOWER_IN_FRONT_CHORDS
        # B(1/2) = (start + 2 control + target) / 4: in front of the chord's midpoint by
        # ``ahead`` chords.
        return np.array([mid[0] + 2 * ahead * chord, mid[1], mid[2]])
    if arc == SWING_ABOUT_SHOULDER:
        radius = (math.sqrt((start_m ** 2).sum()) + math.sqrt((target_m ** 2).sum())) / 2
        n_mid = math.sqrt((mid ** 2).sum())
        direction = mid / n_mid if n_mid > 1e-6 else np.array([0.0, 1.0, 0.0])
        # B(1/2) = (start + 2 control + target) / 4 lands at ``radius`` along ``direction``.
        return 2 * radius * direction - mid
    chord = math.sqrt(((target_m - start_m) ** 2).sum())
    return np.array([mid[0], mid[1], mid[2] + 2 * arc * chord])


def min_jerk_array(s: FloatArray) -> FloatArray:
    """Minimum-jerk profile of phases ``s`` (any shape), clipped to [0, 1]."""
    s = np.clip(s, 0.0, 1.0)
    return s * s * s * (10.0 - 15.0 * s + 6.0 * s * s)


@dataclass(frozen=True)
class Primitive:
    """One movement of the repertoire.

    Attributes:
        name: The goal it serves (``none`` for goal-less movements).
        targets_m: Candidate end points of the wrist, (k, 3) [m], arm frame.
        lift_m: Height of the straight-up start (cup gestures), 0 for a plain reach [m].
        arc: Bulge of the path as a fraction of its length (human reaches arc slightly).
        oscillation_m: Side-to-side amplitude after arriving (a wave), 0 for none [m].
        template_m: For learned gestures: the displacement from the start along the phase,
            (K, 3) [m]; None for goal-directed primitives.
        start_region_m: Where the movement starts, (3,) [m], or None if anywhere.
        start_radius_m: How far from ``start_region_m`` a start still fits [m].
        social: Whether the goal asks for a response (wave back, receive, look).
        standing: A standing person's way to the goal (an arm swung up from hanging, to
            shoulder height or above): less likely for a person whose hands rest on a table
            (:data:`mirrorbot.mind.intent.AT_TABLE_STANDING_WEIGHT`).
        learned: Learned from demonstrations (:mod:`mirrorbot.mind.learning`), not built in.
        from_table: Starts with something taken at the table, at table height (a cup's
            ways; those with a lift always do).
    """

    name: str
    targets_m: FloatArray
    lift_m: float = 0.0
    arc: float = 0.05
    oscillation_m: float = 0.0
    template_m: FloatArray | None = None
    start_region_m: Vec3 | None = None
    start_radius_m: float = 0.12
    social: bool = False
    standing: bool = False
    learned: bool = False
    from_table: bool = False

    def path(self, start_m: Vec3, target_m: Vec3, s: FloatArray) -> FloatArray:
        """Wrist positions (N, 3) [m] at path parameters ``s`` (N,) in [0, 1] (already timed)."""
        s = np.clip(s, 0.0, 1.0)[:, None]
        if self.template_m is not None:
            k = np.linspace(0.0, 1.0, len(self.template_m))
            disp = np.column_stack([np.interp(s[:, 0], k, self.template_m[:, i])
                                    for i in range(3)])
            return start_m + disp
        control = bezier_control(np.asarray(start_m, dtype=np.float64),
                                 np.asarray(target_m, dtype=np.float64), float(self.lift_m),
                                 float(self.arc))
        return (1 - s) ** 2 * start_m + 2 * s * (1 - s) * control + s * s * target_m

    def start_fits(self, start_m: Vec3) -> bool:
        """Whether a movement starting at ``start_m`` can be this primitive."""
        if self.start_region_m is None:
            return True
        return bool(np.linalg.norm(start_m - self.start_region_m) <= self.start_radius_m)


def _pts(*points: Sequence[float] | FloatArray) -> FloatArray:
    return np.array(points, dtype=np.float64)


# The robot's body, arm frame of either arm (x forward, y outward, z up; origin the shoulder).
MOUTH_M = np.array([0.09, -0.18, 0.15])
AT_MOUTH_M = (MOUTH_M + (0.04, 0.035, -0.085), MOUTH_M + (0.06, 0.03, -0.07))
"""Where the wrist is when the hand holds a cup to the mouth [m] (arm frame)."""
HANGING_HAND_M = np.array([0.0, 0.08, -0.53])
"""Where the wrist of a hand hanging at a standing person's side is [m] (arm frame)."""
OFFER_M = ((0.48, -0.12, -0.08), (0.47, -0.08, -0.03), (0.49, -0.15, -0.12))
"""Where the wrist holds a cup out to the partner [m] (arm frame)."""
CLEAR_M = ((0.30, 0.31, -0.26), (0.25, 0.27, -0.26), (0.33, 0.35, -0.25))
"""Where the wrist puts a cup down aside [m] (arm frame)."""
CUP_LIFT_M = 0.17  # how high a cup is lifted before it is carried [m]
CUP_HELD_LOW_M = np.array([0.1, 0.03, -0.45])
"""Where a standing person holds a cup before drinking, wrist in the arm frame [m]: from
hanging at the side to in front of the waist (within 0.22 m of this)."""
TABLE_Z_M = -0.29  # wrist height just above the table top (robot's table at 0.72 m)


OVERHEAD_M = ((0.06, 0.07, 0.48), (0.12, 0.10, 0.45), (0.0, 0.04, 0.49))
"""A hand raised straight up, wrist in the arm frame [m]."""
HAND_UP_M = ((0.15, 0.10, -0.03), (0.30, 0.07, 0.07), (0.05, 0.35, 0.40), (0.20, 0.25, 0.35))
"""Where a hand is held up, wrist in the arm frame [m]: in front of the chest, in front at the
shoulder, up and out, up and forward. A raise holds it there, a wave swings there."""


def builtin_primitives() -> list[Primitive]:
    """The built-in repertoire (goal regions on the robot's own body and table)."""
    return [
        Primitive("wave", _pts((0.10, 0.17, 0.24), (0.05, 0.12, 0.30), (0.12, 0.22, 0.18)),
                  arc=0.05, oscillation_m=0.08, social=True),
        Primitive("wave", _pts(*HAND_UP_M), arc=SWING_ABOUT_SHOULDER,
                  oscillation_m=0.05, social=True, standing=True),
        Primitive("raise", _pts(*OVERHEAD_M)),
        Primitive("raise", _pts(*HAND_UP_M), arc=SWING_ABOUT_SHOULDER, standing=True),
        Primitive("point", _pts((0.47, 0.04, -0.18), (0.47, -0.10, -0.18), (0.46, 0.14, -0.17),
                                (0.49, 0.0, -0.08)), arc=0.03, social=True),
        Primitive("point", _pts((0.48, 0.15, 0.04), (0.35, 0.36, 0.0)), arc=SWING_ABOUT_SHOULDER,
                  social=True, standing=True),
        Primitive("reach", _pts((0.40, 0.05, -0.24), (0.38, -0.08, -0.25),
                                (0.42, 0.15, -0.24)), arc=0.05),
        Primitive("drink", _pts(*AT_MOUTH_M), lift_m=CUP_LIFT_M),
        Primitive("drink", _pts(*AT_MOUTH_M), arc=FLEX_FORWARD, standing=True,
                  start_region_m=CUP_HELD_LOW_M, start_radius_m=0.22),
        Primitive("offer", _pts(*OFFER_M), lift_m=CUP_LIFT_M, social=True),
        Primitive("clear", _pts(*CLEAR_M), lift_m=CUP_LIFT_M),
        # The same, carried there directly (people lift a cup more or less before moving it).
        Primitive("drink", _pts(*AT_MOUTH_M), arc=0.1, from_table=True),
        Primitive("offer", _pts(*OFFER_M), arc=0.1, social=True, from_table=True),
        Primitive("clear", _pts(*CLEAR_M), arc=0.1, from_table=True),
        # Movements with no goal: touching the head, and small shifts of a resting hand.
        Primitive("none", _pts((0.03, -0.05, 0.23), (0.0, -0.03, 0.25)), arc=0.06,
                  oscillation_m=0.015),
    ]


@dataclass
class Repertoire:
    """All primitives, built-in and learned.

    Attributes:
        primitives: In recognition order.
        goals: The goal names, ``none`` last.
    """

    primitives: list[Primitive] = field(default_factory=builtin_primitives)

    @property
    def goals(self) -> tuple[str, ...]:
        """Every goal name, ``none`` last."""
        names = list(dict.fromkeys(p.name for p in self.primitives if p.name != "none"))
        return (*names, "none")

    def primitive(self, name: str) -> Primitive:
        """The first primitive serving ``name``; the error lists the goals."""
        for p in self.primitives:
            if p.name == name:
                return p
        raise ModelError(f"no primitive for {name!r}. Available: {list(self.goals)}")

    def add(self, primitive: Primitive) -> None:
        """Add (or replace) a learned primitive."""
        self.primitives = [p for p in self.primitives if p.name != primitive.name
                           or not p.learned] + [primitive]


PATH_SHAPES = {"arc": 0.05, "swing": SWING_ABOUT_SHOULDER, "drop": DROP_FIRST,
               "flex": FLEX_FORWARD}
"""The shapes of a primitive's path by name (:attr:`Primitive.arc`), as learned files store
them; ``lift`` (a cup lifted first) is :attr:`Primitive.lift_m`."""


def path_shape_name(primitive: Primitive) -> str:
    """The name (:data:`PATH_SHAPES`) of a primitive's path shape.

    Raises:
        ModelError: A shape without a name (a built-in's own arc).
    """
    name = next((k for k, v in PATH_SHAPES.items() if v == primitive.arc), None)
    if name is None:
        raise ModelError(f"{primitive.name!r}: arc {primitive.arc} is not one of the named "
                         f"path shapes {list(PATH_SHAPES)}")
    return name


def save_primitive(primitive: Primitive, path: Path, *, demos: int, duration_s: float) -> None:
    """Write a learned primitive as JSON (format in docs/repertoire.md).

    Version 2: a primitive of the robot's own kind (places, path shape, swing); version 1
    (still read): a template path.
    """
    if not primitive.learned:
        raise ModelError("only learned primitives are saved")
    data: dict[str, object] = {
        "format": REPERTOIRE_FORMAT, "version": 1 if primitive.template_m is not None else 2,
        "name": primitive.name,
        "frame": "arm: origin at the shoulder, x forward, y outward, z up, metres",
        "demonstrations": demos, "duration_s": round(duration_s, 3)}
    if primitive.template_m is not None:
        data["template_m"] = np.round(primitive.template_m, 5).tolist()
    else:
        data["shape"] = path_shape_name(primitive)
        data["lift_m"] = round(primitive.lift_m, 4)
        data["oscillation_m"] = round(primitive.oscillation_m, 4)
        data["standing"] = primitive.standing
    data.update({"targets_m": np.round(primitive.targets_m, 5).tolist(),
                 "start_m": None if primitive.start_region_m is None
                 else np.round(primitive.start_region_m, 5).tolist(),
                 "start_radius_m": primitive.start_radius_m})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failed(path, exc) from None
    write_atomic(path, json.dumps(data, indent=1) + "\n")


def load_primitive(path: Path) -> tuple[Primitive, float]:
    """A learned primitive and its typical duration [s] from its JSON file.

    Raises:
        ModelError: Not a primitive file, or malformed.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"it holds a JSON {type(data).__name__}, not an object")
        if data.get("format") != REPERTOIRE_FORMAT:
            raise ValueError(f"format is {data.get('format')!r}")
        targets = np.asarray(data["targets_m"], dtype=np.float64).reshape(-1, 3)
        if len(targets) == 0:
            raise ValueError("targets_m is empty")
        start = data.get("start_m")
        region = None if start is None else np.asarray(start, dtype=np.float64).reshape(3)
        radius = float(data.get("start_radius_m", 0.15))
        if data.get("version", 1) == 1:
            template = np.asarray(data["template_m"], dtype=np.float64)
            if template.ndim != 2 or template.shape[1] != 3 or len(template) < 2:
                raise ValueError("template_m must be a list of [x, y, z]")
            primitive = Primitive(str(data["name"]), targets, template_m=template,
                                  start_region_m=region, start_radius_m=radius, learned=True)
        else:
            if data["shape"] not in PATH_SHAPES:
                raise ValueError(f"shape {data['shape']!r} is not one of {list(PATH_SHAPES)}")
            primitive = Primitive(str(data["name"]), targets, lift_m=float(data["lift_m"]),
                                  arc=PATH_SHAPES[data["shape"]],
                                  oscillation_m=float(data["oscillation_m"]),
                                  standing=bool(data["standing"]), start_region_m=region,
                                  start_radius_m=radius, learned=True)
        return primitive, float(data.get("duration_s", 1.0))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            RecursionError) as exc:
        raise ModelError(f"{path} is not a valid learned primitive ({exc!s:.120}); re-learn "
                         "it with `mirrorbot learn NAME FILES...`") from None


def load_repertoire(folder: Path | None) -> tuple[Repertoire, dict[str, float]]:
    """The built-ins plus every ``*.json`` primitive in ``folder`` (if it exists).

    A damaged file is skipped with one warning naming it and the fix: a learned gesture is
    optional, and one bad file must not stop every run (:func:`load_primitive` stays strict).

    Returns:
        The repertoire and the learned primitives' typical durations [s] by name.
    """
    repertoire = Repertoire()
    durations: dict[str, float] = {}
    override = os.environ.get("MIRRORBOT_REPERTOIRE")
    if override and folder == Path(override) and not folder.is_dir():
        what = "a file (point it at a folder)" if folder.exists() else \
            "which does not exist (learn one there, or unset it)"
        warn_once(f"MIRRORBOT_REPERTOIRE is {folder}, {what}; no learned gesture is used")
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            try:
                primitive, duration = load_primitive(path)
            except ModelError as exc:
                warn_once(f"skipping a learned gesture: {exc}, or delete the file")
                continue
            repertoire.add(primitive)
            durations[primitive.name] = duration
    return repertoire, durations
