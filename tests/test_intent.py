"""Goal recognition by the robot's repertoire."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

import numpy as np
import pytest

from mirrorbot.labels import GestureLabel
from mirrorbot.mind.intent import GoalBelief, RepertoireIntent
from mirrorbot.mind.repertoire import (
    builtin_primitives,
    load_primitive,
    load_repertoire,
    save_primitive,
)
from mirrorbot.perception.landmarks import Side
from mirrorbot.perception.pose_filter import PoseFilter
from mirrorbot.synth.synth_noise import NoiseConfig
from mirrorbot.synth.synth_person import SyntheticConfig, SyntheticPerson, SynthFrame


class _Run(NamedTuple):
    """A synthetic person's frames, the recogniser's belief after each, and the labels."""

    frames: list[SynthFrame]
    beliefs: list[GoalBelief]
    labels: tuple[GestureLabel, ...]

    def index(self, label: GestureLabel, fraction: float) -> int:
        """The frame at ``fraction`` of a labelled movement."""
        times = np.array([f.t_s for f in self.frames])
        return int(np.searchsorted(times, label.start_s + fraction * (label.end_s
                                                                       - label.start_s)))

    def at(self, label: GestureLabel, fraction: float) -> GoalBelief:
        """The belief at ``fraction`` of a labelled movement."""
        return self.beliefs[self.index(label, fraction)]


def _top(belief: GoalBelief) -> str:
    return max(belief.probs.items(), key=lambda kv: kv[1])[0]


def _run(gestures: tuple[str, ...], seed: int, noise: NoiseConfig) -> _Run:
    person = SyntheticPerson(SyntheticConfig(gestures=gestures, seed=seed, noise=noise))
    model, pose_filter = RepertoireIntent(), PoseFilter()
    frames = list(person.frames())
    return _Run(frames, [model(pose_filter(f.observed, f.t_s), f.t_s) for f in frames],
                person.labels)


def test_posterior_is_normalised_and_deterministic() -> None:
    a = _run(("wave", "drink"), 4, NoiseConfig()).beliefs
    b = _run(("wave", "drink"), 4, NoiseConfig()).beliefs
    for x, y in zip(a, b, strict=True):
        assert abs(sum(x.probs.values()) - 1.0) < 1e-9
        assert x.probs == y.probs and x.committed == y.committed
    assert set(a[0].probs) == {"wave", "raise", "point", "reach", "drink", "offer", "clear",
                               "none"}


def test_noise_free_movements_are_recognised_by_their_end() -> None:
    run = _run(("raise", "wave", "clear"), 1, NoiseConfig.off())
    for label in run.labels:
        assert _top(run.at(label, 0.9)) == label.goal


def test_a_still_person_never_commits() -> None:
    beliefs = _run(("none",), 2, NoiseConfig.off()).beliefs
    assert all(b.committed is None for b in beliefs[:20])


def test_a_wandering_idle_hand_is_not_one_endless_movement() -> None:
    """The pose model's slow wander: the thresholds rise with the noise they measure.

    With fixed thresholds the recogniser thought the hands were moving 92-99% of the time
    outside the labelled movements (the wander never fell below the offset speed).
    """
    moving = []
    for seed in (1, 2, 3):
        run = _run(("none",) * 6, seed, NoiseConfig(wander=True))
        idle = [b.moving for f, b in zip(run.frames, run.beliefs, strict=True) if f.label is None]
        moving.append(float(np.mean(idle)))
    print(f"moving outside the labelled movements: {np.round(moving, 2)}")
    assert np.mean(moving) < 0.8


@pytest.mark.slow
def test_a_lift_where_the_hand_just_went_reads_as_a_cup_goal_early() -> None:
    """Context: at 40% of a drink, offer or clear the path alone looks like a raise.

    Starting at the table away from the hand's rest place (where the reach for the cup ended)
    raises the cup goals' prior; without it 13 of these 32 were right at 40%.
    """
    right = total = 0
    for seed in range(1, 9):
        run = _run(("raise", "drink", "drink", "offer", "clear"), seed, NoiseConfig())
        for label in run.labels:
            if label.goal in ("drink", "offer", "clear"):
                total += 1
                right += _top(run.at(label, 0.4)) == label.goal
    print(f"cup goals right at 40%: {right}/{total}")
    assert right >= 16


def test_learned_primitive_round_trips(tmp_path) -> None:  # noqa: ANN001
    base = builtin_primitives()[0]
    template = np.linspace([0, 0, 0], [0.1, 0.2, 0.3], 11)
    learned = type(base)("nod", template[-1:], template_m=template, learned=True)
    save_primitive(learned, tmp_path / "nod.json", demos=3, duration_s=1.2)
    loaded, duration = load_primitive(tmp_path / "nod.json")
    assert loaded.name == "nod" and duration == 1.2
    np.testing.assert_allclose(loaded.template_m, template, atol=1e-5)
    repertoire, durations = load_repertoire(tmp_path)
    assert repertoire.goals[-2:] == ("nod", "none") and durations == {"nod": 1.2}
    assert RepertoireIntent(repertoire, durations=durations).goals == repertoire.goals


def _record_demos(folder, gesture: str, seeds: tuple[int, ...]) -> list:  # noqa: ANN001
    from mirrorbot.perception.recording import RecordingHeader, RecordingWriter

    files = []
    for seed in seeds:
        person = SyntheticPerson(SyntheticConfig(gestures=(gesture,), seed=seed))
        path = folder / f"{gesture}{seed}.jsonl"
        with RecordingWriter(path, RecordingHeader(fps=30.0, source="test",
                                                   labels=person.labels)) as writer:
            for frame in person.frames():
                writer.write(frame.t_s, frame.observed)
        files.append(path)
    return files


def test_learning_from_three_demos_makes_a_new_gesture_recognisable(tmp_path) -> None:  # noqa: ANN001
    """`clear` is taken out of the repertoire and taught back as `sweep` from three demos."""
    from helpers import run_cli

    files = _record_demos(tmp_path, "clear", (11, 12, 13))
    result = run_cli("learn", "sweep", *map(str, files), "--out", str(tmp_path / "rep"))
    assert result.returncode == 0, result.stderr
    assert "learned 'sweep' from 3 demonstrations" in result.stdout
    repertoire, durations = load_repertoire(tmp_path / "rep")
    repertoire.primitives = [p for p in repertoire.primitives if p.name != "clear"]
    recognised = 0
    for seed in (21, 22, 23, 24):  # demonstrations never seen while learning
        person = SyntheticPerson(SyntheticConfig(gestures=("clear",), seed=seed))
        model, pose_filter = RepertoireIntent(repertoire, durations=durations), PoseFilter()
        label = person.labels[0]
        at = label.start_s + 0.9 * (label.end_s - label.start_s)
        belief = None
        for frame in person.frames():
            b = model(pose_filter(frame.observed, frame.t_s), frame.t_s)
            if frame.t_s <= at:
                belief = b
        assert belief is not None
        recognised += max(belief.probs.items(), key=lambda kv: kv[1])[0] == "sweep"
    assert recognised >= 3


def test_learn_refuses_bad_requests(tmp_path) -> None:  # noqa: ANN001
    from helpers import run_cli

    files = _record_demos(tmp_path, "wave", (1, 2))
    result = run_cli("learn", "hello", *map(str, files), "--out", str(tmp_path / "rep"))
    assert result.returncode == 2 and "at least 3 demonstrations" in result.stderr
    result = run_cli("learn", "wave", *map(str, files * 2), "--out", str(tmp_path / "rep"))
    assert result.returncode == 2 and "is a built-in goal" in result.stderr
    result = run_cli("learn", "hello", *map(str, [files[0], *files]), "--out",
                     str(tmp_path / "rep"))
    assert result.returncode == 2 and "is given twice as a demonstration" in result.stderr
    (tmp_path / "bad.jsonl").write_text("nope\n")
    result = run_cli("learn", "hello", *map(str, files), str(tmp_path / "bad.jsonl"))
    assert result.returncode == 2 and "header is not valid JSON" in result.stderr


@pytest.mark.slow
def test_lead_time_shows_the_robot_arriving_first_when_it_anticipates() -> None:
    """The clearing of seed 5: anticipating, the robot gets there no later than the person."""
    from mirrorbot.eval.lead_time import leads, summarise
    from mirrorbot.sources.pose_sources import synthetic_person

    spec = "raise,reach,drink,clear?seed=5"
    person = synthetic_person(spec)  # the person the loop runs: in its scene
    frames = [(f.t_s, f.observed) for f in person.frames()]
    result = leads(frames, person.labels, f"synthetic:{spec}")
    clear = next(x for x in result if x.goal == "clear")
    print(result)
    assert clear.lead_ms is not None and clear.lead_ms >= 0
    assert clear.mirror_lead_ms is None or clear.lead_ms > clear.mirror_lead_ms  # time won
    summary = summarise(result)
    assert summary["movements"] == len(result) and summary["anticipating"]["median_ms"] is not None


def test_lead_time_finds_the_moving_arm_through_untracked_frames() -> None:
    """The lead is measured on the arm that moved, even with untracked frames.

    One untracked frame made ``np.ptp`` NaN for the moving arm, and the still arm won the tie:
    the lead was then measured on a hand that never moved (0 ms, both robots).
    """
    from mirrorbot.eval.lead_time import Lead, _extent_m, summarise

    moving = np.linspace([0.2, 0.0, -0.25], [0.1, 0.1, 0.45], 30)
    moving[12] = np.nan
    still = np.tile([0.2, 0.0, -0.25], (30, 1)) + 0.002
    assert abs(_extent_m(moving) - 0.9) < 1e-9 and _extent_m(still) == 0.0
    assert _extent_m(np.full((3, 3), np.nan)) == 0.0
    # A hand that started in its goal region has no lead to measure: left out, counted.
    result = summarise([Lead("drink", 100.0, -33.0, True), Lead("drink", 200.0, 0.0, True),
                        Lead("clear", None, None, True, already_there=True)])
    assert result["movements"] == 2 and result["already_there"] == 1
    assert result["where_committed"]["anticipating"]["median_ms"] == 150.0
    assert result["where_committed_by_goal"] == {"drink": {
        "movements": 2, "median_ms": 150.0, "mean_ms": 150.0, "robot_first_fraction": 1.0,
        "never_arrived": 0}}


def test_eval_intent_sessions_are_what_the_loop_runs() -> None:
    """The lead time compares the robot's run of a session's source with that session's person.

    They were different people before (no scene, no camera turn): the robot was timed
    against movements it had never been shown, some with the other hand.
    """
    from mirrorbot.eval.eval_intent import synthetic_sessions
    from mirrorbot.perception.source_spec import parse_source
    from mirrorbot.sources.pose_sources import open_pose_source

    session = synthetic_sessions((3001,))[0]
    source = open_pose_source(parse_source(session.source))
    try:
        shown = [sample.pose for sample in source]
    finally:
        source.close()
    assert len(shown) == len(session.frames)
    for (_, pose), seen in zip(session.frames, shown, strict=True):
        assert (pose is None) == (seen is None)
        if pose is not None and seen is not None:
            np.testing.assert_array_equal(pose.world_m, seen.world_m)


def test_a_lift_after_a_brief_grasp_is_a_movement_of_its_own() -> None:
    """Reach for the cup, grasp it briefly, lift: the lift is recognised from the grasp.

    The grasp (0.15-0.3 s) seldom slowed the filtered hand for long enough to end the reach,
    so the lift went on as part of it and was judged from where the reach began: here 3 of
    the 18 lifts (0.8-1.5 s before the lift), and such lifts were read with certainty as
    another cup goal.
    """
    starts_late = []
    for seed in range(1, 7):
        run = _run(("drink", "offer", "clear"), seed, NoiseConfig())
        for label in run.labels:
            k = run.index(label, 0.6)
            belief = run.beliefs[k]
            assert belief.moving
            # When the movement under way started, relative to the lift's labelled start [s].
            starts_late.append(run.frames[k].t_s - belief.elapsed_s - label.start_s)
    print(f"movement start minus lift start [s]: {np.round(starts_late, 2)}")
    assert min(starts_late) > -0.3  # none judged from the reach's start (0.85 s or more before)


def test_a_wave_is_a_wave_to_its_end() -> None:
    """A wave that paused beside the head and swings on is still a wave.

    The filtered view damps a 2 Hz wave to a wobble; after the arm has arrived the swing is a
    movement of its own, which starts beside the head. It read as ``none`` (the wave was only
    modelled as swinging after arriving from below): 31 of these 48 were right, now 44.
    """
    right = total = 0
    for seed in range(1, 9):
        run = _run(("wave", "wave"), seed, NoiseConfig())
        for label in run.labels:
            for fraction in (0.7, 0.8, 0.9):
                total += 1
                right += _top(run.at(label, fraction)) == "wave"
    print(f"waves right at 70/80/90%: {right}/{total}")
    assert right >= 0.85 * total


REST_M = np.array([0.23, -0.02, -0.25])  # where the person's hands rest, arm frame
CUP_M = np.array([0.33, 0.0, -0.26])  # the cup on the table in front of them
HANGING_M = np.array([0.05, 0.1, -0.52])  # where a standing person's hands hang


def _played_primitives() -> Iterator[tuple[str, Callable[[float], np.ndarray]]]:
    """Each goal primitive to each of its targets as the wrist's path (arm frame [m]).

    Noise-free, at rest until 1 s, then 1 s of minimum-jerk movement from the hand's rest (from
    the cup for the cup goals): (goal, wrist position at a time [s]). The seated person's
    repertoire (the standing person's ways to a goal, and a cup carried off without a lift,
    are tested apart).
    """
    from mirrorbot.mind.repertoire import min_jerk_array

    for primitive in builtin_primitives():
        if primitive.name == "none":
            continue
        if primitive.standing:  # a standing person's ways: test_a_hand_held_up_...
            continue
        if primitive.from_table and not primitive.lift_m:  # a cup carried off directly:
            continue  # only once it was taken (test_a_person_who_barely_lifts_the_cup_...)
        start = CUP_M if primitive.lift_m else REST_M
        for target in primitive.targets_m:
            def wrist(t_s: float, p=primitive, a=start, b=target):  # noqa: ANN001, ANN202
                return p.path(a, b, min_jerk_array(np.array([t_s - 1.0])))[0]

            yield primitive.name, wrist


def test_minimum_jerk_reaches_to_known_goals_rank_the_true_goal_first_at_40_percent() -> None:
    """The issue's test: minimum-jerk reaches to known goals rank the true goal first by 40%.

    Each primitive of the repertoire is played as the person's wrist path (noise-free, 1 s,
    minimum-jerk timing, from the hand's rest or from the cup) in the arm frame. Without the
    onset phases (the movement is seen to start 0.1 s late) 4 of the 21 were ranked second:
    two raises and a wave taken for one another or for a head touch, a reach for a point.
    """
    from mirrorbot.perception.landmarks import Side

    fps, fraction = 30.0, 0.4
    checked = wrong = 0
    for goal, wrist in _played_primitives():
        model = RepertoireIntent()
        belief = None
        for k in range(int(fps * (1.0 + fraction)) + 1):
            t_s = k / fps
            belief = model.update_wrists({Side.LEFT: wrist(t_s), Side.RIGHT: REST_M}, t_s)
        assert belief is not None
        top = _top(belief)
        checked += 1
        if top != goal:
            wrong += 1
            print(f"{goal} to {wrist(2.0)}: {top} ({belief.probs})")
    assert checked == 21 and wrong == 0


@pytest.mark.parametrize("swing_hz", [0.0, 2.5])
def test_a_hand_held_up_is_a_raise_and_a_hand_that_swings_there_a_wave(swing_hz: float) -> None:
    """Raise and wave end in the same places (a hand held up); the hold or the swing tells.

    Real people raise a hand and wave it at the same height (overhead, at the face, at the
    shoulder): from hanging, the hand goes up to each of those places in 0.8 s and stays 1.5 s,
    still or with its tip swinging 5 cm side to side (a wave made at the wrist, the wrist
    itself still). Until it holds or swings the belief hedges between the two (no commitment);
    then the right one is committed, and nothing else ever is.
    """
    from mirrorbot.mind.repertoire import HAND_UP_M, min_jerk_array
    from mirrorbot.perception.landmarks import Side

    goal = "wave" if swing_hz else "raise"
    for target in np.array(HAND_UP_M):
        model = RepertoireIntent()
        committed = []
        for k in range(int(30 * 3.3)):
            t_s = k / 30.0
            s = min_jerk_array(np.array([(t_s - 1.0) / 0.8]))[0]
            wrist = HANGING_M + s * (target - HANGING_M)
            tip = wrist.copy()
            if t_s > 1.8:
                tip[1] += 0.05 * np.sin(2 * np.pi * swing_hz * (t_s - 1.8))
            belief = model.update_wrists({Side.LEFT: wrist, Side.RIGHT: REST_M}, t_s,
                                         {Side.LEFT: tip, Side.RIGHT: REST_M})
            if belief.committed is not None:
                committed.append((t_s, belief.committed))
        assert committed, f"nothing committed for a {goal} to {target}"
        assert {g for _, g in committed} == {goal}, (target, committed[:3])
        assert committed[0][0] > 1.6, (target, committed[0])  # not before it holds or swings


def test_the_forecast_is_nearer_where_the_hand_goes_than_where_it_is() -> None:
    """``forecast_m``: the hand's expected move over the next ``forecast_s``, from the repertoire.

    Each primitive is played as in the test above (noise-free, 1 s). From 20% to 70% of the
    movement the forecast (where the hand is plus ``forecast_m``) must be nearer where the hand is
    ``forecast_s`` later than copying where it is now. At rest there is no forecast.
    """
    from mirrorbot.perception.landmarks import Side

    fps = 30.0
    horizon_s = RepertoireIntent().config.forecast_s
    err_forecast, err_copy = [], []
    for goal, wrist in _played_primitives():
        model = RepertoireIntent()
        for k in range(int(fps * 1.7) + 1):
            t_s = k / fps
            belief = model.update_wrists({Side.LEFT: wrist(t_s), Side.RIGHT: REST_M}, t_s)
            if t_s < 1.0:
                assert belief.forecast_m is None  # still at rest
            elif t_s >= 1.2:
                assert (belief.forecast_m is None) == (not belief.moving)
                if belief.forecast_m is None:  # a short reach is seen to start late
                    print(f"{goal} to {wrist(2.0)}: not moving at {t_s:.2f} s")
                    continue
                later = wrist(t_s + horizon_s)
                err_forecast.append(float(np.linalg.norm(wrist(t_s) + belief.forecast_m - later)))
                err_copy.append(float(np.linalg.norm(wrist(t_s) - later)))
    forecast, copy = float(np.mean(err_forecast)), float(np.mean(err_copy))
    print(f"{horizon_s:.2f} s ahead: forecast {1e3 * forecast:.0f} mm, copying {1e3 * copy:.0f}"
          " mm from where the hand is then (mean)")
    assert forecast < 0.5 * copy


def _up_and_on(model: RepertoireIntent, side: Side, target: np.ndarray, rise_s: float,
               swing_m: float, swing_hz: float = 2.5, hold_s: float = 0.4,
               end_s: float = 3.5) -> list[GoalBelief]:
    """Beliefs at 30 Hz of a hand that goes up from hanging to ``target`` in ``rise_s``.

    It stays ``hold_s``, then swings its tip ``swing_m`` side to side (0: stays still) until
    ``end_s``; the other hand hangs.
    """
    from mirrorbot.mind.repertoire import min_jerk_array

    other = Side.RIGHT if side is Side.LEFT else Side.LEFT
    beliefs = []
    for k in range(int(30 * end_s)):
        t_s = k / 30.0
        s = min_jerk_array(np.array([(t_s - 0.5) / rise_s]))[0]
        wrist = HANGING_M + s * (target - HANGING_M)
        tip = wrist.copy()
        swing_from_s = 0.5 + rise_s + hold_s
        if t_s > swing_from_s:
            tip[1] += swing_m * np.sin(2 * np.pi * swing_hz * (t_s - swing_from_s))
        beliefs.append(model.update_wrists({side: wrist, other: HANGING_M}, t_s,
                                           {side: tip, other: HANGING_M}))
    return beliefs


def _committed(beliefs: list[GoalBelief]) -> set[str]:
    return {b.committed for b in beliefs if b.committed is not None}


@pytest.mark.parametrize("side", [Side.LEFT, Side.RIGHT])
def test_styles_of_a_gesture_read_alike_speed_amplitude_and_hand(side: Side) -> None:
    """A held-back style of a gesture reads as the gesture: nothing is fitted per person.

    Real styles differ in speed (a brisk 0.4 s raise, a slow 1.6 s one), in how big a wave is
    (a 3 cm flap of the hand, a 12 cm swing of the forearm, a 25 cm swing of the whole arm;
    less than a held hand's tremble, HOLD_SIGMA_M, cannot be told from it) and in the hand.
    The recogniser has no parameter fitted to a style: each combination must read as its
    gesture, on either hand, and as nothing else.
    """
    from mirrorbot.mind.repertoire import HAND_UP_M

    target = np.array(HAND_UP_M[1])  # in front at the shoulder
    for rise_s in (0.4, 0.8, 1.6):
        raised = _up_and_on(RepertoireIntent(), side, target, rise_s, 0.0)
        assert _committed(raised) == {"raise"}, (rise_s, _committed(raised))
        for swing_m in (0.03, 0.05, 0.12, 0.25):
            waved = _up_and_on(RepertoireIntent(), side, target, rise_s, swing_m, hold_s=0.1)
            assert _committed(waved) == {"wave"}, (rise_s, swing_m, _committed(waved))


def test_a_wave_of_any_size_is_a_wave_that_does_not_flip() -> None:
    """A whole-arm wave swings the hand 20-40 cm side to side (the active actors' goodbyes).

    Its swing is as wide as it is seen to be (no amplitude is assumed): at every place a hand
    is held up it is committed to ``wave`` only, and the confident goal never changes. Scored
    against a fixed 5 cm swing, a 40 cm one up and forward flipped six times between wave and
    raise.
    """
    from mirrorbot.eval.eval_intent_clips import CONFIDENT
    from mirrorbot.mind.repertoire import HAND_UP_M

    for swing_m in (0.2, 0.4):
        for target in np.array(HAND_UP_M):
            beliefs = _up_and_on(RepertoireIntent(), Side.LEFT, target, 0.8, swing_m,
                                 hold_s=0.1, end_s=6.0)
            assert _committed(beliefs) == {"wave"}, (swing_m, target, _committed(beliefs))
            confident = [max(b.probs, key=b.probs.__getitem__) for b in beliefs
                         if max(b.probs.values()) >= CONFIDENT]
            goals = [g for g in confident if g != "none"]
            assert all(g == "wave" for g in goals), (swing_m, target, goals)


def test_an_ambiguous_movement_hedges_and_flips_at_most_once() -> None:
    """Up, held a moment (a raise?), then swinging (a wave): confident at most twice.

    While the hand goes up the belief hedges between raise and wave (neither confident); a
    hold may make it a raise; the swing that follows makes it a wave: one change between
    confident goals at most, and no flicker back.
    """
    from mirrorbot.eval.eval_intent_clips import CONFIDENT
    from mirrorbot.mind.repertoire import HAND_UP_M

    beliefs = _up_and_on(RepertoireIntent(), Side.LEFT, np.array(HAND_UP_M[0]), 0.8, 0.05,
                         hold_s=0.8, end_s=4.5)
    confident = [max(b.probs, key=b.probs.__getitem__) for b in beliefs
                 if max(b.probs.values()) >= CONFIDENT]
    goals = [g for g in confident if g != "none"]
    changes = sum(1 for a, b in zip(goals, goals[1:], strict=False) if a != b)
    assert changes <= 1, goals
    assert goals and goals[-1] == "wave", goals
    rising = beliefs[int(30 * 0.5):int(30 * 1.3)]  # 0.5-1.3 s: the hand goes up
    assert all(b.committed is None for b in rising), [b.committed for b in rising]


def _elbow_bend(theta_rad: float, inward_m: float) -> np.ndarray:
    """The wrist (3,) [m] (robot's arm frame) of a standing arm bent at the elbow by ``theta``.

    The upper arm hangs and swings forward by a fifth of the bend as it goes; the hand comes
    ``inward_m`` toward the body's middle as the bend completes (the cup to the mouth).
    """
    from mirrorbot.robot.urdf_builder import FOREARM_LENGTH_M, UPPER_ARM_LENGTH_M

    fraction = theta_rad / np.radians(150)
    upper = 0.2 * theta_rad
    elbow = UPPER_ARM_LENGTH_M * np.array([np.sin(upper), 0.0, -np.cos(upper)])
    wrist = elbow + FOREARM_LENGTH_M * np.array([np.sin(upper + theta_rad), 0.0,
                                                 -np.cos(upper + theta_rad)])
    wrist[1] = 0.05 - inward_m * fraction
    return wrist


@pytest.mark.parametrize(("bend_s", "bend_deg", "inward_m"),
                         [(0.7, 150, 0.18), (1.0, 150, 0.13), (1.6, 140, 0.18), (1.0, 130, 0.1)])
def test_a_standing_person_lifting_a_hand_to_the_mouth_drinks(bend_s: float, bend_deg: float,
                                                              inward_m: float) -> None:
    """A cup lifted to the mouth is a drink, with no table: a hanging hand bent up at the elbow.

    Varied in speed, how far the elbow bends and how far the hand comes in. It is committed to
    ``drink`` while the hand is held there, and to nothing else ever; the same hand lowered
    again (the elbow unbent) is not a second drink.
    """
    from mirrorbot.mind.repertoire import min_jerk_array
    from mirrorbot.perception.landmarks import Side

    model = RepertoireIntent()
    committed: list[tuple[float, str]] = []
    end = np.radians(bend_deg)
    for k in range(int(30 * (2.0 + 2 * bend_s + 2.0))):
        t_s = k / 30.0
        up = min_jerk_array(np.array([(t_s - 1.0) / bend_s]))[0]
        down = min_jerk_array(np.array([(t_s - 3.0 - bend_s) / bend_s]))[0]
        wrist = _elbow_bend(end * (up - down), inward_m)
        belief = model.update_wrists({Side.RIGHT: wrist, Side.LEFT: HANGING_M}, t_s)
        if belief.committed is not None:
            committed.append((t_s, belief.committed))
    assert committed, "a drink from a hanging hand was never committed"
    assert {g for _, g in committed} == {"drink"}, committed[:3]
    assert committed[0][0] < 1.0 + bend_s + 1.0  # while the cup is at the mouth


def test_a_hand_to_the_top_of_the_head_is_no_drink() -> None:
    """Touching the top of the head (a goal-less movement) is not read as a drink."""
    from mirrorbot.mind.repertoire import builtin_primitives

    head = next(p for p in builtin_primitives() if p.name == "none").targets_m[0]
    beliefs = _up_and_on(RepertoireIntent(), Side.RIGHT, head, 0.9, 0.0, end_s=3.0)
    assert "drink" not in _committed(beliefs)


def test_a_person_who_barely_lifts_the_cup_is_read_offering_it() -> None:
    """Another person's cup handling: lifted 0-4 cm before being carried (ours lifts 14-20).

    Whole sessions of that person (every gesture twice in a seeded order, in the tabletop scene:
    pose, noise, the recognition filter): of their six offers, at least five are committed as
    offers and none is ever committed as a point. Read by the lifting ways alone, a third of
    such offers were committed as points (a second synthetic person's offers all were).
    """
    import dataclasses

    from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
    from mirrorbot.perception.pose_filter import RECOGNITION_FILTER
    from mirrorbot.sim.scene import load_scene
    from mirrorbot.sources.pose_sources import parse_synthetic
    from mirrorbot.synth.synth_gestures import GESTURES

    scene = load_scene(scene_path(DEFAULT_SCENE_NAME))
    offered, pointed, offers = 0, 0, 0
    for seed in (500, 501, 502):
        order = np.random.default_rng(seed).permutation([g for g in GESTURES for _ in range(2)])
        config = dataclasses.replace(parse_synthetic(f"{','.join(order)}?seed={seed}"),
                                     cup_lift_m=(0.0, 0.04))
        person = SyntheticPerson(config, scene)
        model, pose_filter = RepertoireIntent(), PoseFilter(RECOGNITION_FILTER)
        labels = [lb for lb in person.labels if lb.goal == "offer"]
        committed: list[set[str]] = [set() for _ in labels]
        for frame in person.frames():
            belief = model(pose_filter(frame.observed, frame.t_s), frame.t_s)
            for label, seen in zip(labels, committed, strict=True):
                if label.start_s <= frame.t_s <= label.end_s + 0.5 and belief.committed:
                    seen.add(belief.committed)
        offers += len(labels)
        offered += sum("offer" in seen for seen in committed)
        pointed += sum("point" in seen for seen in committed)
    assert offers == 6 and pointed == 0 and offered >= 5, (offered, pointed)



def test_a_standing_persons_hand_held_out_at_the_waist_is_held() -> None:
    """Showing the way: a hanging hand swung out to the side at waist height and held there.

    Seated, a hand that stops at the table's height has ended its movement (a reach, a grasp);
    a standing person has no table there: the hand is held, its belief carries on, and the
    point is committed (the actors' "guide" gesture read as nothing when the hold was dropped).
    """
    out_at_waist = np.array([0.31, 0.37, -0.18])  # measured in a real actor's clip
    beliefs = _up_and_on(RepertoireIntent(), Side.RIGHT, out_at_waist, 0.8, 0.0)
    held = [b for k, b in enumerate(beliefs) if k / 30.0 > 2.0]
    assert all(b.side is Side.RIGHT for b in held)  # still the held gesture, not at rest
    committed = _committed(beliefs)
    assert committed == {"point"}, committed


def _drinks_with_the_hand_pushed_forward(shift_m: float, seeds: tuple[int, ...],
                                         ) -> list[set[str]]:
    """What is committed on the synthetic person's drinks, the hand's depth pushed off.

    By ``shift_m`` toward the camera while it is at the face (the image unchanged): the error
    the pose model makes on a real woman drinking (her hand 32 cm in front of her mouth).
    """
    import dataclasses

    from mirrorbot.mind.hand_at_mouth import _HAND_POINTS
    from mirrorbot.perception.landmarks import Landmark, Side
    from mirrorbot.perception.pose_filter import RECOGNITION_FILTER

    committed = []
    for seed in seeds:
        person = SyntheticPerson(SyntheticConfig(gestures=("drink",), seed=seed))
        model, pose_filter = RepertoireIntent(), PoseFilter(RECOGNITION_FILTER,
                                                            filter_image=False)
        seen: set[str] = set()
        label = person.labels[0]
        for frame in person.frames():
            pose = frame.observed
            if pose is not None:
                world = pose.world_m.copy()
                nose = world[int(Landmark.NOSE)]
                for side in Side:
                    hand = _HAND_POINTS[side]
                    if np.linalg.norm(world[hand[0]] - nose) < 0.3:  # at the face
                        world[hand, 2] -= shift_m  # MediaPipe's z: smaller is nearer
                pose = dataclasses.replace(pose, world_m=world)
            belief = model(pose_filter(pose, frame.t_s), frame.t_s)
            if belief.committed and label.start_s <= frame.t_s <= label.end_s + 1.0:
                seen.add(belief.committed)
        committed.append(seen)
    return committed


def test_a_cup_the_image_shows_at_the_mouth_is_a_drink_whatever_its_depth() -> None:
    """The image places a hand at the mouth to a few pixels; its depth may be 30 cm off.

    The synthetic person's drinks, the hand's depth pushed 0.3 m toward the camera while it
    is at the face (as MediaPipe put a real drinker's hand): read by where the world landmarks
    put the hand, each is an offer and never a drink; with the image's word on it, each is
    committed to ``drink`` (after an offer as the cup comes up, pushed out, in most).
    """
    for seen in _drinks_with_the_hand_pushed_forward(0.3, (601, 602, 603, 604)):
        assert "drink" in seen, seen


@pytest.mark.parametrize(("centre_rad", "swing_rad", "swing_hz"),
                         [(0.35, 0.5, 1.5), (0.2, 0.5, 1.5), (0.1, 0.4, 1.5), (0.3, 0.4, 2.0)])
def test_an_overhead_swing_about_the_shoulder_flips_at_most_once(
        centre_rad: float, swing_rad: float, swing_hz: float) -> None:
    """A goodbye swung with the whole arm overhead, the hand arcing about the shoulder.

    The hand goes up (the belief may be a raise, even committed), then swings for 5 s: it
    becomes a wave once and stays one. Read alone, each frame's few samples of the path
    aliased with the swing and the belief went back to ``raise`` 3-7 times (the actors' whole-
    arm goodbyes: 11 times in a clip); its reads are now averaged over a sample spacing.
    """
    from mirrorbot.eval.eval_intent_clips import CONFIDENT
    from mirrorbot.mind.repertoire import min_jerk_array

    model, arm_m = RepertoireIntent(), 0.55
    confident = []
    for k in range(30 * 7):
        t_s = k / 30.0
        angle = centre_rad + swing_rad * np.sin(2 * np.pi * swing_hz * max(t_s - 1.3, 0.0))
        overhead = np.array([0.1, arm_m * np.sin(angle), arm_m * np.cos(angle)])
        s = min_jerk_array(np.array([(t_s - 0.5) / 0.8]))[0]
        wrist = HANGING_M + s * (overhead - HANGING_M) if t_s < 1.3 else overhead
        belief = model.update_wrists({Side.LEFT: wrist, Side.RIGHT: HANGING_M}, t_s)
        goal, p = max(belief.probs.items(), key=lambda kv: kv[1])
        if p >= CONFIDENT and goal != "none":
            confident.append(goal)
    changes = sum(1 for a, b in zip(confident, confident[1:], strict=False) if a != b)
    assert changes <= 1 and confident[-1] == "wave", confident


def test_smoothed_evidence_averages_one_movements_recent_reads() -> None:
    """The mean of the reads within the window, of this movement only; impossible stays so."""
    from mirrorbot.mind.arm_track import ArmTrack
    from mirrorbot.mind.intent import smoothed_evidence

    track = ArmTrack(start_t=0.0)
    inf = -np.inf
    first = smoothed_evidence(track, 1.0, np.array([-1.0, -5.0, inf]), 0.2)
    assert first.tolist() == [-1.0, -5.0, inf]  # one read: itself
    smoothed_evidence(track, 1.1, np.array([-3.0, -1.0, inf]), 0.2)
    now = smoothed_evidence(track, 1.2, np.array([-5.0, -3.0, -2.0]), 0.2)
    assert now.tolist() == [-3.0, -3.0, -2.0]  # the third goal only from the read allowing it
    later = smoothed_evidence(track, 1.35, np.array([-7.0, inf, -4.0]), 0.2)
    assert later.tolist() == [-6.0, inf, -3.0]  # 1.1 fell out of the window
    track.start_t = 2.0  # a new movement: earlier reads do not count
    assert smoothed_evidence(track, 2.1, np.array([0.0, 0.0, 0.0]), 0.2).tolist() == [0, 0, 0]


def test_a_standing_hand_on_its_way_up_hedges_between_raise_and_wave() -> None:
    """Until it turns or arrives, a standing person's rising hand is a raise as much as a wave.

    They go to the same places and how high a wave goes is the person's own (an actor's tired
    goodbye was read as a raise at 0.94 before it swung, then as a wave): the two share their
    evidence while the hand rises, and neither is confident. Held there, it is a raise
    (``test_styles_of_a_gesture_read_alike_speed_amplitude_and_hand``).
    """
    from mirrorbot.mind.repertoire import HAND_UP_M

    for target in np.array(HAND_UP_M):
        model = RepertoireIntent()
        beliefs = _up_and_on(model, Side.RIGHT, target, 0.8, 0.0, end_s=0.5 + 0.6)
        rising = [b for k, b in enumerate(beliefs) if k / 30.0 >= 0.7 and b.moving]
        assert rising, "the rise was not seen"
        for belief in rising:
            assert belief.probs["wave"] == pytest.approx(belief.probs["raise"])
            assert max(belief.probs.values()) < 0.9


def _two_hands(left_at: Callable[[float], np.ndarray], right_at: Callable[[float], np.ndarray],
               end_s: float) -> list[GoalBelief]:
    """Beliefs at 30 Hz of two hands given as functions of time (arm frames, wrist = tip)."""
    model = RepertoireIntent()
    return [model.update_wrists({Side.LEFT: left_at(k / 30.0), Side.RIGHT: right_at(k / 30.0)},
                                k / 30.0) for k in range(int(30 * end_s))]


def _rise(target: np.ndarray, from_s: float, rise_s: float = 0.6) -> Callable[[float], np.ndarray]:
    from mirrorbot.mind.repertoire import min_jerk_array

    def at(t_s: float) -> np.ndarray:
        s = min_jerk_array(np.array([(t_s - from_s) / rise_s]))[0]
        return np.asarray(HANGING_M + s * (target - HANGING_M))
    return at


def test_a_committed_gesture_keeps_attention_while_it_goes_on() -> None:
    """A wave goes on while the other hand lifts a little (an actor's, at the end of a clip).

    The belief stays with the waving arm (committed ``wave``, never another confident goal);
    read by whichever arm had gone farther, the lifted hand was a point at 0.99 for a moment.
    """
    from mirrorbot.mind.repertoire import HAND_UP_M

    up = np.array(HAND_UP_M[0])
    rise = _rise(up, 0.5, 0.8)

    def waving(t_s: float) -> np.ndarray:
        return rise(t_s) + (np.array([0.0, 0.12 * np.sin(2 * np.pi * 2.0 * (t_s - 1.5)), 0.0])
                            if t_s > 1.5 else 0.0)

    lifted = np.array([0.3, 0.1, -0.3])  # 25 cm forward and up from hanging
    beliefs = _two_hands(waving, _rise(lifted, 4.0, 0.5), 6.0)
    late = beliefs[30 * 3:]
    assert all(b.committed == "wave" and b.side is Side.LEFT for b in late), \
        {(b.committed, b.side) for b in late}


def test_a_gesture_merely_held_does_not_keep_attention() -> None:
    """One hand held up in front (a raise), the other then goes up high: that one is read.

    The rising arm has gone farther than the held one (:meth:`RepertoireIntent._rank`); a
    committed gesture keeps attention only while its arm moves.
    """
    from mirrorbot.mind.repertoire import HAND_UP_M

    held = _rise(np.array(HAND_UP_M[0]), 0.5)
    up = _rise(np.array(HAND_UP_M[3]), 3.0, 0.8)
    beliefs = _two_hands(held, up, 4.0)
    assert "raise" in {b.committed for b in beliefs[:30 * 3]}
    rising = beliefs[int(30 * 3.4):int(30 * 3.9)]
    assert any(b.side is Side.RIGHT and b.probs["wave"] > 0.9 for b in rising), \
        [(b.side, round(b.probs["wave"], 2)) for b in rising]


def test_a_head_scratch_does_not_explain_a_swing_a_wave_does() -> None:
    """Only a swinging primitive takes a swing as wide as it is seen.

    The goal-less head touch wobbles 1.5 cm; with the "as wide as seen" rule it explained a
    13 cm swing beside the head as well as a wave did (an independently written person's
    waves beside the head were read as ``none`` at 0.99).
    """
    from mirrorbot.mind.intent_kernels import path_log_likelihoods

    at = np.array([0.03, 0.0, 0.25])
    tau = np.linspace(0.0, 2.0, 10)
    obs = np.repeat(at[None, :], 10, axis=0)
    durations, offsets = np.array([0.3]), np.array([0.0])
    rows = np.array([at, at])
    osc = np.array([0.015, 0.08])  # a head scratch's wobble, a wave's swing

    def ll(swing_m: float) -> np.ndarray:
        tips = obs.copy()
        tips[:, 1] += swing_m * np.where(np.arange(10) % 2, 1.0, -1.0)
        return path_log_likelihoods(tau, obs, tips, obs[0] - np.array([0, 0, 0.5]), durations,
                                    rows, np.zeros(2), np.zeros(2), osc,
                                    np.ones(2, dtype=np.bool_), 0.045, 0.02, 0.0,
                                    offsets)[:, 0]

    still, swinging = ll(0.0), ll(0.065)
    assert swinging[1] > swinging[0] + 20  # the swing is the wave's, by far
    assert still[0] >= still[1] - 1e-9  # held still, the scratch is no worse


@pytest.mark.parametrize("mid_z_m", [-0.1, 0.0])
@pytest.mark.parametrize("lower_s", [0.6, 0.9])
def test_a_raised_hand_lowered_in_front_is_no_new_goal(mid_z_m: float, lower_s: float) -> None:
    """A hand raised up and forward, held, then lowered in front back to hanging.

    The elbow bends on the way down, so the hand passes 30 cm in front of the shoulder (as
    real actors' did, 20-30 cm in front at and below shoulder height): the way back to rest,
    not a reach. Read as a straight line, a swing, a drop or a full bow only, the hand was a
    confident reach on its way down (an actor's was committed at 0.99).
    """
    from mirrorbot.mind.repertoire import min_jerk_array

    up = np.array([0.2, 0.18, 0.38])
    control = 2 * np.array([0.3, 0.2, mid_z_m]) - (up + HANGING_M) / 2

    def wrist(t_s: float) -> np.ndarray:
        if t_s < 2.5:
            return _rise(up, 0.5, 0.8)(t_s)
        s = min_jerk_array(np.array([(t_s - 2.5) / lower_s]))[0]
        return np.asarray((1 - s) ** 2 * up + 2 * s * (1 - s) * control + s * s * HANGING_M)

    beliefs = _two_hands(wrist, lambda t_s: HANGING_M, 4.5)
    assert _committed(beliefs) == {"raise"}
    lowering = beliefs[int(30 * 2.6):]
    confident = {_top(b) for b in lowering if max(b.probs.values()) >= 0.9}
    assert confident <= {"raise", "none"}, confident
    assert _top(beliefs[-1]) == "none"


def test_a_hand_that_leaves_its_hold_starts_a_new_movement_though_its_tip_still_turns() -> None:
    """A hand held at the mouth, its tip jittering, then put down 60 cm away, still jittering.

    (A depth camera's noise counts turns.) A hand that swings on from a hold drifts with its
    swing, but not that far (:data:`mirrorbot.mind.segmentation.SWING_SPAN_M`): it has left,
    and the way down is a
    movement of its own (read as such: back to rest). Taken for a swing's drift, a real
    drinker's hand put down was read as a wave at 0.99.
    """
    from mirrorbot.mind.repertoire import min_jerk_array

    mouth = np.array([0.12, -0.02, 0.18])
    down = HANGING_M + np.array([0.1, 0.0, 0.05])

    def wrist(t_s: float) -> np.ndarray:
        a, b, t0, dur = (HANGING_M, mouth, 0.5, 0.8) if t_s < 2.4 else (mouth, down, 2.4, 0.45)
        return np.asarray(a + min_jerk_array(np.array([(t_s - t0) / dur]))[0] * (b - a))

    model = RepertoireIntent()
    track = model.arms[Side.RIGHT]
    states = []
    for k in range(int(30 * 3.2)):
        t_s = k / 30.0
        tip = wrist(t_s).copy()
        if 1.6 < t_s < 2.9:
            tip[1] += 0.03 * np.sign(np.sin(2 * np.pi * 3 * t_s))
        belief = model.update_wrists({Side.RIGHT: wrist(t_s), Side.LEFT: HANGING_M}, t_s,
                                     {Side.RIGHT: tip, Side.LEFT: HANGING_M})
        states.append((t_s, track.holding, track.moving, track.from_hold))
    assert any(holding for t_s, holding, _, _ in states if 1.6 < t_s < 2.4)  # held at the mouth
    assert track.turns > 1  # the jitter turned
    left = [(moving, from_hold) for t_s, _, moving, from_hold in states if 2.75 < t_s < 2.9]
    assert all(moving and from_hold for moving, from_hold in left), left
    assert _top(belief) == "none"


def test_a_committed_goal_is_not_overturned_by_evidence_that_swings_a_little() -> None:
    """Once committed, a goal holds while new evidence swings a couple of nats either way.

    An actor's hand held out between a point's and a reach's place moved the belief between
    the two by 2-3 nats as it drifted, each above 0.9 in turn: two flips. The committed goal's
    likelihood counts :data:`COMMITTED_FACTOR` times more, so the rival is never confident; a
    rival ahead by far more (a new goal plainly under way) still takes over.
    """
    model = RepertoireIntent()
    point, reach = model.goals.index("point"), model.goals.index("reach")
    frames = {"k": 0}

    def likelihoods(track):  # noqa: ANN001, ANN202 (the model's own signature)
        k = frames["k"]
        ll = np.full(len(model.goals), -60.0)
        ll[point] = 0.0
        if k >= 20:  # then the rival ahead by 2.25 nats every other frame, at last by 20
            ll[reach] = 20.0 if k >= 70 else (2.25 if k % 2 else -2.25)
        return ll, 0, 1.0, np.zeros((len(model.goals), 3))

    model._log_likelihoods = likelihoods  # type: ignore[method-assign]
    beliefs = []
    for k in range(90):
        frames["k"] = k
        wrist = REST_M + np.array([0.008 * k, 0.0, 0.0])  # a hand moving on, 24 cm/s
        beliefs.append(model.update_wrists({Side.LEFT: wrist, Side.RIGHT: REST_M}, k / 30.0))
    assert beliefs[19].committed == "point"
    swinging = beliefs[20:70]
    assert all(b.committed == "point" and b.probs["reach"] < 0.9 for b in swinging), \
        [round(b.probs["reach"], 2) for b in swinging]
    assert beliefs[-1].probs["reach"] > 0.9 and beliefs[-1].committed != "point"


def test_a_wind_up_is_not_read_as_a_wave_before_the_hand_has_swung() -> None:
    """A standing hand rises in front, drops nearly to where it hung, then goes out and stays.

    The path of an actor's "guide" (a wind-up before showing the way; the wrist in the robot's
    arm frame every 0.1 s). It turns twice, as a wave's first swing does; no goal explains
    it well and the belief goes where the least bad explanation is. Two turns ended the
    wave/raise hedge, and it was read as a wave at 0.99 between two other confident goals:
    two flips where one is allowed. A swing is seen at three turns (``SWUNG_TURNS``).
    """
    from mirrorbot.eval.eval_intent_clips import CONFIDENT

    way_t_s = np.arange(-1, 18) / 10.0
    way_m = np.array([[0.0, 0.2, -0.5], [0.0, 0.2, -0.5], [0.0, 0.2, -0.5], [0.0, 0.2, -0.5],
                      [0.0, 0.2, -0.5], [0.12, 0.16, -0.46], [0.23, 0.1, -0.29],
                      [0.22, 0.06, -0.12], [0.19, 0.04, -0.05], [0.16, 0.04, -0.03],
                      [0.15, 0.05, -0.03], [0.17, 0.11, -0.13], [0.19, 0.16, -0.3],
                      [0.19, 0.19, -0.4], [0.23, 0.18, -0.44], [0.33, 0.12, -0.41],
                      [0.41, 0.08, -0.34], [0.46, 0.07, -0.25], [0.48, 0.08, -0.18]])
    model, confident = RepertoireIntent(), []
    for k in range(30 * 4):
        t_s = k / 30.0
        wrist = np.array([np.interp(t_s, way_t_s, way_m[:, j]) for j in range(3)])
        belief = model.update_wrists({Side.RIGHT: wrist, Side.LEFT: HANGING_M}, t_s)
        goal, p = max(belief.probs.items(), key=lambda kv: kv[1])
        if p >= CONFIDENT and goal != "none":
            confident.append(goal)
    changes = sum(1 for a, b in zip(confident, confident[1:], strict=False) if a != b)
    assert changes <= 1, [g for i, g in enumerate(confident) if i == 0 or confident[i - 1] != g]
