"""Segmenting an arm's stream into movements, holds and rests (for :mod:`mirrorbot.mind.intent`).

Movement onset and offset segment the stream into gestures (a hand that nearly stops at the
table and moves on, as in a grasp between a reach and a lift, starts a new one). The onset and
offset thresholds rise with the tracker's noise, measured as it goes (the hands' speed when
still and how far a resting hand strays from home): the pose model's landmarks wander by
centimetres, and fixed thresholds made one long "movement" of a wandering hand. A hand held up
away from rest holds its gesture (its belief carries on); the hand tip's turns count a swing.
"""

from __future__ import annotations

from collections.abc import Callable

from mirrorbot.arrays import FloatArray, Vec3
from mirrorbot.mind.arm_track import HANGING_Z_M, ArmTrack
from mirrorbot.mind.intent_config import IntentConfig
from mirrorbot.transforms import norm3

SPEED_WINDOW = 6  # samples over which the wrist speed is measured (0.17 s at 30 Hz)
MAX_SEGMENT_S = 4.0
"""A movement is read from this much of its recent path [s] (memory stays bounded): a long wave
goes on from where it started, swinging; restarted from wherever the hand was, mid-swing, the
swing read as a raise."""
TABLE_START_Z_M = -0.12  # starts below this (arm frame) are at the table, as for the cup goals
FLOOR_QUANTILE = 0.2
"""The hands' speed when still (the tracker's noise) is taken as this quantile of their speed
(people are still for much of the time; a running estimate, so it adapts to the camera)."""
FLOOR_STEP_M_S = 0.002  # how far the running quantile moves per sample [m/s]
FLOOR_MARGIN = 2.5
"""A movement ends below this many times the still speed, and starts above twice that."""
VALLEY_FRACTION = 0.35
"""A hand that slows below this fraction of its peak speed at the table and then speeds up
again starts a new movement (a grasp between a reach and a lift)."""
VALLEY_RISE = 2.5  # ... speeding up to this many times its slowest [ratio]
SWING_MIN_M = 0.02
"""A stroke of the hand this long [m] (robot-scaled) and as much back is a turn; the turns of
a swing are evidence for the goals whose primitives swing."""
SWING_NOISE_MARGIN = 3.0  # ... or this many times how far a resting hand strays (the tracker)
HOLD_SIGMA_M = 0.02
"""How far the tip of a hand held up strays about where it is held [m] (robot-scaled): people's
raised hands drift and tremble by a centimetre or two."""
STILL_TURN_S = 0.25  # a slow wave's half-cycle [s] (people wave at 2-4 Hz)
SWING_DRIFT_S = 0.5
SWING_SPAN_M = 0.35
"""A hand that swings on from a hold drifts with its swing, but stays within this of where it
was held [m] (robot-scaled; a whole-arm goodbye swings the wrist 15-25 cm about its middle).
One gone farther has left: a new movement starts. Kinect's jitter at the mouth counted two
turns during real drinks, and the hand then put down went 50 cm as a swing's drift, read as a
wave (committed at 0.99)."""
HOLD_DRIFT_M = 0.05
"""A held hand that strays less than this from where it stopped [m] (robot-scaled) is still
held: people's raised hands drift, and each drift read as a new movement from there ("the hand
stays where it started": ``none``) undid the raise."""
HOLD_EVIDENCE_S = 1.0
"""A hand held away from rest after a movement adds this long of stillness to the movement's
evidence (then its belief is kept as it is until the hand moves again)."""
HELD_ABOVE_REST_M = 0.10
"""A seated person's hand stopped this far above where it rests at the table [m] (robot-scaled)
is held up, not put down: a point held out over the table (the wrist 10-15 cm above the table
top) ended its movement there and read as a hand at rest (``none`` 0.99) before it was
committed. Below, a hand that stops has put something down or taken it (a reach ends there)."""
SPREAD_GAIN = 0.05  # per frame at rest: how fast the spread of a resting hand is followed
SPREAD_MARGIN = 2.0
"""A resting hand has left home when it is this many times its usual distance from it away."""


def at_table_height(z_m: float) -> bool:
    """Whether a wrist height [m] (arm frame, robot-scaled) is at a seated person's table.

    Below :data:`TABLE_START_Z_M`, above a hand hanging at the side.
    """
    return HANGING_Z_M < z_m < TABLE_START_Z_M


def turn_step(anchor_m: Vec3, extreme_m: Vec3, point_m: Vec3, stroke_m: float,
              ) -> tuple[Vec3, Vec3, bool]:
    """One point of a path (3,) [m] on the way to a turn: (anchor, extreme, whether it turned).

    A turn is a stroke of ``stroke_m`` or more from the anchor to the farthest point, then as
    much back; the extreme then becomes the next stroke's anchor.
    """
    if norm3(point_m - anchor_m) > norm3(extreme_m - anchor_m):
        return anchor_m, point_m.copy(), False
    if norm3(extreme_m - anchor_m) >= stroke_m and norm3(point_m - extreme_m) >= stroke_m:
        return extreme_m, point_m.copy(), True
    return anchor_m, extreme_m, False


class Segmenter:
    """Both arms' segmentation, with the tracker's noise it measures as it goes.

    Args:
        config: The thresholds.
        carry: The log prior (G,) a gesture that goes on after a hold starts from (or None).
        standing: Whether the person of a track stands (no table at the waist).

    Attributes:
        speed_floor_m_s: The hands' speed when still: the tracker's noise [m/s].
    """

    def __init__(self, config: IntentConfig, carry: Callable[[ArmTrack], FloatArray | None],
                 standing: Callable[[ArmTrack], bool]) -> None:
        self.config = config
        self._carry = carry
        self._standing = standing
        self.speed_floor_m_s = 0.0

    def update(self, track: ArmTrack, t_s: float, wrist: Vec3, hand: Vec3) -> None:
        """Add one sample of the arm: its wrist and hand tip (3,) [m], arm frame, at ``t_s``.

        At rest the hand has a home; leaving it starts a movement. A movement ends when the
        hand slows (below the tracker's noise or well below its peak) for ``offset_hold_s``;
        held up away from rest, the gesture goes on through the hold (see :meth:`_held_away`).
        """
        cfg = self.config
        track.history.append((t_s, wrist, hand))
        if len(track.history) >= 2:
            (t0, p0, _), (t1, p1, _) = \
                track.history[max(len(track.history) - SPEED_WINDOW, 0)], track.history[-1]
            track.speed = norm3(p1 - p0) / max(t1 - t0, 1e-3)
            self.speed_floor_m_s += FLOOR_STEP_M_S * (
                FLOOR_QUANTILE - (1.0 if track.speed < self.speed_floor_m_s else 0.0))
        noise = FLOOR_MARGIN * self.speed_floor_m_s
        onset_speed = max(cfg.onset_speed_m_s, 2.0 * noise)
        offset_speed = max(cfg.offset_speed_m_s, noise)
        if not track.moving:
            if track.holding:
                self._count_turns(track, hand, t_s)  # a hand that swings little still waves
                if t_s - max(track.last_turn_t, track.hold_since) >= STILL_TURN_S \
                        and track.turns <= 1:  # once swung, a pause is part of the wave
                    track.still_turns += 1  # held through a half-cycle without turning
                    track.last_turn_t = t_s
                if t_s - track.hold_since <= HOLD_EVIDENCE_S:
                    track.samples.append((t_s, wrist, hand))  # a held hand is evidence too
                if track.home is not None and norm3(wrist - track.home) <= HOLD_DRIFT_M:
                    return  # a held hand drifts a little: the same gesture goes on
                if track.turns > 1 and t_s - track.last_turn_t <= SWING_DRIFT_S \
                        and track.held_at is not None \
                        and norm3(wrist - track.held_at) <= SWING_SPAN_M:
                    track.home = wrist.copy()  # a hand that swings on drifts with its swing
                    return
                self._start_movement(track)
                return
            # At rest the hand has a home; leaving it by a few centimetres is an onset (a
            # displacement shows sooner and is less noisy than a speed).
            if track.home is None or track.speed < offset_speed:
                track.home = wrist.copy() if track.home is None else (
                    0.8 * track.home + 0.2 * wrist)
            away = norm3(wrist - track.home)
            track.rest_spread += SPREAD_GAIN * (away - track.rest_spread)
            left_home = away > max(cfg.onset_displacement_m, SPREAD_MARGIN * track.rest_spread)
            if track.speed > onset_speed or left_home:
                self._start_movement(track)
            return
        track.samples.append((t_s, wrist, hand))
        if t_s - track.samples[0][0] > MAX_SEGMENT_S:  # a long one: its recent part (memory)
            track.samples = [x for x in track.samples if x[0] >= t_s - MAX_SEGMENT_S]
        track.peak = max(track.peak, track.speed)
        self._count_turns(track, hand, t_s)
        self._restart_at_valley(track, t_s, wrist, offset_speed)
        # A pause well below the movement's peak speed ends it too (reach, grasp, lift).
        if track.speed < max(offset_speed, cfg.pause_fraction * track.peak):
            track.slow_since = t_s if track.slow_since is None else track.slow_since
            if t_s - track.slow_since >= cfg.offset_hold_s:
                track.moving = False
                track.home = wrist.copy()
                track.holding = self._held_away(track, wrist)
                track.hold_since = t_s
                track.held_at = wrist.copy()
        else:
            track.slow_since = None

    def hold_sigma(self, track: ArmTrack) -> float:
        """How far a held hand's tip strays [m].

        :data:`HOLD_SIGMA_M`, or more with a wandering tracker (this hand's spread at rest).
        """
        return max(HOLD_SIGMA_M, SWING_NOISE_MARGIN * track.rest_spread)

    def _count_turns(self, track: ArmTrack, wrist: Vec3, t_s: float) -> None:
        """Count the times the hand (its tip, ``wrist`` here) turns back on itself.

        A turn is a stroke of at least :data:`SWING_MIN_M` (more for a wandering tracker)
        followed by as much back. Amplitude and direction free: a small wave beside the
        shoulder and a big one overhead turn alike. A raise does not turn until it comes down
        (a new movement).
        """
        if track.turn_anchor is None or track.turn_extreme is None:
            track.turn_anchor, track.turn_extreme = wrist.copy(), wrist.copy()
            return
        stroke = max(SWING_MIN_M, SWING_NOISE_MARGIN * track.rest_spread)
        track.turn_anchor, track.turn_extreme, turned = turn_step(
            track.turn_anchor, track.turn_extreme, wrist, stroke)
        if turned:
            track.turns += 1
            track.last_turn_t = t_s

    def _start_movement(self, track: ArmTrack) -> None:
        """The hand leaves its home (where it rests, or where it was held): a movement starts.

        It starts there, when the hand was last within half the onset displacement of it.
        """
        assert track.home is not None
        cfg = self.config
        track.moving = True
        back = [(t, p) for t, p, _ in track.history
                if norm3(p - track.home) <= cfg.onset_displacement_m / 2]
        t_start = back[-1][0] if back else track.history[0][0]
        track.start_t, track.start = t_start, track.home.copy()
        if not track.holding:  # where the hand rests, not where it was held
            track.add_start(track.home.copy())
        track.from_hold, track.holding = track.holding, False
        track.carried = self._carry(track) if track.from_hold else None
        track.samples = [(t, p.copy(), h.copy()) for t, p, h in track.history if t >= t_start]
        if not (track.from_hold and track.turns > 1):  # a swing that goes on keeps its turns
            track.turns, track.still_turns = 0, 0
        if not track.from_hold:  # a new gesture from rest: the hand has not been at the mouth
            track.mouth_s = 0.0
            track.gesture_start = track.start.copy()
        track.turn_anchor = track.turn_extreme = None  # the next hand tip seen
        track.slow_since = None
        track.peak = track.speed
        track.valley = None

    def _held_away(self, track: ArmTrack, wrist: Vec3) -> bool:
        """Whether a movement that just ended left the hand held up, away from its rest.

        A raised hand, a pointing arm, a wave that pauses: the gesture is the held posture,
        so the movement's belief carries on through the hold (with the hold as evidence: a
        hand held still is no swing). At the table a pause ends the movement instead (a
        reach, a grasp, a lift are three), unless the hand is held well above where it rests
        there (:data:`HELD_ABOVE_REST_M`: a point over the table); a standing person has no
        table there (a hand held out at the waist, showing the way, is held).
        """
        usual = track.rest()
        rest = track.start if usual is None else usual
        assert rest is not None
        at_table = usual is not None and at_table_height(usual[2])
        above = min(TABLE_START_Z_M, rest[2] + HELD_ABOVE_REST_M) if at_table \
            else TABLE_START_Z_M
        return bool((wrist[2] >= above or self._standing(track))
                    and norm3(wrist - rest) >= self.config.min_travel_m)

    def _restart_at_valley(self, track: ArmTrack, t_s: float, wrist: Vec3,
                           still_speed: float) -> None:
        """A hand that nearly stopped at the table and moves on starts a new movement.

        Reaching for a cup, grasping it and lifting it are two movements, but the grasp is
        brief (0.15-0.3 s) and the filtered speed seldom stays below the pause threshold for
        ``offset_hold_s``: the lift then went on as part of the reach, recognised from the
        wrong start (a reach-and-lift reads as ``clear`` with certainty). So the slowest
        moment since the last peak is remembered; when it was at table height, below
        ``VALLEY_FRACTION`` of the peak, and the hand speeds up again past ``VALLEY_RISE``
        times that (and past ``still_speed``, the tracker's noise), the movement restarts
        there. Only at the table: a wave slows at every turn in the air.
        """
        if track.valley is None or track.speed < track.valley[0]:
            track.valley = (track.speed, t_s, wrist.copy())
            return
        v_speed, v_t, v_where = track.valley
        if (v_where[2] < TABLE_START_Z_M and v_speed < VALLEY_FRACTION * track.peak
                and track.speed > max(VALLEY_RISE * v_speed, still_speed)
                and v_t > track.start_t):
            track.start_t, track.start = v_t, v_where
            track.samples = [x for x in track.samples if x[0] >= v_t]
            track.peak = track.speed
            track.valley = None
        elif track.speed >= track.peak:  # a new peak: look for the valley after it
            track.valley = None
