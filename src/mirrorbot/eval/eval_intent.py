"""``mirrorbot eval intent``: how early and how reliably the robot knows what a movement is for.

On labelled recordings (``--data DIR`` of ``*.jsonl``) or, by default, synthetic sessions with
seeds never used in tuning (noise on), each frame goes through the filter and the intent model
(ours, and the velocity-direction baseline beside it). Reported:

- accuracy at 20/40/60/80% of each labelled movement (the most probable goal is the label);
- mean decision point: the fraction of the movement after which the prediction is right and
  stays right;
- false commitments per minute during ``none`` movements, and wrong commitments per minute of
  session (to a goal other than the movement under way, returns to rest included);
- robot lead time [ms]: when the robot's own hand (the loop with anticipation, in PyBullet)
  enters its goal region versus when the person's hand enters theirs (positive: the robot
  first; :mod:`mirrorbot.eval.lead_time`), overall, where it committed, and per goal;
- update time per frame [ms].
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.errors import ConfigError, SourceError
from mirrorbot.eval.lead_time import leads
from mirrorbot.eval.lead_time import summarise as summarise_leads
from mirrorbot.eval.scoring import format_score, ramp, score_report, short_name
from mirrorbot.labels import GestureLabel, check_label_goals
from mirrorbot.mind.intent import GoalBelief, IntentModel
from mirrorbot.mind.intent_baselines import VelocityBaseline
from mirrorbot.mind.repertoire import load_repertoire
from mirrorbot.output.goal_metrics import merged_figures, score_beliefs
from mirrorbot.paths import DEFAULT_SCENE_NAME, repertoire_dir, scene_path
from mirrorbot.perception.landmarks import PoseFrame
from mirrorbot.perception.pose_filter import RECOGNITION_FILTER, PoseFilter
from mirrorbot.perception.recording import read_recording
from mirrorbot.perception.source_spec import parse_source
from mirrorbot.progress import Progress
from mirrorbot.sim.scene import load_scene
from mirrorbot.sources.pose_sources import synthetic_person
from mirrorbot.synth.synth_gestures import GESTURES

EVAL_SEEDS = tuple(range(3001, 3009))  # never used for tuning (tuning used seeds 1-20)
PASS_MARK = 70.0  # the goal-predictor assignment's


@dataclass
class Session:
    """One labelled stream of poses."""

    name: str
    frames: list[tuple[float, PoseFrame | None]]
    labels: tuple[GestureLabel, ...]
    source: str  # the same stream as a --source, for runs of the whole loop


def synthetic_sessions(seeds: tuple[int, ...] = EVAL_SEEDS, wander: bool = False,
                       ) -> list[Session]:
    """Noisy synthetic sessions: every gesture twice in a seeded order, idle moves included.

    Each is the very person a run of its ``source`` sees (the tabletop scene, whose cup the
    person reaches for, and the camera turn the source draws from its seed), so the robot's
    lead time is measured against the movements the robot was shown. ``wander``: add the pose
    model's slow wander to the noise (:mod:`mirrorbot.synth.synth_noise`).
    """
    scene = load_scene(scene_path(DEFAULT_SCENE_NAME))
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        gestures = tuple(rng.permutation([g for g in GESTURES for _ in range(2)]).tolist())
        source = f"synthetic:{','.join(gestures)}?seed={seed}" + ("&wander=on" if wander else "")
        person = synthetic_person(parse_source(source).arg, scene)
        frames = [(f.t_s, f.observed) for f in person.frames()]
        out.append(Session(f"synthetic seed {seed}", frames, person.labels, source))
    return out


def recorded_sessions(folder: Path) -> list[Session]:
    """Every labelled ``*.jsonl`` recording in ``folder``."""
    paths = sorted(folder.glob("*.jsonl"))
    if not paths:
        raise SourceError(f"no .jsonl recordings in {folder}; record some with "
                          "`mirrorbot record --source ... --out DIR/NAME.jsonl`")
    sessions = []
    for path in paths:
        header, frames = read_recording(path)
        if header.labels and not any(pose is not None for _, pose in frames):
            raise SourceError(f"recording {path} has no frame with a person tracked in it; "
                              "there is nothing to score, record it again or remove it")
        if header.labels:
            sessions.append(Session(path.name, frames, header.labels, f"recording:{path}"))
    if not sessions:
        raise SourceError(f"no recording in {folder} has labels; eval needs labelled ones")
    return sessions


def run_model(model: IntentModel, session: Session) -> tuple[list[GoalBelief], list[float]]:
    """Beliefs per frame and update times [ms]."""
    # The recogniser's view, as in the loop (the image landmarks as they are).
    pose_filter = PoseFilter(RECOGNITION_FILTER, filter_image=False)
    beliefs, times = [], []
    for t, pose in session.frames:
        filtered = pose_filter(pose, t)  # models get the filtered pose, as in the loop
        t0 = time.perf_counter()
        beliefs.append(model(filtered, t))
        times.append(1e3 * (time.perf_counter() - t0))
    return beliefs, times


def score(session: Session, beliefs: list[GoalBelief]) -> dict[str, Any]:
    """Accuracy at fractions, decision points and commitments of one session.

    See :func:`mirrorbot.output.goal_metrics.score_beliefs`.
    """
    return score_beliefs([t for t, _ in session.frames], session.labels, beliefs)


def evaluate(sessions: list[Session], models: dict[str, Callable[[], IntentModel]],
             progress: bool = True) -> dict[str, Any]:
    """Every model on every session; merged figures per model."""
    results: dict[str, Any] = {}
    n = len(sessions)  # the bar counts runs: every session once per model
    bar = Progress(n * len(models), f"{n} session{'s' if n != 1 else ''} x {len(models)} "
                   f"models ({', '.join(models)})", enabled=progress)
    for name, make in models.items():
        scores, update_ms = [], []
        for session in sessions:
            beliefs, times = run_model(make(), session)
            scores.append(score(session, beliefs))
            update_ms.extend(times)
            bar.update()
        figures = merged_figures(scores)
        results[name] = {
            **{k: figures[k] for k in ("accuracy", "mean_decision_point",
                                       "false_commitments_per_min", "wrong_commitments_per_min",
                                       "right_commitment_fraction")},
            "update_ms": {"p50": round(float(np.percentile(update_ms, 50)), 4),
                          "p99": round(float(np.percentile(update_ms, 99)), 4)},
            "movements": figures["movements"],
            "none_minutes": figures["none_minutes"],
        }
    bar.close()
    return results


def run_eval_intent(data: Path | None = None, as_json: bool = False,
                    progress: bool = True, intent: str = "ours",
                    seeds: tuple[int, ...] = EVAL_SEEDS, lead_time: bool = False,
                    wander: bool = False) -> dict[str, Any]:
    """The command: evaluate ``intent`` (a name or ``module:Class``) beside the baseline.

    ``lead_time``: also run the whole loop (twice per session, in PyBullet) for the robot's lead
    time (:mod:`mirrorbot.eval.lead_time`); about 15 s per session and not part of the score, so
    off unless asked for (``--lead``). ``wander``: synthetic sessions with the pose model's
    slow wander.
    """
    from mirrorbot.run.session import build_intent

    if intent == "velocity":
        raise ConfigError("velocity is the baseline every recogniser is compared with; pass "
                          "--intent ours or your module:Class")
    build_intent(intent)  # a student's class fails here, before any work, with a clear message
    sessions = recorded_sessions(data) if data is not None else synthetic_sessions(seeds, wander)
    # The baseline's goals, learned included; ours loads the same folder (build_intent).
    repertoire, learned = load_repertoire(repertoire_dir())
    check_label_goals(((f"recording {s.source.removeprefix('recording:')}, the label at "
                        f"{label.start_s:g}-{label.end_s:g} s", label.goal)
                       for s in sessions for label in s.labels), repertoire.goals)
    name = short_name(intent)
    models: dict[str, Callable[[], IntentModel]] = {
        name: lambda: build_intent(intent),
        "velocity": lambda: VelocityBaseline(repertoire)}
    report = {"data": str(data) if data else f"synthetic seeds {list(seeds)}"
              + (" with wander" if wander else ""),
              "intent": intent, "name": name, "sessions": len(sessions),
              "repertoire": str(repertoire_dir()), "learned": sorted(learned),
              **evaluate(sessions, models, progress)}
    ours = report[name]
    report["targets"] = {
        "accuracy_at_40%_at_least_90%": ours["accuracy"]["40%"] >= 0.9,
        "false_commitments_below_1_per_min": ours["false_commitments_per_min"] < 1.0,
        "update_below_0.5_ms": ours["update_ms"]["p99"] < 0.5,
    }
    report["score"] = assignment_score(ours)
    if lead_time:
        bar = Progress(len(sessions), "sessions in the loop (lead time)", enabled=progress)
        all_leads = []
        for session in sessions:
            all_leads += leads(session.frames, session.labels, session.source, intent)
            bar.update()
        bar.close()
        report["lead_time"] = summarise_leads(all_leads)
        median = report["lead_time"]["where_committed"]["anticipating"]["median_ms"]
        report["targets"]["median_lead_where_committed_at_least_200_ms"] = (
            median is not None and median >= 200.0)
    print(json.dumps(report, indent=2) if as_json else format_report(report))
    return report


GRADING = {
    "accuracy_at_60%": "the most probable goal at 60% of each movement: 40 at 0.8 right, 0 at "
                       "0.3",
    "accuracy_at_40%": "the same at 40%: 30 at 0.6, 0 at 0.2",
    "commitments": "30 for committing to the right goal during 50% of the movements (0 at "
                   "none), times the share for few false commitments on idle movements (all "
                   "at 10 per minute or fewer, none at 60)",
}
"""The goal-predictor assignment's grading criteria, as its report prints them."""


def assignment_score(figures: dict[str, Any]) -> dict[str, Any]:
    """Points out of 100 for the goal-predictor assignment, and whether they pass (>= 70).

    See :data:`GRADING`. A predictor that never commits makes no false commitments, but gets
    none of the commitments' points either. The velocity baseline scores about 57.
    """
    a = figures["accuracy"]
    return score_report({
        "accuracy_at_60%": 40 * ramp(a["60%"], 0.8, 0.3),
        "accuracy_at_40%": 30 * ramp(a["40%"], 0.6, 0.2),
        "commitments": 30 * ramp(figures["right_commitment_fraction"], 0.5, 0.0)
        * ramp(figures["false_commitments_per_min"], 10.0, 60.0),
    }, PASS_MARK, GRADING)


def learned_line(r: dict[str, Any]) -> str:
    """Which learned gestures the recognisers loaded: they are scored as goals too."""
    if not r.get("learned"):
        return f"learned gestures: none (in {r['repertoire']})"
    return (f"learned gestures: {', '.join(r['learned'])} (in {r['repertoire']}; recognised "
            "beside the built-ins, they change the score: set MIRRORBOT_REPERTOIRE to an "
            "empty folder to leave them out)")


def format_report(r: dict[str, Any]) -> str:
    """A readable table."""
    w = max(10, len(r["name"]) + 2)
    n = r["sessions"]
    lines = [f"intent on {n} session{'s' if n != 1 else ''} ({r['data']})", learned_line(r),
             f"{'':<{w}}{'acc@20%':>9}{'@40%':>7}{'@60%':>7}{'@80%':>7}{'decision':>10}"
             f"{'false/min':>11}{'wrong/min':>11}{'update p99 ms':>15}"]
    for name in (r["name"], "velocity"):
        x = r[name]
        a = x["accuracy"]
        lines.append(f"{name:<{w}}{a['20%']:>9.2f}{a['40%']:>7.2f}{a['60%']:>7.2f}"
                     f"{a['80%']:>7.2f}{x['mean_decision_point']:>10.2f}"
                     f"{x['false_commitments_per_min']:>11.2f}"
                     f"{x['wrong_commitments_per_min']:>11.2f}{x['update_ms']['p99']:>15.3f}")
    lines.append("acc@N%: how often the most probable goal is the movement's at N% of it; "
                 "decision: the mean fraction of a movement after which it is right and stays "
                 "right (lower: earlier); false/min: commitments during idle (none) movements, "
                 "per minute of them; wrong/min: commitments to a goal other than the movement "
                 "under way, per minute of session")
    if "lead_time" in r:
        lt = r["lead_time"]
        a, m = lt["anticipating"], lt["mirroring_only"]
        lines.append(f"robot lead time over {lt['movements']} movements (+: the robot's hand in "
                     f"the goal region first), anticipating / mirroring only: median "
                     f"{a['median_ms']} / {m['median_ms']} ms, robot first in "
                     f"{a['robot_first_fraction']} / {m['robot_first_fraction']}, never "
                     f"there {a['never_arrived']} / {m['never_arrived']}")
        c = lt["where_committed"]
        ca, cm = c["anticipating"], c["mirroring_only"]
        lines.append(f"  where it committed to the goal ({c['movements']} movements): median "
                     f"{ca['median_ms']} / {cm['median_ms']} ms, robot first in "
                     f"{ca['robot_first_fraction']} / {cm['robot_first_fraction']}, never there "
                     f"{ca['never_arrived']} / {cm['never_arrived']}")
        lines.append("  by goal, anticipating (median ms, movements): " + ", ".join(
            f"{goal} {g['median_ms']} ({g['movements']})"
            for goal, g in lt["where_committed_by_goal"].items()))
        lines.append(f"  left out: {lt['already_there']} movements whose hand started in its "
                     "goal region")
    lines.append("the project's own targets (not graded): " + ", ".join(
        f"{k} {'yes' if v else 'NO'}" for k, v in r["targets"].items()))
    lines.append(format_score(r["score"]))
    return "\n".join(lines)
