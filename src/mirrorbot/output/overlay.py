"""Drawing the video frame: the person's view beside the simulator, with what the robot thinks.

The only place besides the I/O edge that imports cv2. Everything is drawn on BGR images.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from mirrorbot.arrays import FloatArray, ImageBGR, ImageRGB, ImageRGBA
from mirrorbot.mind.behaviour import Behaviour
from mirrorbot.output.skeleton_view import bone_bgr
from mirrorbot.text import without_accents

PANEL_SIZE_PX = (640, 480)  # width, height of each half of the video
FONT = cv2.FONT_HERSHEY_SIMPLEX
WHITE = (255, 255, 255)
SHADOW = (20, 20, 20)
BEHAVIOUR_COLOURS_BGR = {Behaviour.MIRROR: (200, 160, 40), Behaviour.ANTICIPATE: (40, 170, 240),
                         Behaviour.RESPOND: (90, 200, 90), Behaviour.HOLD: (80, 80, 220)}


@dataclass(frozen=True, kw_only=True)
class OverlayInfo:
    """What is written over the video frame.

    Attributes:
        t_s: Session time [s].
        behaviour: What the robot does (shown as its mode).
        caption: A line about the source (left panel).
        reason: Why the robot behaves so (e.g. "tracking lost").
        goal_probs: Belief over goals, drawn as bars.
        committed_goal: The goal the robot acts on.
        latency_ms: Measured processing time of the frame [ms].
        reach_target: Which object a hand reaches for (the session log's ``reach_target``),
            drawn as bars on the right, or None.
    """

    t_s: float
    behaviour: Behaviour
    caption: str = ""
    reason: str = ""
    goal_probs: dict[str, float] = field(default_factory=dict)
    committed_goal: str | None = None
    latency_ms: float | None = None
    reach_target: dict[str, Any] | None = None


def drawable(msg: str) -> str:
    """``msg`` in the ASCII that OpenCV's Hershey fonts draw.

    Accents are dropped ("café" -> "cafe", "Müller" -> "Muller"); any other character (a CJK
    file name) is one "?" (OpenCV drew one "?" per byte of its UTF-8).
    """
    return "".join(c if c.isascii() else "?" for c in without_accents(msg))


def text(img: ImageBGR, msg: str, org: tuple[int, int], scale: float = 0.55,
         colour: tuple[int, int, int] = WHITE, thickness: int = 1) -> None:
    """Draw readable text (with a dark outline) in place (as :func:`drawable`)."""
    msg = drawable(msg)
    cv2.putText(img, msg, org, FONT, scale, SHADOW, thickness + 2, cv2.LINE_AA)
    cv2.putText(img, msg, org, FONT, scale, colour, thickness, cv2.LINE_AA)


GOAL_BARS_Y_PX = 100
"""The first goal bar's text line in the robot's panel [px]: below the mode box and a reason of
two lines."""
REACH_BARS_Y_PX = GOAL_BARS_Y_PX + 8 * 20 + 40
"""The first reach bar's text line [px]: below the eight goal bars and the reach title."""


def fit_text(msg: str, width_px: int, scale: float = 0.55) -> str:
    """``msg``, or its end behind "..." where the whole would be wider than ``width_px``.

    The end is what tells one source from another (a file's name, not the folders before it).
    """
    msg = drawable(msg)
    if cv2.getTextSize(msg, FONT, scale, 1)[0][0] <= width_px:
        return msg
    head, sep, tail = msg.partition(": ")
    prefix = f"{head}: ..." if sep else "..."
    rest = tail if sep else msg
    for start in range(1, len(rest)):
        short = prefix + rest[start:]
        if cv2.getTextSize(short, FONT, scale, 1)[0][0] <= width_px:
            return short
    return prefix


def wrap_text(msg: str, width_px: int, scale: float = 0.5, lines: int = 2) -> list[str]:
    """``msg`` on at most ``lines`` lines no wider than ``width_px``, broken between words.

    What does not fit on the last line is cut behind "..." (:func:`fit_text` keeps a long
    message's end; a reason's beginning says what the robot does, so here the end goes).
    """
    out: list[str] = []
    words = drawable(msg).split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and cv2.getTextSize(f"{line} {words[0]}", FONT, scale, 1)[0][0] <= width_px:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:  # the rest does not fit: the last line ends in "..."
        last = f"{out[-1]} {' '.join(words)}"
        while last and cv2.getTextSize(last + "...", FONT, scale, 1)[0][0] > width_px:
            last = last[:-1]
        out[-1] = last.rstrip() + "..."
    return out


def blank_panel(caption: str) -> ImageBGR:
    """A dark panel with a centred caption, for sources that have no picture."""
    w, h = PANEL_SIZE_PX
    img = np.full((h, w, 3), 40, dtype=np.uint8)
    caption = fit_text(caption, w - 24, 0.7)
    size, _ = cv2.getTextSize(caption, FONT, 0.7, 1)
    text(img, caption, ((w - size[0]) // 2, h // 2), 0.7)
    return img


def fit_panel(img: ImageBGR) -> ImageBGR:
    """Resize an image to the panel size (letterboxing nothing: panels are 4:3)."""
    w, h = PANEL_SIZE_PX
    if img.shape[:2] == (h, w):
        return img
    return np.asarray(cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


def mirrored(img: ImageBGR) -> ImageBGR:
    """``img`` flipped left to right (a new array): the person's view as a mirror shows it."""
    return np.asarray(cv2.flip(img, 1), dtype=np.uint8)


def _goal_bars(img: ImageBGR, probs: dict[str, float], committed: str | None) -> None:
    x0, y0, bar_w, row_h = 12, GOAL_BARS_Y_PX, 150, 20
    for i, (goal, p) in enumerate(sorted(probs.items(), key=lambda kv: -kv[1])[:8]):
        y = y0 + i * row_h
        colour = (60, 200, 255) if goal == committed else (200, 200, 200)
        cv2.rectangle(img, (x0 + 70, y - 12), (x0 + 70 + bar_w, y + 2), (60, 60, 60), -1)
        cv2.rectangle(img, (x0 + 70, y - 12), (x0 + 70 + int(bar_w * p), y + 2), colour, -1)
        text(img, goal[:9], (x0, y), 0.45)
        text(img, f"{p:.2f}", (x0 + 76 + bar_w, y), 0.45)


def reach_rows(reach: dict[str, Any]) -> list[tuple[str, float]]:
    """The reach bars' rows from a ``reach_target``: (object, probability shown), in order.

    Shown: the probability that the hand reaches for the object, ``probs[object] * (1 -
    p_none)``; 0 while no hand moves and nothing is committed. Ordered by the probability as
    printed (two decimals), then by name.
    """
    probs: dict[str, float] = reach.get("probs", {})
    moving = bool(reach.get("hand") or reach.get("committed"))
    reaching = 1.0 - float(reach.get("p_none", 0.0)) if moving else 0.0
    return sorted(((name, float(p) * reaching) for name, p in probs.items()),
                  key=lambda kv: (-round(kv[1], 2), kv[0]))


def _reach_bars(img: ImageBGR, reach: dict[str, Any]) -> None:
    """The reach posterior as bars at the right of the robot's panel, the committed one lit.

    Each bar is the probability that the hand reaches for that object (the object's share
    times the probability of reaching at all, ``1 - p_none``; the session log keeps the two
    apart): a waving hand shows short bars, not the object its wave happens to head for.
    While no hand moves the bars are empty, as the title says. Below the goal bars, in the
    left column: the robot stands right of it, raised hands included. Rows are ordered by
    the probability shown, then by name, so that equal ones do not swap places.
    """
    committed = reach.get("committed")
    hand = reach.get("hand")
    x0, y0, bar_w, row_h = 12, REACH_BARS_Y_PX, 90, 20
    title = f"reach ({hand} hand)" if hand else "reach: no hand moving"
    text(img, f"reaching for: {committed}" if committed else title, (x0, y0 - 20), 0.45,
         (60, 200, 255) if committed else WHITE)
    for i, (name, p_for) in enumerate(reach_rows(reach)[:8]):
        y = y0 + i * row_h
        colour = (60, 200, 255) if name == committed else (200, 200, 200)
        cv2.rectangle(img, (x0 + 60, y - 12), (x0 + 60 + bar_w, y + 2), (60, 60, 60), -1)
        cv2.rectangle(img, (x0 + 60, y - 12), (x0 + 60 + int(bar_w * p_for), y + 2), colour,
                      -1)
        text(img, name[:8], (x0, y), 0.45)
        text(img, f"{p_for:.2f}", (x0 + 66 + bar_w, y), 0.45)


def compose_frame(left_bgr: ImageBGR, sim_rgb: ImageRGB | ImageRGBA, info: OverlayInfo,
                  ) -> ImageBGR:
    """Side by side, (480, 1280, 3) BGR: the person's view | the simulated robot, annotated.

    ``sim_rgb`` is (H, W, 3) RGB or (H, W, 4) RGBA, any size (resized to the panel).
    """
    left = fit_panel(left_bgr).copy()
    to_bgr = cv2.COLOR_RGBA2BGR if sim_rgb.shape[2] == 4 else cv2.COLOR_RGB2BGR
    right = fit_panel(np.asarray(cv2.cvtColor(sim_rgb, to_bgr), dtype=np.uint8))
    # "source | message": the message (live keys, what a key did) on the bottom line.
    for k, line in enumerate(reversed(info.caption.split(" | "))):
        text(left, fit_text(line, PANEL_SIZE_PX[0] - 24, 0.5), (12, 466 - 22 * k), 0.5)
    colour = BEHAVIOUR_COLOURS_BGR.get(info.behaviour, WHITE)
    cv2.rectangle(right, (8, 8), (250, 40), colour, -1)
    text(right, f"mode: {info.behaviour.value}", (16, 32), 0.7, WHITE, 2)
    for k, line in enumerate(wrap_text(info.reason, PANEL_SIZE_PX[0] - 24, 0.5, lines=2)):
        text(right, line, (12, 62 + 18 * k), 0.5)
    if info.committed_goal:
        text(right, f"goal: {info.committed_goal}", (270, 32), 0.7, (60, 200, 255), 2)
    _goal_bars(right, info.goal_probs, info.committed_goal)
    if info.reach_target is not None:
        _reach_bars(right, info.reach_target)
    footer = f"t = {info.t_s:5.2f} s"
    if info.latency_ms is not None:
        footer += f"   latency {info.latency_ms:5.1f} ms"
    text(right, footer, (12, 466), 0.5)
    return np.hstack([left, right])


def draw_skeleton(img: ImageBGR, image_uv: FloatArray, visibility: FloatArray,
                  min_visibility: float = 0.5) -> ImageBGR:
    """Draw the tracked skeleton (normalised image points (33, 2)) on a copy of ``img``.

    The person's left side is drawn in orange, their right in cyan, low-visibility points are
    left out.
    """
    from mirrorbot.perception.landmarks import SKELETON_EDGES

    out = img.copy()
    h, w = out.shape[:2]
    px = (image_uv * np.array([w, h])).astype(np.int32)
    seen = visibility >= min_visibility
    for a, b in SKELETON_EDGES:
        if seen[a] and seen[b]:
            cv2.line(out, (int(px[a, 0]), int(px[a, 1])), (int(px[b, 0]), int(px[b, 1])),
                     bone_bgr(a, b), 2, cv2.LINE_AA)
    for i in np.flatnonzero(seen):
        cv2.circle(out, (int(px[i, 0]), int(px[i, 1])), 3, WHITE, -1, cv2.LINE_AA)
    return out
