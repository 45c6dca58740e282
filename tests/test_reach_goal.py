"""Reach goals: which object a reach is for (issue 21), and ``eval reach``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mirrorbot.cli import main
from mirrorbot.errors import SourceError
from mirrorbot.mind.reach_goal import ReachGoal, StraightLineGoal
from mirrorbot.perception.reach_data import Reach, ReachSet, load_reaches, write_reaches
from mirrorbot.robot.scripted import min_jerk
from mirrorbot.synth.synth_reaches import synthetic_reach_set

PROB_TOL = 1e-9
OBJECTS_M = {"cup": np.array([0.45, 0.20, 0.0]), "ball": np.array([0.50, -0.15, 0.02]),
             "book": np.array([0.25, 0.35, 0.0]), "mug": np.array([0.30, -0.30, 0.01])}
START_M = np.array([0.0, 0.0, 0.05])


def straight_reach(goal: str, rate_hz: float = 30.0, duration_s: float = 0.9,
                   stop_at: float = 1.0, hold_s: float = 0.0,
                   rng: np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A minimum-jerk reach from START_M toward ``goal``: (t (n,) [s], hand (n, 3) [m])."""
    n = int(duration_s * rate_hz) + 1
    t = np.arange(n) / rate_hz
    s = np.array([min_jerk(x / duration_s) for x in t]) * stop_at
    end = OBJECTS_M[goal] + np.array([0.0, 0.0, 0.04])
    hand = START_M + s[:, None] * (end - START_M)
    if hold_s:
        extra = np.arange(1, int(hold_s * rate_hz) + 1) / rate_hz
        t = np.concatenate([t, t[-1] + extra])
        hand = np.concatenate([hand, np.repeat(hand[-1:], len(extra), axis=0)])
    if rng is not None:
        hand = hand + rng.normal(0.0, 0.002, hand.shape)
    return t, hand


def run(model: ReachGoal | StraightLineGoal, t: np.ndarray, hand: np.ndarray) -> list:
    return [model.update(p, float(ts)) for ts, p in zip(t, hand, strict=True)]


@pytest.mark.parametrize("goal", sorted(OBJECTS_M))
def test_known_objects_ranked_first_by_40_percent(goal: str) -> None:
    rng = np.random.default_rng(0)
    t, hand = straight_reach(goal, rng=rng)
    beliefs = run(ReachGoal(OBJECTS_M), t, hand)
    k40 = int(0.4 * (len(t) - 1))
    assert all(b.best == goal for b in beliefs[k40:])
    assert beliefs[-1].committed == goal


def test_posterior_normalised_invariant_and_deterministic() -> None:
    rng = np.random.default_rng(1)
    t, hand = straight_reach("ball", rng=rng)
    a = run(ReachGoal(OBJECTS_M), t, hand)
    again = run(ReachGoal(OBJECTS_M), t, hand)
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    offset = rng.uniform(-3, 3, 3)
    moved = {k: q @ v + offset for k, v in OBJECTS_M.items()}
    b = run(ReachGoal(moved), t + 17.0, hand @ q.T + offset)
    for x, y, z in zip(a, b, again, strict=True):
        assert abs(sum(x.probs.values()) - 1.0) < PROB_TOL
        assert x == z  # the same input, the very same belief
        for name in OBJECTS_M:
            assert x.probs[name] == pytest.approx(y.probs[name], abs=1e-6)
        assert x.committed == y.committed


def test_still_hand_commits_to_nothing() -> None:
    model = ReachGoal(OBJECTS_M)
    rng = np.random.default_rng(2)
    for k in range(90):
        belief = model.update(START_M + rng.normal(0.0, 0.002, 3), k / 30)
        assert belief.committed is None
    assert max(belief.probs.values()) < 0.4


def test_moving_away_commits_to_nothing() -> None:
    model = ReachGoal(OBJECTS_M)
    t, hand = straight_reach("cup")
    away = START_M - (hand - START_M)  # the same movement, away from every object
    beliefs = run(model, t, away)
    assert all(b.committed is None for b in beliefs)
    assert beliefs[len(t) // 2].p_none > 0.9


def test_reach_stopping_halfway_commits_to_nothing_further() -> None:
    t, hand = straight_reach("cup", stop_at=0.5, hold_s=1.5)
    model = ReachGoal(OBJECTS_M)
    beliefs = run(model, t, hand)
    stopped = int(0.9 * 30) + int(model.config.release_still_s * 30) + 6
    assert all(b.committed is None for b in beliefs[stopped:])


def test_full_reach_commits_before_arrival_and_holds_until_the_hand_arrives() -> None:
    rng = np.random.default_rng(4)
    for goal in OBJECTS_M:
        t, hand = straight_reach(goal, hold_s=0.3, rng=rng)
        beliefs = run(ReachGoal(OBJECTS_M), t, hand)
        arrival = int(0.9 * 30)  # the last sample of the movement; then the hand holds still
        first = next(k for k, b in enumerate(beliefs) if b.committed is not None)
        assert beliefs[first].committed == goal
        assert first <= int(0.6 * arrival)  # the head turns well before the hand arrives
        assert all(b.committed == goal for b in beliefs[first:])  # and stays, at the object too


def test_a_commitment_is_earned_half_way_to_the_object() -> None:
    """Never committed before the hand has gone as far as it still has to go to the object.

    Early in a reach a few degrees of heading decide among objects 27 degrees apart; committed
    then, a robot turned its head to a wrong object first in 37 of 82 real reaches.
    """
    rng = np.random.default_rng(5)
    for goal in OBJECTS_M:
        t, hand = straight_reach(goal, hold_s=0.3, rng=rng)
        model = ReachGoal(OBJECTS_M)
        for ts, p in zip(t, hand, strict=True):
            belief = model.update(p, float(ts))
            if belief.committed is not None:
                obj = model.points_m[model.names.index(belief.committed)]
                assert np.linalg.norm(p - START_M) + 0.01 >= np.linalg.norm(obj - p), (goal, ts)
        assert belief.committed == goal


def test_synthetic_reaches_commit_and_hold() -> None:
    reach_set = synthetic_reach_set(7)
    at_end = 0
    for reach in reach_set.reaches:
        beliefs = run(ReachGoal(reach_set.objects_m), reach.t_s, reach.hand_m)
        committed = [b.committed for b in beliefs]
        assert set(committed) <= {None, reach.goal}  # never a wrong object
        if reach.goal in committed:  # once committed, held to the end (the hand arrives)
            first = committed.index(reach.goal)
            assert all(c == reach.goal for c in committed[first:])
            at_end += 1
    assert at_end >= 2 * len(reach_set.reaches) / 3


def test_baseline_is_dragan_straight_line() -> None:
    t, hand = straight_reach("mug")
    model = StraightLineGoal(OBJECTS_M)
    beliefs = run(model, t, hand)
    d0 = {k: np.linalg.norm(v - hand[0]) for k, v in OBJECTS_M.items()}
    d1 = {k: np.linalg.norm(v - hand[-1]) for k, v in OBJECTS_M.items()}
    path = float(np.linalg.norm(np.diff(hand, axis=0), axis=1).sum())
    beta = model.config.beta_per_m
    w = {k: np.exp(-beta * (path + d1[k]) + beta * d0[k]) for k in OBJECTS_M}
    total = sum(w.values())
    for k in OBJECTS_M:
        assert beliefs[-1].probs[k] == pytest.approx(w[k] / total, rel=1e-9)


def test_synthetic_reaches_are_labelled_and_deterministic() -> None:
    a, b = synthetic_reach_set(5), synthetic_reach_set(5)
    assert a.reaches and all(r.goal in a.objects_m for r in a.reaches)
    assert np.array_equal(a.reaches[0].hand_m, b.reaches[0].hand_m)


def _small_file(path: Path) -> None:
    reaches = []
    for goal in OBJECTS_M:
        t, hand = straight_reach(goal, rng=np.random.default_rng(3))
        reaches.append(Reach(goal, t, hand))
    write_reaches(path, ReachSet("test", OBJECTS_M, tuple(reaches)))


def test_eval_reach_on_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "reaches.json"
    _small_file(data)
    assert len(load_reaches(data).reaches) == 4
    assert main(["eval", "reach", "--data", str(data), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["accuracy_at"]) == {"20", "40", "60", "80"}
    assert set(report["baseline_accuracy_at"]) == {"20", "40", "60", "80"}
    assert report["accuracy_at"]["40"] == 1.0
    assert report["reaches"] == 4


def test_eval_reach_ends_with_a_score_like_the_other_evals(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Points, pass mark, parts and criteria from the targets of docs/reach.md."""
    from mirrorbot.eval.eval_reach import reach_score

    data = tmp_path / "reaches.json"
    _small_file(data)
    assert main(["eval", "reach", "--data", str(data), "--json"]) == 0
    score = json.loads(capsys.readouterr().out)["score"]
    assert set(score) == {"points", "pass_mark", "passed", "parts", "criteria"}
    assert set(score["parts"]) == set(score["criteria"]) == {
        "accuracy_at_20%", "accuracy_at_40%", "against_baseline"}
    assert main(["eval", "reach", "--data", str(data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith(f"score {score['points']}/100 (") and "pass mark 70.0" in lines[-1]
    assert sum(line.startswith("grading: ") for line in lines) == 3
    assert any("never: the number of reaches in which it never does" in line for line in lines)

    def figures(ours: tuple[float, float], baseline: tuple[float, float]) -> dict:
        return {"accuracy_at": {"20": ours[0], "40": ours[1]},
                "baseline_accuracy_at": {"20": baseline[0], "40": baseline[1]}}

    assert reach_score(figures((0.85, 0.98), (0.80, 0.93)))["points"] == 100.0  # the targets
    level = reach_score(figures((0.85, 0.98), (0.85, 0.98)))
    assert level["parts"]["against_baseline"] == 15.0 and level["passed"]
    assert not reach_score(figures((0.45, 0.58), (0.9, 0.9)))["passed"]
    # This build's held-out figures meet none of the targets: no pass (0.4-wide ramps gave one).
    assert not reach_score(figures((0.83, 0.94), (0.88, 0.95)))["passed"]


def _nested(depth: int) -> str:
    """A marker the test replaces with ``depth`` nested JSON arrays."""
    return f"<nested {depth}>"


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(format="other"), "format"),
    (lambda d: d["reaches"][0].update(goal="plate"), "not an object"),
    (lambda d: d["reaches"][0]["hand"].pop(), "samples for"),
    (lambda d: d["reaches"][0]["t"].reverse(), "strictly increasing"),
    (lambda d: d.update(objects={"cup": [1, 2]}), "three finite numbers"),
    (lambda d: d["objects"].update(cup=[1e300, 0.2, 0.0]),
     "objects['cup'] is [1e+300, 0.2, 0.0] m, more than 100 m from the origin"),
    (lambda d: (d.update(units="cm"), d["objects"].update(ball=[20000, 0, 0])),
     "objects['ball'] is [20000, 0, 0] cm, more than 100 m"),
    (lambda d: d["reaches"][1]["hand"][3].__setitem__(0, -1e300),
     "reaches[1].hand[3] is [-1e+300"),
    (lambda d: d["reaches"][0]["hand"][2].__setitem__(1, float("nan")), "three finite numbers"),
    (lambda d: d["reaches"][0]["t"].__setitem__(-1, 1e300), "finite times"),
    # Found by an adversarial pass: each was an internal error (exit 1).
    (lambda d: d["reaches"][0].update(goal={"a": 1}), "not an object"),
    (lambda d: d["reaches"][0].update(goal=["cup"]), "not an object"),
    (lambda d: d.update(units=["m"]), "\"units\" is ['m']"),
    (lambda d: d["objects"].update(cup=[10 ** 400, 0, 0]), "give three finite numbers"),
    (lambda d: d["reaches"][0]["t"].__setitem__(-1, 10 ** 400), "finite times"),
    (lambda d: d.update(deep=_nested(100_000)), "not valid JSON (RecursionError)"),
])
def test_malformed_file_exit_2_one_line(tmp_path: Path, edit, message: str) -> None:
    data = tmp_path / "reaches.json"
    _small_file(data)
    raw = json.loads(data.read_text())
    edit(raw)
    text = re.sub(r'"<nested (\d+)>"', lambda m: "[" * int(m[1]) + "]" * int(m[1]),
                  json.dumps(raw))
    data.write_text(text)
    with pytest.raises(SourceError, match=re.escape(message)):
        load_reaches(data)
    result = subprocess.run([sys.executable, "-m", "mirrorbot", "eval", "reach", "--data",
                             str(data)], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize("goal", sorted(OBJECTS_M))
def test_heading_evidence_counts_per_distance_travelled_not_per_time(goal: str) -> None:
    """A reach twice as slow along the same path gathers about the same heading evidence.

    Counted per time, the slow reach's evidence was 1.6 times the fast one's (the same
    directions looked at twice as often); per distance only the leak and the slower hand's
    lower concentration differ.
    """
    spread = []
    for duration_s in (0.6, 1.2):
        t, hand = straight_reach(goal, duration_s=duration_s, rate_hz=60.0)
        model = ReachGoal(OBJECTS_M)
        half = int(0.5 * (len(t) - 1))  # the same point of the path
        run(model, t[:half + 1], hand[:half + 1])
        evidence = model.log_evidence[1:]
        spread.append(float(evidence.max() - evidence.min()))
        assert int(np.argmax(evidence)) == list(OBJECTS_M).index(goal)
    assert 0.7 < spread[1] / spread[0] < 1.3
