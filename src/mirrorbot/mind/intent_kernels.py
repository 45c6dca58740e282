"""The recogniser's compiled likelihoods: paths predicted by the repertoire against the one seen.

Used by :class:`mirrorbot.mind.intent.RepertoireIntent` (one call per frame for all of the
repertoire's rows, durations and onset phases).
"""

from __future__ import annotations

import math

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray, IntArray, Vec3
from mirrorbot.compiled import kernel
from mirrorbot.mind.repertoire import bezier_control
from mirrorbot.mind.segmentation import SWING_MIN_M
from mirrorbot.robot.scripted import min_jerk

SWING_CHORDS = 2.0
"""A movement that starts within this many swing amplitudes of a swinging goal's target (a
wave that paused beside the head and goes on) swings from its start, not after arriving: the
filtered view damps a 2 Hz wave to a wobble, the wave's own segmentation ends at the pause,
and the rest of the wave read as ``none``."""


@kernel
def path_log_likelihoods(tau: FloatArray, obs: FloatArray, tips: FloatArray, start: Vec3,
                          durations: FloatArray, targets: FloatArray, lift: FloatArray,
                          arc: FloatArray, osc: FloatArray, fits: BoolArray, sigma_m: float,
                          hold_sigma_m: float, direction_weight: float,
                          offsets_s: FloatArray) -> FloatArray:
    """Log likelihood of an observed path under each primitive row, duration and onset phase.

    Each prediction is a quadratic Bezier from ``start`` through a control point to the row's
    target, timed by a minimum-jerk phase: the control point is ``lift`` [m] above the start
    (a cup is lifted first) or the chord's midpoint raised by ``arc`` times its length.
    After arriving, a wave (or a scratch) swings side to side: y is widened by ``osc`` [m]
    (from the start when it starts already there, :data:`SWING_CHORDS`).
    Early in a movement the heading tells more than the few centimetres travelled, so the
    cosine between the hand's current direction and the prediction's is added, weighted.

    Args:
        tau: Sample times since the start (J,) [s].
        obs: Observed wrist positions (J, 3) [m], arm frame.
        tips: The hand tip at the same samples (J, 3) [m] (a hand that waves by flapping at
            the wrist swings its tip, not its wrist).
        start: The movement's start (3,) [m].
        durations: Candidate durations (D,) [s].
        targets: Row targets (M, 3) [m].
        lift: Per row, how high the hand is lifted first (M,) [m] (0: no lift).
        arc: Per row, how far the path bows up, in chord lengths (M,).
        osc: Per row, the side-to-side swing after arriving (M,) [m].
        fits: Per row, whether this start can begin it (M,); rows that cannot get -inf.
        sigma_m: Spread of the observation around the prediction [m].
        hold_sigma_m: Spread of a held hand's tip about where it is held [m] (a swinging one's
            is wider by its amplitude, ``osc``).
        direction_weight: Weight of the heading cosine (0: off; needs J >= 3).
        offsets_s: Candidate times the movement began before ``tau``'s zero (O,) [s]; the
            prediction is the path from that moment, shifted to pass through ``start``.

    Returns:
        (M, D * O): duration-major, offset-minor cells.
    """
    n_rows, n_dur, n_obs = targets.shape[0], durations.shape[0], tau.shape[0]
    n_off = offsets_s.shape[0]
    ll = np.empty((n_rows, n_dur * n_off))
    heading = direction_weight > 0 and n_obs >= 3
    v_obs = obs[n_obs - 1] - obs[n_obs - 3] if heading else np.zeros(3)
    n_obs_v = math.sqrt(v_obs[0] ** 2 + v_obs[1] ** 2 + v_obs[2] ** 2)
    pred = np.empty(3)
    pred_back = np.empty(3)
    ahead = np.empty(3)
    # Path parameters per (duration, offset) cell, shared by every row: at each sample, and
    # at the unseen start of the movement.
    s_obs = np.empty((n_dur * n_off, n_obs))
    s_off = np.empty(n_dur * n_off)
    for cell in range(n_dur * n_off):
        d, off = cell // n_off, offsets_s[cell % n_off]
        s_off[cell] = min_jerk(off / durations[d])
        for j in range(n_obs):
            s_obs[cell, j] = min_jerk((tau[j] + off) / durations[d])
    for m in range(n_rows):
        if not fits[m]:
            ll[m, :] = -np.inf
            continue
        target = targets[m]
        chord = math.sqrt(((target - start) ** 2).sum())
        control = bezier_control(start, target, lift[m], arc[m])
        # Already there (a wave that paused and swings on): it swings from the start.
        arrived_at_start = chord < SWING_CHORDS * osc[m]
        for cell in range(n_dur * n_off):
            d, off = cell // n_off, offsets_s[cell % n_off]
            # The movement began ``off`` before it was seen to: its path is ahead by as much.
            s0 = s_off[cell]
            a, b, c = (1 - s0) ** 2, 2 * s0 * (1 - s0), s0 * s0
            for i in range(3):
                ahead[i] = a * start[i] + b * control[i] + c * target[i] - start[i]
            total = 0.0
            # After arriving: the wrist's sideways residuals' sum (the hand's centre), and the
            # hand tip's sideways sum and sum of squares (how it swings about that centre).
            n_after, sum_dy, sum_sw, sum_sw2 = 0, 0.0, 0.0, 0.0
            for j in range(n_obs):
                s = s_obs[cell, j]
                a, b, c = (1 - s) ** 2, 2 * s * (1 - s), s * s
                for i in range(3):
                    pred[i] = a * start[i] + b * control[i] + c * target[i] - ahead[i]
                dx, dy, dz = obs[j, 0] - pred[0], obs[j, 1] - pred[1], obs[j, 2] - pred[2]
                if arrived_at_start or tau[j] + off > durations[d]:
                    total += dx * dx + dz * dz
                    n_after += 1
                    sum_dy += dy
                    sum_sw += tips[j, 1]
                    sum_sw2 += tips[j, 1] * tips[j, 1]
                else:
                    total += dx * dx + dy * dy + dz * dz
                if j == n_obs - 3:
                    pred_back[:] = pred
            value = 0.0
            if n_after > 0:
                # Arrived, the hand is held on the target (a raise) or swings about it (a
                # wave): the centre must match as tightly either way; the hand tip's spread
                # about it is a held hand's (``hold_sigma_m``) or a swing's (wider by the
                # swing's amplitude), a Gaussian each, normalised: a hand held still is no
                # swing, and one that flaps at the wrist is one. As a ratio to the path's own
                # spread (``sigma_m``, as every other sample is scored), so that rows with more
                # samples after arriving gain nothing by that alone.
                centre = sum_dy / n_after
                spread = max(sum_sw2 - sum_sw * sum_sw / n_after, 0.0)
                total += n_after * centre * centre + spread
                var = hold_sigma_m ** 2 + 0.5 * osc[m] ** 2
                if osc[m] >= SWING_MIN_M:  # a swing of any amplitude: as wide as it is seen
                    var = max(var, spread / n_after)
                value -= 0.5 * spread / var - 0.5 * spread / sigma_m ** 2 \
                    + 0.5 * (n_after - 1) * math.log(var / sigma_m ** 2)
            value -= 0.5 * total / sigma_m ** 2
            if heading:
                v_pred = pred - pred_back
                norm = math.sqrt((v_pred ** 2).sum()) * max(n_obs_v, 1e-9)
                if norm > 1e-9:
                    value += direction_weight * (v_pred * v_obs).sum() / norm
            ll[m, cell] = value
    return ll


@kernel
def goal_log_likelihoods(ll: FloatArray, goal_of: IntArray, n_goals: int, row_weight: FloatArray,
              ) -> tuple[FloatArray, int, int]:
    """Per goal, the log of the mean likelihood over its (row, cell) entries, (G,).

    ``ll``: (M, C), a row per (primitive, target) and a cell per (duration, onset phase);
    ``row_weight`` (M,): each row's prior weight within its goal. Rows that cannot start
    where the movement started (all -inf) take no share: the goal is the mean of its ways
    that can begin here (a drink from the table, or from a hanging hand). Also the best entry
    (row, cell index) overall, for acting on.
    """
    top = -np.inf
    best_row, best_d = 0, 0
    for m in range(ll.shape[0]):
        for d in range(ll.shape[1]):
            if ll[m, d] > top:
                top, best_row, best_d = ll[m, d], m, d
    sums = np.zeros(n_goals)
    counts = np.zeros(n_goals)
    for m in range(ll.shape[0]):
        possible = False
        for d in range(ll.shape[1]):
            possible = possible or ll[m, d] > -np.inf
        for d in range(ll.shape[1]):
            if possible:
                counts[goal_of[m]] += row_weight[m]
            if math.isfinite(top):
                sums[goal_of[m]] += row_weight[m] * math.exp(ll[m, d] - top)
    offset = top if math.isfinite(top) else 0.0
    per_goal = np.full(n_goals, -np.inf)
    for g in range(n_goals):
        if counts[g] > 0 and sums[g] > 0:
            per_goal[g] = math.log(sums[g] / counts[g]) + offset
    return per_goal, best_row, best_d


@kernel
def forecast_per_goal(ll: FloatArray, goal_of: IntArray, n_goals: int, t_now_s: float,
                       horizon_s: float, start: Vec3, durations: FloatArray, targets: FloatArray,
                       lift: FloatArray, arc: FloatArray, offsets_s: FloatArray) -> FloatArray:
    """Per goal, how far its predictions move the hand from ``t_now_s`` to ``+ horizon_s``.

    Each (row, cell) of ``ll`` (M, C; as :func:`path_log_likelihoods` returns) predicts a path;
    its displacement over the horizon is weighted by its likelihood within its goal (a goal
    whose rows cannot start here moves nothing). The paths are those of
    :func:`path_log_likelihoods` (the side-to-side swing of a wave is left out: it averages
    out).

    Returns:
        (G, 3) [m], arm frame.
    """
    n_off = offsets_s.shape[0]
    top = np.full(n_goals, -np.inf)
    for m in range(ll.shape[0]):
        for c in range(ll.shape[1]):
            top[goal_of[m]] = max(top[goal_of[m]], ll[m, c])
    sums = np.zeros(n_goals)
    out = np.zeros((n_goals, 3))
    for m in range(ll.shape[0]):
        g = goal_of[m]
        if not math.isfinite(top[g]):
            continue
        target = targets[m]
        control = bezier_control(start, target, lift[m], arc[m])
        for c in range(ll.shape[1]):
            w = math.exp(ll[m, c] - top[g])
            if w < 1e-6:
                continue
            d, off = durations[c // n_off], offsets_s[c % n_off]
            s0 = min_jerk((t_now_s + off) / d)
            s1 = min_jerk((t_now_s + off + horizon_s) / d)
            # Bezier B(s) = (1-s)^2 p0 + 2s(1-s) c + s^2 p1: its change from s0 to s1.
            a = (1 - s1) ** 2 - (1 - s0) ** 2
            b = 2 * s1 * (1 - s1) - 2 * s0 * (1 - s0)
            e = s1 * s1 - s0 * s0
            for i in range(3):
                out[g, i] += w * (a * start[i] + b * control[i] + e * target[i])
            sums[g] += w
    for g in range(n_goals):
        if sums[g] > 0:
            out[g] /= sums[g]
    return out


@kernel
def posterior(log_likelihood: FloatArray, log_prior: FloatArray, floor_p: float) -> FloatArray:
    """The normalised posterior (G,) with every entry at least ``floor_p`` (renormalised)."""
    log_post = log_likelihood + log_prior
    post = np.exp(log_post - np.max(log_post))
    post = np.maximum(post / post.sum(), floor_p)
    return post / post.sum()


def logsumexp(x: FloatArray) -> float:
    """``log(sum(exp(x)))`` of (N,), without overflow; -inf when every entry is."""
    m = float(np.max(x))
    if not math.isfinite(m):
        return -math.inf
    return m + math.log(float(np.sum(np.exp(x - m))))
