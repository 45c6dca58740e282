"""The ``mirrorbot`` command line (docs/conventions.md lists every command and flag).

Exit status: 0 on success, 2 on bad usage or bad input (one line on stderr saying what and how
to fix it), 1 on an internal error, 130 when stopped by Ctrl-C and 143 by SIGTERM (outputs are
kept).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from mirrorbot import __version__
from mirrorbot.errors import MirrorbotError, is_interrupt
from mirrorbot.out_files import refuse_input_as_output
from mirrorbot.output.display import has_display
from mirrorbot.perception.source_spec import (
    SOURCE_FORMS,
    parse_source,
    refuse_model_without_tracking,
)
from mirrorbot.warn import warn

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a reader that stopped early
MAX_RECORD_S = 24 * 3600.0


def _add_view_flags(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--gui", action="store_true",
                       help="open the PyBullet GUI and an OpenCV window (needs a display)")
    group.add_argument("--headless", action="store_true",
                       help="never open a window (the default when there is no display)")
    p.add_argument("--no-video", action="store_true", help="do not render video.mp4")


def _wants_gui(args: argparse.Namespace) -> bool:
    if args.gui and not has_display():
        raise MirrorbotError("--gui needs a display but none is set (DISPLAY is empty); "
                             "use --headless, or run under xvfb-run")
    return bool(args.gui or (not args.headless and has_display()))


def cmd_demo(args: argparse.Namespace) -> int:
    """``mirrorbot demo``: the built-in scripted session."""
    from mirrorbot.run.demo import DemoConfig, run_demo

    if args.seconds is not None and not 0 < args.seconds <= 3600:
        raise MirrorbotError(f"--seconds must be in (0, 3600], got {args.seconds}")
    if args.seed < 0:
        raise MirrorbotError(f"--seed must be a whole number >= 0, got {args.seed}")
    config = DemoConfig(out_dir=args.out, gui=_wants_gui(args),
                        video=not args.no_video,
                        seed=args.seed, seconds=args.seconds, overwrite=args.overwrite)
    _report_run(run_demo(config), args.out)
    return EXIT_OK


def _report_run(summary: dict[str, Any], out: Path) -> None:
    files = sorted([f for f in summary.get("outputs", {}).values() if f and (out / f).exists()]
                   + ["summary.json"])  # a plot that could not be drawn is not listed
    print(f"wrote {summary['frames']} frames to {out}/ ({', '.join(files)}); tracked "
          f"{100 * summary['tracked_fraction']:.0f}% at {summary['fps']:.1f} fps")
    if summary["frames"] and not summary["tracked_fraction"]:
        warn("nobody was tracked in any frame (the robot held its rest pose); check that a "
             "person is in view, lit, and not cut off by the frame")


def _out_path(text: str) -> Path:
    """An ``--out`` value; an empty one (an unset shell variable) would be the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("--out is empty (an unset shell variable?); name a "
                                         "folder or file, e.g. --out out/run1")
    return Path(text)


def cmd_run(args: argparse.Namespace) -> int:
    """``mirrorbot run``: mirror a person from a source."""
    from mirrorbot.retarget.retarget import Mapping
    from mirrorbot.run.session import RunConfig, run_session

    gui = _wants_gui(args)
    config = RunConfig(source=args.source, out_dir=args.out,
                       mapping=Mapping(args.mode),
                       retargeter=args.retargeter, intent=args.intent,
                       anticipate=not args.no_anticipate, gui=gui,
                       video=not args.no_video,
                       realtime=args.realtime or (gui and not args.fast),
                       model_path=args.model, progress=True, filter_path=args.filter,
                       overwrite=args.overwrite)
    _report_run(run_session(config), args.out)
    return EXIT_OK


def cmd_record(args: argparse.Namespace) -> int:
    """``mirrorbot record``: write the tracked landmarks of a source to a recording."""
    from mirrorbot.run.record import record_landmarks
    from mirrorbot.sources.pose_sources import open_pose_source

    if args.seconds is not None and not 0 < args.seconds <= MAX_RECORD_S:
        raise MirrorbotError(f"--seconds must be in (0, {MAX_RECORD_S}], got {args.seconds}")
    if args.out.suffix != ".jsonl":
        raise MirrorbotError(f"--out {args.out} should end in .jsonl (a JSON Lines recording)")
    if args.out.is_dir():
        raise MirrorbotError(f"--out {args.out} is a folder; give the recording's file name, "
                             f"e.g. --out {args.out / 'take1.jsonl'}")
    spec = parse_source(args.source)
    refuse_model_without_tracking(spec, args.model)
    if spec.input_path is not None:
        refuse_input_as_output(args.out, [spec.input_path])
    if args.out.exists() and not args.overwrite:
        raise MirrorbotError(f"--out {args.out} exists (an earlier recording); pass --overwrite "
                             "to replace it, or another --out")
    source = open_pose_source(spec, args.model)
    try:
        result = record_landmarks(source, args.out, seconds=args.seconds)
    finally:
        source.close()
    if result.frames == 0:  # stopped before the first frame: no file was written
        print(f"stopped before the first frame; nothing written to {args.out}")
    else:
        print(f"wrote {result.frames} frames ({result.tracked} with a person, "
              f"{result.seconds:.1f} s) to {args.out}")
    if result.interrupted:
        raise KeyboardInterrupt
    return EXIT_OK


def _demo_path(path: Path) -> Path:
    """A demonstration's file, also spelled as ``--source`` takes it.

    ``recording:PATH`` and ``bvh:PATH`` are PATH (they were said not to exist).
    """
    text = str(path)
    for prefix in ("recording:", "bvh:"):
        if text.startswith(prefix) and not path.exists():
            return Path(text.removeprefix(prefix))
    return path


def cmd_learn(args: argparse.Namespace) -> int:
    """``mirrorbot learn``: a new gesture from three or more recorded demonstrations."""
    from mirrorbot.mind.learning import describe, learn
    from mirrorbot.paths import repertoire_dir

    out = args.out if args.out is not None else repertoire_dir()
    earlier = out / f"{args.name}.json"
    with contextlib.suppress(OSError):  # a name too long for a file: learn() says so
        if earlier.is_file() and not args.overwrite:
            raise MirrorbotError(f"a gesture {args.name!r} is learned already ({earlier}); "
                                 "pass --overwrite to learn it afresh, or another name")
    path, primitive, duration, spread = learn(args.name, [_demo_path(f) for f in args.files],
                                              out)
    print(f"learned {args.name!r} from {len(args.files)} demonstrations: {describe(primitive)} "
          f"(arriving in {duration:.2f} s, demonstrations within {100 * spread:.1f} cm of its "
          f"path) -> {path}")
    return EXIT_OK


EVAL_OPTIONS: dict[str, tuple[str, ...]] = {
    "retarget": ("retargeter", "data", "mode", "filter", "wander"),
    "intent": ("intent", "data", "wander", "lead", "no-lead"),
    "filter": ("filter",),
    "reach": ("data",),
    "learn": ("data",),
}
"""The options each ``eval`` stage uses besides ``--json``; it refuses any other."""
EVAL_SYNTHETIC_ONLY: dict[str, tuple[tuple[str, ...], str]] = {
    "retarget": (("filter", "wander"), "it runs the clips through the run's own stages"),
    "intent": (("wander",), "the wander is added to its synthetic sessions only"),
}
"""Options a stage uses on its synthetic sessions only (refused with ``--data``), and why."""


def _eval_epilog() -> str:
    """Which options apply to which ``eval`` stage, for ``mirrorbot eval --help``."""
    notes = {stage: [f"{', '.join('--' + o for o in opts)}: not with --data"]
             for stage, (opts, _) in EVAL_SYNTHETIC_ONLY.items()}
    notes["intent"].append("--lead: not with .bvh clips")
    notes["learn"] = ["--data is required"]
    lines = ["options by stage (every stage also takes --json; it refuses any other option):"]
    for stage, opts in EVAL_OPTIONS.items():
        lines.append(f"  {stage:<9} " + ", ".join("--" + o for o in opts))
        if stage in notes:
            lines.append(f"  {'':<9} ({'; '.join(notes[stage])})")
    return "\n".join(lines)


def _check_eval_options(args: argparse.Namespace) -> None:
    """Refuse an option the chosen ``eval`` stage does not use, naming it and the stage."""
    stage = args.stage
    every = dict.fromkeys(o for opts in EVAL_OPTIONS.values() for o in opts)  # in order, once
    given = [o for o in every if getattr(args, o.replace("-", "_")) not in (None, False)]
    wrong = [f"--{o}" for o in given if o not in EVAL_OPTIONS[stage]]
    if wrong:
        raise MirrorbotError(f"`eval {stage}` takes no {', '.join(wrong)}; it takes "
                             f"{', '.join('--' + k for k in EVAL_OPTIONS[stage])} and --json")
    if args.data is not None and stage in EVAL_SYNTHETIC_ONLY:
        synthetic_only, why = EVAL_SYNTHETIC_ONLY[stage]
        wrong = [f"--{o}" for o in given if o in synthetic_only]
        if wrong:
            raise MirrorbotError(f"`eval {stage} --data` takes no {' or '.join(wrong)}: {why}")


def cmd_eval(args: argparse.Namespace) -> int:
    """``mirrorbot eval``: score a stage on labelled or synthetic data.

    The first run of a version on a machine compiles the kernels first, and says so.
    """
    _check_eval_options(args)
    from mirrorbot.compiled import compile_notice

    with compile_notice():
        return _eval_stage(args)


def _eval_stage(args: argparse.Namespace) -> int:
    """:func:`cmd_eval` once its options are checked."""
    if args.stage == "learn":
        from mirrorbot.eval.eval_learn import run_eval_learn

        if args.data is None or not args.data.is_dir():
            what = "" if args.data is None else (
                f"--data {args.data} is not a folder; " if args.data.exists()
                else f"--data {args.data} does not exist; ")
            raise MirrorbotError(f"{what}`eval learn` needs --data DIR: a folder of .bvh clips "
                                 "labelled by a labels.csv with a style column "
                                 "(docs/repertoire.md)")
        run_eval_learn(args.data, as_json=args.json)
    elif args.stage == "reach":
        from mirrorbot.eval.eval_reach import run_eval_reach

        if args.data is not None and not args.data.is_file():
            raise MirrorbotError(f"--data {args.data} is not a file; pass a reach file (.json, "
                                 "format in docs/reach.md)")
        run_eval_reach(args.data, as_json=args.json)
    elif args.stage == "intent":
        from mirrorbot.eval.eval_intent import run_eval_intent
        from mirrorbot.sources.mocap_source import bvh_files

        if args.data is not None and not args.data.is_dir():
            raise MirrorbotError(f"--data {args.data} is not a folder; pass a folder of "
                                 "labelled .jsonl recordings or .bvh clips")
        if args.data is not None and bvh_files(args.data):
            from mirrorbot.eval.eval_intent_clips import run_eval_intent_clips
            from mirrorbot.run.session import build_intent

            if args.lead:
                raise MirrorbotError(f"`eval intent --data {args.data}` (.bvh clips, scored "
                                     "whole) takes no --lead: the lead time is measured on "
                                     "labelled movements, in synthetic sessions or .jsonl "
                                     "recordings")

            spec = args.intent or "ours"
            build_intent(spec)  # a student's class fails here, before any work
            run_eval_intent_clips(args.data, lambda: build_intent(spec), as_json=args.json)
        else:
            run_eval_intent(args.data, as_json=args.json, intent=args.intent or "ours",
                            lead_time=bool(args.lead), wander=bool(args.wander))
    elif args.stage == "filter":
        from mirrorbot.eval.eval_filter import run_eval_filter

        run_eval_filter(args.filter, as_json=args.json)
    elif args.data is not None:
        from mirrorbot.eval.eval_clips import run_eval_clips
        from mirrorbot.retarget.retarget import Mapping

        run_eval_clips(args.data, as_json=args.json, mode=Mapping(args.mode or "mirror"),
                       retargeter=args.retargeter or "ours")
    else:
        from mirrorbot.eval.eval_retarget import run_eval_retarget
        from mirrorbot.retarget.retarget import Mapping

        run_eval_retarget(as_json=args.json, retargeter=args.retargeter or "ours",
                          filter_path=args.filter, wander=bool(args.wander),
                          mode=Mapping(args.mode or "mirror"))
    return EXIT_OK


def cmd_bench(args: argparse.Namespace) -> int:
    """``mirrorbot bench``: measure and print per-stage figures."""
    from mirrorbot.eval.bench import run_bench, run_soak

    if args.soak is not None:
        if not 1 <= args.soak <= 24 * 3600:
            raise MirrorbotError(f"--soak must be in [1, 86400] seconds, got {args.soak}")
        run_soak(args.soak, as_json=args.json)
        return EXIT_OK
    run_bench(as_json=args.json)
    return EXIT_OK


SOURCE_HELP = ("one of: " + ", ".join(SOURCE_FORMS) + ". images:DIR is a sequence when its "
               "neighbouring images are of one size and look alike (frames of a video, played "
               "at 30 Hz), else unrelated photos: each its own person, shown for 2 s "
               "(?hold=S); ?mode=photos or ?mode=sequence says which. "
               "synthetic:GESTURE[,GESTURE...][?KEY=VALUE&...] is the built-in person with "
               "ground truth: gestures wave, point, raise, reach, drink, offer, clear, none, "
               "session (all of them in turn) and heart (to teach with `learn`); options "
               "seed=N, noise=on|off, jitter, dropouts, occlusion, wander (each on|off), "
               "yaw=DEG|random, height=M, hand=left|right, rate=HZ, repeat=N "
               "(e.g. synthetic:wave,drink?seed=3&noise=off)")


class OneLineParser(argparse.ArgumentParser):
    """argparse with the project's one-line errors (exit 2), not a usage block before them.

    Also the example scenarios' parser (``sims/_common.py``).
    """

    def error(self, message: str, help_prog: str | None = None) -> NoReturn:
        """Print ``PROG: error: MESSAGE; `HELP_PROG --help` ...`` on one line; exit 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}; `{help_prog or self.prog} "
                              "--help` lists the options\n")

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """As argparse, but an unknown option names the command's own ``--help``.

        argparse reports them from the top parser, which pointed at `mirrorbot --help`
        (where ``run``'s options are not listed).
        """
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            command = getattr(parsed, "command", None)
            self.error(f"unrecognized arguments: {' '.join(extras)}",
                       f"{self.prog} {command}" if command else None)
        return parsed


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of the contract."""
    parser = OneLineParser(
        prog="mirrorbot",
        description="A simulated humanoid that watches a person and mirrors their gestures.")
    parser.add_argument("--version", action="version", version=f"mirrorbot {__version__}")
    # Not required: bare `mirrorbot` prints this help and exits 2 (main), not only an error.
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="run the built-in session and write a video")
    p.add_argument("--out", type=_out_path, default=Path("out/demo"), metavar="DIR",
                   help="output folder (default out/demo)")
    _add_view_flags(p)
    p.add_argument("--seconds", type=float, default=None, metavar="S",
                   help="stop after this long [s] (default: the whole session, about 33 s)")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seed of the synthetic session: body, timing, targets, noise (default 0)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the files of an earlier run in --out")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("run", help="mirror a person from a camera, video or recording")
    p.add_argument("--source", required=True, metavar="SRC", help=SOURCE_HELP)
    p.add_argument("--out", type=_out_path, default=Path("out/run"), metavar="DIR",
                   help="output folder (default out/run)")
    _add_view_flags(p)
    p.add_argument("--mode", choices=("mirror", "anatomical"), default="mirror",
                   help="mirror: the robot is your mirror image (your right drives its left); "
                        "anatomical: right drives right (default mirror)")
    p.add_argument("--no-anticipate", action="store_true",
                   help="copy only: never complete a recognised movement")
    p.add_argument("--model", type=Path, default=None, metavar="FILE.task",
                   help="a MediaPipe pose_landmarker .task file instead of the bundled model "
                        "(camera, video, images and photo sources only)")
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--realtime", action="store_true",
                      help="pace frames to the source (the default when a window opens: "
                           "--gui, or a display without --headless; a camera is always live)")
    pace.add_argument("--fast", action="store_true",
                      help="process as fast as possible (the default without a window)")
    p.add_argument("--retargeter", default="ours", metavar="NAME|module:Class|FILE.py:Class",
                   help="ours, naive, module:Class or path/to/file.py:Class (default ours)")
    p.add_argument("--intent", default="ours", metavar="NAME|module:Class|FILE.py:Class",
                   help="ours, velocity, none, module:Class or path/to/file.py:Class "
                        "(default ours)")
    p.add_argument("--filter", type=Path, default=None, metavar="FILE.json",
                   help='a .json of filter settings: One Euro ones (see `eval filter`) or '
                        '{"method": "tracker"}')
    p.add_argument("--overwrite", action="store_true",
                   help="replace the files of an earlier run in --out")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("record", help="record tracked landmarks to a JSONL file")
    p.add_argument("--source", required=True, metavar="SRC", help=SOURCE_HELP)
    p.add_argument("--out", type=_out_path, required=True, metavar="FILE.jsonl",
                   help="the recording to write (.jsonl)")
    p.add_argument("--seconds", type=float, default=None, metavar="S",
                   help="stop after this long [s] (default: when the source ends; a camera "
                        "until Ctrl-C)")
    p.add_argument("--model", type=Path, default=None, metavar="FILE.task",
                   help="a MediaPipe pose_landmarker .task file instead of the bundled model "
                        "(camera, video, images and photo sources only)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing recording of that name (refused otherwise)")
    p.set_defaults(func=cmd_record)

    p = sub.add_parser("learn", help="learn a new gesture from recorded demonstrations")
    p.add_argument("name", help="the new gesture's name (not a built-in goal's)")
    p.add_argument("files", nargs="+", type=Path,
                   help="three or more recordings (.jsonl) or motion-capture clips "
                        "(.bvh, .bvh.gz; labelled by a labels.csv beside them, if any) of the "
                        "gesture, each with one labelled or clearly moving demonstration")
    p.add_argument("--out", type=_out_path, default=None, metavar="DIR",
                   help="where the learned gesture is stored (default models/repertoire/ or "
                        "$MIRRORBOT_REPERTOIRE)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace a gesture learned before under that name (refused otherwise)")
    p.set_defaults(func=cmd_learn)

    p = sub.add_parser("eval", help="score a stage on labelled data", epilog=_eval_epilog(),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stage", choices=("retarget", "intent", "filter", "reach", "learn"),
                   help="the stage to score: retarget (person -> joints), intent (goal "
                        "recognition), filter (One Euro settings), reach (which object a "
                        "reach is for) or learn (gestures learned from some people, read in "
                        "others)")
    p.add_argument("--data", type=Path, default=None, metavar="PATH",
                   help="a folder of clips instead of the synthetic sessions: retarget: .bvh, "
                        ".bvh.gz or .jsonl (real people's motion); intent: labelled recordings, "
                        "or .bvh clips labelled by a labels.csv beside them (scored per clip); "
                        "reach: a reach file (.json, docs/reach.md); learn: .bvh clips "
                        "labelled with a style")
    p.add_argument("--mode", choices=("mirror", "anatomical"), default=None,
                   help="retarget: how the robot maps the person, on the synthetic sessions "
                        "or the --data clips (default mirror)")
    p.add_argument("--retargeter", default=None, metavar="NAME|module:Class|FILE.py:Class",
                   help="retarget: NAME, module:Class or file.py:Class to score (default ours)")
    p.add_argument("--intent", default=None, metavar="NAME|module:Class|FILE.py:Class",
                   help="intent: NAME, module:Class or file.py:Class to score (default ours)")
    p.add_argument("--filter", type=Path, default=None, metavar="FILE.json",
                   help="filter: a .json of One Euro settings to score (default: defaults); "
                        "retarget: the filter settings in front of ours")
    p.add_argument("--wander", action="store_true", default=None,
                   help="retarget, intent: synthetic noise with the pose model's slow wander")
    lead = p.add_mutually_exclusive_group()
    lead.add_argument("--lead", action="store_true", default=None,
                      help="intent: also the robot's lead time (runs the whole loop, about 15 s "
                           "a session; not graded)")
    lead.add_argument("--no-lead", action="store_true", default=None,
                      help="intent: without the robot's lead time (the default)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="measure per-stage latency, throughput and memory")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--soak", type=float, default=None, metavar="SECONDS",
                   help="instead: process this much synthetic input (3600 for the hour-long "
                        "soak) and report memory, log completeness and limit violations")
    p.set_defaults(func=cmd_bench)
    return parser


class _StopSignals:
    """Ctrl-C (SIGINT) and SIGTERM stop a command the same way, once.

    The first one raises KeyboardInterrupt, which each command turns into a clean stop (the
    video and summary.json are finished); any further one while that shutdown runs is only
    acknowledged, so a second Ctrl-C cannot cut the outputs short.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self._saved: dict[int, Any] = {}

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum is not None:
            print("mirrorbot: finishing the outputs, one moment ...", file=sys.stderr,
                  flush=True)
            return
        self.signum = signum
        raise KeyboardInterrupt

    def __enter__(self) -> _StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._saved[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mirrorbot`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `mirrorbot`: the commands, then what to do
        parser.print_help()
        print("mirrorbot: error: name a COMMAND (above); `mirrorbot COMMAND --help` gives its "
              "options", file=sys.stderr)
        return EXIT_USAGE
    stop = _StopSignals()
    try:
        with stop:
            return int(args.func(args))
    except MirrorbotError as exc:
        if _debug():
            traceback.print_exc()
        print(f"mirrorbot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (KeyboardInterrupt, SystemError) as exc:
        if not is_interrupt(exc):
            return _internal_error(exc)
        name = "SIGTERM" if stop.signum == signal.SIGTERM else "Ctrl-C"
        print(f"mirrorbot: stopped by {name}; outputs written so far are kept", file=sys.stderr)
        return EXIT_TERMINATED if stop.signum == signal.SIGTERM else EXIT_INTERRUPTED
    except BrokenPipeError:  # `mirrorbot eval ... | head`: the reader stopped, nothing failed
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the exit's own flush must not fail again
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # noqa: BLE001 - the last line of defence turns a crash into exit 1
        return _internal_error(exc)


def _debug() -> bool:
    """Whether ``MIRRORBOT_DEBUG`` asks for tracebacks: set, and not 0, false, no or off."""
    value = os.environ.get("MIRRORBOT_DEBUG", "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def _internal_error(exc: BaseException) -> int:
    """One line for a crash (the traceback with ``MIRRORBOT_DEBUG=1``); exit status 1."""
    if _debug():
        traceback.print_exception(exc)
    print(f"mirrorbot: internal error: {exc!r} (set MIRRORBOT_DEBUG=1 for the traceback; "
          "please report it)", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
