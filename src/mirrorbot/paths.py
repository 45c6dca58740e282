"""Where the project's data folders are: ``models/`` (robot, repertoire) and ``sims/`` (scenes).

Both live at the repository root beside ``src/``. ``MIRRORBOT_HOME`` overrides the root, for an
installation that keeps them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

from mirrorbot.errors import ModelError

ROBOT_URDF_NAME = "mirrorbot_humanoid.urdf"
DEFAULT_SCENE_NAME = "tabletop"
HOME_ENV = "MIRRORBOT_HOME"


def project_root() -> Path:
    """The folder holding ``models/`` and ``sims/``: ``$MIRRORBOT_HOME``, else the checkout."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2]


def _root_fix() -> str:
    """How to fix a project folder that lacks ``models/`` or ``sims/``, for an error message.

    Names ``MIRRORBOT_HOME`` when it is set: it chose the folder that was searched.
    """
    env = os.environ.get(HOME_ENV)
    if env:
        return (f"{HOME_ENV} is set to {env}: unset it, or point it at the project's folder "
                "(the one holding models/ and sims/)")
    return (f"run mirrorbot from a checkout of the repository, or set {HOME_ENV} to the folder "
            "that holds models/ and sims/")


def models_dir() -> Path:
    """The ``models/`` folder; raises ModelError when it is missing."""
    path = project_root() / "models"
    if not path.is_dir():
        raise ModelError(f"models folder not found at {path}; {_root_fix()}")
    return path


def robot_urdf_path() -> Path:
    """The humanoid URDF shipped in ``models/``."""
    return models_dir() / ROBOT_URDF_NAME


def scene_path(name_or_path: str) -> Path:
    """A scene file: a path to a ``.json`` file, or the name of one in ``sims/scenes/``."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".json":
        if not candidate.is_file():
            raise ModelError(f"scene file {candidate} does not exist; pass a path to a .json scene")
        return candidate
    scenes = project_root() / "sims" / "scenes"
    path = scenes / f"{name_or_path}.json"
    if not path.is_file():
        known = sorted(p.stem for p in scenes.glob("*.json")) if scenes.is_dir() else []
        fixes = ["pass one of those, or a path to a .json scene"] if known else []
        if not known or os.environ.get(HOME_ENV):  # the folder searched may be the problem
            fixes.append(_root_fix())
        raise ModelError(f"scene {name_or_path!r} does not exist in {scenes}. Available "
                         f"scenes: {known}; {'; '.join(fixes)}")
    return path


def media_path(name: str) -> Path:
    """A file in ``models/media/`` (real test media shipped with the project)."""
    path = models_dir() / "media" / name
    if not path.is_file():
        raise ModelError(f"media file {path} is missing; restore models/media/ from the repository")
    return path


def repertoire_dir() -> Path:
    """Learned gestures: ``$MIRRORBOT_REPERTOIRE`` if set, else ``models/repertoire/``.

    The folder is created when the first gesture is learned.
    """
    override = os.environ.get("MIRRORBOT_REPERTOIRE")
    return Path(override) if override else models_dir() / "repertoire"
