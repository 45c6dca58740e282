"""Goal recognition by the robot's repertoire (experimental: not wired into `run` yet)."""

from __future__ import annotations

import numpy as np

from mirrorbot.intent import RepertoireIntent
from mirrorbot.repertoire import (
    builtin_primitives,
    load_primitive,
    load_repertoire,
    save_primitive,
)
from mirrorbot.synth_noise import NoiseConfig
from mirrorbot.synth_person import SyntheticConfig, SyntheticPerson


def _beliefs(gestures: tuple[str, ...], seed: int, noise: NoiseConfig) -> tuple[list, list]:
    person = SyntheticPerson(SyntheticConfig(gestures=gestures, seed=seed, noise=noise))
    model = RepertoireIntent()
    frames = list(person.frames())
    return frames, [model(f.observed, f.t_s) for f in frames]


def test_posterior_is_normalised_and_deterministic() -> None:
    frames, a = _beliefs(("wave", "drink"), 4, NoiseConfig())
    _, b = _beliefs(("wave", "drink"), 4, NoiseConfig())
    for x, y in zip(a, b, strict=True):
        assert abs(sum(x.probs.values()) - 1.0) < 1e-9
        assert x.probs == y.probs and x.committed == y.committed
    assert set(a[0].probs) == {"wave", "raise", "point", "reach", "drink", "offer", "clear",
                               "none"}


def test_noise_free_movements_are_recognised_by_their_end() -> None:
    gestures = ("raise", "wave", "clear")
    frames, beliefs = _beliefs(gestures, 1, NoiseConfig.off())
    person = SyntheticPerson(SyntheticConfig(gestures=gestures, seed=1, noise=NoiseConfig.off()))
    times = np.array([f.t_s for f in frames])
    for label in person.labels:
        k = int(np.searchsorted(times, label.start_s + 0.9 * (label.end_s - label.start_s)))
        top = max(beliefs[k].probs.items(), key=lambda kv: kv[1])[0]
        assert top == label.goal


def test_a_still_person_never_commits() -> None:
    _, beliefs = _beliefs(("none",), 2, NoiseConfig.off())
    assert all(b.committed is None for b in beliefs[:20])


def test_learned_primitive_round_trips(tmp_path) -> None:  # noqa: ANN001
    base = builtin_primitives()[0]
    template = np.linspace([0, 0, 0], [0.1, 0.2, 0.3], 11)
    learned = type(base)("nod", template[-1:], template_m=template)
    save_primitive(learned, tmp_path / "nod.json", demos=3, duration_s=1.2)
    loaded, duration = load_primitive(tmp_path / "nod.json")
    assert loaded.name == "nod" and duration == 1.2
    np.testing.assert_allclose(loaded.template_m, template, atol=1e-5)
    repertoire, durations = load_repertoire(tmp_path)
    assert repertoire.goals[-2:] == ("nod", "none") and durations == {"nod": 1.2}
    assert RepertoireIntent(repertoire, durations=durations).goals == repertoire.goals
