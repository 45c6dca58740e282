"""``mirrorbot run`` (and ``demo``): source -> tracker -> filter -> retarget -> intent -> robot.

Builds the stages of a run, warms up their compiled kernels, and drives the simulator with the
per-frame decisions of :func:`mirrorbot.run.pipeline.pipeline_steps` through
:func:`mirrorbot.run.loop.run_loop`, which writes session.jsonl, video.mp4 and summary.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.compiled import compile_notice
from mirrorbot.control.collision_avoidance import collision_model_for
from mirrorbot.control.safety import CommandShaper, SafetyConfig
from mirrorbot.errors import ConfigError
from mirrorbot.labels import GOALS, GestureLabel
from mirrorbot.mind.anticipation import Anticipation
from mirrorbot.mind.echo import Echo
from mirrorbot.mind.gaze import Gaze, table_top_z
from mirrorbot.mind.intent import IntentModel
from mirrorbot.mind.reach_watch import ReachWatch
from mirrorbot.out_files import claimed_folder
from mirrorbot.output.goal_metrics import run_metrics
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.perception.calibration import Calibration
from mirrorbot.perception.landmarks import Side
from mirrorbot.perception.pose_filter import FilterConfig, FilterMethod, load_filter_config
from mirrorbot.perception.source_spec import SourceSpec, parse_source, refuse_model_without_tracking
from mirrorbot.retarget.retarget import Mapping, RetargetContext, Retargeter
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.run.live_controls import LiveControls, LiveHooks
from mirrorbot.run.loop import LoopConfig, run_loop
from mirrorbot.run.pipeline import pipeline_steps
from mirrorbot.run.plugin_guard import GuardedIntent, GuardedRetargeter, build_plugin
from mirrorbot.run.registry import load_stage
from mirrorbot.run.stages import Stages
from mirrorbot.sim.scene import Scene, load_scene
from mirrorbot.sim.simulator import SimConfig, SimMode, Simulator
from mirrorbot.sources.pose_sources import open_pose_source

WARM_UP_SOURCE = "synthetic:drink,wave"  # movements that reach every per-frame kernel
WARM_UP_S = 6.0


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Settings of one run (the command line's ``run`` options).

    Attributes:
        source: The ``--source`` text.
        out_dir: Output folder.
        mapping: Mirror or anatomical (``--mode``).
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
        overwrite: Replace the files of an earlier run in ``out_dir`` (else it is refused).
    """

    source: str
    out_dir: Path
    mapping: Mapping = Mapping.MIRROR
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
    overwrite: bool = False


def build_intent(spec: str) -> IntentModel:
    """An intent model from ``--intent`` (``ours``, ``velocity``, ``none`` or module:Class).

    A student's class (``module:Class``) is wrapped in :class:`GuardedIntent`.
    """
    factory = load_stage("intent", spec)
    instance = build_plugin("--intent", spec, factory)
    return GuardedIntent(instance, spec) if ":" in spec else instance


def build_retargeter(spec: str, context: RetargetContext) -> Retargeter:
    """A retargeter from ``--retargeter`` (built-in name or ``module:Class``).

    A student's class (``module:Class``) is wrapped in :class:`GuardedRetargeter`.
    """
    cls = load_stage("retargeter", spec)
    instance = build_plugin("--retargeter", spec, cls, context)
    if not callable(instance):
        raise ConfigError(f"--retargeter {spec}: instances must be callable as r(pose)")
    return GuardedRetargeter(instance, spec, context.q_rest_rad) if ":" in spec else instance


def build_stages(model: RobotModel, scene: Scene, mapping: Mapping, q_rest_rad: FloatArray, *,
                 retargeter: str = "ours", intent: str = "ours", anticipate: bool = True,
                 ik: Callable[[str, Vec3], FloatArray] | None = None,
                 filter_config: FilterConfig | None = None,
                 noise_free: bool = False) -> Stages:
    """Every per-frame stage of a run, for :func:`pipeline_steps`.

    Args:
        model: The robot.
        scene: Where the person sits and what they may point at.
        mapping: Mirror or anatomical.
        q_rest_rad: The rest pose (n,) [rad].
        retargeter: ``--retargeter`` (built-in name or ``module:Class``).
        intent: ``--intent``.
        anticipate: Complete committed goals with the robot's own motion.
        ik: The simulator's inverse kinematics (for ``naive``), or None.
        filter_config: The pose filter's settings, or None for the defaults.
        noise_free: The source has no pose model's noise (motion capture): the arms follow
            it unfiltered (unless ``filter_config`` says otherwise; filtering clean input only
            added lag, 4 deg of median limb error on real actors' clips) and at their full
            speed (:meth:`SafetyConfig.for_input`).
    """
    if filter_config is None and noise_free:
        filter_config = FilterConfig(method=FilterMethod.NONE)
    gaze = Gaze(model.index("head_pan"), model.index("head_tilt"),
                model.dimensions.head_pivot_m, scene.person_position_m,
                {o.name: o.position_m for o in scene.objects if o.name != "table"},
                table_top_z(scene))

    def retargeter_for(mapping: Mapping) -> Retargeter:
        return build_retargeter(retargeter, RetargetContext(model, mapping, q_rest_rad, ik))

    return Stages(
        retargeter=retargeter_for(mapping), retargeter_for=retargeter_for, mapping=mapping,
        shaper=CommandShaper(model, q_rest_rad, SafetyConfig.for_input(noise_free),
                             collision=collision_model_for(model, scene)),
        q_rest_rad=q_rest_rad, calibration=Calibration(), intent=build_intent(intent),
        gaze=gaze, echo=Echo(),
        anticipation=Anticipation(model, mapping) if anticipate else None,
        filter_config=filter_config,
        reach=ReachWatch(gaze.objects_m, scene.person_position_m) if gaze.objects_m else None,
        arm_index={side: model.arm_indices(side) for side in Side})


def warm_up(model: RobotModel, scene: Scene, mapping: Mapping, *,
            filter_config: FilterConfig | None = None, progress: bool = True) -> None:
    """Compile (first run on a machine) or load (later runs) the per-frame kernels.

    Runs every per-frame stage (with the run's ``filter_config``) over a few seconds of the
    synthetic person and throws the result away, so that numba never stalls a real frame. The
    first run of a version on a machine takes about 15 s to compile, and says so on stderr
    (only then: a busy machine loading cached kernels slowly is not compiling).
    """
    with compile_notice(progress):
        source = open_pose_source(parse_source(WARM_UP_SOURCE), None, render_view=False,
                                  scene=scene)
        try:
            stages = build_stages(model, scene, mapping, rest_pose(model),
                                  filter_config=filter_config)
            for _ in pipeline_steps(source, stages, want_view=False, max_seconds=WARM_UP_S):
                pass
        finally:
            source.close()


def run_session(config: RunConfig, *, scene: Scene | None = None,
                key_script: Callable[[float], int] | None = None) -> dict[str, Any]:
    """Run the whole pipeline on ``config.source``; returns the summary written to disk.

    With a window (``config.gui``) the keys of :mod:`mirrorbot.run.live_controls` work;
    ``key_script(t_s)`` stands in for the keyboard where there is none (tests): it returns
    the key code pressed at frame time ``t_s`` or -1.
    """
    spec = parse_source(config.source)
    refuse_model_without_tracking(spec, config.model_path)  # before the output folder is made
    # A stage that cannot be loaded fails now, not after the warm-up (15 s on a first run).
    load_stage("retargeter", config.retargeter)
    load_stage("intent", config.intent)
    filter_config = load_filter_config(config.filter_path) if config.filter_path else None
    inputs = [p for p in (config.filter_path, config.model_path, spec.input_path)
              if p is not None]
    with claimed_folder(config.out_dir, overwrite=config.overwrite, inputs=inputs):
        return _run(config, spec, filter_config, scene or load_scene(
            scene_path(DEFAULT_SCENE_NAME)), key_script)


def _goals_of(intent: IntentModel | None) -> tuple[str, ...]:
    """The goal vocabulary of the run's beliefs, for the log header: the recogniser's own.

    With learned gestures it has more than the built-in goals (a header listing only those
    left out what every frame's ``goal_probs`` held); a plugin without ``goals``: the built-in.
    """
    for model in (intent, getattr(intent, "inner", None)):
        goals = getattr(model, "goals", None)
        if isinstance(goals, (tuple, list)) and all(isinstance(g, str) for g in goals) and goals:
            return tuple(goals)
    return tuple(GOALS)


def _metrics(out_dir: Path, labels: tuple[GestureLabel, ...]) -> dict[str, Any]:
    """``summary.json``'s ``metrics`` for labelled input: how the run read the movements.

    The recognition figures of :mod:`mirrorbot.output.goal_metrics` (those ``eval intent``
    reports), from the session log just written; nothing without labels or a recogniser.
    """
    figures = run_metrics(out_dir / "session.jsonl", labels) if labels else None
    return {"metrics": {"recognition": figures}} if figures is not None else {}


def _run(config: RunConfig, spec: SourceSpec, filter_config: FilterConfig | None, scene: Scene,
         key_script: Callable[[float], int] | None) -> dict[str, Any]:
    """:func:`run_session` in its claimed output folder."""
    source = open_pose_source(spec, config.model_path, render_view=config.video or config.gui,
                              scene=scene)
    try:
        sim_config = SimConfig(mode=SimMode.GUI if config.gui else SimMode.DIRECT)
        with Simulator(sim_config, scene) as sim:
            q_rest = rest_pose(sim.model)
            sim.reset(q_rest)
            warm_up(sim.model, scene, config.mapping, filter_config=filter_config,
                    progress=config.progress)
            stages = build_stages(sim.model, scene, config.mapping, q_rest,
                                  retargeter=config.retargeter, intent=config.intent,
                                  anticipate=config.anticipate, ik=sim.inverse_kinematics,
                                  filter_config=filter_config,
                                  noise_free=source.noise_free)
            calibration = stages.calibration
            assert calibration is not None  # build_stages always calibrates
            total = source.frame_count
            if config.max_seconds is not None and total is not None:
                total = min(total, int(round(config.max_seconds * source.rate_hz)))
            loop = LoopConfig(out_dir=config.out_dir, rate_hz=source.rate_hz,
                              video=config.video, realtime=config.realtime or source.is_live,
                              window=config.gui, progress=config.progress,
                              mapping=config.mapping.value, goals=_goals_of(stages.intent),
                              source=config.source, plot=config.plot)
            controls = LiveControls(mapping=config.mapping)
            live = LiveHooks(controls, config.out_dir, source.rate_hz) \
                if config.gui or key_script else None
            steps = pipeline_steps(source, stages, want_view=config.video or config.gui,
                                   max_seconds=config.max_seconds, live=live)
            extra: dict[str, Any] = {"retargeter": config.retargeter, "intent": config.intent}
            if source.labels:
                extra["labels"] = [label.to_json() for label in source.labels]
            try:
                summary = run_loop(
                    steps, sim, loop, total_frames=total,
                    on_key=controls.key if live is not None else None, key_script=key_script,
                    extra=lambda: {**extra, **_metrics(config.out_dir, source.labels),
                                   "calibration": (
                        calibration.proportions.to_json() if calibration.proportions
                        else None), **({"recordings": [p.name for p in live.recordings]}
                                       if live is not None else {})})
            finally:
                if live is not None:
                    live.close()
    finally:
        source.close()
    return summary

