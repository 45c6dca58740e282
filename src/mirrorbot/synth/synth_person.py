"""The synthetic person as a source: ``synthetic:GESTURE[,GESTURE...][?key=value&...]``.

It performs the listed gestures (see :mod:`mirrorbot.synth.synth_gestures`) and yields what
MediaPipe would: 33 world landmarks, image landmarks through a virtual pinhole camera and
visibility, with switchable observation noise, plus the ground truth (true landmarks, torso
frame, labels). Everything is seeded: the same seed gives the same landmarks to the bit, and the
noise has its own random stream, so switching it off leaves the kinematics unchanged.

Options after ``?``: ``seed=N``, ``noise=on|off``, ``jitter=``, ``dropouts=``, ``occlusion=``,
``wander=`` (``on|off`` each; wander, the pose model's slow drift, is off unless asked for),
``yaw=DEG`` (or ``random``, up to 30 degrees), ``height=M``, ``hand=left|right``, ``rate=HZ``,
``repeat=N`` (the gesture list N times over). The gesture
``session`` is the demo's ~30 s sequence that covers every gesture.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mirrorbot.arrays import FloatArray, ImageBGR, Vec3
from mirrorbot.errors import ConfigError, SourceError
from mirrorbot.labels import GestureLabel
from mirrorbot.perception.landmarks import PoseFrame, Side
from mirrorbot.perception.source_spec import (
    SYNTHETIC_OPTIONS,
    check_known_options,
    parse_options,
)
from mirrorbot.sim.scene import Scene
from mirrorbot.synth.synth_body import (
    BodyParams,
    PinholeCamera,
    body_points_torso,
    r_mp_torso,
    torso_to_mp,
)
from mirrorbot.synth.synth_gestures import (
    CUP_LIFT_RANGE_M,
    EXTRA_GESTURES,
    GESTURES,
    SessionPlan,
    arm_states,
    plan_session,
)
from mirrorbot.synth.synth_noise import NoiseConfig, NoiseModel, hidden_points

DEMO_SESSION = ("wave", "drink", "point", "offer", "none", "raise", "reach", "clear")
"""About 30 s covering every gesture; ``synthetic:session`` and the demo perform it."""
MAX_RANDOM_YAW_DEG = 30.0
DEFAULT_CUP_TORSO_M = (0.36, -0.14, -0.28)  # the person's mug, in front of their right hand


@dataclass(frozen=True, kw_only=True)
class SyntheticConfig:
    """The synthetic person's settings.

    Attributes:
        gestures: What to perform, in order.
        seed: Seed of every random choice.
        rate_hz: Frame rate [Hz].
        noise: Observation noise.
        body: The body; None draws one from the seed (height 1.55-1.90 m, 85% right-handed).
        camera: The virtual camera.
        cup_lift_m: How high the cup is lifted before it is carried, drawn per gesture from
            this range [m] (people differ: some carry it off directly).
    """

    gestures: tuple[str, ...] = DEMO_SESSION
    seed: int = 0
    rate_hz: float = 30.0
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    body: BodyParams | None = None
    camera: PinholeCamera = field(default_factory=PinholeCamera)
    cup_lift_m: tuple[float, float] = CUP_LIFT_RANGE_M

    def __post_init__(self) -> None:
        unknown = [g for g in self.gestures if g not in GESTURES + EXTRA_GESTURES]
        if unknown or not self.gestures:
            raise ConfigError(f"unknown gesture(s) {unknown or '(none given)'}; available: "
                              f"{', '.join(GESTURES + EXTRA_GESTURES)}, or 'session' for "
                              "all of the goal vocabulary's")
        if not 5.0 <= self.rate_hz <= 240.0:
            raise ConfigError(f"rate must be in [5, 240] Hz, got {self.rate_hz}")
        if not 0.0 <= self.cup_lift_m[0] <= self.cup_lift_m[1] <= 0.4:
            raise ConfigError(f"cup_lift_m must be a range (low, high) within [0, 0.4] m, got "
                              f"{self.cup_lift_m}")


@dataclass(frozen=True)
class SynthFrame:
    """One frame of the synthetic person.

    Attributes:
        t_s: Time [s].
        observed: What the tracker would report (noisy), or None in a dropout.
        world_true_m: The true landmarks (33, 3) [m], MediaPipe axes.
        R_mp_torso: The true torso frame (3, 3).
        cup_mp: The cup's position (3,) [m] in MediaPipe axes.
        label: The labelled gesture under way, or None at rest.
    """

    t_s: float
    observed: PoseFrame | None
    world_true_m: FloatArray
    R_mp_torso: FloatArray
    cup_mp: Vec3
    label: GestureLabel | None


def _on_off(key: str, value: str) -> bool:
    if value in ("on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    raise SourceError(f"synthetic option {key}={value!r} must be on or off")


def _number(options: dict[str, str], key: str, default: str, *, whole: bool = False) -> Any:
    """The option ``key`` (or ``default``) as a finite number (an int when ``whole``).

    Raises:
        SourceError: Not a number (``nan``, ``1e400``, ``3.5`` where a whole one is asked).
    """
    text = options.get(key, default)
    try:
        value = float(text)
        if math.isfinite(value) and (not whole or value == int(value)):
            return int(value) if whole else value
    except (ValueError, OverflowError):
        pass
    kind = "a whole number" if whole else "a finite number"
    raise SourceError(f"synthetic option {key}={text!r} must be {kind}, e.g. "
                      f"{key}={default}")


def parse_synthetic(arg: str) -> SyntheticConfig:
    """``wave,drink?seed=3&noise=off`` -> SyntheticConfig.

    Raises:
        SourceError: Unknown gesture or option, or a bad value; the message lists valid ones.
    """
    names, _, query = arg.partition("?")
    gestures: list[str] = []
    for name in (n.strip() for n in names.split(",") if n.strip()):
        gestures.extend(DEMO_SESSION if name == "session" else [name])
    options = parse_options(query, "synthetic", "seed=3")
    check_known_options(options, sorted(SYNTHETIC_OPTIONS), "synthetic")
    try:
        seed = _number(options, "seed", "0", whole=True)
        noise = NoiseConfig() if _on_off("noise", options.get("noise", "on")) else \
            NoiseConfig.off()
        switches = {key: _on_off(key, options[key]) for key in ("jitter", "dropouts",
                                                                 "occlusion", "wander")
                    if key in options}
        noise = replace(noise, jitter=switches.get("jitter", noise.jitter),
                        dropouts=switches.get("dropouts", noise.dropouts),
                        occlusion=switches.get("occlusion", noise.occlusion),
                        wander=switches.get("wander", noise.wander))
        yaw = options.get("yaw", "random" if noise.jitter else "0")
        yaw_deg = (float(np.random.default_rng([seed, 7]).uniform(-1, 1) * MAX_RANDOM_YAW_DEG)
                   if yaw == "random" else _number(options, "yaw", "0"))
        noise = replace(noise, yaw_deg=yaw_deg)
        body = None
        if "height" in options or "hand" in options:
            hand = options.get("hand", "right")
            if hand not in ("left", "right"):
                raise SourceError(f"synthetic option hand={hand!r} must be left or right")
            body = BodyParams.from_height(_number(options, "height", "1.72"), Side(hand))
        repeat = _number(options, "repeat", "1", whole=True)
        if not 1 <= repeat <= 10000:
            raise SourceError(f"synthetic option repeat={repeat} must be in [1, 10000]")
        return SyntheticConfig(gestures=tuple(gestures) * repeat, seed=seed, noise=noise,
                               body=body,
                               rate_hz=_number(options, "rate", "30"))
    except ValueError as exc:
        raise SourceError(f"synthetic source {arg!r}: {exc}") from None
    except ConfigError as exc:
        raise SourceError(f"synthetic source {arg!r}: {exc}") from None


def _random_body(rng: np.random.Generator) -> BodyParams:
    hand = Side.RIGHT if rng.uniform() < 0.85 else Side.LEFT
    return BodyParams.from_height(float(rng.uniform(1.55, 1.90)), hand)


def scene_targets(scene: Scene | None) -> tuple[dict[str, Vec3], Vec3]:
    """Scene objects in the person's torso frame (by name) and the person's cup position."""
    if scene is None:
        return {}, np.array(DEFAULT_CUP_TORSO_M)
    objects = {obj.name: scene.p_person_torso(obj.position_m) for obj in scene.objects
               if obj.name != "table"}
    cup = objects.pop("mug", np.array(DEFAULT_CUP_TORSO_M))
    return objects, cup


class SyntheticPerson:
    """Generates the frames of a synthetic session.

    Args:
        config: What to perform and how noisy.
        scene: The scene whose objects are reached for and pointed at (None: defaults).
    """

    def __init__(self, config: SyntheticConfig, scene: Scene | None = None) -> None:
        self.config = config
        seq = np.random.SeedSequence(config.seed)
        motion_seed, noise_seed, body_seed = seq.spawn(3)
        self.params = config.body or _random_body(np.random.default_rng(body_seed))
        objects, cup = scene_targets(scene)
        if self.params.handedness is Side.LEFT:
            cup = cup * np.array([1.0, -1.0, 1.0])
        self.plan: SessionPlan = plan_session(list(config.gestures), self.params,
                                              np.random.default_rng(motion_seed), objects, cup,
                                              config.cup_lift_m)
        self._noise_seed = noise_seed
        self.yaw_rad = float(np.radians(config.noise.yaw_deg))

    @property
    def labels(self) -> tuple[GestureLabel, ...]:
        """The labelled gestures."""
        return tuple(self.plan.labels)

    @property
    def frame_count(self) -> int:
        """Frames in the session."""
        return int(self.plan.duration_s * self.config.rate_hz)

    def truth(self, t_s: float) -> tuple[FloatArray, FloatArray, Vec3]:
        """(true landmarks (33, 3) [m], R_mp_torso (3, 3), cup (3,) [m]) at ``t_s``."""
        lean, roll, shrug = self.plan.whole_body(t_s)
        arms = arm_states(self.plan, t_s)
        head_yaw = 0.15 * np.sin(2 * np.pi * 0.11 * t_s)
        points = body_points_torso(self.params, arms[Side.LEFT], arms[Side.RIGHT],
                                   shrug_m=shrug, head_yaw_rad=float(head_yaw),
                                   head_pitch_rad=0.05)
        R = r_mp_torso(self.yaw_rad, lean, roll)
        cup_torso, _ = self.plan.cup_position(t_s)
        world = torso_to_mp(points, self.params, R)
        cup = torso_to_mp(cup_torso[None, :], self.params, R)[0]
        return world, R, cup

    def frames(self) -> Iterator[SynthFrame]:
        """Every frame of the session, in order (a fresh noise stream each call)."""
        noise = NoiseModel(self.config.noise, np.random.default_rng(self._noise_seed))
        camera = self.config.camera
        labels = self.labels
        label_starts = [lb.start_s for lb in labels]
        for k in range(self.frame_count):
            t = k / self.config.rate_hz
            world, R, cup = self.truth(t)
            seen = noise.observe(world, hidden_points(world, R), self.config.rate_hz)
            observed = None
            if seen is not None:
                world_obs, vis = seen
                uv, _ = camera.project(world_obs)
                observed = PoseFrame(t_s=t, world_m=world_obs, visibility=vis, image_uv=uv)
            i = bisect.bisect_right(label_starts, t) - 1
            label = labels[i] if i >= 0 and t < labels[i].end_s else None
            yield SynthFrame(t, observed, world, R, cup, label)

    def header_extra(self) -> dict[str, Any]:
        """What a recording's header says about this person (to regenerate the truth)."""
        cfg = self.config
        return {"synthetic": {"gestures": list(cfg.gestures), "seed": cfg.seed,
                              "yaw_deg": round(cfg.noise.yaw_deg, 3),
                              "noise": {"jitter": cfg.noise.jitter,
                                        "dropouts": cfg.noise.dropouts,
                                        "occlusion": cfg.noise.occlusion,
                                        "wander": cfg.noise.wander},
                              "handedness": self.params.handedness.value}}


def render_frame(person: SyntheticPerson, frame: SynthFrame) -> ImageBGR:
    """The camera's view of the person (the video's left half)."""
    from mirrorbot.synth.synth_view import render_person

    return render_person(frame.world_true_m, frame.cup_mp, person.config.camera)
