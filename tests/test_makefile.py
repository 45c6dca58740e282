"""`make demo` picks a Python that mediapipe 0.10.21 supports (3.10-3.12), or says what to do."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("python3", "python3.12", "python3.11", "python3.10")

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _fake_pythons(folder: Path, supported: set[str]) -> dict[str, str]:
    """Stand-ins that pass the version check only for the names in ``supported``."""
    folder.mkdir()
    for name in PYTHONS:
        path = folder / name
        path.write_text(f"#!/bin/sh\nexit {0 if name in supported else 1}\n")
        path.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}:/usr/bin:/bin"}


def _make(env: dict[str, str], venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in env.items() if k != "PYTHON"}
    return subprocess.run(["make", "-C", str(ROOT), f"VENV={venv}", *args, "demo"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_a_too_new_python3_is_passed_over_for_a_supported_one(tmp_path: Path) -> None:
    env = _fake_pythons(tmp_path / "bin", supported={"python3.12"})
    result = _make(env, tmp_path / "venv", "-n")
    assert "python3.12 -m venv" in result.stdout, result.stdout + result.stderr


def test_without_a_supported_python_one_line_says_what_to_do(tmp_path: Path) -> None:
    env = _fake_pythons(tmp_path / "bin", supported=set())
    result = _make(env, tmp_path / "venv")
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    assert len(ours) == 1 and "needs Python 3.10-3.12" in ours[0]
    assert "make PYTHON=python3.12" in ours[0]
    assert not (tmp_path / "venv").exists()
