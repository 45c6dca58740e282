"""Every registered stage passes the same checks: what a student's replacement must pass too.

Retargeters (``--retargeter``), intent models (``--intent``) and the pose filter's methods are
each run, built as a run builds them, on the same stream: a synthetic person's session with
frames where nobody is seen.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from mirrorbot.perception.landmarks import PoseFrame
from mirrorbot.perception.pose_filter import FilterConfig, FilterMethod, PoseFilter
from mirrorbot.retarget.retarget import Mapping, RetargetContext
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.run.registry import STAGES
from mirrorbot.run.session import build_intent, build_retargeter
from mirrorbot.sim.simulator import Simulator
from mirrorbot.synth.synth_person import SyntheticConfig, SyntheticPerson

RETARGETERS = sorted(STAGES["retargeter"]())
INTENTS = sorted(STAGES["intent"]())
SECONDS = 8.0


def _stream() -> list[tuple[float, PoseFrame | None]]:
    """A person waving, reaching and drinking, with 10 frames unseen in the middle."""
    person = SyntheticPerson(SyntheticConfig(gestures=("wave", "reach", "drink"), seed=11))
    frames = [(f.t_s, f.observed) for f in person.frames() if f.t_s < SECONDS]
    middle = len(frames) // 2
    return [(t, None if middle <= k < middle + 10 else pose)
            for k, (t, pose) in enumerate(frames)]


@pytest.fixture(scope="module")
def stream() -> list[tuple[float, PoseFrame | None]]:
    return _stream()


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with Simulator() as simulator:
        yield simulator


def _filtered(stream: list[tuple[float, PoseFrame | None]]) -> list[PoseFrame | None]:
    pose_filter = PoseFilter()
    return [pose_filter(pose, t) for t, pose in stream]


@pytest.mark.parametrize("name", RETARGETERS)
def test_every_retargeter_gives_finite_joint_targets_of_the_robots_size(
        name: str, sim: Simulator, stream: list[tuple[float, PoseFrame | None]]) -> None:
    """Joint targets (n,) [rad] for every pose, finite, and the same from a fresh instance."""
    model = sim.model
    context = RetargetContext(model, Mapping.MIRROR, rest_pose(model), sim.inverse_kinematics)
    poses = [p for p in _filtered(stream) if p is not None]
    first = [build_retargeter(name, context)(p) for p in poses]
    again = [build_retargeter(name, context)(p) for p in poses]
    for q_rad in first:
        assert q_rad.shape == (len(model.actuated),)
        assert np.all(np.isfinite(q_rad))
    # Far outside the joints' range is a bug (the shaper clamps what is a little outside).
    span = model.upper_rad - model.lower_rad
    stacked = np.array(first)
    assert np.all(stacked >= model.lower_rad - span) and np.all(stacked <= model.upper_rad + span)
    np.testing.assert_allclose(np.array(again), stacked, atol=1e-6)


@pytest.mark.parametrize("name", INTENTS)
def test_every_intent_model_gives_a_normalised_belief_every_frame(
        name: str, stream: list[tuple[float, PoseFrame | None]]) -> None:
    """A belief for every frame (unseen ones too), normalised over goals that include ``none``.

    A committed goal is one of them; two fresh instances believe the same.
    """
    filtered = _filtered(stream)
    runs = []
    for _ in range(2):
        model = build_intent(name)
        runs.append([model(pose, t) for (t, _), pose in zip(stream, filtered, strict=True)])
    for belief in runs[0]:
        assert "none" in belief.probs
        values = np.array(list(belief.probs.values()))
        assert np.all((values >= 0) & (values <= 1)) and abs(values.sum() - 1) < 1e-6
        assert belief.committed is None or belief.committed in belief.probs
    assert [b.probs for b in runs[0]] == [b.probs for b in runs[1]]
    assert [b.committed for b in runs[0]] == [b.committed for b in runs[1]]


@pytest.mark.parametrize("method", list(FilterMethod))
def test_every_filter_keeps_the_person_and_lets_nobody_through(
        method: FilterMethod, stream: list[tuple[float, PoseFrame | None]]) -> None:
    """Each seen frame's landmarks come out finite and near the raw ones.

    A frame where nobody is seen gives nobody (the run holds the robot), and the same input
    gives the same output.
    """
    outs = []
    for _ in range(2):
        pose_filter = PoseFilter(FilterConfig(method=method))
        outs.append([pose_filter(pose, t) for t, pose in stream])
    for (_, raw), out in zip(stream, outs[0], strict=True):
        if raw is None:
            assert out is None
            continue
        assert out is not None and out.world_m.shape == raw.world_m.shape
        assert np.all(np.isfinite(out.world_m))
        assert float(np.median(np.linalg.norm(out.world_m - raw.world_m, axis=1))) < 0.1
    for a, b in zip(outs[0], outs[1], strict=True):
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            np.testing.assert_array_equal(a.world_m, b.world_m)
