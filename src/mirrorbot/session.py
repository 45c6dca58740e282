"""``mirrorbot run`` (and ``demo``): source -> tracker -> filter -> retarget -> intent -> robot.

A plain function chain: each frame of the source is filtered, retargeted (both arms), passed
through the intent stage (pass-through until anticipation lands), shaped to the robot's limits
and sent to the simulator by :func:`mirrorbot.loop.run_loop`, which writes session.jsonl,
video.mp4 and summary.json. When tracking is lost the robot holds its pose, then returns to
rest smoothly; when the person is seen again it picks up from where it is.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.anticipation import Anticipation
from mirrorbot.arm_kinematics import ARM_JOINTS
from mirrorbot.arrays import FloatArray, ImageBGR, Vec3
from mirrorbot.body_frames import pose_is_plausible
from mirrorbot.calibration import Calibration
from mirrorbot.echo import Echo
from mirrorbot.errors import ConfigError
from mirrorbot.gaze import (
    gaze_target,
    head_angles_to,
    pointed_target,
    pointing_arm,
)
from mirrorbot.intent import IntentModel
from mirrorbot.labels import GOALS
from mirrorbot.landmarks import Side
from mirrorbot.live_controls import LiveControls, LiveHooks
from mirrorbot.loop import LoopConfig, Step, run_loop
from mirrorbot.overlay import blank_panel, draw_skeleton
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.pose_filter import FilterConfig, PoseFilter, load_filter_config
from mirrorbot.pose_sources import PoseSample, PoseSource, open_pose_source
from mirrorbot.registry import load_stage
from mirrorbot.retarget import Mode, RetargetContext, Retargeter, driving_side
from mirrorbot.safety import CommandShaper, collision_model_for
from mirrorbot.scene import Scene, load_scene
from mirrorbot.scripted import min_jerk, rest_pose
from mirrorbot.simulator import SimConfig, SimMode, Simulator
from mirrorbot.source_spec import parse_source
from mirrorbot.urdf import RobotModel

WARM_UP_SOURCE = "synthetic:drink,wave"  # movements that reach every per-frame kernel
WARM_UP_S = 6.0
HOLD_S = 0.5  # after losing the person, hold the pose this long [s]
RETURN_S = 1.5  # then glide to the rest pose over this long [s]


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Settings of one run (the command line's ``run`` options).

    Attributes:
        source: The ``--source`` text.
        out_dir: Output folder.
        mode: Mirror or anatomical.
        retargeter: Built-in name or ``module:Class``.
        intent: Goal recogniser: ``ours``, ``velocity``, ``none`` or ``module:Class``.
        anticipate: Complete committed goals with the robot's own motion.
        gui: Open the PyBullet GUI and an OpenCV window.
        video: Write video.mp4.
        realtime: Pace to the source (else as fast as possible).
        model_path: A MediaPipe ``.task`` model, or None for the bundled one.
        max_seconds: Stop after this much source time [s] (None: the whole source).
        progress: Print progress to stderr.
        filter_path: A JSON file of One Euro settings, or None for the defaults.
        plot: Draw summary.png at the end.
    """

    source: str
    out_dir: Path
    mode: Mode = Mode.MIRROR
    retargeter: str = "ours"
    intent: str = "ours"
    anticipate: bool = True
    gui: bool = False
    video: bool = True
    realtime: bool = False
    model_path: Path | None = None
    max_seconds: float | None = None
    progress: bool = True
    filter_path: Path | None = None
    plot: bool = True


class LostTracking:
    """What the robot does without a person: hold, then return to rest, smoothly.

    Args:
        q_rest_rad: The rest pose (n,) [rad].
    """

    def __init__(self, q_rest_rad: FloatArray) -> None:
        self.q_rest = q_rest_rad
        self.lost_since_s: float | None = None
        self.q_lost: FloatArray | None = None

    def tracked(self) -> None:
        """The person is seen."""
        self.lost_since_s = None

    def target(self, t_s: float, q_last_rad: FloatArray) -> tuple[FloatArray, str]:
        """Joint targets (n,) [rad] and the reason while nobody is tracked."""
        if self.lost_since_s is None:
            self.lost_since_s = t_s
            self.q_lost = q_last_rad.copy()
        assert self.q_lost is not None
        gone = t_s - self.lost_since_s
        if gone <= HOLD_S:
            return self.q_lost, "tracking lost: holding"
        blend = min_jerk((gone - HOLD_S) / RETURN_S)
        reason = "tracking lost: returning to rest" if blend < 1 else "nobody tracked: resting"
        return self.q_lost + blend * (self.q_rest - self.q_lost), reason


def _view(sample: PoseSample, pose_uv: FloatArray | None, visibility: FloatArray | None,
          caption: str) -> ImageBGR:
    """The person's view with the tracked skeleton, shown mirrored.

    Like a mirror or a selfie camera, so that the person and the robot beside them move on the
    same side of the screen. Tracking always sees the unflipped image; only this picture is
    flipped.
    """
    base = sample.image_bgr if sample.image_bgr is not None else blank_panel("")
    if pose_uv is not None and visibility is not None:
        base = draw_skeleton(base, pose_uv, visibility)
    elif sample.image_bgr is None:
        return blank_panel(caption)
    return np.ascontiguousarray(base[:, ::-1])


def pipeline_steps(source: PoseSource, retargeter: Retargeter, shaper: CommandShaper,
                   q_rest_rad: FloatArray, *, want_view: bool,
                   max_seconds: float | None = None,
                   calibration: Calibration | None = None,
                   intent: IntentModel | None = None,
                   gaze: Gaze | None = None,
                   echo: Echo | None = None,
                   arm_index: dict[Side, list[int]] | None = None,
                   mode_map: Mode = Mode.MIRROR,
                   anticipation: Anticipation | None = None,
                   filter_config: FilterConfig | None = None,
                   live: LiveHooks | None = None) -> Iterator[Step]:
    """The per-frame decisions of the pipeline, one :class:`Step` per source frame.

    ``intent`` sees the raw pose and reports a belief over goals (logged and drawn; the robot
    does not act on it yet); ``gaze`` turns the head toward the person's moving hand; ``echo``
    scales each arm's mirroring (``arm_index``: the robot's arm joints, ``mode_map``: which
    person arm drives which) by how well it is seen and holds still on erratic input;
    ``anticipation`` completes committed goals with the robot's own motion; ``live`` applies
    the keys of the live window (pause, record, calibrate, switch mode).
    """
    pose_filter = PoseFilter(filter_config, filter_image=want_view)
    lost = LostTracking(q_rest_rad)
    q_last = q_rest_rad.copy()
    t_prev: float | None = None
    caption = f"source: {source.text} (shown mirrored)"
    for sample in source:
        if max_seconds is not None and sample.t_s >= max_seconds - 1e-9:
            return
        if live is not None:
            if live.controls.mode is not mode_map:  # m: rebuild for the other mapping
                mode_map = live.controls.mode
                retargeter = live.rebuild_retargeter(mode_map)
                if anticipation is not None:
                    anticipation.mode = mode_map
            if live.controls.calibrate and calibration is not None:
                calibration.restart()
                live.controls.calibrate = False
            live.record(sample)
            caption = f"source: {source.text} (shown mirrored) | {live.controls.message}"
            if live.controls.paused:
                t_prev = sample.t_s
                yield Step(t_s=sample.t_s, q_target_rad=shaper(q_last, 0.0), mode="hold",
                           reason="paused (space resumes)", caption=caption,
                           tracked=sample.pose is not None, arrived_s=sample.arrived_s,
                           view_bgr=_view(sample, None, None, caption) if want_view else None)
                continue
        t0 = time.perf_counter()
        raw = sample.pose
        implausible = raw is not None and not pose_is_plausible(raw.world_m)
        pose = pose_filter(None if implausible else raw, sample.t_s)
        t1 = time.perf_counter()
        if calibration is not None:
            calibration.update(pose)
        calibrated = calibration is None or calibration.calibrated
        decision = echo(None if implausible else raw, pose, sample.t_s, calibrated) \
            if echo is not None else None
        if decision is not None and decision.overloaded:
            q_want, mode, reason = q_last, "hold", decision.reason
        elif pose is not None:
            lost.tracked()
            q_want = retargeter(pose)
            mode, reason = "mirror", ""
            if decision is not None and arm_index is not None:
                q_want = q_want.copy()
                for robot_side, idx in arm_index.items():
                    gain = decision.gain[driving_side(robot_side, mode_map)]
                    if gain != 1.0:
                        q_want[idx] = q_rest_rad[idx] + gain * (q_want[idx] - q_rest_rad[idx])
                reason = decision.reason
        else:
            q_want, reason = lost.target(sample.t_s, q_last)
            if implausible:
                reason = "implausible pose: " + reason.split(": ", 1)[-1]
            mode = "hold"
        t2 = time.perf_counter()
        belief = intent(pose, sample.t_s) if intent else None
        t3 = time.perf_counter()
        if belief is not None and belief.committed is not None and pose is not None:
            reason = (reason + "; " if reason else "") + f"recognised: {belief.committed}"
        if anticipation is not None and pose is not None and mode == "mirror":
            step_s = 0.0 if t_prev is None else sample.t_s - t_prev
            receive = None if gaze is None else partial(  # called only to answer an offer
                gaze_target, pose.world_m, person_position_m=gaze.person_position_m)
            q_want, own_mode, own_reason = anticipation(q_want, belief, step_s, receive)
            if own_mode != "mirror":
                mode, reason = own_mode, own_reason
        if gaze is not None and pose is not None:
            q_want = q_want.copy()
            side = belief.side if belief else None
            pointing = side if belief is not None and belief.committed == "point" \
                else pointing_arm(pose.world_m)
            if pointing is not None:  # joint attention: look where the arm points
                look_at, name = pointed_target(pose.world_m, pointing, gaze.person_position_m,
                                               gaze.objects_m, gaze.table_z_m)
                if mode == "mirror":
                    mode = "respond"
                    reason = f"looking where you point: {name}"
            else:
                look_at = gaze_target(pose.world_m, side, gaze.person_position_m)
            pan, tilt = head_angles_to(look_at)
            q_want[gaze.pan_index], q_want[gaze.tilt_index] = pan, tilt
        dt = 0.0 if t_prev is None else sample.t_s - t_prev
        q_cmd = shaper(q_want, dt) if t_prev is not None else shaper.q.copy()
        if shaper.blocked:
            reason = (reason + "; " if reason else "") + "stopped short of a collision"
        t4 = time.perf_counter()
        t_prev = sample.t_s
        q_last = q_cmd
        view = None
        if want_view:
            view = _view(sample, None if pose is None else pose.image_uv,
                         None if pose is None else pose.visibility, caption)
        yield Step(t_s=sample.t_s, q_target_rad=q_cmd, tracked=pose is not None, mode=mode,
                   reason=reason, caption=caption, view_bgr=view, arrived_s=sample.arrived_s,
                   goal_probs=belief.probs if belief else {},
                   committed_goal=belief.committed if belief else None,
                   timing_ms={"track": sample.track_ms, "filter": 1e3 * (t1 - t0),
                              "retarget": 1e3 * (t2 - t1), "intent": 1e3 * (t3 - t2),
                              "shape": 1e3 * (t4 - t3)})


@dataclass(frozen=True)
class Gaze:
    """Where the head's joints are and where the person sits.

    Attributes:
        pan_index: Index of ``head_pan`` in q.
        tilt_index: Index of ``head_tilt`` in q.
        person_position_m: The person's mid-shoulders in the base frame (3,) [m].
        objects_m: Scene objects one may point at, by name, base frame [m].
        table_z_m: Height of the table top [m].
    """

    pan_index: int
    tilt_index: int
    person_position_m: FloatArray
    objects_m: dict[str, FloatArray]
    table_z_m: float


def table_top_z(scene: Scene) -> float:
    """Height of the scene's table top [m] (0.72 m when the scene has no table)."""
    for obj in scene.objects:
        if obj.name == "table":
            return max(p.position_m[2] + p.size_m[2] / 2 for p in obj.parts
                       if p.shape == "box")
    return 0.72


def build_intent(spec: str) -> IntentModel:
    """An intent model from ``--intent`` (``ours``, ``velocity``, ``none`` or module:Class)."""
    factory = load_stage("intent", spec)
    try:
        instance = factory()
    except TypeError as exc:
        raise ConfigError(f"--intent {spec}: could not build it ({exc}); its __init__ must "
                          "take no arguments") from None
    return instance


def build_retargeter(spec: str, context: RetargetContext) -> Retargeter:
    """A retargeter from ``--retargeter`` (built-in name or ``module:Class``)."""
    cls = load_stage("retargeter", spec)
    try:
        instance = cls(context)
    except TypeError as exc:
        raise ConfigError(f"--retargeter {spec}: could not build it with a RetargetContext "
                          f"({exc}); its __init__ must take (self, context)") from None
    if not callable(instance):
        raise ConfigError(f"--retargeter {spec}: instances must be callable as r(pose)")
    return instance


def build_stages(model: RobotModel, scene: Scene, mode: Mode, q_rest_rad: FloatArray, *,
                 retargeter: str = "ours", intent: str = "ours", anticipate: bool = True,
                 ik: Callable[[str, Vec3], FloatArray] | None = None,
                 filter_config: FilterConfig | None = None) -> dict[str, Any]:
    """Every per-frame stage of a run, as the keyword arguments of :func:`pipeline_steps`.

    Args:
        model: The robot.
        scene: Where the person sits and what they may point at.
        mode: Mirror or anatomical.
        q_rest_rad: The rest pose (n,) [rad].
        retargeter: ``--retargeter`` (built-in name or ``module:Class``).
        intent: ``--intent``.
        anticipate: Complete committed goals with the robot's own motion.
        ik: The simulator's inverse kinematics (for ``naive``), or None.
        filter_config: One Euro settings, or None for the defaults.
    """
    gaze = Gaze(model.index("head_pan"), model.index("head_tilt"), scene.person_position_m,
                {o.name: o.position_m for o in scene.objects if o.name != "table"},
                table_top_z(scene))
    return {
        "retargeter": build_retargeter(retargeter, RetargetContext(model, mode, q_rest_rad, ik)),
        "shaper": CommandShaper(model, q_rest_rad, collision=collision_model_for(model)),
        "q_rest_rad": q_rest_rad, "calibration": Calibration(), "intent": build_intent(intent),
        "gaze": gaze, "echo": Echo(), "mode_map": mode,
        "anticipation": Anticipation(model, mode) if anticipate else None,
        "filter_config": filter_config,
        "arm_index": {side: [model.index(f"{side.value}_{j}") for j in ARM_JOINTS]
                      for side in Side}}


def warm_up(model: RobotModel, scene: Scene, mode: Mode, *, progress: bool = True) -> None:
    """Compile (first run on a machine) or load (later runs) the per-frame kernels.

    Runs every per-frame stage over a few seconds of the synthetic person and throws the result
    away, so that numba never stalls a real frame. The first run on a machine takes about
    15 s to compile; if it takes more than a second, that is said on stderr.
    """
    notice = threading.Timer(1.0, lambda: print(
        "mirrorbot: compiling the controller's kernels (first run on this machine only, "
        "about 15 s) ...", file=sys.stderr, flush=True))
    notice.daemon = True
    if progress:
        notice.start()
    try:
        source = open_pose_source(parse_source(WARM_UP_SOURCE), None, render_view=False,
                                  scene=scene)
        try:
            for _ in pipeline_steps(source, want_view=False, max_seconds=WARM_UP_S,
                                    **build_stages(model, scene, mode, rest_pose(model))):
                pass
        finally:
            source.close()
    finally:
        notice.cancel()


def run_session(config: RunConfig, *, scene: Scene | None = None,
                key_script: Callable[[float], int] | None = None) -> dict[str, Any]:
    """Run the whole pipeline on ``config.source``; returns the summary written to disk.

    With a window (``config.gui``) the keys of :mod:`mirrorbot.live_controls` work;
    ``key_script(t_s)`` stands in for the keyboard where there is none (tests): it returns
    the key code pressed at frame time ``t_s`` or -1.
    """
    spec = parse_source(config.source)
    filter_config = load_filter_config(config.filter_path) if config.filter_path else None
    scene = scene or load_scene(scene_path(DEFAULT_SCENE_NAME))
    source = open_pose_source(spec, config.model_path, render_view=config.video or config.gui,
                              scene=scene)
    try:
        sim_config = SimConfig(mode=SimMode.GUI if config.gui else SimMode.DIRECT)
        with Simulator(sim_config, scene) as sim:
            q_rest = rest_pose(sim.model)
            sim.reset(q_rest)
            warm_up(sim.model, scene, config.mode, progress=config.progress)
            stages = build_stages(sim.model, scene, config.mode, q_rest,
                                  retargeter=config.retargeter, intent=config.intent,
                                  anticipate=config.anticipate, ik=sim.inverse_kinematics,
                                  filter_config=filter_config)
            calibration: Calibration = stages["calibration"]
            total = source.frame_count
            if config.max_seconds is not None and total is not None:
                total = min(total, int(round(config.max_seconds * source.rate_hz)))
            loop = LoopConfig(out_dir=config.out_dir, rate_hz=source.rate_hz,
                              video=config.video, realtime=config.realtime or source.is_live,
                              window=config.gui, progress=config.progress,
                              session_mode=config.mode.value, goals=GOALS,
                              source=config.source, plot=config.plot)
            controls = LiveControls(mode=config.mode)
            live = LiveHooks(controls, lambda mode: build_retargeter(
                config.retargeter, RetargetContext(sim.model, mode, q_rest,
                                                   sim.inverse_kinematics)),
                config.out_dir, source.rate_hz) if config.gui or key_script else None
            steps = pipeline_steps(source, want_view=config.video or config.gui,
                                   max_seconds=config.max_seconds, live=live, **stages)
            extra: dict[str, Any] = {"retargeter": config.retargeter, "intent": config.intent}
            if source.labels:
                extra["labels"] = [label.to_json() for label in source.labels]
            try:
                summary = run_loop(
                    steps, sim, loop, total_frames=total,
                    on_key=controls.key if live is not None else None, key_script=key_script,
                    extra=lambda: {**extra, "calibration": (
                        calibration.proportions.to_json() if calibration.proportions
                        else None), **({"recordings": [p.name for p in live.recordings]}
                                       if live is not None else {})})
            finally:
                if live is not None:
                    live.close()
    finally:
        source.close()
    return summary

