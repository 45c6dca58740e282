"""Backing an arm out of a dead end the way it came (control/retreat), on a made-up wall."""

from __future__ import annotations

import numpy as np

from mirrorbot.control.retreat import STUCK_S, Retreat

DT_S = 1 / 30
STUCK_PERIODS = round(STUCK_S / DT_S)

LEFT = np.arange(2, 9)
RIGHT = np.arange(9, 16)


class _Wall:
    """A wall in the plane of the left arm's first two joints: x in [0.4, 0.6], y below 0.6.

    Clearance: the distance from the wall (negative inside), in radians taken as metres.
    """

    def clearance_m(self, q: np.ndarray) -> float:
        x, y = q[2], q[3]
        dx = max(0.4 - x, x - 0.6, 0.0)
        dy = max(y - 0.6, 0.0)
        if dx == 0.0 and dy == 0.0:
            return -min(x - 0.4, 0.6 - x, 0.6 - y)
        return float(np.hypot(dx, dy))


def _q(x: float, y: float) -> np.ndarray:
    q = np.zeros(16)
    q[2], q[3] = x, y
    q[RIGHT] = 0.3  # the other arm, elsewhere
    return q


def _around_the_wall() -> list[np.ndarray]:
    """From (0, 0) up over the wall's top and down behind it to (1, 0)."""
    ups = [_q(0.0, y) for y in np.arange(0.0, 1.0, 0.04)]
    over = [_q(x, 1.0) for x in np.arange(0.0, 1.0, 0.04)]
    downs = [_q(1.0, y) for y in np.arange(1.0, -0.001, -0.04)]
    return ups + over + downs


def test_a_stuck_arm_goes_back_the_way_it_came_until_its_target_is_in_sight() -> None:
    retreat = Retreat(_Wall(), [LEFT, RIGHT], 0.0)  # type: ignore[arg-type]
    path = _around_the_wall()
    target = _q(0.0, 0.0)
    target[RIGHT] = -0.2
    for q in path:
        retreat.record(q, target, stuck=False, dt_s=DT_S)
    q = path[-1]
    assert not retreat.line_is_clear(q, target, LEFT)  # the wall is in the way
    for _ in range(STUCK_PERIODS - 1):
        retreat.record(q, target, stuck=True, dt_s=DT_S)
    assert retreat.steer(q, target) is target  # not yet: a moment's stop is no dead end
    retreat.record(q, target, stuck=True, dt_s=DT_S)
    assert retreat.retreating == [True, False]
    visited = []
    for _ in range(200):
        goal = retreat.steer(q, target)
        assert np.array_equal(goal[RIGHT], target[RIGHT])  # the other arm goes on
        if not retreat.retreating[0]:
            break
        assert any(np.allclose(goal[LEFT], p[LEFT]) for p in path)  # only where it has been
        q = goal.copy()  # it gets there
        visited.append(q)
        retreat.record(q, target, stuck=False, dt_s=DT_S)
    assert not retreat.retreating[0]
    assert visited and visited[-1][3] > 0.6  # back up over the wall's top, and no further
    assert retreat.line_is_clear(q, target, LEFT)
    assert retreat.steer(q, target) is target


def test_without_a_trail_or_when_the_way_is_clear_it_does_not_retreat() -> None:
    retreat = Retreat(_Wall(), [LEFT, RIGHT], 0.0)  # type: ignore[arg-type]
    q, target = _q(0.0, 1.0), _q(0.0, 0.0)
    for _ in range(2 * STUCK_PERIODS):
        retreat.record(q, target, stuck=True, dt_s=DT_S)  # the first call lays a crumb
    assert retreat.retreating == [False, False]  # the line to the target is clear
    retreat.reset()
    assert retreat.trails == [[], []]
