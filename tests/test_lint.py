"""The code base stays ruff clean (the rules in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mirrorbot.paths import project_root


def test_ruff_is_clean() -> None:
    beside = Path(sys.executable).with_name("ruff")
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff not installed (pip install -e '.[dev]')")
    root = project_root()
    result = subprocess.run([ruff, "check", "src", "tests", "sims"], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_mypy_is_clean() -> None:
    beside = Path(sys.executable).with_name("mypy")
    mypy = str(beside) if beside.exists() else shutil.which("mypy")
    if mypy is None:
        pytest.skip("mypy not installed (pip install -e '.[dev]')")
    result = subprocess.run([mypy], cwd=project_root(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
