"""Shared by the example scenarios: run a source through the pipeline and read its log back."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mirrorbot import MirrorbotError, RunConfig, run_session
from mirrorbot.cli import OneLineParser

MAX_ROUNDS = 100


def parse_args(name: str, description: str, rounds: bool = False) -> argparse.Namespace:
    """``--seed N``, ``--out DIR`` (default out/sims/NAME), ``--video`` [and ``--rounds R``]."""
    parser = OneLineParser(description=description)  # one-line errors, as mirrorbot's
    if rounds:
        parser.add_argument("--rounds", type=int, default=3, help="how many rounds (default 3)")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the synthetic person (default 1)")
    parser.add_argument("--out", type=Path, default=Path("out/sims") / name, metavar="DIR",
                        help=f"output folder, replaced on each run (default out/sims/{name})")
    parser.add_argument("--video", action="store_true", help="also write video.mp4")
    args = parser.parse_args()
    if args.seed < 0:
        parser.error(f"--seed must be 0 or more, got {args.seed}")
    if rounds and not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--rounds must be in [1, {MAX_ROUNDS}], got {args.rounds}")
    return args


def guarded(main: Callable[[], None]) -> None:
    """Run a scenario's ``main``: mirrorbot's errors are one line (exit 2), not a traceback."""
    try:
        main()
    except MirrorbotError as exc:
        print(f"{Path(sys.argv[0]).name}: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"{Path(sys.argv[0]).name}: stopped by Ctrl-C; outputs written so far are kept",
              file=sys.stderr)
        sys.exit(130)


def run(source: str, out: Path, video: bool, anticipate: bool = True,
        ) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """Run ``source`` headless; (joint names, frames of session.jsonl, summary.json)."""
    run_session(RunConfig(source=source, out_dir=out, video=video, progress=video,
                          anticipate=anticipate, overwrite=True))  # a sim's folder is its own
    lines = (out / "session.jsonl").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return header["joints"], [json.loads(line) for line in lines[1:]], summary
