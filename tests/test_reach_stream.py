"""Reach goals in the run's stream (cuts, gaps) and the eval's bookkeeping (issue 21)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mirrorbot.control.safety import CommandShaper
from mirrorbot.eval.eval_reach import evaluate, score_reach
from mirrorbot.mind.reach_baseline import ReachBelief
from mirrorbot.mind.reach_goal import ReachGoal
from mirrorbot.mind.reach_watch import ReachWatch
from mirrorbot.perception.landmarks import PoseFrame
from mirrorbot.perception.reach_data import Reach, ReachSet
from mirrorbot.perception.source_spec import parse_source
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.robot.urdf import RobotModel
from mirrorbot.run.pipeline import pipeline_steps
from mirrorbot.run.stages import Stages
from mirrorbot.sources.pose_sources import PoseSample, open_pose_source
from test_reach_goal import OBJECTS_M, run, straight_reach

PROB_TOL = 1e-9  # the times differ by an offset: rounding only
GAP_S = 3.0  # longer than the pipeline's MAX_FRAME_GAP_S (2 s)


class _SpyWatch(ReachWatch):
    """A ReachWatch that notes the frame times at which it was reset."""

    def __init__(self) -> None:
        super().__init__(OBJECTS_M, np.zeros(3))
        self.t_now_s = 0.0
        self.resets: list[float] = []

    def reset(self) -> None:
        self.resets.append(self.t_now_s)
        super().reset()

    def __call__(self, world_m: np.ndarray, t_s: float):  # noqa: ANN204 - as the base's
        self.t_now_s = t_s
        return super().__call__(world_m, t_s)


class _Samples:
    """A pose source made of given samples (a cut flagged, a gap in the times)."""

    text = "test samples"
    rate_hz = 30.0
    frame_count = None
    labels = ()
    is_live = False
    noise_free = True

    def __init__(self, samples: list[PoseSample]) -> None:
        self.samples = samples

    def __iter__(self):  # noqa: ANN204 - Iterator[PoseSample]
        return iter(self.samples)

    def close(self) -> None:
        pass


@pytest.mark.parametrize("kind", ["cut", "gap"])
def test_the_run_resets_the_reach_watch_on_a_cut_or_a_long_gap(
        kind: str, model: RobotModel, capsys: pytest.CaptureFixture[str]) -> None:
    source = open_pose_source(parse_source("synthetic:wave?seed=1&noise=off"))
    samples = [s for s in source if s.pose is not None][:40]
    source.close()
    k = 20  # the cut or the gap comes before this sample
    if kind == "cut":
        samples[k] = replace(samples[k], cut=True)
    else:
        samples = samples[:k] + [replace(s, t_s=s.t_s + GAP_S, pose=replace(
            s.pose, t_s=s.pose.t_s + GAP_S)) for s in samples[k:]]
    watch = _SpyWatch()
    q0 = rest_pose(model)

    def still(pose: PoseFrame) -> np.ndarray:
        return q0

    watch.t_now_s = -1.0
    stages = Stages(retargeter=still, shaper=CommandShaper(model, q0), q_rest_rad=q0,
                    reach=watch)
    steps = list(pipeline_steps(_Samples(samples), stages, want_view=False))
    assert len(steps) == len(samples)
    # reset once, at that sample (before it is seen: the watch last saw the sample before)
    assert watch.resets == [pytest.approx(samples[k - 1].t_s)]
    capsys.readouterr()


def test_a_long_gap_between_samples_starts_the_model_afresh() -> None:
    rng = np.random.default_rng(5)
    t, hand = straight_reach("cup", rng=rng)
    fresh = run(ReachGoal(OBJECTS_M), t, hand)
    model = ReachGoal(OBJECTS_M)
    t_away, away = straight_reach("mug", hold_s=0.3, rng=rng)  # first a reach for the mug
    run(model, t_away, away)
    gap_s = model.config.max_gap_s + 0.1
    after = run(model, t + t_away[-1] + gap_s, hand)  # then, after a gap, the cup's reach
    for a, b in zip(after, fresh, strict=True):  # as if it had never seen the mug's
        assert a.committed == b.committed and a.moving == b.moving
        assert a.p_none == pytest.approx(b.p_none, abs=PROB_TOL)
        assert all(a.probs[k] == pytest.approx(b.probs[k], abs=PROB_TOL) for k in OBJECTS_M)
    model.reset()
    assert run(model, t, hand) == fresh


class _Scripted:
    """A model whose beliefs are given: committed to ``goal`` at the samples listed."""

    def __init__(self, goal: str, committed_at: set[int]) -> None:
        self.goal, self.committed_at, self.k = goal, committed_at, 0

    def update(self, p_m: np.ndarray, t_s: float) -> ReachBelief:
        committed = self.goal if self.k in self.committed_at else None
        self.k += 1
        return ReachBelief({self.goal: 1.0, "other": 0.0}, committed, 0.0, True)


def test_committed_at_the_end_counts_a_commitment_at_the_last_sample_only() -> None:
    t = np.arange(10) / 10.0
    reach = Reach("cup", t, np.zeros((10, 3)))
    last_only = score_reach(_Scripted("cup", {9}), reach)
    assert last_only["committed_at_end"] and last_only["committed_at"] == 1.0
    never = score_reach(_Scripted("cup", set()), reach)
    assert not never["committed_at_end"] and never["committed_at"] == 1.0
    from_half = score_reach(_Scripted("cup", set(range(5, 10))), reach)
    assert from_half["committed_at_end"]
    assert from_half["committed_at"] == pytest.approx(5 / 9)
    dropped = score_reach(_Scripted("cup", set(range(5, 9))), reach)
    assert not dropped["committed_at_end"] and dropped["committed_at"] == 1.0


def test_eval_counts_the_reaches_committed_at_the_end() -> None:
    reaches = []
    for goal in OBJECTS_M:
        t, hand = straight_reach(goal, rng=np.random.default_rng(6))
        reaches.append(Reach(goal, t, hand))
    report = evaluate([ReachSet("test", OBJECTS_M, tuple(reaches))])
    expected = 0
    for reach in reaches:
        beliefs = run(ReachGoal(OBJECTS_M), reach.t_s, reach.hand_m)
        expected += beliefs[-1].committed == reach.goal
    assert report["committed_at_end"] == expected == 4
