"""The per-frame decisions of a run: source -> filter -> retarget -> intent -> commands.

:func:`pipeline_steps` is a plain generator: each frame of the source goes through the steps of
a :class:`Pipeline`, in order: the live window's keys, a fresh start after a cut or a long gap,
the filter, the echo and the retargeter (or holding, or returning to rest when nobody is seen),
the goal recogniser, the reach watch, anticipation, the head's gaze, and the robot's limits. It
gives one :class:`mirrorbot.run.loop.Step` per frame for :func:`mirrorbot.run.loop.run_loop`. The
stages come as one :class:`mirrorbot.run.stages.Stages`. When tracking is lost the robot holds its
pose, then returns to rest smoothly; when the person is seen again it picks up from where it is.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import NamedTuple

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.errors import ConfigError
from mirrorbot.mind.anticipation import ReachLead
from mirrorbot.mind.behaviour import Behaviour
from mirrorbot.mind.echo import EchoDecision
from mirrorbot.mind.gaze import (
    gaze_target,
    head_angles_to,
    pointed_target,
    pointing_arm,
)
from mirrorbot.mind.hand_at_mouth import MouthContact
from mirrorbot.mind.intent import GoalBelief
from mirrorbot.mind.reach_watch import ReachTarget
from mirrorbot.perception.body_frames import pose_is_plausible
from mirrorbot.perception.landmarks import PoseFrame
from mirrorbot.perception.pose_filter import PoseFilter
from mirrorbot.retarget.retarget import Mapping, driving_side
from mirrorbot.run.live_controls import LiveHooks
from mirrorbot.run.loop import MAX_FRAME_GAP_S, Step
from mirrorbot.run.lost_tracking import LostTracking
from mirrorbot.run.person_view import person_view
from mirrorbot.run.stages import Stages
from mirrorbot.sources.pose_sources import PoseSample, PoseSource
from mirrorbot.warn import warn


class Want(NamedTuple):
    """What the robot wants to do in a frame, before its limits shape it.

    Attributes:
        q_rad: Joint targets (n,) [rad].
        behaviour: What the robot does (the session log's ``mode`` of the frame).
        reason: Why, for the log and the screen ("" when it simply mirrors).
    """

    q_rad: FloatArray
    behaviour: Behaviour
    reason: str


def _and(reason: str, more: str) -> str:
    """``reason`` with ``more`` appended after a semicolon (just ``more`` if there was none)."""
    return (reason + "; " if reason else "") + more


class Pipeline:
    """The per-frame decisions of one run, one method per step, and the state they carry.

    :meth:`step` calls the steps in order for each frame. The pipeline is the one owner of the
    mirror/anatomical mapping while it runs (:meth:`_set_mapping`).

    Args:
        source_text: The source's ``--source`` text (for the caption and warnings).
        stages: The stages to run (:class:`mirrorbot.run.stages.Stages`).
        want_view: Draw the person's view for each step (for the video or the window).
        live: The keys of the live window (pause, record, calibrate, switch mapping), or None.
    """

    def __init__(self, source_text: str, stages: Stages, *, want_view: bool,
                 live: LiveHooks | None = None) -> None:
        self.source_text = source_text
        self.stages = stages
        self.want_view = want_view
        self.live = live
        self.mapping = stages.mapping
        self.retargeter = stages.retargeter
        self.pose_filter = self._fresh_filter()
        self.lost = LostTracking(stages.q_rest_rad)
        self.mouth = MouthContact()
        self.q_last = stages.q_rest_rad.copy()
        self.t_prev: float | None = None
        self.warned_non_finite = False
        self.warned_gap = False
        self.caption = f"source: {source_text} (shown mirrored)"

    def step(self, sample: PoseSample) -> Step:
        """All the steps for one frame of the source, in order, timed."""
        if self.live is not None:
            paused = self._apply_keys(self.live, sample)
            if paused is not None:
                return paused
        if sample.cut:
            self._start_afresh_on_cut()
        self._bridge_gap(sample)
        t0 = time.perf_counter()
        raw = sample.pose
        implausible = raw is not None and not pose_is_plausible(raw.world_m)
        pose = self.pose_filter(None if implausible else raw, sample.t_s)
        t1 = time.perf_counter()
        decision = self._echo(None if implausible else raw, pose, sample.t_s)
        want = self._follow(pose, decision, implausible, sample.t_s,
                            None if raw is None else raw.image_uv)
        t2 = time.perf_counter()
        belief = self._recognise(raw, pose, sample.t_s)
        t_reach = time.perf_counter()
        target = self._watch_reach(pose, sample.t_s)
        t3 = time.perf_counter()
        if belief is not None and belief.committed is not None and pose is not None:
            want = want._replace(reason=_and(want.reason, f"recognised: {belief.committed}"))
        if pose is not None:
            want = self._anticipate(want, pose, belief, decision, target, sample.t_s)
            want = self._look(want, pose, belief, target)
        q_cmd, reason = self._shape(want, sample.t_s)
        t4 = time.perf_counter()
        self.t_prev = sample.t_s
        self.q_last = q_cmd
        view = person_view(sample, pose, self.caption) if self.want_view else None
        return Step(t_s=sample.t_s, q_target_rad=q_cmd, tracked=pose is not None,
                    behaviour=want.behaviour, reason=reason, caption=self.caption,
                    view_bgr=view, arrived_s=sample.arrived_s,
                    goal_probs=belief.probs if belief else {},
                    committed_goal=belief.committed if belief else None,
                    reach_target=None if target is None else target.to_json(),
                    timing_ms={"track": sample.track_ms, "filter": 1e3 * (t1 - t0),
                               "retarget": 1e3 * (t2 - t1), "intent": 1e3 * (t_reach - t2),
                               "reach": 1e3 * (t3 - t_reach), "shape": 1e3 * (t4 - t3)})

    def _fresh_filter(self) -> PoseFilter:
        """A pose filter that has seen nothing yet."""
        return PoseFilter(self.stages.filter_config, filter_image=self.want_view)

    def _set_mapping(self, mapping: Mapping) -> None:
        """Switch mirror/anatomical: the retargeter, the anticipation and the echo's arms follow.

        Raises:
            ConfigError: The stages cannot build a retargeter for another mapping.
        """
        if self.stages.retargeter_for is None:
            raise ConfigError(f"the mapping cannot switch to {mapping.value}: the stages have no "
                              "retargeter_for; build them with build_stages")
        self.mapping = mapping
        self.retargeter = self.stages.retargeter_for(mapping)
        if self.stages.anticipation is not None:
            self.stages.anticipation.mapping = mapping

    def _apply_keys(self, live: LiveHooks, sample: PoseSample) -> Step | None:
        """The live window's keys: mapping, calibration, recording; the held Step while paused."""
        if live.controls.mapping is not self.mapping:  # m
            self._set_mapping(live.controls.mapping)
        if live.controls.calibrate and self.stages.calibration is not None:
            self.stages.calibration.restart()
            live.controls.calibrate = False
        live.record(sample)
        self.caption = f"source: {self.source_text} (shown mirrored) | {live.controls.message}"
        if not live.controls.paused:
            return None
        self.t_prev = sample.t_s
        return Step(t_s=sample.t_s, q_target_rad=self.stages.shaper(self.q_last, 0.0),
                    behaviour=Behaviour.HOLD, reason="paused (space resumes)",
                    caption=self.caption, tracked=sample.pose is not None,
                    arrived_s=sample.arrived_s,
                    view_bgr=person_view(sample, None, self.caption) if self.want_view else None)

    def _start_afresh_on_cut(self) -> None:
        """Another photo: another person, seen afresh (filter, echo, calibration, reaches)."""
        self.pose_filter = self._fresh_filter()
        self.mouth = MouthContact()
        if self.stages.echo is not None:
            self.stages.echo.restart()
        if self.stages.calibration is not None:
            self.stages.calibration.restart()
        if self.stages.reach is not None:
            self.stages.reach.reset()

    def _bridge_gap(self, sample: PoseSample) -> None:
        """A gap in the frames longer than the cap is a cut: filter and reaches start afresh.

        The time since the last frame then counts as the cap (the robot waits no longer).
        """
        gap_s = 0.0 if self.t_prev is None else sample.t_s - self.t_prev
        if gap_s <= MAX_FRAME_GAP_S:
            return
        if not self.warned_gap:
            self.warned_gap = True
            warn(f"{self.source_text}: no frame for {gap_s:.3g} s before t={sample.t_s:.3f} s; "
                 "treating it as a cut (the robot held its pose)")
        self.pose_filter = self._fresh_filter()
        if self.stages.reach is not None:
            self.stages.reach.reset()
        self.t_prev = sample.t_s - MAX_FRAME_GAP_S

    def _echo(self, raw: PoseFrame | None, pose: PoseFrame | None,
              t_s: float) -> EchoDecision | None:
        """Calibrate on the filtered pose, then how strongly to mirror (None without an echo).

        ``raw`` is the unfiltered pose (None when nobody is seen or the pose is implausible).
        """
        calibration = self.stages.calibration
        if calibration is not None:
            calibration.update(pose)
        calibrated = calibration is None or calibration.calibrated
        echo = self.stages.echo
        return echo(raw, pose, t_s, calibrated) if echo is not None else None

    def _follow(self, pose: PoseFrame | None, decision: EchoDecision | None, implausible: bool,
                t_s: float, image_uv: FloatArray | None = None) -> Want:
        """Mirror the person (each arm scaled by the echo), hold, or return to rest when lost.

        A hand the image (``image_uv``, unfiltered) shows at the mouth is copied at the mouth's
        depth (:class:`mirrorbot.mind.hand_at_mouth.MouthContact`).
        """
        if decision is not None and decision.overloaded:
            return Want(self.q_last, Behaviour.HOLD, decision.reason)
        if pose is None:
            q_want, reason = self.lost.target(t_s, self.q_last)
            if implausible:
                reason = "implausible pose: " + reason.split(": ", 1)[-1]
            return Want(q_want, Behaviour.HOLD, reason)
        self.lost.tracked()
        q_want = self.retargeter(self.mouth(self.pose_filter.for_robot(pose), image_uv, t_s))
        arm_index, q_rest = self.stages.arm_index, self.stages.q_rest_rad
        if decision is None or arm_index is None:
            return Want(q_want, Behaviour.MIRROR, "")
        q_want = q_want.copy()
        for robot_side, idx in arm_index.items():
            gain = decision.gain[driving_side(robot_side, self.mapping)]
            if gain != 1.0:
                q_want[idx] = q_rest[idx] + gain * (q_want[idx] - q_rest[idx])
        return Want(q_want, Behaviour.MIRROR, decision.reason)

    def _recognise(self, raw: PoseFrame | None, pose: PoseFrame | None,
                   t_s: float) -> GoalBelief | None:
        """The intent model's belief over goals (None without one or without a person).

        It sees the filtered pose with the image landmarks as they are: a hand at the mouth is
        placed by the image to a few pixels, and filtering it only adds lag.
        """
        intent = self.stages.intent
        seen = pose if pose is None or raw is None else replace(pose, image_uv=raw.image_uv)
        return intent(seen, t_s) if intent else None

    def _watch_reach(self, pose: PoseFrame | None, t_s: float) -> ReachTarget | None:
        """Which object a hand reaches for; the watch starts afresh when nobody is seen."""
        reach = self.stages.reach
        if reach is None:
            return None
        if pose is None:
            reach.reset()
            return None
        return reach(pose.world_m, t_s)

    def _anticipate(self, want: Want, pose: PoseFrame, belief: GoalBelief | None,
                    decision: EchoDecision | None, target: ReachTarget | None,
                    t_s: float) -> Want:
        """Lead the mirroring arm, complete a committed goal or answer an offer (while mirroring).

        The lead is no more than the arm is mirrored (the echo's gain), and toward an object
        only as much as the hand's movement is a reach (the goal belief) for that object (the
        reach belief): not while it lifts a cup or waves.
        """
        anticipation, gaze = self.stages.anticipation, self.stages.gaze
        if anticipation is None or want.behaviour is not Behaviour.MIRROR:
            return want
        step_s = 0.0 if self.t_prev is None else t_s - self.t_prev
        if decision is not None and belief is not None and belief.forecast_m is not None \
                and belief.side is not None:
            belief = replace(belief, forecast_m=decision.gain[belief.side] * belief.forecast_m)
        receive = None if gaze is None else partial(  # called only to answer an offer
            gaze_target, pose.world_m, person_position_m=gaze.person_position_m)
        reaching_p = belief.probs.get("reach", 0.0) if belief is not None \
            and target is not None and belief.side == target.side else 0.0
        lead = None if target is None or target.side is None or target.target_m is None \
            else ReachLead(target.side, target.target_m, target.lead_weight * reaching_p)
        q_want, own, own_reason = anticipation(want.q_rad, belief, step_s, receive, lead)
        if own is not Behaviour.MIRROR:
            return Want(q_want, own, own_reason)
        return want._replace(q_rad=q_want)

    def _look(self, want: Want, pose: PoseFrame, belief: GoalBelief | None,
              target: ReachTarget | None) -> Want:
        """Turn the head: to the object a hand reaches for, where an arm points, or the hand.

        Looking at a reached or pointed-at object (joint attention) is the robot's response.
        """
        gaze = self.stages.gaze
        if gaze is None:
            return want
        q_want = want.q_rad.copy()
        behaviour, reason = want.behaviour, want.reason
        side = belief.side if belief else None
        understood = belief is not None and belief.committed == "point"
        pointing = side if understood else pointing_arm(pose.world_m)
        reached = None if target is None else target.belief.committed
        if reached is not None:  # look at what the hand reaches for
            assert target is not None and target.target_m is not None  # the committed one
            look_at = target.target_m
            if behaviour is Behaviour.MIRROR:
                behaviour = Behaviour.RESPOND
                reason = f"looking at what you reach for: {reached}"
        elif pointing is not None:  # look where the arm points
            look_at, name = pointed_target(pose.world_m, pointing, gaze.person_position_m,
                                           gaze.objects_m, gaze.table_z_m)
            # Only a committed point is answered as one; an arm merely held out straight (in
            # a wave, a reach, a point not yet read) is followed with the eyes, and said so.
            if behaviour is Behaviour.MIRROR and understood:
                behaviour = Behaviour.RESPOND
                reason = f"looking where you point: {name}"
            elif behaviour is Behaviour.MIRROR and not reason:
                reason = f"looking along your arm: {name}"
        else:
            look_at = gaze_target(pose.world_m, side, gaze.person_position_m)
        pan, tilt = head_angles_to(look_at, gaze.head_pivot_m)
        q_want[gaze.pan_index], q_want[gaze.tilt_index] = pan, tilt
        return Want(q_want, behaviour, reason)

    def _shape(self, want: Want, t_s: float) -> tuple[FloatArray, str]:
        """The command within the robot's limits (n,) [rad], and the reason with any stop.

        NaN or infinite targets never reach the robot: the last safe command is held instead
        (and a warning printed, once). The first frame commands where the robot is.
        """
        q_want = want.q_rad
        if not np.all(np.isfinite(q_want)):
            if not self.warned_non_finite:
                self.warned_non_finite = True
                warn(f"NaN or infinite joint targets at t={t_s:.3f} s (from "
                     f"{self.source_text}); holding the last safe command instead")
            q_want = self.q_last
        shaper = self.stages.shaper
        q_cmd = shaper.q.copy() if self.t_prev is None else shaper(q_want, t_s - self.t_prev)
        reason = _and(want.reason, "stopped short of a collision") if shaper.blocked \
            else want.reason
        return q_cmd, reason


def pipeline_steps(source: PoseSource, stages: Stages, *, want_view: bool,
                   max_seconds: float | None = None,
                   live: LiveHooks | None = None) -> Iterator[Step]:
    """The per-frame decisions of the pipeline, one :class:`Step` per source frame.

    Args:
        source: The person, frame by frame.
        stages: What runs each frame (:class:`mirrorbot.run.stages.Stages`).
        want_view: Draw the person's view for each step.
        max_seconds: Stop before this much source time [s] (None: the whole source).
        live: The live window's keys, or None.
    """
    pipeline = Pipeline(source.text, stages, want_view=want_view, live=live)
    for sample in source:
        if max_seconds is not None and sample.t_s >= max_seconds - 1e-9:
            return
        yield pipeline.step(sample)
