"""Assignment scores: points out of 100 from measured figures, and a pass mark.

The course kit's assignments (``sims/assignments/``) are scored by ``mirrorbot eval``: each
eval turns its figures into parts that add up to 100 points, with a pass mark.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def ramp(value: float, full: float, none: float) -> float:
    """A part's share: 1 at ``full`` or better, 0 at ``none`` or worse, linear between.

    Works both ways: ``full < none`` when lower is better, ``full > none`` when higher is.
    """
    return float(np.clip((none - value) / (none - full), 0.0, 1.0))


def score_report(parts: dict[str, float], pass_mark: float,
                 criteria: dict[str, str] | None = None) -> dict[str, Any]:
    """``{"points", "pass_mark", "passed", "parts"[, "criteria"]}`` from points per part.

    ``criteria``: how each part is graded, in words, printed above the score.
    """
    points = round(sum(parts.values()), 1)
    out = {"points": points, "pass_mark": pass_mark, "passed": points >= pass_mark,
           "parts": {k: round(v, 1) for k, v in parts.items()}}
    if criteria:
        out["criteria"] = dict(criteria)
    return out


def format_score(score: dict[str, Any]) -> str:
    """The grading criteria (when given), then ``score 87.5/100 (...), pass mark 60: PASS``."""
    lines = [f"grading: {k} {score['parts'][k]} points: {text}"
             for k, text in score.get("criteria", {}).items()]
    parts = ", ".join(f"{k} {v}" for k, v in score["parts"].items())
    lines.append(f"score {score['points']}/100 ({parts}), pass mark {score['pass_mark']}: "
                 f"{'PASS' if score['passed'] else 'FAIL'}")
    return "\n".join(lines)


def short_name(spec: str) -> str:
    """``path/mine.py:MyClass`` -> ``MyClass`` (built-in names stay as they are)."""
    return spec.rpartition(":")[2] or spec
