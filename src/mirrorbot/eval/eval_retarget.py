"""``mirrorbot eval retarget``: retargeters scored side by side on synthetic ground truth.

For each seed a synthetic session (every gesture, noise on) is run through each retargeter as
the loop runs it: ``ours`` behind the pose filter and the command shaper, ``naive`` raw
(per-frame PyBullet IK, as webcam scripts do). Measured:

- **accuracy**: upper-arm and forearm direction error [deg] of the retargeting itself on the
  noise-free truth (no filter, no shaping), on frames where the person's pose is within the
  robot's reach: the exact solution needs no clamping, is collision-free and within the joint
  velocity limits;
- **chain error**: the same error of what the loop commands, from noisy input;
- **jitter**: RMS jerk of the commanded joint angles [rad/s^3];
- **lag**: the delay [ms] maximising the cross-correlation between the changes of the commanded
  and the true forearm directions, over all frames (the target) and, to tell delay from
  refusal, over the frames within the robot's reach only: outside it the robot must not follow
  (a hand scratching the head would pass through the robot's own head; ours stops at contact and
  arrives late, naive passes through), which also reads as lag;
- **violations**: commanded frames beyond position, velocity or acceleration limits, and frames
  in self-collision according to PyBullet (an independent check of our capsule model).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray
from mirrorbot.control.collision_avoidance import collision_model_for
from mirrorbot.control.safety import CommandShaper, SafetyConfig
from mirrorbot.errors import ConfigError
from mirrorbot.eval.scoring import format_score, ramp, score_report, short_name
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.perception.landmarks import PoseFrame, Side
from mirrorbot.perception.pose_filter import FilterConfig, PoseFilter, load_filter_config
from mirrorbot.progress import Progress
from mirrorbot.retarget.naive_retarget import NaiveRetargeter
from mirrorbot.retarget.retarget import (
    DirectionRetargeter,
    Mapping,
    RetargetContext,
    driving_side,
    person_arm_directions,
)
from mirrorbot.robot.arm_kinematics import directions_from_joints
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.sim.scene import load_scene
from mirrorbot.sim.simulator import Simulator
from mirrorbot.synth.synth_noise import NoiseConfig
from mirrorbot.synth.synth_person import DEMO_SESSION, SyntheticConfig, SyntheticPerson, SynthFrame

EVAL_SEEDS = (1001, 1002, 1003)  # never used for tuning
RATE_HZ = 30.0
WITHIN_REACH_DEG = 0.5  # the exact solution's own error below this: no clamping was needed
LIMIT_TOL = 1e-6
MAX_LAG_FRAMES = 10
STARTUP_S = 1.0
PASS_MARK = 70.0  # the retargeter assignment's
FLIP_DEG = 30.0  # a limb this far off the truth, on noise-free input, is a flip
FOLLOWS_DEG = (15.0, 25.0)  # chain error [deg]: smooth and steady count in full / not at all
SWAPPED_HINT_RATIO = 0.5  # mean error against the person's other arms this much lower: a hint
GRADING = {
    "accuracy": "mean direction error on noise-free truth: 40 at 1 deg or less, 0 at 8",
    "worst_frame": "the largest error on noise-free truth (a flip shows here): 10 at 3 deg or "
                   "less, 0 at 30",
    "steady_when_singular": "straight arms held still under pose-model noise, the largest step "
                            "of a shoulder or elbow joint from one frame to the next: 10 at "
                            "5 deg or less, 0 at 30; times following (see smoothness)",
    "chain_error": "mean error of what the loop commands from noisy input: 25 at 6 deg, 0 at 15",
    "smoothness": "jitter (RMS jerk) against naive's: 15 at 3x lower, 0 at equal; times "
                  "following: all for a chain error of 15 deg or less, none at 25 (an arm "
                  "that does not follow is smooth and steady for nothing)",
}
"""The retargeter assignment's grading criteria, as its report prints them."""


@dataclass
class Trace:
    """What one retargeter commanded over one session."""

    q: list[FloatArray] = field(default_factory=list)
    dirs: list[FloatArray] = field(default_factory=list)  # (2 arms, 2 limbs, 3)


def _limb_dirs(model: Any, q: FloatArray) -> FloatArray:
    """Upper-arm and forearm unit directions per robot arm (left, right), (2, 2, 3).

    In the left-arm convention of :mod:`mirrorbot.robot.arm_kinematics`.
    """
    out = np.zeros((2, 2, 3))
    for k, side in enumerate(Side):
        idx = model.arm_indices(side)
        d = directions_from_joints(q[idx])
        out[k, 0], out[k, 1] = d.upper, d.fore
    return out


def _target_dirs(pose: PoseFrame, mode: Mapping) -> FloatArray:
    out = np.zeros((2, 2, 3))
    for k, side in enumerate(Side):
        d = person_arm_directions(pose, driving_side(side, mode), side, mode)
        out[k, 0], out[k, 1] = d.upper / np.linalg.norm(d.upper), d.fore / np.linalg.norm(d.fore)
    return out


def _swapped_target_dirs(pose: PoseFrame, mode: Mapping) -> FloatArray:
    """:func:`_target_dirs` with each robot arm driven by the person's other arm, (2, 2, 3).

    What a retargeter with left and right swapped follows (for the report's hint).
    """
    out = np.zeros((2, 2, 3))
    for k, side in enumerate(Side):
        other = Side.RIGHT if driving_side(side, mode) is Side.LEFT else Side.LEFT
        d = person_arm_directions(pose, other, side, mode)
        out[k, 0], out[k, 1] = d.upper / np.linalg.norm(d.upper), d.fore / np.linalg.norm(d.fore)
    return out


def _angle_deg(a: FloatArray, b: FloatArray) -> FloatArray:
    cos = np.clip(np.sum(a * b, axis=-1), -1.0, 1.0)
    return np.degrees(np.arccos(cos))


def _stats(values: FloatArray) -> dict[str, float]:
    if values.size == 0:
        return {"mean": float("nan"), "p95": float("nan"), "max": float("nan")}
    return {"mean": round(float(values.mean()), 3),
            "p95": round(float(np.percentile(values, 95)), 3),
            "max": round(float(values.max()), 3)}


def _lag_ms(commanded: FloatArray, truth: FloatArray, frames: BoolArray | None = None) -> float:
    """Delay [ms] of ``commanded`` behind ``truth`` (N, ...) by cross-correlation of changes.

    ``frames`` (N,): only the truth's changes between two of these frames count (all if None).
    """
    a = np.diff(commanded.reshape(len(commanded), -1), axis=0)
    b = np.diff(truth.reshape(len(truth), -1), axis=0)
    if frames is not None:
        b = b * (frames[1:] & frames[:-1])[:, None]
    best, best_lag = -np.inf, 0
    for lag in range(0, MAX_LAG_FRAMES + 1):
        score = float(np.sum(a[lag:] * b[: len(b) - lag]))
        if score > best:
            best, best_lag = score, lag
    # Sub-frame peak by a parabola through the neighbours.
    if 0 < best_lag < MAX_LAG_FRAMES:
        s = [float(np.sum(a[k:] * b[: len(b) - k])) for k in (best_lag - 1, best_lag,
                                                              best_lag + 1)]
        denom = s[0] - 2 * s[1] + s[2]
        offset = 0.5 * (s[0] - s[2]) / denom if denom < 0 else 0.0
        return 1e3 * (best_lag + offset) / RATE_HZ
    return 1e3 * best_lag / RATE_HZ


def evaluate_session(seed: int, sim: Simulator, mode: Mapping = Mapping.MIRROR,
                     gestures: tuple[str, ...] = DEMO_SESSION,
                     retargeter: str = "ours", filter_config: FilterConfig | None = None,
                     wander: bool = False) -> dict[str, Any]:
    """``retargeter`` (a name or ``module:Class``) and naive on one synthetic session.

    ``filter_config``: the pose filter in front of ``retargeter`` (None: the defaults);
    ``wander``: add the pose model's slow wander to the noise. Returns the metrics per
    retargeter, under ``retargeter`` and ``naive``.
    """
    from mirrorbot.run.session import build_retargeter

    model = sim.model
    q_rest = rest_pose(model)
    scene = load_scene(scene_path(DEFAULT_SCENE_NAME))
    person = SyntheticPerson(SyntheticConfig(gestures=gestures, seed=seed,
                                             noise=NoiseConfig(yaw_deg=15.0, wander=wander)),
                             scene)
    frames: list[SynthFrame] = list(person.frames())
    collision = collision_model_for(model)
    safety = SafetyConfig.for_input(noise_free=False)  # the synthetic person's noise
    truth_ctx = RetargetContext(model, mode, q_rest)
    exact = DirectionRetargeter(truth_ctx)
    ours = build_retargeter(retargeter, truth_ctx)
    ours_clean = build_retargeter(retargeter, truth_ctx)
    shaper = CommandShaper(model, q_rest, safety, collision)
    pose_filter = PoseFilter(filter_config)

    def ik(link: str, target: FloatArray) -> FloatArray:
        return sim.inverse_kinematics(link, target)

    naive = NaiveRetargeter(RetargetContext(model, mode, q_rest, ik))
    sim.reset(q_rest)
    traces = {short_name(retargeter): Trace(), "naive": Trace()}
    truth_dirs, exact_q, exact_err, clean_err, swapped_err = [], [], [], [], []
    q_ours, q_naive = q_rest.copy(), q_rest.copy()
    for k, f in enumerate(frames):
        truth_pose = PoseFrame(f.t_s, f.world_true_m, np.ones(33), None)
        target = _target_dirs(truth_pose, mode)
        truth_dirs.append(target)
        q_exact = exact(truth_pose)
        exact_q.append(q_exact)
        exact_err.append(_angle_deg(_limb_dirs(model, q_exact), target))
        clean_dirs = _limb_dirs(model, ours_clean(truth_pose))
        clean_err.append(_angle_deg(clean_dirs, target))
        swapped_err.append(_angle_deg(clean_dirs, _swapped_target_dirs(truth_pose, mode)))
        filtered = pose_filter(f.observed, f.t_s)
        if filtered is not None:
            q_ours = shaper(ours(pose_filter.for_robot(filtered)), 1.0 / RATE_HZ if k else 0.0)
        else:
            q_ours = shaper(q_ours, 1.0 / RATE_HZ if k else 0.0)
        if f.observed is not None:
            sim.reset(q_naive)  # IK warm-starts from the robot's last configuration
            q_naive = naive(f.observed)
        for name, q in ((short_name(retargeter), q_ours), ("naive", q_naive)):
            traces[name].q.append(q.copy())
            traces[name].dirs.append(_limb_dirs(model, q))
    truth = np.array(truth_dirs)
    q_ex = np.array(exact_q)
    dt = 1.0 / RATE_HZ
    v_ex = np.vstack([np.zeros((1, q_ex.shape[1])), np.diff(q_ex, axis=0) / dt])
    reachable = (np.array(exact_err).max(axis=(1, 2)) < WITHIN_REACH_DEG)
    reachable &= np.all(np.abs(v_ex) <= model.velocity_rad_s, axis=1)
    reachable &= np.array([collision.clearance_m(q) >= 0 for q in q_ex])
    reachable[: int(STARTUP_S * RATE_HZ)] = False  # the robot first moves from rest to the pose
    a_max = shaper.a_limit  # what the shaper promises
    clean = np.array(clean_err)[reachable]  # (frames, arms, limbs) [deg]
    results: dict[str, Any] = {"frames": len(frames), "reachable_frames": int(reachable.sum()),
                               "accuracy_noise_free_deg": _stats(clean.ravel()),
                               "swapped_sides_mean_deg": round(float(
                                   np.array(swapped_err)[reachable].mean()), 3),
                               "flips": int(np.sum(clean.max(axis=(1, 2)) > FLIP_DEG))}
    for name, trace in traces.items():
        q = np.array(trace.q)
        dirs = np.array(trace.dirs)
        err = _angle_deg(dirs, truth)[reachable].ravel()
        v = np.diff(q, axis=0) / dt
        acc = np.diff(v, axis=0) / dt
        jerk = np.diff(acc, axis=0) / dt
        contacts = 0
        for qk in q[::2]:  # every other frame: PyBullet's own contact query
            sim.reset(qk)
            contacts += bool([c for c in sim.self_contacts() if c[2] < -1e-3])
        results[name] = {
            "chain_error_deg": _stats(err),
            "jitter_rms_jerk_rad_s3": round(float(np.sqrt(np.mean(jerk ** 2))), 1),
            "lag_ms": round(_lag_ms(dirs[:, :, 1], truth[:, :, 1]), 1),
            "lag_within_reach_ms": round(_lag_ms(dirs[:, :, 1], truth[:, :, 1], reachable), 1),
            "violations": {
                "position": int(np.sum(np.any((q < model.lower_rad - LIMIT_TOL)
                                              | (q > model.upper_rad + LIMIT_TOL), axis=1))),
                "velocity": int(np.sum(np.any(np.abs(v) > model.velocity_rad_s * (1 + 1e-6)
                                              + LIMIT_TOL, axis=1))),
                "acceleration": int(np.sum(np.any(np.abs(acc) > a_max * (1 + 1e-6) + LIMIT_TOL,
                                                  axis=1))),
                "self_collision_checked_frames": int(len(q[::2])),
                "self_collision": int(contacts),
            },
        }
    return results


def _merge(per_seed: list[dict[str, Any]], seeds: tuple[int, ...], retargeter: str,
           singular: dict[str, Any]) -> dict[str, Any]:
    """Seeds combined: means of means, maxima of maxima, sums of counts.

    ``singular``: :func:`mirrorbot.eval.retarget_checks.singular_holds` of the retargeter.
    """
    name = short_name(retargeter)
    out: dict[str, Any] = {"seeds": list(seeds), "retargeter": retargeter, "name": name,
                           "frames": sum(r["frames"] for r in per_seed),
                           "reachable_frames": sum(r["reachable_frames"] for r in per_seed),
                           "flips": sum(r["flips"] for r in per_seed),
                           "singular_holds": singular}
    acc = [r["accuracy_noise_free_deg"] for r in per_seed]
    out["accuracy_noise_free_deg"] = {"mean": round(float(np.mean([a["mean"] for a in acc])), 3),
                                      "p95": round(float(np.max([a["p95"] for a in acc])), 3),
                                      "max": round(float(np.max([a["max"] for a in acc])), 3)}
    out["swapped_sides_mean_deg"] = round(float(np.mean([r["swapped_sides_mean_deg"]
                                                         for r in per_seed])), 3)
    for key in (name, "naive"):
        rs = [r[key] for r in per_seed]
        out[key] = {
            "chain_error_deg": {
                "mean": round(float(np.mean([x["chain_error_deg"]["mean"] for x in rs])), 3),
                "p95": round(float(np.max([x["chain_error_deg"]["p95"] for x in rs])), 3),
                "max": round(float(np.max([x["chain_error_deg"]["max"] for x in rs])), 3)},
            "jitter_rms_jerk_rad_s3": round(float(np.mean([x["jitter_rms_jerk_rad_s3"]
                                                           for x in rs])), 1),
            "lag_ms": round(float(np.mean([x["lag_ms"] for x in rs])), 1),
            "lag_within_reach_ms": round(float(np.mean([x["lag_within_reach_ms"] for x in rs])),
                                         1),
            "violations": {k: int(sum(x["violations"][k] for x in rs))
                           for k in rs[0]["violations"]},
        }
    ours, naive = out[name], out["naive"]
    out["jitter_ratio_naive_over_ours"] = round(naive["jitter_rms_jerk_rad_s3"]
                                                / max(ours["jitter_rms_jerk_rad_s3"], 1e-9), 2)
    out["extra_lag_ms_ours_minus_naive"] = round(ours["lag_ms"] - naive["lag_ms"], 1)
    out["extra_lag_within_reach_ms"] = round(ours["lag_within_reach_ms"]
                                             - naive["lag_within_reach_ms"], 1)
    v = ours["violations"]
    out["targets"] = {
        "accuracy_mean_below_1_deg": out["accuracy_noise_free_deg"]["mean"] < 1.0,
        "accuracy_max_below_3_deg": out["accuracy_noise_free_deg"]["max"] < 3.0,
        "jitter_at_least_3x_lower_than_naive": out["jitter_ratio_naive_over_ours"] >= 3.0,
        "extra_lag_at_most_one_frame": out["extra_lag_ms_ours_minus_naive"] <= 1e3 / RATE_HZ,
        "zero_violations": all(v[k] == 0 for k in ("position", "velocity", "acceleration",
                                                    "self_collision")),
    }
    out["score"] = assignment_score(out)
    return out


def assignment_score(r: dict[str, Any]) -> dict[str, Any]:
    """Points out of 100 for the retargeter assignment, and whether they pass (>= 70).

    See :data:`GRADING`: the mean error, the worst frame (one flip costs its points), steadiness
    at singular arms, the loop's error from noisy input and smoothness. Steadiness and
    smoothness count only as far as the arm follows (the chain error, :data:`FOLLOWS_DEG`): a
    robot held at rest, or driven by the wrong arm, in degrees or not at all, was perfectly
    smooth and steady and earned 25 points for it.
    """
    candidate = r[r["name"]]
    follows = ramp(candidate["chain_error_deg"]["mean"], *FOLLOWS_DEG)
    parts = {
        "accuracy": 40 * ramp(r["accuracy_noise_free_deg"]["mean"], 1.0, 8.0),
        "worst_frame": 10 * ramp(r["accuracy_noise_free_deg"]["max"], 3.0, FLIP_DEG),
        "steady_when_singular": 10 * follows * ramp(r["singular_holds"]["max_step_deg"], 5.0,
                                                    30.0),
        "chain_error": 25 * ramp(candidate["chain_error_deg"]["mean"], 6.0, 15.0),
        "smoothness": 15 * follows * ramp(-r["jitter_ratio_naive_over_ours"], -3.0, -1.0),
    }
    return score_report(parts, PASS_MARK, GRADING)


def run_eval_retarget(as_json: bool = False, seeds: tuple[int, ...] = EVAL_SEEDS,
                      progress: bool = True, retargeter: str = "ours",
                      filter_path: Path | None = None, wander: bool = False,
                      mode: Mapping = Mapping.MIRROR) -> dict[str, Any]:
    """Evaluate on every seed, print a table (or JSON), return the merged figures.

    ``filter_path``: a filter settings file (:func:`load_filter_config`) for ours;
    ``wander``: sessions with the pose model's slow wander; ``mode``: how the robot maps the
    person (``--mode``), for the sessions and the straight arms alike.
    """
    filter_config = load_filter_config(filter_path) if filter_path is not None else None
    if retargeter == "naive":
        raise ConfigError("naive is the baseline every retargeter is compared with; pass "
                          "--retargeter ours or your module:Class")
    bar = Progress(len(seeds), "sessions", enabled=progress)
    per_seed = []
    from mirrorbot.eval.retarget_checks import default_context, singular_holds
    from mirrorbot.run.session import build_retargeter

    with Simulator() as sim:
        for seed in seeds:
            per_seed.append(evaluate_session(seed, sim, mode, retargeter=retargeter,
                                             filter_config=filter_config, wander=wander))
            bar.update()
        model = sim.model  # the loaded robot, for the singularity step too
    bar.close()
    singular = singular_holds(replace(default_context(model), mode=mode),
                              lambda c: build_retargeter(retargeter, c))
    merged = _merge(per_seed, seeds, retargeter, singular)
    merged["filter"] = str(filter_path) if filter_path is not None else "defaults"
    merged["wander"] = wander
    merged["mode"] = mode.value
    print(json.dumps(merged, indent=2) if as_json else format_report(merged))
    return merged


def format_report(r: dict[str, Any]) -> str:
    """The figures as a readable table."""
    a, name_w = r["accuracy_noise_free_deg"], max(8, len(r["name"]) + 2)
    noise = "pose-model noise" + (" and its slow wander" if r.get("wander") else "")
    n = len(r["seeds"])
    lines = [f"retargeting in {r.get('mode', 'mirror')} mode on {n} synthetic "
             f"session{'s' if n != 1 else ''} with {noise}"
             + (f" and filter {r['filter']}" if r.get("filter", "defaults") != "defaults" else "")
             + f": {r['frames']} frames, {r['reachable_frames']} within the robot's reach",
             f"accuracy of {r['retargeter']} on noise-free truth: mean {a['mean']:.2f} deg, p95 "
             f"{a['p95']:.2f}, max {a['max']:.2f}",
             f"{'':<{name_w}}{'chain err mean/p95/max [deg]':>30}{'jitter':>12}"
             f"{'lag ms all/reach':>18}"
             f"{'violations pos/vel/acc/coll':>30}"]
    for name in (r["name"], "naive"):
        x = r[name]
        e, v = x["chain_error_deg"], x["violations"]
        lines.append(f"{name:<{name_w}}{e['mean']:>12.2f}{e['p95']:>9.2f}{e['max']:>9.2f}"
                     f"{x['jitter_rms_jerk_rad_s3']:>12.0f}"
                     f"{x['lag_ms']:>11.1f}/{x['lag_within_reach_ms']:<6.1f}"
                     f"{v['position']:>14}/{v['velocity']}/{v['acceleration']}/"
                     f"{v['self_collision']}")
    lines.append(f"jitter: naive / {r['name']} = {r['jitter_ratio_naive_over_ours']}x; "
                 f"extra lag {r['extra_lag_ms_ours_minus_naive']} ms ("
                 f"{r['extra_lag_within_reach_ms']} ms within reach)")
    sing = r["singular_holds"]
    lines.append(f"flips (a limb over {FLIP_DEG:g} deg off on noise-free truth): {r['flips']} "
                 f"frames; straight arms held still, largest joint step: {sing['max_step_deg']} "
                 "deg (" + ", ".join(f"{k} {v}" for k, v in sing["by_pose"].items()) + ")")
    swapped = r.get("swapped_sides_mean_deg")
    if swapped is not None and a["mean"] > 8.0 and swapped < SWAPPED_HINT_RATIO * a["mean"]:
        lines.append(f"hint: your arms follow the person's other arms ({swapped:.1f} deg mean "
                     f"error against them, {a['mean']:.1f} against the right ones): take each "
                     "robot arm's person side from driving_side(robot_side, context.mode)")
    lines.append("the project's own targets (not graded): " + ", ".join(
        f"{k} {'yes' if ok else 'NO'}" for k, ok in r["targets"].items()))
    lines.append(format_score(r["score"]))
    return "\n".join(lines)



if __name__ == "__main__":
    run_eval_retarget(as_json="--json" in sys.argv)
