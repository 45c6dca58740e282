"""Jitter filtering of tracked landmarks, with visibility-aware holding.

Two methods (:class:`FilterMethod`) for the world landmarks that drive the robot
(:meth:`PoseFilter.for_robot`):

- ``tracker`` (the default): the gated constant-velocity tracker of
  :mod:`mirrorbot.perception.landmark_tracker`. A limb's points share how far the filter opens,
  each point learns its own noise while still, and the hand's points are tracked as offsets from
  their wrist with gains of their own, so the arm's movement never bends the hand. With the command
  shaper's limits it keeps the commanded arm within a frame of the naive retargeter's timing
  at three to four times less jitter (``eval retarget``), and on the bundled pose model's
  output of a still photo it shakes the arm less than the One Euro filter once its noise is
  learnt.
- ``one_euro``: the One Euro filter (Casiez, Roussel and Vogel, CHI 2012), a low-pass filter
  whose cutoff rises with speed, on each coordinate of each landmark independently, as in the
  paper. It is what the filter-tuning assignment tunes (a settings file with any of its
  parameters and no ``method`` selects it). Its defaults were chosen by
  :func:`mirrorbot.eval.filter_tuning.tune` (``python -m mirrorbot.eval.filter_tuning``): a grid
  search on synthetic minimum-jerk arm movements with MediaPipe-like noise (5 mm in the image plane,
  15 mm in depth), minimising the RMS error to the true trajectory while keeping a 1 m/s
  ramp's lag under 2 frames at 30 fps and reducing a still point's 5 mm jitter at least
  6-fold. Measured with the defaults: ramp lag 0.85 frames, still jitter reduced about 6x
  (5 mm noise) and 3.5x (15 mm). In the loop its cutoff opens late at the start of a whole-arm
  movement: the arm falls about 100 ms behind.

The recogniser, the calibration, the gaze and the echo always read the One Euro filter's world
landmarks (the pose :class:`PoseFilter` returns): they judge whole movements and were tuned on
that smooth view, and fed the tracker's instead the recogniser got no better (the same accuracy
at 40% of a movement, lower at 60 and 80%, on ``eval intent``'s tuning seeds). The image
landmarks (only drawn) use the One Euro filter too.

Landmarks whose visibility drops below ``min_visibility`` are held at their last good value
and their output confidence decays after ``hold_s``; when the person is lost the filter says so
(returns None) and, after ``reset_after_s``, starts afresh rather than gliding from a stale pose.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from mirrorbot.arrays import BoolArray, FloatArray
from mirrorbot.compiled import kernel
from mirrorbot.errors import ConfigError
from mirrorbot.perception.landmark_tracker import HAND_TRACKER, BodyTracker, TrackerConfig
from mirrorbot.perception.landmarks import PoseFrame

ONE_EURO_SETTINGS = {"min_cutoff_hz", "beta", "d_cutoff_hz"}


class FilterMethod(enum.Enum):
    """How the world landmarks are filtered."""

    TRACKER = "tracker"
    ONE_EURO = "one_euro"
    NONE = "none"  # the arms follow the landmarks as they come (noise-free sources: mocap)


@dataclass(frozen=True, kw_only=True)
class FilterConfig:
    """Filter parameters.

    Attributes:
        method: How the world landmarks are filtered.
        tracker: The tracker's gains for the arms and body (``method`` tracker).
        hand_tracker: The tracker's gains for the hands' offsets from their wrists.
        min_cutoff_hz: One Euro: cutoff when still [Hz]; lower is smoother.
        beta: One Euro: how fast the cutoff rises with speed [Hz per m/s]; higher is less lag.
        d_cutoff_hz: One Euro: cutoff of the speed estimate [Hz]. Above a wave's 2-4 Hz: a
            slower speed estimate averages a swinging hand's speed out, and the filter then
            smooths the swing away (a hand waving at the wrist was read as held still).
        min_visibility: Below this a landmark is held, not followed.
        hold_s: How long a held landmark keeps full confidence [s].
        decay_s: Time constant of the confidence decay after that [s].
        reset_after_s: A tracking gap longer than this restarts the filter [s].
    """

    method: FilterMethod = FilterMethod.TRACKER
    tracker: TrackerConfig = field(default_factory=TrackerConfig)
    hand_tracker: TrackerConfig = HAND_TRACKER
    min_cutoff_hz: float = 0.05
    beta: float = 2.5
    d_cutoff_hz: float = 2.0
    min_visibility: float = 0.5
    hold_s: float = 0.3
    decay_s: float = 0.5
    reset_after_s: float = 1.0

    def __post_init__(self) -> None:
        for name in ("min_cutoff_hz", "d_cutoff_hz", "decay_s"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"{name} must be > 0, got {value}")
        for name in ("beta", "hold_s", "reset_after_s"):
            value = getattr(self, name)
            if not value >= 0:
                raise ConfigError(f"{name} must be >= 0, got {value}")
        if not 0.0 <= self.min_visibility <= 1.0:
            raise ConfigError(f"min_visibility must be in [0, 1], got {self.min_visibility}")


RECOGNITION_FILTER = FilterConfig(method=FilterMethod.ONE_EURO)
"""For a :class:`PoseFilter` that only gives the recogniser's view (no robot to drive: the
tracker is not run)."""


class OneEuroFilter:
    """The One Euro filter on an array of independent scalar signals.

    Args:
        config: Filter parameters (only the One Euro ones are used here).
    """

    def __init__(self, config: FilterConfig | None = None) -> None:
        self.config = config or FilterConfig()
        self._x: FloatArray | None = None
        self._dx: FloatArray | None = None
        self._t_s = 0.0

    def reset(self) -> None:
        """Forget the past: the next sample passes through unchanged."""
        self._x = None
        self._dx = None

    def __call__(self, x: FloatArray, t_s: float, update: BoolArray | None = None) -> FloatArray:
        """Filter one sample.

        Args:
            x: The raw sample, any shape.
            t_s: Its time [s]; must increase.
            update: Which entries to update (others hold): one bool per entry of ``x`` in
                C order, any shape; all when None.

        Returns:
            The filtered sample, same shape as ``x``.
        """
        if self._x is None or self._dx is None:
            self._x = x.astype(np.float64, copy=True)
            self._dx = np.zeros_like(self._x)
            self._t_s = t_s
            return self._x.copy()
        dt = t_s - self._t_s
        if dt <= 0:
            return self._x.copy()
        cfg = self.config
        shape = self._x.shape
        mask = np.ones(self._x.size, dtype=np.bool_) if update is None \
            else np.ascontiguousarray(update).reshape(-1)
        x_new, dx = _one_euro_step(
            np.ascontiguousarray(x, dtype=np.float64).reshape(-1), self._x.reshape(-1),
            self._dx.reshape(-1), mask, dt, cfg.min_cutoff_hz, cfg.beta, cfg.d_cutoff_hz)
        self._x, self._dx, self._t_s = x_new.reshape(shape), dx.reshape(shape), t_s
        return self._x.copy()


@kernel
def _one_euro_step(x: FloatArray, x_prev: FloatArray, dx_prev: FloatArray, update: BoolArray,
                   dt_s: float, min_cutoff_hz: float, beta: float, d_cutoff_hz: float,
                   ) -> tuple[FloatArray, FloatArray]:
    """One step of the One Euro filter on flat signals (N,): the new values and derivatives.

    Entries not in ``update`` hold their value, with their derivative reset to 0.
    """
    x_new = x_prev.copy()
    dx = np.zeros_like(dx_prev)
    tau_d = 1.0 / (2.0 * math.pi * d_cutoff_hz)
    alpha_d = 1.0 / (1.0 + tau_d / dt_s)
    for i in range(x.shape[0]):
        if not update[i]:
            continue
        d = dx_prev[i] + alpha_d * ((x[i] - x_prev[i]) / dt_s - dx_prev[i])
        tau = 1.0 / (2.0 * math.pi * (min_cutoff_hz + beta * abs(d)))
        x_new[i] = x_prev[i] + (x[i] - x_prev[i]) / (1.0 + tau / dt_s)
        dx[i] = d
    return x_new, dx


class OneEuroLandmarks:
    """The One Euro filter on landmarks (N, 3), one bool per landmark saying which to update."""

    def __init__(self, config: FilterConfig) -> None:
        self._filter = OneEuroFilter(config)

    def reset(self) -> None:
        """Forget the past."""
        self._filter.reset()

    def __call__(self, world_m: FloatArray, t_s: float, update: BoolArray) -> FloatArray:
        """Filtered landmarks (N, 3) [m]."""
        return self._filter(world_m, t_s, np.repeat(update, world_m.shape[1]))


class PoseFilter:
    """Filters a stream of PoseFrames (or None when nobody is tracked).

    Two views of each frame. What it returns, for the recogniser, the calibration, the gaze
    and the echo, has its world landmarks filtered by the One Euro filter: smooth, and what
    those were tuned on. :meth:`for_robot` gives the same frame with the world landmarks of
    ``config.method``, which drive the robot's arms: with the tracker, the low-lag view (ahead
    along the tracked velocity). Image landmarks are filtered by the One Euro filter; landmarks
    with low visibility are held and their confidence (the output ``visibility``) decays; a
    dropout stays a dropout.

    Args:
        config: Filter parameters.
        filter_image: Also filter the image landmarks (they are only drawn; without a picture
            they pass through as they are).
    """

    def __init__(self, config: FilterConfig | None = None, *, filter_image: bool = True) -> None:
        self.config = config or FilterConfig()
        self.filter_image = filter_image
        self._world = OneEuroLandmarks(self.config)
        self._robot = BodyTracker(self.config.tracker, self.config.hand_tracker) \
            if self.config.method is FilterMethod.TRACKER else None
        self._image = OneEuroFilter(self.config)
        self._raw_world: FloatArray | None = None  # method NONE: the robot's view
        self._last_seen_s: FloatArray | None = None
        self._last_visibility: FloatArray | None = None
        self._last_frame_s: float | None = None
        self._last_pose: PoseFrame | None = None

    def reset(self) -> None:
        """Start afresh."""
        self._world.reset()
        if self._robot is not None:
            self._robot.reset()
        self._image.reset()
        self._last_seen_s = None
        self._last_visibility = None
        self._last_frame_s = None

    def __call__(self, pose: PoseFrame | None, t_s: float) -> PoseFrame | None:
        """Filter one frame taken at ``t_s`` [s]; None in, None out (a dropout is kept)."""
        cfg = self.config
        if pose is None:
            if self._last_frame_s is not None and t_s - self._last_frame_s > cfg.reset_after_s:
                self.reset()
            return None
        if self._last_frame_s is not None and t_s - self._last_frame_s > cfg.reset_after_s:
            self.reset()
        visible = pose.visibility >= cfg.min_visibility
        if self._last_seen_s is None or self._last_visibility is None:
            self._last_seen_s = np.full(pose.visibility.shape, t_s)
            self._last_visibility = pose.visibility.copy()
        confidence = _confidence(pose.visibility, visible, t_s, self._last_seen_s,
                                 self._last_visibility, cfg.hold_s, cfg.decay_s)
        self._last_frame_s = t_s
        world = self._world(pose.world_m, t_s, visible)
        if self._robot is not None:
            self._robot(pose.world_m, t_s, visible)
        if cfg.method is FilterMethod.NONE:
            self._raw_world = pose.world_m
        image = pose.image_uv
        if image is not None and self.filter_image:
            image = self._image(image, t_s, np.repeat(visible, 2))
        self._last_pose = PoseFrame(t_s=t_s, world_m=world, visibility=confidence,
                                    image_uv=image)
        return self._last_pose

    def for_robot(self, pose: PoseFrame) -> PoseFrame:
        """``pose`` (the last this filter returned) with the world landmarks that drive the robot.

        With the tracker, they are ahead along their tracked velocity by
        ``latency_compensation_s``, which makes up for the frames the gate needs to tell a
        movement from noise; with the One Euro
        filter they are ``pose``'s own; with ``none`` the landmarks as they came.
        """
        if pose is not self._last_pose:
            raise ValueError("for_robot() takes the pose this filter returned last")
        if self._raw_world is not None:
            return PoseFrame(t_s=pose.t_s, world_m=self._raw_world, visibility=pose.visibility,
                             image_uv=pose.image_uv)
        if self._robot is None:
            return pose
        return PoseFrame(t_s=pose.t_s, world_m=self._robot.ahead(), visibility=pose.visibility,
                         image_uv=pose.image_uv)


@kernel
def _confidence(visibility: FloatArray, visible: BoolArray, t_s: float, last_seen_s: FloatArray,
                last_visibility: FloatArray, hold_s: float, decay_s: float) -> FloatArray:
    """Per landmark (N,): the visibility where seen, else the last one fading after ``hold_s``.

    Updates ``last_seen_s`` [s] and ``last_visibility`` in place.
    """
    out = np.empty(visibility.shape[0])
    for i in range(visibility.shape[0]):
        if visible[i]:
            last_seen_s[i] = t_s
            last_visibility[i] = visibility[i]
            out[i] = visibility[i]
        else:
            out[i] = last_visibility[i] * math.exp(-max(t_s - last_seen_s[i] - hold_s, 0.0)
                                                   / decay_s)
    return out


def load_filter_config(path: Path) -> FilterConfig:
    """A :class:`FilterConfig` from a JSON file of its fields (a clear error otherwise).

    ``method`` is ``"tracker"``, ``"one_euro"`` or ``"none"`` (the arms unfiltered); without
    it, a file that sets any One Euro parameter (the filter-tuning assignment's) means
    ``one_euro``, any other the default.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no filter settings file {path} (relative to the current folder, "
                          f"{Path.cwd()}); pass a .json file such as "
                          "sims/assignments/tune_the_filter/filter.json") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}); fix "
                          "the file") from None
    except IsADirectoryError:
        raise ConfigError(f"--filter {path} is a folder; pass a .json file such as "
                          "sims/assignments/tune_the_filter/filter.json") from None
    except (OSError, ValueError, RecursionError) as exc:  # unreadable, not UTF-8, huge, nested
        raise ConfigError(f"cannot read filter settings {path} ({exc!s:.100}); pass a JSON "
                          "file "
                          "such as sims/assignments/tune_the_filter/filter.json") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object like {{\"beta\": 3.0}}")
    methods = [m.value for m in FilterMethod]
    default = FilterMethod.ONE_EURO if ONE_EURO_SETTINGS & set(data) else FilterConfig().method
    method_name = data.pop("method", default.value)
    if method_name not in methods:
        raise ConfigError(f"{path}: unknown method {method_name!r}; use one of {methods}")
    method = FilterMethod(method_name)
    known = {f.name for f in fields(FilterConfig)} - {"method", "tracker", "hand_tracker"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {unknown}; the filter has "
                          f"{sorted(known | {'method'})}")
    bad = [k for k, v in data.items() if not isinstance(v, (int, float)) or isinstance(v, bool)]
    if bad:
        raise ConfigError(f"{path}: {bad} must be numbers")
    numbers: dict[str, Any] = {k: float(v) for k, v in data.items()}
    try:
        return FilterConfig(method=method, **numbers)
    except ConfigError as exc:  # a value out of range: name the file it came from
        raise ConfigError(f"{path}: {exc}; fix the file") from None
