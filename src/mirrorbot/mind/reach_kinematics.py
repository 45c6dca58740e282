"""A sampled point's position, velocity and acceleration, with their noise (any rate).

Used by the reach-goal posterior (:mod:`mirrorbot.reach_goal`): a quadratic fitted by least
squares to the samples of the last ``window_s``, evaluated at the newest sample, so the noise of
a pose model or motion capture averages out without the lag of a smoothing filter.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import Vec3

NOISE_FLOOR_M = 0.001  # the least position noise assumed of any source [m]
NOISE_MEMORY_S = 1.0  # the noise is estimated from the residuals of about this long [s]


@dataclass(frozen=True)
class KinematicFit:
    """The fit at the newest sample.

    Attributes:
        p_m: Fitted position (3,) [m].
        v_m_s: Velocity (3,) [m/s].
        a_m_s2: Acceleration (3,) [m/s^2].
        var_p_m2: Variance of one coordinate of the fitted position [m^2].
        var_v: Variance of one component of the velocity [(m/s)^2].
        var_a: Variance of one component of the acceleration [(m/s^2)^2].
        var_sample_m2: Variance of one coordinate of a raw sample (the noise) [m^2].
    """

    p_m: Vec3
    v_m_s: Vec3
    a_m_s2: Vec3
    var_p_m2: float
    var_v: float
    var_a: float
    var_sample_m2: float


class Kinematics:
    """Least-squares quadratic over the last ``window_s`` [s] of samples (at least three).

    The samples' noise is the fits' residuals pooled over about ``NOISE_MEMORY_S`` (a leaky
    sum of squares over a leaky count of degrees of freedom), at least ``NOISE_FLOOR_M``.
    """

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self.samples: deque[tuple[float, Vec3]] = deque()
        self.clear()

    def clear(self) -> None:
        """Forget the samples and the noise."""
        self.samples.clear()
        self._ssr_m2 = 0.0  # leaky sum of squared residuals [m^2]
        self._dof = 0.0  # leaky degrees of freedom

    def update(self, t_s: float, p_m: Vec3) -> KinematicFit:
        """The fit after the sample ``p_m`` (3,) [m] at ``t_s`` [s].

        The noise is estimated from the fit's residuals, at least ``NOISE_FLOOR_M``; with one
        sample the velocity is zero, with two it is their finite difference (no acceleration).
        """
        self.samples.append((t_s, p_m))
        while len(self.samples) > 3 and t_s - self.samples[1][0] >= self.window_s:
            self.samples.popleft()
        n = len(self.samples)
        var0 = NOISE_FLOOR_M ** 2
        zero = np.zeros(3)
        if n < 2:
            return KinematicFit(p_m, zero, zero, var0, 0.0, 0.0, var0)
        if n == 2:
            (t0, p0), (t1, p1) = self.samples
            dt = max(t1 - t0, 1e-9)
            return KinematicFit(p_m, (p1 - p0) / dt, zero, var0, 2 * var0 / (dt * dt), 0.0, var0)
        tau = np.array([t - t_s for t, _ in self.samples])
        pts = np.array([p for _, p in self.samples])
        basis = np.column_stack([np.ones(n), tau, tau * tau])
        inv = np.linalg.inv(basis.T @ basis)
        coef = inv @ (basis.T @ pts)  # (3, 3): position, velocity, acceleration / 2 at t_s
        if n > 3:
            resid = pts - basis @ coef
            leak = math.exp(-(t_s - self.samples[-2][0]) / NOISE_MEMORY_S)
            # each sample's residuals once: the window's share of its degrees of freedom
            self._ssr_m2 = leak * self._ssr_m2 \
                + float(np.einsum("ij,ij->", resid, resid)) / n
            self._dof = leak * self._dof + 3.0 * (n - 3) / n
        var_p = max(self._ssr_m2 / self._dof, var0) if self._dof > 0.0 else var0
        return KinematicFit(coef[0], coef[1], 2.0 * coef[2], var_p * float(inv[0, 0]),
                            var_p * float(inv[1, 1]), 4.0 * var_p * float(inv[2, 2]), var_p)
