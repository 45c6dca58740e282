"""Learn a gesture: three demonstrations of a new gesture, and the robot knows it.

    python sims/learn_gesture.py [--seed N] [--video]

The synthetic person lays a hand on their heart three times (``heart`` is not in the robot's
built-in repertoire); ``learn`` turns the recordings into a primitive; then a new
demonstration runs through the pipeline with the enlarged repertoire: the robot recognises
``heart`` and completes it with its own arm.
"""

from __future__ import annotations

import os

from _common import guarded, parse_args, run

from mirrorbot import SyntheticPerson, learn, parse_synthetic
from mirrorbot.perception.recording import RecordingHeader, RecordingWriter


def record_demo(path: os.PathLike, spec: str) -> None:
    """Write the synthetic person's tracked landmarks (with labels) to a recording."""
    person = SyntheticPerson(parse_synthetic(spec))
    header = RecordingHeader(fps=30.0, source=f"synthetic:{spec}", labels=person.labels)
    with RecordingWriter(path, header) as writer:
        for frame in person.frames():
            writer.write(frame.t_s, frame.observed)


def main() -> None:
    args = parse_args("learn_gesture", __doc__.splitlines()[0])
    demos = [args.out / "demos" / f"heart{k}.jsonl" for k in (1, 2, 3)]
    for k, path in enumerate(demos, 1):
        record_demo(path, f"heart?seed={100 * args.seed + k}")
    repertoire = args.out / "repertoire"
    saved, _, duration, spread = learn("heart", demos, repertoire)
    print(f"learned 'heart' from {len(demos)} demonstrations: about {duration:.1f} s long, "
          f"demonstrations within {100 * spread:.1f} cm of each other -> {saved}")
    os.environ["MIRRORBOT_REPERTOIRE"] = str(repertoire)  # the run's recogniser loads it
    _, frames, summary = run(f"synthetic:heart?seed={100 * args.seed + 50}", args.out / "run",
                             args.video)
    label = summary["labels"][0]
    commits = [e["t"] for e in summary["goal_events"]
               if e["goal"] == "heart" and e["event"] == "commit"]
    print(f"a new demonstration: the hand goes to the heart from {label['start']:.2f} s to "
          f"{label['end']:.2f} s")
    if not commits:
        print("the robot did not recognise it (it only mirrored)")
        print(f"outputs in {args.out}/")
        return
    share = (commits[0] - label["start"]) / (label["end"] - label["start"])
    print(f"the robot recognised 'heart' at {commits[0]:.2f} s ({100 * share:.0f}% into it)")
    own = [f["t"] for f in frames if "completing heart" in f["reason"]]
    if own:
        print(f"and completed it with its own arm from {own[0]:.2f} s")
    print(f"outputs in {args.out}/")


if __name__ == "__main__":
    guarded(main)
