"""The synthetic person: ground-truth gestures in MediaPipe's format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import run_cli
from mirrorbot.errors import SourceError
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.perception.body_frames import points_in_torso, torso_rotation
from mirrorbot.perception.landmarks import Landmark, Side
from mirrorbot.sim.scene import load_scene
from mirrorbot.synth.synth_noise import NoiseConfig
from mirrorbot.synth.synth_person import (
    DEMO_SESSION,
    SyntheticConfig,
    SyntheticPerson,
    SynthFrame,
    parse_synthetic,
    render_frame,
)

EXACT_M = 1e-9
SCENE = load_scene(scene_path(DEFAULT_SCENE_NAME))


def _frames(seed: int = 0, noise: NoiseConfig | None = None,
            gestures: tuple[str, ...] = DEMO_SESSION) -> tuple[SyntheticPerson, list[SynthFrame]]:
    person = SyntheticPerson(SyntheticConfig(gestures=gestures, seed=seed,
                                             noise=noise or NoiseConfig.off(yaw_deg=20.0)), SCENE)
    return person, list(person.frames())


@pytest.fixture(scope="module")
def session() -> tuple[SyntheticPerson, list[SynthFrame]]:
    return _frames()


def test_session_covers_every_gesture_in_about_30_s(session) -> None:  # noqa: ANN001
    person, frames = session
    goals = {label.goal for label in person.labels}
    assert goals == {"wave", "point", "raise", "reach", "drink", "offer", "clear", "none"}
    assert 25.0 <= person.plan.duration_s <= 40.0
    assert len(frames) == person.frame_count


def test_bone_lengths_are_constant(session) -> None:  # noqa: ANN001
    person, frames = session
    p = person.params
    for side in ("LEFT", "RIGHT"):
        s, e, w = (Landmark[f"{side}_{j}"] for j in ("SHOULDER", "ELBOW", "WRIST"))
        world = np.array([f.world_true_m for f in frames])
        upper = np.linalg.norm(world[:, e] - world[:, s], axis=1)
        fore = np.linalg.norm(world[:, w] - world[:, e], axis=1)
        np.testing.assert_allclose(upper, p.upper_arm_m, atol=EXACT_M)
        np.testing.assert_allclose(fore, p.forearm_m, atol=EXACT_M)
    hips = np.linalg.norm(world[:, Landmark.LEFT_HIP] - world[:, Landmark.RIGHT_HIP], axis=1)
    np.testing.assert_allclose(hips, p.hip_width_m, atol=EXACT_M)


def test_torso_frame_from_landmarks_matches_the_generator(session) -> None:  # noqa: ANN001
    _, frames = session
    for f in frames[::7]:
        np.testing.assert_allclose(torso_rotation(f.world_true_m), f.R_mp_torso, atol=1e-9)


def _acting_wrist(frames: list[SynthFrame], start_s: float, end_s: float) -> tuple[Side, np.ndarray,
                                                                                       np.ndarray]:
    """The arm that moves most in [start, end], its wrist path in the torso frame, and times."""
    sel = [f for f in frames if start_s - 0.5 <= f.t_s <= end_s + 0.5]
    t = np.array([f.t_s for f in sel])
    best = None
    for side in Side:
        idx = Landmark.LEFT_WRIST if side is Side.LEFT else Landmark.RIGHT_WRIST
        path = np.array([points_in_torso(f.world_true_m)[idx] for f in sel])
        travel = float(np.sum(np.linalg.norm(np.diff(path, axis=0), axis=1)))
        if best is None or travel > best[0]:
            best = (travel, side, path)
    assert best is not None
    return best[1], best[2], t


@pytest.mark.parametrize("goal", ["point", "raise", "reach", "drink", "offer", "clear"])
def test_speed_profiles_are_bell_shaped_and_labels_line_up(session, goal: str) -> None:  # noqa: ANN001
    person, frames = session
    label = next(lb for lb in person.labels if lb.goal == goal)
    _, path, t = _acting_wrist(frames, label.start_s, label.end_s)
    speed = np.linalg.norm(np.gradient(path, t, axis=0), axis=1)
    inside = (t >= label.start_s) & (t <= label.end_s)
    v = speed[inside]
    peak = int(np.argmax(v))
    assert 0.2 <= peak / (len(v) - 1) <= 0.8, f"{goal}: peak at {peak / (len(v) - 1):.2f}"
    assert v[0] < 0.15 * v.max() and v[-1] < 0.15 * v.max(), goal
    # The labelled movement is where the hand travels: still just before it starts.
    before = (t >= label.start_s - 0.25) & (t < label.start_s)
    assert speed[before].max() < 0.05 * v.max() + 0.01, goal
    assert float(np.linalg.norm(path[inside][-1] - path[inside][0])) > 0.12, goal


def test_goals_are_reached_where_the_label_says(session) -> None:  # noqa: ANN001
    person, frames = session
    at_end = {lb.goal: min(frames, key=lambda f: abs(f.t_s - lb.end_s + 1e-3))
              for lb in person.labels if lb.goal != "none"}
    def wrists(f: SynthFrame) -> np.ndarray:
        pts = points_in_torso(f.world_true_m)
        return pts[[Landmark.LEFT_WRIST, Landmark.RIGHT_WRIST]]
    nose = points_in_torso(at_end["drink"].world_true_m)[Landmark.NOSE]
    assert np.min(np.linalg.norm(wrists(at_end["drink"]) - nose, axis=1)) < 0.2
    assert np.max(wrists(at_end["raise"])[:, 2]) > nose[2]
    assert np.max(wrists(at_end["offer"])[:, 0]) > 0.4
    assert np.max(np.abs(wrists(at_end["clear"])[:, 1])) > 0.35
    wave = next(lb for lb in person.labels if lb.goal == "wave")
    mid = min(frames, key=lambda f: abs(f.t_s - (wave.start_s + wave.end_s) / 2))
    assert np.max(wrists(mid)[:, 2]) > 0.05  # the waving hand is up by the head


def test_cup_gestures_share_their_start() -> None:
    """drink, offer and clear leave the table the same way: straight up."""
    directions = []
    for goal in ("drink", "offer", "clear"):
        person, frames = _frames(seed=3, gestures=(goal,))
        label = person.labels[0]
        _, path, t = _acting_wrist(frames, label.start_s, label.end_s)
        inside = path[(t >= label.start_s) & (t <= label.end_s)]
        early = inside[len(inside) // 6] - inside[0]
        directions.append(early / np.linalg.norm(early))
    for d in directions:
        assert d[2] > 0.9  # mostly up


def test_same_seed_same_landmarks_to_the_bit() -> None:
    noisy = NoiseConfig(yaw_deg=12.0)
    _, a = _frames(seed=5, noise=noisy, gestures=("wave", "drink"))
    _, b = _frames(seed=5, noise=noisy, gestures=("wave", "drink"))
    _, c = _frames(seed=6, noise=noisy, gestures=("wave", "drink"))
    for fa, fb in zip(a, b, strict=True):
        assert (fa.observed is None) == (fb.observed is None)
        if fa.observed is not None and fb.observed is not None:
            assert np.array_equal(fa.observed.world_m, fb.observed.world_m)
            assert np.array_equal(fa.observed.visibility, fb.observed.visibility)
    assert not np.array_equal(a[40].world_true_m, c[40].world_true_m)


def test_noise_off_is_exact_and_noise_never_changes_the_kinematics() -> None:
    _, clean = _frames(seed=2, noise=NoiseConfig.off(yaw_deg=10.0), gestures=("drink",))
    _, noisy = _frames(seed=2, noise=NoiseConfig(yaw_deg=10.0), gestures=("drink",))
    assert all(f.observed is not None for f in clean)
    for fc, fn in zip(clean, noisy, strict=True):
        assert fc.observed is not None
        assert np.array_equal(fc.observed.world_m, fc.world_true_m)
        assert np.array_equal(fc.world_true_m, fn.world_true_m)


def test_noise_is_mediapipe_like() -> None:
    _, frames = _frames(seed=1, noise=NoiseConfig(yaw_deg=0.0), gestures=("none", "wave"))
    seen = [f for f in frames if f.observed is not None]
    assert len(seen) < len(frames)  # some dropouts
    err = np.array([f.observed.world_m - f.world_true_m for f in seen])  # type: ignore[union-attr]
    upper = err[:, :Landmark.LEFT_HIP]
    assert upper[..., 2].std() > 2 * upper[..., 0].std()  # depth jitter exceeds in-plane
    vis = np.array([f.observed.visibility for f in seen])  # type: ignore[union-attr]
    assert vis[:, Landmark.LEFT_ANKLE].mean() < 0.5 < vis[:, Landmark.NOSE].mean()


def test_wander_drifts_slowly_and_more_at_the_hands() -> None:
    """The pose model's slow wander: the set size, about a second long, larger at the wrists."""
    noise = NoiseConfig(jitter=False, dropouts=False, occlusion=False, wander=True)
    _, frames = _frames(seed=3, noise=noise, gestures=("none",) * 12)
    err = np.array([f.observed.world_m - f.world_true_m for f in frames])  # type: ignore[union-attr]
    shoulder, wrist = err[:, Landmark.LEFT_SHOULDER], err[:, Landmark.LEFT_WRIST]
    print(f"{len(frames)} frames; shoulder wander {1e3 * shoulder.std(axis=0).round(4)} mm, "
          f"wrist {1e3 * wrist.std(axis=0).round(4)} mm")
    np.testing.assert_allclose(shoulder.std(axis=0), [0.008, 0.008, 0.015], rtol=0.35)
    np.testing.assert_allclose(wrist.std(axis=0), [0.02, 0.02, 0.0375], rtol=0.35)
    lag_1s = int(NoiseConfig().wander_time_s * 30)  # e^-1 after one correlation time
    x = err[:, :Landmark.LEFT_HIP, 0]
    acf = np.mean(x[lag_1s:] * x[:-lag_1s]) / np.mean(x * x)
    assert 0.2 < acf < 0.55
    assert parse_synthetic("wave?wander=on").noise.wander
    assert not parse_synthetic("wave").noise.wander


def test_image_landmarks_and_view(session) -> None:  # noqa: ANN001
    person, frames = session
    f = frames[len(frames) // 2]
    assert f.observed is not None and f.observed.image_uv is not None
    uv = f.observed.image_uv
    upper = uv[:Landmark.LEFT_KNEE]  # the legs may leave the frame, as behind a real table
    assert np.all((upper > 0) & (upper < 1))
    # Facing the camera, the person's left shoulder is on the image's right.
    assert uv[Landmark.LEFT_SHOULDER, 0] > uv[Landmark.RIGHT_SHOULDER, 0]
    image = render_frame(person, f)
    assert image.shape == (480, 640, 3)
    x = int(uv[Landmark.NOSE, 0] * 640)
    y = int(uv[Landmark.NOSE, 1] * 480)
    assert tuple(image[y, x]) != tuple(image[5, 5])  # the face is drawn where the nose is


def test_source_text_options_and_errors() -> None:
    cfg = parse_synthetic("wave,session?seed=4&noise=off&yaw=15&hand=left&height=1.6")
    assert cfg.gestures[0] == "wave" and cfg.gestures[1:] == DEMO_SESSION
    assert cfg.seed == 4 and not cfg.noise.jitter and cfg.noise.yaw_deg == 15.0
    assert cfg.body is not None and cfg.body.handedness is Side.LEFT
    assert abs(parse_synthetic("wave?seed=1").noise.yaw_deg) <= 30.0
    with pytest.raises(SourceError, match="unknown gesture"):
        parse_synthetic("dance")
    with pytest.raises(SourceError, match="unknown synthetic option"):
        parse_synthetic("wave?sede=1")
    with pytest.raises(SourceError, match="must be on or off"):
        parse_synthetic("wave?noise=maybe")


def test_cli_records_a_labelled_synthetic_session(tmp_path: Path) -> None:
    out = tmp_path / "s.jsonl"
    result = run_cli("record", "--source", "synthetic:drink,offer,wave?seed=2", "--out", str(out))
    assert result.returncode == 0, result.stderr
    header = json.loads(out.read_text().splitlines()[0])
    assert [lb["goal"] for lb in header["labels"]] == ["drink", "offer", "wave"]
    assert header["synthetic"]["seed"] == 2
    assert header["format"] == "mirrorbot-recording"


def test_elbows_never_jump_when_the_hand_goes_over_the_head() -> None:
    """Scratching the head moves the elbow like any other move, never front to back in a frame.

    The elbow's swivel side was chosen per frame, and with the wrist over the head either side
    would do: the elbow jumped 0.4-0.5 m in one frame (here seeds 9 and 10).
    """
    jumps_m = []
    for seed in range(1, 13):
        _, frames = _frames(seed, gestures=("none",) * 4)
        for side in ("LEFT", "RIGHT"):
            elbow = np.array([f.world_true_m[Landmark[f"{side}_ELBOW"]] for f in frames])
            jumps_m.append(np.linalg.norm(np.diff(elbow, axis=0), axis=1).max())
    assert max(jumps_m) < 0.2  # 6 m/s; the fastest of these moves 0.13 m in a frame
