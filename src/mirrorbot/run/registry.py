"""Choosing a stage implementation by name or by ``module:Class`` (a student's own).

``--retargeter ours`` picks a built-in; ``--retargeter my_pkg.mine:MyRetargeter`` imports
``my_pkg.mine`` (from the current folder or the installed packages) and builds ``MyRetargeter``
with the stage's context; ``--retargeter path/to/mine.py:MyRetargeter`` loads that file (its
folder first on the import path, so that modules beside it import).
Errors name what is missing and list what is available.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from mirrorbot.errors import ConfigError


def _builtin_retargeters() -> dict[str, Callable[..., Any]]:
    from mirrorbot.retarget.naive_retarget import NaiveRetargeter
    from mirrorbot.retarget.retarget import DirectionRetargeter

    return {"ours": DirectionRetargeter, "naive": NaiveRetargeter}


def _builtin_intents() -> dict[str, Callable[..., Any]]:
    from mirrorbot.mind.intent import RepertoireIntent
    from mirrorbot.mind.intent_baselines import NoIntent, VelocityBaseline
    from mirrorbot.mind.repertoire import load_repertoire
    from mirrorbot.paths import repertoire_dir

    def ours() -> RepertoireIntent:
        repertoire, durations = load_repertoire(repertoire_dir())
        return RepertoireIntent(repertoire, durations=durations)

    return {"ours": ours, "velocity": VelocityBaseline, "none": NoIntent}


STAGES: dict[str, Callable[[], dict[str, Callable[..., Any]]]] = {
    "retargeter": _builtin_retargeters,
    "intent": _builtin_intents,
}
REQUIRED_METHOD = {"retargeter": "__call__", "intent": "__call__"}
SIGNATURE = {"retargeter": "__call__(self, pose)", "intent": "__call__(self, pose, t_s)"}
"""The required method as a user writes it (the stage's Protocol)."""
WHAT = {"retargeter": "a retargeter", "intent": "an intent model"}
"""What a stage's class is, with its article, for messages."""
PROTOCOL = {"retargeter": "Retargeter protocol in mirrorbot/retarget/retarget.py",
            "intent": "IntentModel protocol in mirrorbot/mind/intent.py"}


def load_stage(stage: str, spec: str) -> Callable[..., Any]:
    """The class (or factory) for ``spec``: a built-in name or ``module:Class``.

    Raises:
        ConfigError: Unknown name (with close matches), a module that cannot be imported, a
            missing class, or a class without the stage's method.
    """
    builtins = STAGES[stage]()
    if ":" not in spec:
        if spec in builtins:
            return builtins[spec]
        if spec.endswith(".py"):  # the file without its class
            example = {"retargeter": "MyRetargeter", "intent": "MyPredictor"}[stage]
            raise ConfigError(f"--{stage} {spec}: name the class in it after a ':', e.g. "
                              f"{spec}:{example}")
        close = difflib.get_close_matches(spec, builtins, n=2)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ConfigError(f"unknown {stage} {spec!r}{hint}. Available: {sorted(builtins)}, or "
                          "module:Class or path/to/file.py:Class for your own")
    module_name, _, class_name = spec.rpartition(":")
    module = _import(stage, module_name)
    cls = getattr(module, class_name, None)
    if cls is None:
        found = [n for n, v in vars(module).items() if inspect.isclass(v)
                 and v.__module__ == module.__name__]
        raise ConfigError(f"{module_name} has no {class_name!r}. Classes in it: {found}")
    method = REQUIRED_METHOD[stage]
    if inspect.isclass(cls) and not any(method in vars(k) for k in cls.__mro__ if k is not object):
        raise ConfigError(f"{spec} is missing the method {SIGNATURE[stage]} that "
                          f"{WHAT[stage]} needs (see the {PROTOCOL[stage]})")
    return cls


@functools.lru_cache(maxsize=32)
def _import(stage: str, module_name: str) -> ModuleType:
    """A module by dotted name (the current folder first) or by the path of a ``.py`` file."""
    is_file = module_name.endswith(".py")
    try:
        if is_file:
            path = Path(module_name)
            if not path.is_file():
                raise ConfigError(f"--{stage}: no file {path}; give the path of your .py file "
                                  "(relative to the current folder) before the ':'")
            # Its own folder first, as `python FILE.py` has it: a helper module beside the
            # file imports (it was taken for a missing package, with a pip install to run).
            folder = str(path.resolve().parent)
            if folder not in sys.path:
                sys.path.insert(0, folder)
            name = f"mirrorbot_user_{path.stem}"
            file_spec = importlib.util.spec_from_file_location(name, path)
            assert file_spec is not None and file_spec.loader is not None
            module = importlib.util.module_from_spec(file_spec)
            sys.modules[name] = module
            try:
                file_spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(name, None)
                raise
            return module
        if str(Path.cwd()) not in sys.path:
            sys.path.insert(0, str(Path.cwd()))
        return importlib.import_module(module_name)
    except ConfigError:
        raise
    except ImportError as exc:
        raise _import_failed(stage, module_name, is_file, exc) from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a student's module may raise anything
        what = f"called exit({exc.code!r})" if isinstance(exc, SystemExit) \
            else f"{type(exc).__name__}: {exc}"
        raise ConfigError(f"importing {module_name!r} for --{stage} failed: {what}; fix the "
                          "module") from None


def _import_failed(stage: str, module_name: str, is_file: bool,
                   exc: ImportError) -> ConfigError:
    """The error for an ImportError: the plugin itself not found, or something it imports."""
    missing = exc.name
    asked = not is_file and missing is not None and (
        missing == module_name or module_name.startswith(f"{missing}."))
    if asked:  # the module (or its package) the user named is not there
        return ConfigError(f"cannot import {module_name!r} for --{stage} ({exc}); is the file "
                           f"{module_name.replace('.', '/')}.py in the current folder?")
    if isinstance(exc, ModuleNotFoundError) and missing is not None:
        package = missing.split(".")[0]
        return ConfigError(f"--{stage}: {module_name} imports {missing!r}, which is not "
                           f"installed; install it into mirrorbot's environment "
                           f"({sys.executable} -m pip install {package}; the pip name can "
                           "differ) or remove the import")
    return ConfigError(f"importing {module_name!r} for --{stage} failed: {type(exc).__name__}: "
                       f"{exc}; fix the module's imports")
