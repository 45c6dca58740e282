"""The public API of ``mirrorbot`` (lazily loaded) and the old module paths students import."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import mirrorbot
from mirrorbot.moved import MOVED


def test_every_public_name_loads_from_its_module() -> None:
    for name in mirrorbot.__all__:
        value = getattr(mirrorbot, name)
        module = importlib.import_module(mirrorbot._MODULE_OF[name])
        assert value is getattr(module, name), name
    assert sorted(mirrorbot.__all__) == sorted(mirrorbot._MODULE_OF)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Retargetter'"):
        mirrorbot.Retargetter  # noqa: B018 - the lookup is the test


def test_importing_the_package_loads_no_simulator_tracker_or_compiler() -> None:
    code = ("import sys, mirrorbot; print(sorted(m for m in ('pybullet', 'mediapipe', 'cv2', "
            "'numba', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_module_path_is_the_moved_module(old: str) -> None:
    assert importlib.import_module(old) is importlib.import_module(MOVED[old])


def test_the_retarget_package_keeps_the_old_modules_names() -> None:
    from mirrorbot.retarget import RetargetContext, Retargeter, driving_side
    from mirrorbot.retarget.retarget import RetargetContext as Context

    assert RetargetContext is Context and Retargeter is mirrorbot.Retargeter
    assert driving_side is mirrorbot.driving_side
