"""A student's stage (``--retargeter FILE.py:Class``, ``--intent module:Class``), kept honest.

Wrappers with the stage's own Protocol. Anything the plugin raises (``SystemExit`` included)
and any output of the wrong type or shape becomes one :class:`ConfigError` naming the plugin
and what was wrong; mirrorbot's own errors (:class:`MirrorbotError`) pass unchanged. A NaN
or infinite output is not an error of the run: the wrapper holds the plugin's last finite
output instead (the rest pose, or an empty belief, before there is one) and says so once, so
that nothing non-finite reaches the robot or the log.

Mistakes that still run are named in one warning each (once a process): joint angles past a
full turn (degrees given for radians) or in whole numbers, a belief over names that are not
goals or whose probabilities do not sum to 1, and a plugin slower than 10 ms a call.
"""

from __future__ import annotations

import difflib
import math
import time
from dataclasses import replace
from typing import Any

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.errors import ConfigError, MirrorbotError
from mirrorbot.labels import GOALS
from mirrorbot.mind.intent import GoalBelief, IntentModel
from mirrorbot.perception.landmarks import PoseFrame, Side
from mirrorbot.retarget.retarget import Retargeter
from mirrorbot.warn import warn

SLOW_CALL_MS = 10.0  # a plugin slower than this a call: the live loop (its pose model takes
# about 20 ms of a 33 ms frame at 30 fps) falls behind, and eval's thousands of calls take minutes
TIMED_CALLS = 30  # a plugin's median time over a run of this many calls decides "slow"
FULL_TURN_RAD = 2.0 * math.pi  # no joint turns this far: an angle past it was given in degrees
SUM_TOLERANCE = 0.01  # a belief's probabilities may sum to 1 within this
_WARNED: set[tuple[str, str]] = set()  # (plugin, kind of problem) warned about in this process


def warn_plugin(where: str, kind: str, message: str) -> None:
    """One warning line about ``where``'s ``kind`` of problem, the first time it is found.

    An eval builds a plugin once a session: its problem is said once, not once a session (nor
    once a frame, when the message holds a figure that changes).
    """
    if (where, kind) not in _WARNED:
        _WARNED.add((where, kind))
        warn(f"{where}{message}")


def plugin_failed(option: str, spec: str, what: str, exc: BaseException) -> ConfigError:
    """The one-line error for an exception raised by a plugin (``what``: where it raised)."""
    if isinstance(exc, SystemExit):
        detail = f"called exit({exc.code!r})"
    else:  # the plugin's message on one line, however many it has
        message = " ".join(str(exc).split())
        detail = f"raised {type(exc).__name__}: {message}".rstrip(": ")
    return ConfigError(f"{option} {spec}: {what} {detail}; fix the plugin (MIRRORBOT_DEBUG=1 "
                       "shows the traceback)")


class CallTimer:
    """The median time of each run of :data:`TIMED_CALLS` calls of a plugin; one warning if slow.

    Every run of calls, not only the first: a plugin may be quick at rest and slow only once
    the person moves.

    Args:
        where: ``--retargeter SPEC`` or ``--intent SPEC``, for the message.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        self.times_ms: list[float] = []
        self.warned = False

    def add(self, elapsed_ms: float) -> None:
        """Record one call's time [ms]; warn once if a run of calls' median is over 10 ms."""
        if self.warned:
            return
        self.times_ms.append(elapsed_ms)
        if len(self.times_ms) == TIMED_CALLS:
            median = float(np.median(self.times_ms))
            self.times_ms.clear()
            if median > SLOW_CALL_MS:
                self.warned = True
                warn_plugin(self.where, "slow", f" takes {median:.0f} ms a call (over "
                            f"{SLOW_CALL_MS:.0f}): eval calls it thousands of times and will "
                            "take minutes, and a live run falls behind 30 fps; make it faster "
                            "(time it with time.perf_counter)")


def build_plugin(option: str, spec: str, factory: Any, *args: Any) -> Any:
    """``factory(*args)``; what a user's class (``module:Class``) raises names the plugin.

    A built-in (a ``spec`` without ``:``) is built as it is, and mirrorbot's own errors
    (:class:`MirrorbotError`, e.g. a damaged model file) pass unchanged: they already say
    what to fix, and it is not the plugin.
    """
    if ":" not in spec:
        return factory(*args)
    try:
        return factory(*args)
    except MirrorbotError:
        raise
    except TypeError as exc:
        signature = "(self, context)" if args else "(self) with no other arguments"
        raise ConfigError(f"{option} {spec}: could not build it ({exc}); its __init__ must "
                          f"take {signature}") from exc
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a plugin may raise anything
        raise plugin_failed(option, spec, "__init__", exc) from exc


class GuardedRetargeter:
    """A plugin retargeter whose output is checked: (n,) real numbers, finite.

    Args:
        inner: The plugin's instance.
        spec: ``--retargeter`` as given, for the messages.
        q_rest_rad: The rest pose (n,) [rad]: what is held before a finite output exists.
    """

    def __init__(self, inner: Retargeter, spec: str, q_rest_rad: FloatArray) -> None:
        self.inner = inner
        self.spec = spec
        self._q_safe = np.array(q_rest_rad, dtype=np.float64)
        self._timer = CallTimer(f"--retargeter {spec}")

    def __call__(self, pose: PoseFrame) -> FloatArray:
        """The plugin's joint targets (n,) [rad], or the last finite ones."""
        where = f"--retargeter {self.spec}"
        try:
            t0 = time.perf_counter()
            q = self.inner(pose)
            self._timer.add(1e3 * (time.perf_counter() - t0))
        except MirrorbotError:
            raise
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a plugin may raise anything
            raise plugin_failed("--retargeter", self.spec, f"at t={pose.t_s:.3f} s",
                                exc) from exc
        n = len(self._q_safe)
        if not isinstance(q, np.ndarray):
            raise ConfigError(f"{where} returned {type(q).__name__}; it must return a numpy "
                              f"array of {n} joint angles [rad]")
        if q.shape != (n,) or q.dtype.kind not in "fiu":
            raise ConfigError(f"{where} returned an array of shape {q.shape} and dtype "
                              f"{q.dtype}; it must return {n} joint angles, shape ({n},), in "
                              "model.actuated order")
        if q.dtype.kind in "iu" and np.any(q):
            warn_plugin(where, "integers", f" returned whole numbers (dtype {q.dtype}): joint "
                        "angles in whole radians; return floats (no int() or dtype=int)")
        q = q.astype(np.float64)
        if not np.all(np.isfinite(q)):
            warn_plugin(where, "nan", " returned NaN or infinite joint angles (first at t="
                        f"{pose.t_s:.3f} s); holding its last finite command instead")
            return self._q_safe.copy()
        if np.any(np.abs(q) > FULL_TURN_RAD):
            warn_plugin(where, "degrees", f" returned a joint angle of "
                        f"{q[np.argmax(np.abs(q))]:.4g}, more than a full turn: joint angles "
                        "are in radians (np.radians(degrees)); the joint limits clamp it")
        self._q_safe = q
        return q


def _finite_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


class GuardedIntent:
    """A plugin intent model whose beliefs are checked (types, finite probabilities).

    Args:
        inner: The plugin's instance.
        spec: ``--intent`` as given, for the messages.
    """

    def __init__(self, inner: IntentModel, spec: str) -> None:
        self.inner = inner
        self.spec = spec
        self._safe = GoalBelief(probs={})
        self._timer = CallTimer(f"--intent {spec}")

    def __call__(self, pose: PoseFrame | None, t_s: float) -> GoalBelief:
        """The plugin's belief, or its last finite one."""
        where = f"--intent {self.spec}"
        try:
            t0 = time.perf_counter()
            belief = self.inner(pose, t_s)
            self._timer.add(1e3 * (time.perf_counter() - t0))
        except MirrorbotError:
            raise
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a plugin may raise anything
            raise plugin_failed("--intent", self.spec, f"at t={t_s:.3f} s", exc) from exc
        if not isinstance(belief, GoalBelief):
            raise ConfigError(f"{where} returned {type(belief).__name__}; it must return a "
                              "mirrorbot.mind.intent.GoalBelief")
        probs = belief.probs
        if not isinstance(probs, dict) or not all(isinstance(k, str) for k in probs):
            raise ConfigError(f"{where}: GoalBelief.probs must be a dict of goal name -> "
                              f"float, got {type(probs).__name__}")
        for goal, p in probs.items():
            if not isinstance(p, (int, float)) or isinstance(p, bool):
                raise ConfigError(f"{where}: the probability of {goal!r} is a "
                                  f"{type(p).__module__}.{type(p).__name__}; give a Python "
                                  "float (float(p))")
        if belief.committed is not None and not isinstance(belief.committed, str):
            raise ConfigError(f"{where}: GoalBelief.committed must be a goal name or None, "
                              f"got {type(belief.committed).__name__}")
        negative = next((g for g, p in probs.items() if _finite_number(p) and p < 0), None)
        if negative is not None:
            raise ConfigError(f"{where}: the probability of {negative!r} is {probs[negative]}; "
                              "probabilities must be 0 or more (and sum to 1)")
        if belief.committed == "none":
            raise ConfigError(f"{where}: committed to 'none', which is not a goal; to commit "
                              "to nothing give committed=None (the default)")
        if belief.committed is not None and probs and belief.committed not in probs:
            raise ConfigError(f"{where}: committed to {belief.committed!r}, which is not in "
                              f"GoalBelief.probs ({sorted(probs)}); commit to one of its goals")
        if belief.side is not None and not isinstance(belief.side, Side):
            raise ConfigError(f"{where}: GoalBelief.side must be a mirrorbot Side or None, "
                              f"got {type(belief.side).__name__}")
        vectors_ok = all(
            v is None or (isinstance(v, np.ndarray) and v.shape == (3,)
                          and v.dtype.kind in "fiu" and bool(np.all(np.isfinite(v))))
            for v in (belief.start_m, belief.target_m, belief.forecast_m))
        finite = vectors_ok and all(_finite_number(p) for p in probs.values()) and all(
            _finite_number(x) for x in (belief.elapsed_s, belief.duration_s))
        if not finite:
            warn_plugin(where, "nan", " returned NaN, infinite or malformed numbers in its "
                        f"belief (first at t={t_s:.3f} s); holding its last finite belief "
                        "instead")
            return self._safe
        _check_goals(where, probs)
        self._safe = replace(belief, probs={k: float(p) for k, p in probs.items()})
        return self._safe


def _check_goals(where: str, probs: dict[str, float]) -> None:
    """Warn once about a name that is no goal (a typo scores nothing) or a sum other than 1.

    Learned gestures' names and a scene's ``reach:OBJECT`` are goals too, so an unknown name
    is a warning, not an error.
    """
    for goal in probs:  # each frame: the close match is looked for once a name, not per frame
        if goal not in GOALS and not goal.startswith("reach:") \
                and (where, f"goal {goal}") not in _WARNED:
            close = difflib.get_close_matches(goal, GOALS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            warn_plugin(where, f"goal {goal}", f": GoalBelief.probs has {goal!r}, which is "
                        f"not a goal ({hint}the goals are mirrorbot.GOALS: {', '.join(GOALS)}; "
                        "learned gestures add their names)")
    total = float(sum(probs.values()))
    if probs and abs(total - 1.0) > SUM_TOLERANCE:
        warn_plugin(where, "sum", f": GoalBelief.probs sum to {total:.3g}, not 1; divide each "
                    "by their sum")
