"""Wave back: the person waves at the robot; it mirrors, recognises the wave and waves back.

    python sims/wave_back.py [--seed N] [--video]

Prints when the robot understood the wave and how it answered (its own rhythm, not a copy).
"""

from __future__ import annotations

import numpy as np
from _common import guarded, parse_args, run


def main() -> None:
    args = parse_args("wave_back", __doc__.splitlines()[0])
    _, frames, summary = run(f"synthetic:wave?seed={args.seed}", args.out, args.video)
    label = summary["labels"][0]
    print(f"the person waves from {label['start']:.2f} s to {label['end']:.2f} s")
    commits = [e["t"] for e in summary["goal_events"]
               if e["goal"] == "wave" and e["event"] == "commit"]
    answer = [f for f in frames if f["mode"] == "respond" and "waving back" in f["reason"]]
    if not commits or not answer:
        print("the robot did not recognise the wave; it only mirrored")
        return
    print(f"the robot recognised the wave at {commits[0]:.2f} s "
          f"({100 * (commits[0] - label['start']) / (label['end'] - label['start']):.0f}% "
          "into it)")
    side = "left" if np.ptp([f["links"]["left_wrist"][1] for f in answer]) > np.ptp(
        [f["links"]["right_wrist"][1] for f in answer]) else "right"
    lateral = np.array([f["links"][f"{side}_wrist"][1] for f in answer])
    lateral -= lateral.mean()
    seconds = len(answer) / 30.0
    hz = np.count_nonzero(np.diff(np.sign(lateral)) != 0) / 2 / max(seconds, 1e-9)
    print(f"it waved back with its {side} hand for {seconds:.1f} s, about {hz:.1f} Hz, "
          f"{100 * np.ptp(lateral):.0f} cm side to side")
    print(f"outputs in {args.out}/")


if __name__ == "__main__":
    guarded(main)
