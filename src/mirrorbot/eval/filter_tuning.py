"""Tuning the One Euro defaults on synthetic arm movements.

Run as ``python -m mirrorbot.eval.filter_tuning``.

The test signal is a chain of minimum-jerk movements (0.1-0.5 m over 0.6-1.6 s, with rests)
sampled at 30 Hz with Gaussian noise of 5 mm (MediaPipe's image-plane jitter) and 15 mm (its
depth jitter). Each parameter set on a grid is scored by the RMS error to the true signal over
both noise levels, among the sets that keep a 1 m/s ramp's lag under 2 frames and reduce the
jitter of a still point (5 mm noise) at least 5-fold.
"""

from __future__ import annotations

import argparse
import itertools
import sys

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.perception.pose_filter import FilterConfig, OneEuroFilter
from mirrorbot.robot.scripted import min_jerk

RATE_HZ = 30.0
NOISE_LEVELS_M = (0.005, 0.015)
RAMP_SPEED_M_S = 1.0
MAX_LAG_FRAMES = 2.0
MIN_STILL_REDUCTION = 6.0  # margin over the 5-fold the tests ask for
STILL_NOISE_M = 0.005


def movement_signal(rng: np.random.Generator, seconds: float) -> FloatArray:
    """A 1-D chain of minimum-jerk movements with rests, sampled at 30 Hz, (N,) [m]."""
    out: list[float] = []
    x = 0.0
    while len(out) < seconds * RATE_HZ:
        rest = int(rng.uniform(0.3, 1.0) * RATE_HZ)
        out += [x] * rest
        duration = rng.uniform(0.6, 1.6)
        target = float(np.clip(x + rng.choice([-1, 1]) * rng.uniform(0.1, 0.5), -0.6, 0.6))
        n = int(duration * RATE_HZ)
        out += [x + (target - x) * min_jerk(k / n) for k in range(1, n + 1)]
        x = target
    return np.asarray(out[: int(seconds * RATE_HZ)])


def run_filter(config: FilterConfig, signal: FloatArray) -> FloatArray:
    """Filter a 1-D signal sampled at 30 Hz, (N,) -> (N,)."""
    f = OneEuroFilter(config)
    return np.array([f(np.array([v]), k / RATE_HZ)[0] for k, v in enumerate(signal)])


def ramp_lag_frames(config: FilterConfig, speed_m_s: float = RAMP_SPEED_M_S) -> float:
    """Steady-state lag [frames] of the filter on a noise-free ramp (after 1 s)."""
    n = int(2 * RATE_HZ)
    ramp = speed_m_s * np.arange(n) / RATE_HZ
    out = run_filter(config, ramp)
    return float(np.mean((ramp[-10:] - out[-10:]) / (speed_m_s / RATE_HZ)))


def still_reduction(config: FilterConfig, sigma_m: float = STILL_NOISE_M, seed: int = 0,
                    ) -> float:
    """How many times the filter reduces the standard deviation of a noisy still point."""
    rng = np.random.default_rng(seed)
    noisy = rng.normal(0.0, sigma_m, int(60 * RATE_HZ))
    out = run_filter(config, noisy)[int(RATE_HZ):]  # after a 1 s warm-up
    return float(np.std(noisy[int(RATE_HZ):]) / np.std(out))


def score(config: FilterConfig, seed: int = 0, seconds: float = 60.0) -> float:
    """RMS error [m] to the true movement, averaged over the noise levels."""
    rng = np.random.default_rng(seed)
    truth = movement_signal(rng, seconds)
    errors = []
    for sigma in NOISE_LEVELS_M:
        noisy = truth + rng.normal(0.0, sigma, truth.shape)
        errors.append(float(np.sqrt(np.mean((run_filter(config, noisy) - truth) ** 2))))
    return float(np.mean(errors))


def tune() -> list[tuple[float, float, float, FilterConfig]]:
    """Score the grid: (rms error [m], lag [frames], still reduction, config), best first."""
    results = []
    for mc, beta, dc in itertools.product((0.05, 0.1, 0.25, 0.5, 1.0),
                                          (0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0),
                                          (0.25, 0.5, 1.0, 2.0)):
        cfg = FilterConfig(min_cutoff_hz=mc, beta=beta, d_cutoff_hz=dc)
        lag = ramp_lag_frames(cfg)
        reduction = still_reduction(cfg)
        if lag < MAX_LAG_FRAMES and reduction >= MIN_STILL_REDUCTION:
            results.append((score(cfg), lag, reduction, cfg))
    return sorted(results, key=lambda r: r[0])


def main(argv: list[str] | None = None) -> int:
    """Print the best parameter sets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args(argv)
    for rms, lag, reduction, cfg in tune()[: args.top]:
        sys.stdout.write(f"rms {1e3 * rms:5.2f} mm  lag {lag:4.2f} frames  "
                         f"still x{reduction:4.1f}  "
                         f"min_cutoff_hz={cfg.min_cutoff_hz} beta={cfg.beta} "
                         f"d_cutoff_hz={cfg.d_cutoff_hz}\n")
    d = FilterConfig()
    sys.stdout.write(f"defaults: rms {1e3 * score(d):5.2f} mm  lag {ramp_lag_frames(d):4.2f} "
                     f"frames  still x{still_reduction(d):4.1f} (x{still_reduction(d, 0.015):4.1f}"
                     " at 15 mm)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
