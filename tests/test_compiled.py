"""The compiled kernels: the warm-up reaches every one the loop calls, so no frame waits."""

from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

import pytest
from numba.core.registry import CPUDispatcher

import mirrorbot
from mirrorbot.paths import DEFAULT_SCENE_NAME, scene_path
from mirrorbot.pose_filter import load_filter_config
from mirrorbot.retarget import Mode
from mirrorbot.scene import load_scene
from mirrorbot.session import RunConfig, run_session, warm_up
from mirrorbot.urdf import RobotModel


def _dispatchers() -> dict[str, CPUDispatcher]:
    """Every numba kernel defined in the package, by qualified name."""
    out = {}
    for info in pkgutil.iter_modules(mirrorbot.__path__):
        if info.name == "__main__":
            continue
        module = importlib.import_module(f"mirrorbot.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == module.__name__:
                out[f"{module.__name__}.{name}"] = value
    return out


@pytest.mark.parametrize("method", [None, "one_euro"])
def test_warm_up_compiles_every_kernel_a_run_calls(model: RobotModel, tmp_path: Path,
                                                   method: str | None) -> None:
    kernels = _dispatchers()
    assert len(kernels) >= 10  # the hot path is compiled
    filter_path = None
    if method is not None:
        filter_path = tmp_path / "filter.json"
        filter_path.write_text(json.dumps({"method": method}))
    warm_up(model, load_scene(scene_path(DEFAULT_SCENE_NAME)), Mode.MIRROR, progress=False,
            filter_config=load_filter_config(filter_path) if filter_path else None)
    before = {name: len(k.signatures) for name, k in kernels.items()}
    run_session(RunConfig(source="synthetic:point,offer,clear,raise", out_dir=tmp_path / "a",
                          mode=Mode.ANATOMICAL, video=False, progress=False, plot=False,
                          filter_path=filter_path))
    compiled_late = [name for name, k in kernels.items() if len(k.signatures) != before[name]]
    assert compiled_late == [], f"compiled during the run, not in the warm-up: {compiled_late}"


_BRAKING_SCRIPT = """
import numpy as np
from mirrorbot.safety import CommandShaper, _v_stop
from mirrorbot.scripted import rest_pose
from mirrorbot.urdf import load_robot_model
from mirrorbot.paths import robot_urdf_path
model = load_robot_model(robot_urdf_path())
shaper = CommandShaper(model, rest_pose(model))
before = len(_v_stop.signatures)
shaper.v[:] = 1.0  # every joint moving: braking caps each by its stopping speed
shaper._braked_velocity(1.0 / 30.0, shaper.v.copy())
print(before, len(_v_stop.signatures))
"""


def test_the_shaper_loads_its_rare_kernels_when_built() -> None:
    """The first frame that brakes must not wait for a kernel (it took 4 ms in the bench run).

    In a fresh process: the kernels this test process compiled would hide a late load.
    """
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _BRAKING_SCRIPT], capture_output=True,
                         text=True, check=True, timeout=120).stdout.split()
    assert out[0] == out[1] != "0", out


def test_the_compile_notice_is_for_a_cold_cache_only(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Cached kernels are loaded without the notice, however slowly a busy machine loads them."""
    import numba

    from mirrorbot.compiled import kernels_cached, source_digest

    assert len(source_digest()) == 12
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(tmp_path))
    assert kernels_cached() is False  # this version never ran here: it compiles
    (tmp_path / "mirrorbot" / "safety.py").mkdir(parents=True)
    (tmp_path / "mirrorbot" / "safety.py" / "safety._stop_short-1.py311.nbi").write_bytes(b"")
    assert kernels_cached() is True
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert kernels_cached() is None  # the user's own cache: not ours to judge


def test_a_run_with_cached_kernels_says_nothing_of_compiling(tmp_path: Path) -> None:
    from helpers import run_cli

    for k in range(2):  # the first may compile (a new version on this machine)
        result = run_cli("run", "--source", "synthetic:wave?seed=1", "--out",
                         str(tmp_path / f"o{k}"), "--no-video")
        assert result.returncode == 0, result.stderr
    assert "compiling" not in result.stderr
