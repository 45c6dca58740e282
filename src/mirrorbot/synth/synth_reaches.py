"""The synthetic person's reaches for objects on a table, labelled (``eval reach``'s default).

Each seed gives one set of objects and a sequence of reaches, each object reached for twice,
in a shuffled order, by the hand on its side (sometimes the other):

- objects: the tabletop scene's (one seed in three), or a random layout on the table with
  objects clustered 10-15 cm apart, or spread at least 20 cm apart;
- starts: the hand's rest at the table edge, the lap, held up in front, or where the previous
  reach ended (at another object);
- paths: a quadratic Bezier (bent by 0-6.7% of the chord, so the hand leaves at most 15
  degrees off the chord; mostly upward, sometimes sideways or downward) timed by a minimum-jerk
  profile skewed so that the peak speed comes at 35-50% of the reach (reaches to grasp
  decelerate longer than they accelerate: Jeannerod 1984, Marteniuk et al. 1987); durations
  0.5-1.5 s; one reach in four hesitates (slows to a stop part way, at most 10 degrees off the
  line, and goes on);
- the hand stops 2-6 cm short of the object's centre (the wrist, not the fingertips) and up
  to 3 cm above it;
- samples at 10-120 Hz with 0.5-3 mm of noise, in a frame turned and moved at random (the
  models may use no axis; this checks it).

Positions are built in the person's torso frame (x out of the chest, y to their left, z up,
origin between the shoulders) [m] and then moved to the random frame.
"""

from __future__ import annotations

import numpy as np

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.perception.reach_data import Reach, ReachSet
from mirrorbot.robot.scripted import min_jerk
from mirrorbot.sim.scene import load_scene
from mirrorbot.synth.synth_gestures import TABLE_Z_M

EVAL_SEEDS = tuple(range(4001, 4013))  # never used for tuning (tuning used seeds 1-12)
RATES_HZ = (10.0, 15.0, 30.0, 60.0, 90.0, 120.0)
SHOULDER_Y_M = 0.18  # half the shoulder width [m]
ARM_REACH_M = 0.72  # the farthest a seated person reaches leaning forward [m]
MAX_BEND = 0.067  # a path's bulge over its chord at most; it leaves atan(4 bend) = 15 deg off
MAX_DETOUR = 0.176  # a hesitation's via point at most tan(10 deg) off the line


def _unit(v: Vec3) -> Vec3:
    return np.asarray(v / max(float(np.linalg.norm(v)), 1e-12), dtype=np.float64)


def scene_objects_torso() -> dict[str, Vec3]:
    """The tabletop scene's objects (the table left out) in the person's torso frame [m]."""
    scene = load_scene(scene_path(DEFAULT_SCENE_NAME))
    return {o.name: scene.p_person_torso(o.position_m) for o in scene.objects
            if o.name != "table"}


def _layout(rng: np.random.Generator, kind: str) -> dict[str, Vec3]:
    """Objects on the table in the torso frame [m]: ``clustered`` or ``spread``."""
    n = int(rng.integers(4, 9)) if kind == "clustered" else int(rng.integers(3, 7))
    points: list[Vec3] = []
    while len(points) < n:
        if kind == "clustered" and points and rng.uniform() < 0.6:
            base = points[int(rng.integers(len(points)))]
            angle = rng.uniform(0, 2 * np.pi)
            p = base + rng.uniform(0.10, 0.15) * np.array([np.cos(angle), np.sin(angle), 0.0])
        else:
            p = np.array([rng.uniform(0.25, 0.65), rng.uniform(-0.45, 0.45), 0.0])
        p[2] = TABLE_Z_M + rng.uniform(0.02, 0.08)
        gap = 0.10 if kind == "clustered" else 0.2
        if (0.22 <= p[0] <= 0.7 and abs(p[1]) <= 0.5
                and all(np.linalg.norm((p - q)[:2]) >= gap for q in points)):
            points.append(p)
        elif kind == "spread" and rng.uniform() < 0.02:  # a crowded draw: start over
            points.clear()
    return {f"object{k + 1}": p for k, p in enumerate(points)}


def _path(rng: np.random.Generator, p0: Vec3, p1: Vec3, duration_s: float,
          ) -> tuple[FloatArray, FloatArray]:
    """A curved minimum-jerk reach: a function's samples as (tau (m,), points (m, 3) [m])."""
    chord = p1 - p0
    up = np.array([0.0, 0.0, 1.0])
    side = _unit(np.cross(chord, up)) if np.linalg.norm(np.cross(chord, up)) > 1e-6 else \
        np.array([0.0, 1.0, 0.0])
    normal_up = _unit(np.cross(side, chord))
    # mostly arcing upward, else any way round the chord
    angle = rng.uniform(-0.8, 0.8) if rng.uniform() < 0.8 else rng.uniform(0.0, 2 * np.pi)
    normal = np.cos(angle) * normal_up + np.sin(angle) * side
    bend = rng.uniform(0.0, MAX_BEND)
    control = (p0 + p1) / 2 + 2 * bend * float(np.linalg.norm(chord)) * normal
    gamma = rng.uniform(0.75, 1.0)  # skew: peak speed at 35-50% of the reach
    tau = np.linspace(0.0, 1.0, max(int(duration_s * 400), 20))
    s = np.array([min_jerk(float(x) ** gamma) for x in tau])
    pts = ((1 - s) ** 2)[:, None] * p0 + (2 * s * (1 - s))[:, None] * control \
        + (s * s)[:, None] * p1
    return tau, pts


def _reach_path(rng: np.random.Generator, start: Vec3, end: Vec3,
                ) -> tuple[FloatArray, FloatArray]:
    """(times (m,) [s], points (m, 3) [m]) of one reach, hesitating one time in four."""
    duration = rng.uniform(0.5, 1.5)
    if rng.uniform() >= 0.25:
        tau, pts = _path(rng, start, end, duration)
        return tau * duration, pts
    f = rng.uniform(0.35, 0.65)
    chord = end - start
    lateral = _unit(np.cross(chord, rng.normal(size=3))) \
        * rng.uniform(0.0, MAX_DETOUR * f * float(np.linalg.norm(chord)))
    via = start + f * chord + lateral
    d1, pause, d2 = duration * rng.uniform(0.4, 0.6), rng.uniform(0.08, 0.3), \
        duration * rng.uniform(0.5, 0.7)
    tau1, pts1 = _path(rng, start, via, d1)
    tau2, pts2 = _path(rng, via, end, d2)
    t = np.concatenate([tau1 * d1, d1 + pause + tau2[1:] * d2])
    return t, np.concatenate([pts1, pts2[1:]])


def _sample(rng: np.random.Generator, t_dense: FloatArray, pts: FloatArray,
            ) -> tuple[FloatArray, FloatArray]:
    """Resample a dense path at a random rate with noise: (t (n,) [s], hand (n, 3) [m])."""
    rate = float(rng.choice(RATES_HZ))
    t_end = float(t_dense[-1])
    t = np.arange(0.0, t_end, 1.0 / rate)
    if t_end - t[-1] > 0.25 / rate:
        t = np.append(t, t_end)
    else:
        t[-1] = t_end
    hand = np.column_stack([np.interp(t, t_dense, pts[:, k]) for k in range(3)])
    return t, hand + rng.normal(0.0, rng.uniform(0.0005, 0.003), hand.shape)


def _random_rotation(rng: np.random.Generator) -> FloatArray:
    q = rng.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def synthetic_reach_set(seed: int, repeats: int = 2) -> ReachSet:
    """The reaches of one seed (see the module's docstring), in a random frame."""
    rng = np.random.default_rng([seed, 21])
    kind = ("scene", "clustered", "spread")[seed % 3]
    objects = scene_objects_torso() if kind == "scene" else _layout(rng, kind)
    rests = {side: np.array([0.25, side * 0.17, TABLE_Z_M + 0.03]) for side in (1.0, -1.0)}
    hand_at = dict(rests)
    order = [name for name in objects for _ in range(repeats)]
    rng.shuffle(order)
    reaches: list[tuple[str, FloatArray, FloatArray]] = []
    for name in order:
        target = objects[name]
        side = 1.0 if target[1] >= 0 else -1.0
        if rng.uniform() < 0.2:
            side = -side
        start_kind = rng.choice(["rest", "lap", "up", "last"])
        if start_kind == "rest":
            start = rests[side] + rng.normal(0.0, 0.02, 3)
        elif start_kind == "lap":
            start = np.array([rng.uniform(0.1, 0.2), side * rng.uniform(0.1, 0.2),
                              TABLE_Z_M - rng.uniform(0.1, 0.2)])
        elif start_kind == "up":
            start = np.array([rng.uniform(0.2, 0.35), side * rng.uniform(0.1, 0.3),
                              TABLE_Z_M + rng.uniform(0.15, 0.3)])
        else:
            start = hand_at[side]
        shoulder = np.array([0.0, side * SHOULDER_Y_M, 0.0])
        if np.linalg.norm(target - shoulder) > ARM_REACH_M + 0.1:
            continue  # out of reach even leaning forward
        approach = _unit((target - start) * np.array([1.0, 1.0, 0.0]))
        end = target - rng.uniform(0.02, 0.06) * approach \
            + np.array([0.0, 0.0, rng.uniform(0.0, 0.03)])
        if np.linalg.norm(end - start) < 0.12:
            continue  # already there: no reach to speak of
        t_dense, pts = _reach_path(rng, start, end)
        t, hand = _sample(rng, t_dense, pts)
        reaches.append((name, t, hand))
        hand_at[side] = end
    R = _random_rotation(rng)
    offset = rng.uniform(-2.0, 2.0, 3)
    t0 = rng.uniform(0.0, 100.0)
    return ReachSet(f"synthetic seed {seed} ({kind})",
                    {k: R @ p + offset for k, p in objects.items()},
                    tuple(Reach(goal, t + t0, hand @ R.T + offset)
                          for goal, t, hand in reaches))


def synthetic_reach_sets(seeds: tuple[int, ...] = EVAL_SEEDS) -> list[ReachSet]:
    """One :func:`synthetic_reach_set` per seed."""
    return [synthetic_reach_set(seed) for seed in seeds]
