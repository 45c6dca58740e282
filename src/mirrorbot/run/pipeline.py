"""The per-frame decisions of a run: source -> filter -> retarget -> intent -> commands.

A plain generator: each frame of the source is filtered, retargeted (both arms), recognised,
completed or answered (anticipation, gaze) and shaped to the robot's limits, giving one
:class:`mirrorbot.run.loop.Step` per frame for :func:`mirrorbot.run.loop.run_loop`. When tracking is
lost the robot holds its pose, then returns to rest smoothly; when the person is seen again it picks
up from where it is.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from functools import partial

import numpy as np

from mirrorbot.arrays import FloatArray, ImageBGR
from mirrorbot.control.safety import CommandShaper
from mirrorbot.mind.anticipation import Anticipation, ReachLead
from mirrorbot.mind.behaviour import Behaviour
from mirrorbot.mind.echo import Echo
from mirrorbot.mind.gaze import (
    Gaze,
    gaze_target,
    head_angles_to,
    pointed_target,
    pointing_arm,
)
from mirrorbot.mind.intent import IntentModel
from mirrorbot.mind.reach_watch import ReachTarget, ReachWatch
from mirrorbot.output.overlay import blank_panel, draw_skeleton, mirrored
from mirrorbot.output.skeleton_view import skeleton_picture
from mirrorbot.perception.body_frames import pose_is_plausible
from mirrorbot.perception.calibration import Calibration
from mirrorbot.perception.landmarks import PoseFrame, Side
from mirrorbot.perception.pose_filter import FilterConfig, PoseFilter
from mirrorbot.retarget.retarget import Mapping, Retargeter, driving_side
from mirrorbot.robot.scripted import min_jerk
from mirrorbot.run.live_controls import LiveHooks
from mirrorbot.run.loop import MAX_FRAME_GAP_S, Step
from mirrorbot.sources.pose_sources import PoseSample, PoseSource
from mirrorbot.warn import warn

HOLD_S = 0.5  # after losing the person, hold the pose this long [s]
RETURN_S = 1.5  # then glide to the rest pose over this long [s]


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


def _view(sample: PoseSample, pose: PoseFrame | None, caption: str) -> ImageBGR:
    """The person's view with the tracked skeleton, shown mirrored.

    Like a mirror or a selfie camera, so that the person and the robot beside them move on the
    same side of the screen. Tracking always sees the unflipped image; only this picture is
    flipped. Sources without a picture (recordings, motion capture) show the skeleton in 3-D,
    as a camera in front of the person would see it (:mod:`mirrorbot.output.skeleton_view`).
    """
    if sample.image_bgr is None:
        if pose is None:
            return blank_panel(caption)
        return mirrored(skeleton_picture(pose.world_m, pose.visibility))
    base = sample.image_bgr
    if pose is not None and pose.image_uv is not None:
        base = draw_skeleton(base, pose.image_uv, pose.visibility)
    return mirrored(base)


def pipeline_steps(source: PoseSource, retargeter: Retargeter, shaper: CommandShaper,
                   q_rest_rad: FloatArray, *, want_view: bool,
                   max_seconds: float | None = None,
                   calibration: Calibration | None = None,
                   intent: IntentModel | None = None,
                   gaze: Gaze | None = None,
                   echo: Echo | None = None,
                   arm_index: dict[Side, list[int]] | None = None,
                   mapping: Mapping = Mapping.MIRROR,
                   anticipation: Anticipation | None = None,
                   filter_config: FilterConfig | None = None,
                   live: LiveHooks | None = None,
                   reach: ReachWatch | None = None) -> Iterator[Step]:
    """The per-frame decisions of the pipeline, one :class:`Step` per source frame.

    ``intent`` sees the filtered pose and reports a belief over goals (logged and drawn);
    ``gaze`` turns the head toward the person's moving hand; ``echo`` scales each arm's
    mirroring (``arm_index``: the robot's arm joints, ``mapping``: which person arm drives
    which) by how well it is seen and holds still on erratic input; ``anticipation`` leads the
    mirrored arm by the belief's forecast and completes committed goals with the robot's own
    motion; ``live`` applies the keys of the live window (pause, record, calibrate, switch
    mapping); ``reach`` tells which of the scene's objects a hand reaches for (logged and drawn;
    the head turns to a committed one and the mirroring hand is led toward it).
    """
    pose_filter = PoseFilter(filter_config, filter_image=want_view)
    lost = LostTracking(q_rest_rad)
    q_last = q_rest_rad.copy()
    t_prev: float | None = None
    warned_non_finite = warned_gap = False
    caption = f"source: {source.text} (shown mirrored)"
    for sample in source:
        if max_seconds is not None and sample.t_s >= max_seconds - 1e-9:
            return
        if live is not None:
            if live.controls.mapping is not mapping:  # m: rebuild for the other mapping
                mapping = live.controls.mapping
                retargeter = live.rebuild_retargeter(mapping)
                if anticipation is not None:
                    anticipation.mapping = mapping
            if live.controls.calibrate and calibration is not None:
                calibration.restart()
                live.controls.calibrate = False
            live.record(sample)
            caption = f"source: {source.text} (shown mirrored) | {live.controls.message}"
            if live.controls.paused:
                t_prev = sample.t_s
                yield Step(t_s=sample.t_s, q_target_rad=shaper(q_last, 0.0),
                           behaviour=Behaviour.HOLD, reason="paused (space resumes)",
                           caption=caption, tracked=sample.pose is not None,
                           arrived_s=sample.arrived_s,
                           view_bgr=_view(sample, None, caption) if want_view else None)
                continue
        if sample.cut:  # another photo: another person, seen afresh
            pose_filter = PoseFilter(filter_config, filter_image=want_view)
            if echo is not None:
                echo.restart()
            if calibration is not None:
                calibration.restart()
            if reach is not None:
                reach.reset()
        gap_s = 0.0 if t_prev is None else sample.t_s - t_prev
        if gap_s > MAX_FRAME_GAP_S:  # a cut: start afresh, and wait no longer than the cap
            if not warned_gap:
                warned_gap = True
                warn(f"{source.text}: no frame for {gap_s:.3g} s before t={sample.t_s:.3f} s; "
                     "treating it as a cut (the robot held its pose)")
            pose_filter = PoseFilter(filter_config, filter_image=want_view)
            if reach is not None:
                reach.reset()
            t_prev = sample.t_s - MAX_FRAME_GAP_S
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
            q_want, behaviour, reason = q_last, Behaviour.HOLD, decision.reason
        elif pose is not None:
            lost.tracked()
            q_want = retargeter(pose_filter.for_robot(pose))
            behaviour, reason = Behaviour.MIRROR, ""
            if decision is not None and arm_index is not None:
                q_want = q_want.copy()
                for robot_side, idx in arm_index.items():
                    gain = decision.gain[driving_side(robot_side, mapping)]
                    if gain != 1.0:
                        q_want[idx] = q_rest_rad[idx] + gain * (q_want[idx] - q_rest_rad[idx])
                reason = decision.reason
        else:
            q_want, reason = lost.target(sample.t_s, q_last)
            if implausible:
                reason = "implausible pose: " + reason.split(": ", 1)[-1]
            behaviour = Behaviour.HOLD
        t2 = time.perf_counter()
        seen = pose if pose is None or raw is None else replace(pose, image_uv=raw.image_uv)
        belief = intent(seen, sample.t_s) if intent else None  # the image as it is: a hand at
        # the mouth is placed by the image to a few pixels, and filtering it only adds lag
        t_reach = time.perf_counter()
        target: ReachTarget | None = None
        if reach is not None:
            if pose is None:
                reach.reset()
            else:
                target = reach(pose.world_m, sample.t_s)
        t3 = time.perf_counter()
        if belief is not None and belief.committed is not None and pose is not None:
            reason = (reason + "; " if reason else "") + f"recognised: {belief.committed}"
        if anticipation is not None and pose is not None and behaviour is Behaviour.MIRROR:
            step_s = 0.0 if t_prev is None else sample.t_s - t_prev
            if decision is not None and belief is not None and belief.forecast_m is not None \
                    and belief.side is not None:  # lead no more than it mirrors that arm
                belief = replace(belief, forecast_m=decision.gain[belief.side] * belief.forecast_m)
            receive = None if gaze is None else partial(  # called only to answer an offer
                gaze_target, pose.world_m, person_position_m=gaze.person_position_m)
            # Led toward an object as much as the hand's movement is a reach (the goal belief)
            # for that object (the reach belief): not while it lifts a cup or waves.
            reaching_p = belief.probs.get("reach", 0.0) if belief is not None \
                and target is not None and belief.side == target.side else 0.0
            lead = None if target is None or target.side is None or target.target_m is None \
                else ReachLead(target.side, target.target_m, target.lead_weight * reaching_p)
            q_want, own, own_reason = anticipation(q_want, belief, step_s, receive, lead)
            if own is not Behaviour.MIRROR:
                behaviour, reason = own, own_reason
        if gaze is not None and pose is not None:
            q_want = q_want.copy()
            side = belief.side if belief else None
            pointing = side if belief is not None and belief.committed == "point" \
                else pointing_arm(pose.world_m)
            reached = None if target is None else target.belief.committed
            if reached is not None:  # joint attention: look at what the hand reaches for
                assert target is not None and target.target_m is not None  # the committed one
                look_at = target.target_m
                if behaviour is Behaviour.MIRROR:
                    behaviour = Behaviour.RESPOND
                    reason = f"looking at what you reach for: {reached}"
            elif pointing is not None:  # joint attention: look where the arm points
                look_at, name = pointed_target(pose.world_m, pointing, gaze.person_position_m,
                                               gaze.objects_m, gaze.table_z_m)
                if behaviour is Behaviour.MIRROR:
                    behaviour = Behaviour.RESPOND
                    reason = f"looking where you point: {name}"
            else:
                look_at = gaze_target(pose.world_m, side, gaze.person_position_m)
            pan, tilt = head_angles_to(look_at, gaze.head_pivot_m)
            q_want[gaze.pan_index], q_want[gaze.tilt_index] = pan, tilt
        if not np.all(np.isfinite(q_want)):  # never let NaN or inf reach the robot
            if not warned_non_finite:
                warned_non_finite = True
                warn(f"NaN or infinite joint targets at t={sample.t_s:.3f} s (from "
                     f"{source.text}); holding the last safe command instead")
            q_want = q_last
        dt = 0.0 if t_prev is None else sample.t_s - t_prev
        q_cmd = shaper(q_want, dt) if t_prev is not None else shaper.q.copy()
        if shaper.blocked:
            reason = (reason + "; " if reason else "") + "stopped short of a collision"
        t4 = time.perf_counter()
        t_prev = sample.t_s
        q_last = q_cmd
        view = None
        if want_view:
            view = _view(sample, pose, caption)
        yield Step(t_s=sample.t_s, q_target_rad=q_cmd, tracked=pose is not None,
                   behaviour=behaviour, reason=reason, caption=caption, view_bgr=view,
                   arrived_s=sample.arrived_s,
                   goal_probs=belief.probs if belief else {},
                   committed_goal=belief.committed if belief else None,
                   reach_target=None if target is None else target.to_json(),
                   timing_ms={"track": sample.track_ms, "filter": 1e3 * (t1 - t0),
                              "retarget": 1e3 * (t2 - t1), "intent": 1e3 * (t_reach - t2),
                              "reach": 1e3 * (t3 - t_reach), "shape": 1e3 * (t4 - t3)})
