"""The run loop: apply each step's joint targets to the simulator and record the run.

It writes the session log, the video and the summary.

Upstream stages (source, tracker, filter, retargeter, intent) produce a stream of :class:`Step`
values; this loop only commands, steps physics, measures and records. Ctrl-C ends the loop
cleanly: every frame seen so far is in ``session.jsonl``, ``video.mp4`` is finalised and
``summary.json`` says the run was interrupted.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mirrorbot.arrays import FloatArray, ImageBGR
from mirrorbot.errors import ConfigError, MirrorbotError, SourceError, is_interrupt
from mirrorbot.mind.behaviour import Behaviour
from mirrorbot.out_files import write_failed
from mirrorbot.output.overlay import OverlayInfo, blank_panel, compose_frame
from mirrorbot.output.session_log import LOGGED_LINKS, ROBOT_LINK_OF, FrameRecord, SessionLogWriter
from mirrorbot.output.summary import SummaryBuilder, write_summary
from mirrorbot.progress import Progress
from mirrorbot.sim.simulator import GUI_WINDOW_PX, PHYSICS_RATE_HZ, CameraConfig, Simulator
from mirrorbot.warn import warn

VIDEO_CAMERA = CameraConfig(width_px=480, height_px=360)  # upscaled to the 640x480 panel
WINDOW_NAME = "mirrorbot"
MAX_FRAME_GAP_S = 2.0
"""Physics simulated per frame at most [s]: a longer gap between frames is a cut, not a wait."""


@dataclass(frozen=True, kw_only=True)
class Step:
    """What the upstream stages decided for one frame.

    Attributes:
        t_s: Time of the frame since the first one [s].
        q_target_rad: Joint targets, (n,) [rad], in the robot's ``actuated`` order.
        tracked: Whether a person was tracked.
        goal_probs: Belief over goals.
        committed_goal: The goal the robot acts on, or None.
        behaviour: What the robot does (the session log's ``mode``).
        reason: Why the robot behaves so, shown on the video.
        timing_ms: Wall time of each upstream stage [ms].
        view_bgr: The person's view for the video's left half, or None.
        caption: A line about the source for the left half.
        arrived_s: ``time.perf_counter()`` when the frame arrived, or None; the loop measures
            from it to the frame's display (timing ``total``, the on-screen latency).
        reach_target: Which object a hand reaches for (the session log's ``reach_target``),
            or None.
    """

    t_s: float
    q_target_rad: FloatArray
    tracked: bool = True
    goal_probs: dict[str, float] = field(default_factory=dict)
    committed_goal: str | None = None
    behaviour: Behaviour = Behaviour.MIRROR
    reason: str = ""
    timing_ms: dict[str, float] = field(default_factory=dict)
    view_bgr: ImageBGR | None = None
    caption: str = ""
    arrived_s: float | None = None
    reach_target: dict[str, Any] | None = None


class PhysicsClock:
    """How many physics steps take the simulator to a frame's time.

    A gap in the source longer than :data:`MAX_FRAME_GAP_S` is a cut: physics runs no longer
    than that, and the rest of the gap is skipped from then on (an hour's gap in a recording
    does not ask for an hour of physics).
    """

    def __init__(self) -> None:
        self.skipped_s = 0.0  # source time not simulated
        self._max_steps = int(round(MAX_FRAME_GAP_S * PHYSICS_RATE_HZ))

    def steps_to(self, t_s: float, sim_time_s: float) -> int:
        """Physics steps from ``sim_time_s`` to the frame at source time ``t_s`` [s]."""
        n_sub = max(int(round((t_s - self.skipped_s - sim_time_s) * PHYSICS_RATE_HZ)), 0)
        if n_sub > self._max_steps:
            self.skipped_s += (n_sub - self._max_steps) / PHYSICS_RATE_HZ
            n_sub = self._max_steps
        return n_sub


def advance(sim: Simulator, clock: PhysicsClock, t_s: float, q_target_rad: FloatArray,
            ) -> FloatArray:
    """Command ``q_target_rad`` ramped over the steps to ``t_s`` and step; the sent command."""
    n_sub = clock.steps_to(t_s, sim.time_s)
    q_cmd = sim.command(q_target_rad, ramp_steps=n_sub)
    sim.step(n_sub)
    return q_cmd


@dataclass(frozen=True, kw_only=True)
class LoopConfig:
    """Run-loop settings.

    Attributes:
        out_dir: Folder for session.jsonl, video.mp4 and summary.json (created if missing).
        rate_hz: Frame rate of the source and the video [Hz].
        video: Whether to render and write video.mp4.
        realtime: Pace frames to the source's clock instead of running as fast as possible.
        window: Show each video frame in an OpenCV window (needs a display).
        progress: Print progress to stderr.
        mapping: ``mirror`` or ``anatomical``, for the log header (its ``mode``).
        goals: The goal vocabulary, for the log header.
        source: The source as the user gave it, for the log header.
        plot: Draw summary.png at the end (goal belief and joint trajectories).
    """

    out_dir: Path
    rate_hz: float = 30.0
    video: bool = True
    realtime: bool = False
    window: bool = False
    progress: bool = True
    mapping: str = "mirror"
    goals: tuple[str, ...] = ()
    source: str = ""
    plot: bool = True

    def __post_init__(self) -> None:
        if not 1.0 <= self.rate_hz <= 240.0:
            raise ConfigError(f"rate_hz must be in [1, 240], got {self.rate_hz}")


def _open_video(path: Path, rate_hz: float) -> Any:
    from mirrorbot.output.video_writer import Mp4Writer  # ffmpeg is only started when asked for

    return Mp4Writer(path, 1280, 480, rate_hz)


def run_loop(steps: Iterable[Step], sim: Simulator, config: LoopConfig,
             total_frames: int | None = None,
             extra: Callable[[], dict[str, Any]] | None = None,
             on_key: Callable[[int], bool] | None = None,
             key_script: Callable[[float], int] | None = None) -> dict[str, Any]:
    """Drive the simulator with ``steps`` and record everything.

    Args:
        steps: The upstream stages' decisions, one per frame, in time order.
        sim: The simulator, already reset to the start pose.
        config: Where and how to record.
        total_frames: For the progress bar, when known.
        extra: Called at the end for more summary fields (stage facts known only then).
        on_key: Handles a key pressed in the window; True ends the run (default: q or Esc).
        key_script: Stands in for the keyboard: the key code at frame time ``t_s``, or -1.

    Returns:
        The summary that was written to ``summary.json``.
    """
    out = config.out_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create output folder {out} ({exc.strerror}); "
                          "pass a writable --out DIR") from None
    clock = PhysicsClock()
    summary = SummaryBuilder()
    robot_links = [ROBOT_LINK_OF[k] for k in LOGGED_LINKS]
    log = SessionLogWriter(out / "session.jsonl", mode=config.mapping,
                           joints=sim.model.actuated, goals=config.goals, source=config.source)
    video = _open_video(out / "video.mp4", config.rate_hz) if config.video else None
    progress = Progress(total_frames, "frames", enabled=config.progress)
    if config.window:
        _open_window()
    wall_start = time.perf_counter()
    sim_wall_s = 0.0
    interrupted = False
    finished = False
    last_goal: str | None = None
    try:
        for step in steps:
            if config.realtime:
                delay = wall_start + step.t_s - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            t0 = time.perf_counter()
            n_sub = clock.steps_to(step.t_s, sim.time_s)
            q_cmd = sim.command(step.q_target_rad, ramp_steps=n_sub)
            t1 = time.perf_counter()
            sim.step(n_sub)
            t2 = time.perf_counter()
            sim_wall_s += t2 - t1
            timing = {**step.timing_ms, "control": 1e3 * (t1 - t0), "sim": 1e3 * (t2 - t1)}
            drawn = video is not None or config.window
            sim_view = sim.render_rgba(VIDEO_CAMERA) if drawn else None
            if step.arrived_s is not None:  # measured: the frame's arrival to its display
                timing["total"] = 1e3 * (time.perf_counter() - step.arrived_s)
            frame = None if sim_view is None else compose_frame(
                step.view_bgr if step.view_bgr is not None else blank_panel(step.caption),
                sim_view,
                OverlayInfo(t_s=step.t_s, behaviour=step.behaviour, caption=step.caption,
                            reason=step.reason, goal_probs=step.goal_probs,
                            committed_goal=step.committed_goal,
                            reach_target=step.reach_target,
                            latency_ms=timing.get("total", sum(timing.values()))))
            positions = sim.link_positions(robot_links)
            log.write(FrameRecord(
                t_s=step.t_s, tracked=step.tracked, q_target_rad=q_cmd,
                q_rad=sim.joint_positions(),
                links_m=dict(zip(LOGGED_LINKS, positions, strict=True)),
                goal_probs=step.goal_probs, committed_goal=step.committed_goal,
                behaviour=step.behaviour, timing_ms=timing, reason=step.reason,
                reach_target=step.reach_target))
            summary.add(tracked=step.tracked, timing_ms=timing)
            if step.committed_goal != last_goal:
                summary.goal_events.append({"t": round(step.t_s, 3), "goal": step.committed_goal
                                            if step.committed_goal else last_goal,
                                            "event": "commit" if step.committed_goal
                                            else "release"})
                last_goal = step.committed_goal
            if frame is not None and video is not None:
                video.write(frame)
            key = _show(frame) if frame is not None and config.window else -1
            if key < 0 and key_script is not None:
                key = key_script(step.t_s)
            if key >= 0 and (on_key or _quit_key)(key):
                break
            progress.update()
        finished = True
    except (KeyboardInterrupt, SystemError) as exc:
        if not is_interrupt(exc):
            raise
        interrupted = True
    finally:
        progress.close()
        log.close()
        if video is not None:
            _close_video(video, out / "video.mp4", keep_error=finished and summary.frames > 0)
        if summary.frames == 0 and not interrupted:
            # Nothing was seen (no usable frame, or a plugin's first answer was unusable):
            # nothing is kept, and the folder is left as it was found.
            for name in ("session.jsonl", "video.mp4"):
                (out / name).unlink(missing_ok=True)
    if summary.frames == 0 and not interrupted:
        raise SourceError(f"{config.source or 'the source'} gave no usable frames (none, or "
                          "every one unreadable); nothing to mirror, check the input")
    plot = config.plot and summary.frames > 0  # stopped before its first frame: nothing to plot
    kept_video = video is not None and bool(getattr(video, "frames_written", 1))
    result = summary.build(
        wall_s=time.perf_counter() - wall_start, sim_time_s=sim.time_s, sim_wall_s=sim_wall_s,
        extra={**(extra() if extra else {}), "source": config.source,
               "mode": config.mapping,
               "interrupted": interrupted,
               "outputs": {"session": "session.jsonl",
                           "video": "video.mp4" if kept_video else None,
                           "plot": "summary.png" if plot else None}})
    write_summary(out / "summary.json", result)
    if plot:
        _write_plot(out)
    if interrupted:
        raise KeyboardInterrupt
    return result


def _close_video(video: Any, path: Path, *, keep_error: bool) -> None:
    """Finish the video; its error is raised only when nothing else went wrong first.

    When the run failed or was stopped, a failed video must not hide that, and with no frame
    written there is no video to keep.
    """
    try:
        video.close()
    except MirrorbotError:
        if keep_error:
            raise
    if not getattr(video, "frames_written", 1):  # stopped before its first frame: an MP4
        path.unlink(missing_ok=True)  # without a video stream, which no player opens


def _write_plot(out: Path) -> None:
    """summary.png, after everything else is safely written; a failure only warns."""
    from mirrorbot.output.summary_plot import write_summary_plot

    try:
        write_summary_plot(out)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:  # as any other full disk: the error, exit 2
            (out / "summary.png").unlink(missing_ok=True)
            raise write_failed(out / "summary.png", exc) from None
        warn(f"summary.png not drawn ({exc})")
    except Exception as exc:  # noqa: BLE001 - a plot must never cost the run its outputs
        warn(f"summary.png not drawn ({type(exc).__name__}: {exc})")


def _open_window() -> None:
    """The video window, opened to the right of PyBullet's (which opens at the screen's left)."""
    import cv2

    cv2.namedWindow(WINDOW_NAME, cv2.WINDOW_AUTOSIZE)
    cv2.moveWindow(WINDOW_NAME, GUI_WINDOW_PX[0] + 10, 0)


def _show(frame: ImageBGR) -> int:
    """Show a frame in the OpenCV window; the key pressed meanwhile, or -1."""
    import cv2

    cv2.imshow(WINDOW_NAME, frame)
    key = cv2.waitKey(1)
    return -1 if key < 0 else key & 0xFF


def _quit_key(key: int) -> bool:
    """Without live controls: q or Esc ends the run."""
    return key in (ord("q"), 27)
