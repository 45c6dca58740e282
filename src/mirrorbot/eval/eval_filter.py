"""``mirrorbot eval filter [--filter FILE.json]``: how well a One Euro setting smooths and follows.

The filter-tuning assignment's score. A setting (``{"min_cutoff_hz": ..., "beta": ...,
"d_cutoff_hz": ...}``; missing keys keep the defaults) is measured on held-out synthetic
signals (seed 7; the defaults were tuned on seed 0) at 30 Hz:

- **lag** [frames]: steady-state delay behind a noise-free 1 m/s ramp (a fast arm movement);
- **still jitter reduction**: how many times it shrinks 5 mm noise on a still point;
- **movement error** [mm]: RMS error to a chain of minimum-jerk movements under 5 mm and
  15 mm noise (MediaPipe's image-plane and depth jitter).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from mirrorbot.errors import ConfigError
from mirrorbot.eval.filter_tuning import ramp_lag_frames, score, still_reduction
from mirrorbot.eval.scoring import format_score, ramp, score_report
from mirrorbot.perception.pose_filter import FilterConfig, FilterMethod, load_filter_config
from mirrorbot.warn import warn

HELD_OUT_SEED = 7
PASS_MARK = 75.0
TUNABLE = ("min_cutoff_hz", "beta", "d_cutoff_hz")
GRADING = {
    "lag": "steady-state lag behind a 1 m/s ramp: 35 at 1 frame or less, 0 at 4",
    "stillness": "how many times it reduces 5 mm jitter on a still point: 35 at 5x or more, "
                 "0 at 1x",
    "movement": "RMS error over a chain of movements under 5 and 15 mm noise: 30 at 12 mm or "
                "less, 0 at 30",
}
"""The filter assignment's grading criteria, as its report prints them."""


def measure(config: FilterConfig) -> dict[str, float]:
    """The three figures of the module docstring for one setting."""
    return {"lag_frames": round(ramp_lag_frames(config), 2),
            "still_jitter_reduction": round(still_reduction(config, seed=HELD_OUT_SEED), 2),
            "movement_error_mm": round(1e3 * score(config, seed=HELD_OUT_SEED), 2)}


def assignment_score(figures: dict[str, float]) -> dict[str, Any]:
    """Points out of 100, pass mark 75 (see :data:`GRADING`).

    35 for lag (full at 1 frame or less, none at 4), 35 for still jitter reduction (full at
    5x or more, none at 1x), 30 for the movement error (full at 12 mm or less, none at 30).
    """
    return score_report({
        "lag": 35 * ramp(figures["lag_frames"], 1.0, 4.0),
        "stillness": 35 * ramp(figures["still_jitter_reduction"], 5.0, 1.0),
        "movement": 30 * ramp(figures["movement_error_mm"], 12.0, 30.0),
    }, PASS_MARK, GRADING)


def load_one_euro(path: Path) -> FilterConfig:
    """The One Euro setting in ``path``, refused in one line if the file selects another filter.

    A file of no One Euro parameter, or one whose ``method`` is ``tracker`` or ``none``, is not
    what this command scores: measured as the defaults, it passed without a word. Settings of
    the filter that this command does not score (``hold_s``, ...) are named in a warning.
    """
    config = load_filter_config(path)  # checked: a JSON object of known keys
    keys = set(json.loads(path.read_text(encoding="utf-8")))
    if config.method is not FilterMethod.ONE_EURO:
        why = (f'its "method" is {config.method.value!r}' if "method" in keys
               else f"it sets none of {', '.join(TUNABLE)}")
        raise ConfigError(f"{path}: `eval filter` scores One Euro settings and {why}; give "
                          'them, e.g. {"min_cutoff_hz": 1.0, "beta": 0.5, "d_cutoff_hz": 1.0}')
    unscored = sorted(keys - {*TUNABLE, "method"})
    if unscored:
        warn(f"{path}: {', '.join(unscored)}: not scored by `eval filter` (only "
             f"{', '.join(TUNABLE)}), only used by `run --filter`")
    return config


def run_eval_filter(path: Path | None = None, as_json: bool = False) -> dict[str, Any]:
    """The command: measure the setting in ``path`` (or the defaults) beside the defaults."""
    config = load_one_euro(path) if path is not None else FilterConfig()
    report: dict[str, Any] = {
        "filter": str(path) if path else "defaults",
        "settings": {k: asdict(config)[k] for k in TUNABLE},
        **measure(config),
        "defaults": measure(FilterConfig()),
    }
    report["score"] = assignment_score(report)
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
    return report


def format_report(r: dict[str, Any]) -> str:
    """The setting, its figures beside the defaults' (one row when it is the defaults), score."""
    lines = [f"filter {r['filter']}: " + ", ".join(f"{k}={v}" for k, v in r["settings"].items()),
             f"{'':<10}{'lag [frames]':>14}{'still jitter reduced':>22}"
             f"{'movement err [mm]':>19}"]
    rows = [("defaults", r)] if r["filter"] == "defaults" else [("yours", r),
                                                                 ("defaults", r["defaults"])]
    for name, x in rows:
        lines.append(f"{name:<10}{x['lag_frames']:>14.2f}"
                     f"{x['still_jitter_reduction']:>21.1f}x{x['movement_error_mm']:>19.1f}")
    lines.append(format_score(r["score"]))
    return "\n".join(lines)
