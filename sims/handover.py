"""Handover: the person offers the cup; the robot understands and reaches out to receive it.

    python sims/handover.py [--seed N] [--video]

Prints when the robot recognised the offer and how close its open hand came to the person's,
compared with where it would be if it only mirrored (--no-anticipate).
"""

from __future__ import annotations

import numpy as np
from _common import guarded, parse_args, run

from mirrorbot import (
    DEFAULT_SCENE_NAME,
    Landmark,
    SyntheticPerson,
    load_scene,
    parse_synthetic,
    scene_path,
)
from mirrorbot.mind.gaze import person_point_in_base


def person_hand_base(spec: str) -> dict[float, np.ndarray]:
    """The person's offering wrist in the robot's base frame (3,) [m], by time [s] (truth)."""
    scene = load_scene(scene_path(DEFAULT_SCENE_NAME))
    frames = list(SyntheticPerson(parse_synthetic(spec), scene).frames())
    tracks = {mark: np.array([person_point_in_base(f.world_true_m, mark,
                                                   scene.person_position_m) for f in frames])
              for mark in (Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST)}
    moving = max(tracks, key=lambda m: float(np.ptp(tracks[m], axis=0).sum()))
    return {round(f.t_s, 3): p for f, p in zip(frames, tracks[moving], strict=True)}


def closest(frames: list[dict], hand: dict[float, np.ndarray]) -> tuple[float, float]:
    """(smallest distance [m] between a robot wrist and the person's hand, when [s])."""
    best = (np.inf, 0.0)
    for f in frames:
        p = hand.get(round(f["t"], 3))
        for side in ("left", "right"):
            if p is not None:
                d = float(np.linalg.norm(np.array(f["links"][f"{side}_wrist"]) - p))
                best = min(best, (d, f["t"]))
    return best


def main() -> None:
    args = parse_args("handover", __doc__.splitlines()[0])
    spec = f"offer?seed={args.seed}"
    _, frames, summary = run(f"synthetic:{spec}", args.out, args.video)
    label = summary["labels"][0]
    print(f"the person offers the cup from {label['start']:.2f} s to {label['end']:.2f} s")
    receiving = [f["t"] for f in frames if "reaching out to receive" in f["reason"]]
    if receiving:
        print(f"the robot recognised the offer and reached out from {receiving[0]:.2f} s")
    else:
        print("the robot did not recognise the offer; it only mirrored")
    hand = person_hand_base(spec)
    d, t = closest(frames, hand)
    print(f"its hand came within {100 * d:.0f} cm of the person's at {t:.2f} s")
    _, mirror_frames, _ = run(f"synthetic:{spec}", args.out / "mirror_only", False,
                              anticipate=False)
    d0, t0 = closest(mirror_frames, hand)
    print(f"only mirroring, it would have come within {100 * d0:.0f} cm (at {t0:.2f} s)")
    print(f"outputs in {args.out}/")


if __name__ == "__main__":
    guarded(main)
