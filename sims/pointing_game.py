"""Pointing game: the person points at things on the table; the robot looks where they point.

    python sims/pointing_game.py [--seed N] [--rounds R] [--video]

Each round the person points at an object; the robot's head (its gaze ray, from the logged
head angles) should end up on the object the person's true arm points at. Prints the rounds
and the score.
"""

from __future__ import annotations

import math

import numpy as np
from _common import guarded, parse_args, run

from mirrorbot import (
    DEFAULT_SCENE_NAME,
    Landmark,
    Side,
    SyntheticPerson,
    load_robot_model,
    load_scene,
    parse_synthetic,
    robot_urdf_path,
    scene_path,
)
from mirrorbot.mind.gaze import pointed_target, table_top_z


def looked_at(pan: float, tilt: float, objects: dict[str, np.ndarray],
              head_pivot_m: np.ndarray) -> str:
    """The object nearest the head's gaze ray (within 15 degrees), else "nothing"."""
    ray = np.array([math.cos(tilt) * math.cos(pan), math.cos(tilt) * math.sin(pan),
                    -math.sin(tilt)])
    best, best_angle = "nothing", math.radians(15.0)
    for name, p in objects.items():
        d = p - head_pivot_m
        angle = math.acos(float(np.clip(np.dot(ray, d) / np.linalg.norm(d), -1, 1)))
        if angle < best_angle:
            best, best_angle = name, angle
    return best


def _the(name: str) -> str:
    """An object's name as the prose says it: "the cup", but "nothing", "something far away"."""
    return {"nothing": "nothing", "far away": "something far away"}.get(name, f"the {name}")


def main() -> None:
    args = parse_args("pointing_game", __doc__.splitlines()[0], rounds=True)
    spec = f"{','.join(['point'] * args.rounds)}?seed={args.seed}"
    joints, frames, summary = run(f"synthetic:{spec}", args.out, args.video)
    scene = load_scene(scene_path(DEFAULT_SCENE_NAME))
    objects = {o.name: np.asarray(o.position_m) for o in scene.objects if o.name != "table"}
    truth = {round(f.t_s, 3): f for f in SyntheticPerson(parse_synthetic(spec), scene).frames()}
    pan_i, tilt_i = joints.index("head_pan"), joints.index("head_tilt")
    head_pivot_m = load_robot_model(robot_urdf_path()).dimensions.head_pivot_m
    hits = 0
    for k, label in enumerate(summary["labels"], 1):
        end = next(f for f in frames if f["t"] >= label["end"] + 0.3)  # the point is held
        world = truth[round(end["t"], 3)].world_true_m
        side = max(Side, key=lambda s: world[Landmark[f"{s.name}_WRIST"]][1] * -1)
        _, aimed = pointed_target(world, side, scene.person_position_m, objects,
                                  table_top_z(scene))
        seen = looked_at(end["q"][pan_i], end["q"][tilt_i], objects, head_pivot_m)
        hits += seen == aimed
        print(f"round {k}: you pointed at {_the(aimed)}, the robot looked at {_the(seen)} "
              f"({'hit' if seen == aimed else 'miss'}; mode {end['mode']})")
    print(f"score: {hits}/{len(summary['labels'])}; outputs in {args.out}/")


if __name__ == "__main__":
    guarded(main)
