"""The compiled kernels: the warm-up reaches every one the loop calls, so no frame waits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

_WARM_UP_SCRIPT = """
import importlib, json, pkgutil, sys
from pathlib import Path
from numba.core.registry import CPUDispatcher
import mirrorbot
from mirrorbot.paths import DEFAULT_SCENE_NAME, robot_urdf_path, scene_path
from mirrorbot.perception.pose_filter import load_filter_config
from mirrorbot.retarget.retarget import Mapping
from mirrorbot.sim.scene import load_scene
from mirrorbot.run.session import RunConfig, run_session, warm_up
from mirrorbot.robot.urdf import load_robot_model
out_dir, method = Path(sys.argv[1]), sys.argv[2]
kernels = {}
for info in pkgutil.walk_packages(mirrorbot.__path__, "mirrorbot."):
    if info.name == "mirrorbot.__main__":
        continue
    module = importlib.import_module(info.name)
    for name, value in vars(module).items():
        if isinstance(value, CPUDispatcher) and value.py_func.__module__ == module.__name__:
            kernels[f"{module.__name__}.{name}"] = value
filter_path = None
if method != "default":
    filter_path = out_dir / "filter.json"
    filter_path.write_text(json.dumps({"method": method}))
fresh = {name: len(k.signatures) for name, k in kernels.items()}
warm_up(load_robot_model(robot_urdf_path()), load_scene(scene_path(DEFAULT_SCENE_NAME)),
        Mapping.MIRROR, progress=False,
        filter_config=load_filter_config(filter_path) if filter_path else None)
before = {name: len(k.signatures) for name, k in kernels.items()}
run_session(RunConfig(source="synthetic:point,offer,clear,raise", out_dir=out_dir / "a",
                      mapping=Mapping.ANATOMICAL, video=False, progress=False, plot=False,
                      filter_path=filter_path))
print(json.dumps({"kernels": len(kernels),
                  "warmed": sum(before[n] > fresh[n] for n in kernels),
                  "late": [n for n, k in kernels.items() if len(k.signatures) != before[n]]}))
"""


@pytest.mark.parametrize("method", ["default", "one_euro"])
def test_warm_up_compiles_every_kernel_a_run_calls(tmp_path: Path, method: str) -> None:
    """The warm-up compiles (or loads) every kernel the run then calls; the run adds none.

    In a fresh process: in this one, other tests have compiled the kernels already, and the
    check could not fail.
    """
    result = subprocess.run([sys.executable, "-c", _WARM_UP_SCRIPT, str(tmp_path), method],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["kernels"] >= 10  # the hot path is compiled
    assert report["warmed"] >= 10, report  # the warm-up did the compiling ...
    assert report["late"] == [], f"compiled during the run, not in the warm-up: {report}"


_BRAKING_SCRIPT = """
import numpy as np
from mirrorbot.control.rate_limits import v_stop
from mirrorbot.control.safety import CommandShaper
from mirrorbot.robot.scripted import rest_pose
from mirrorbot.robot.urdf import load_robot_model
from mirrorbot.paths import robot_urdf_path
model = load_robot_model(robot_urdf_path())
shaper = CommandShaper(model, rest_pose(model))
before = len(v_stop.signatures)
shaper.v[:] = 1.0  # every joint moving: braking caps each by its stopping speed
shaper._braked_velocity(1.0 / 30.0, shaper.v.copy())
print(before, len(v_stop.signatures))
"""


def test_the_shaper_loads_its_rare_kernels_when_built() -> None:
    """The first frame that brakes must not wait for a kernel (it took 4 ms in the bench run).

    In a fresh process: the kernels this test process compiled would hide a late load.
    """
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
    (tmp_path / "mirrorbot" / "collision_avoidance.py").mkdir(parents=True)
    (tmp_path / "mirrorbot" / "collision_avoidance.py" /
     "collision_avoidance.stop_short-1.py311.nbi").write_bytes(b"")
    assert kernels_cached() is True
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert kernels_cached() is None  # the user's own cache: not ours to judge


@pytest.mark.slow
def test_a_run_with_cached_kernels_says_nothing_of_compiling(tmp_path: Path) -> None:
    from helpers import run_cli

    for k in range(2):  # the first may compile (a new version on this machine)
        result = run_cli("run", "--source", "synthetic:wave?seed=1", "--out",
                         str(tmp_path / f"o{k}"), "--no-video")
        assert result.returncode == 0, result.stderr
    assert "compiling" not in result.stderr


def test_eval_says_it_compiles_on_a_cold_cache(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`eval retarget` sat silent for 30 s on its first run, compiling; `run` said so."""
    import mirrorbot.compiled
    from mirrorbot.cli import main

    monkeypatch.setattr(mirrorbot.compiled, "kernels_cached", lambda: False)
    assert main(["eval", "filter"]) == 0
    err = capsys.readouterr().err
    assert err.count("compiling the controller's kernels (first run") == 1, err
    monkeypatch.setattr(mirrorbot.compiled, "kernels_cached", lambda: True)
    assert main(["eval", "filter"]) == 0
    assert "compiling" not in capsys.readouterr().err
