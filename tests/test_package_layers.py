"""The packages' order (docs/architecture.md): every import stays in its package or goes down."""

from __future__ import annotations

import ast
from pathlib import Path

import mirrorbot

# Lowest first. "helpers" are the top-level modules (arrays, errors, paths, ...); "mirrorbot"
# is the package itself (the public API) with the command line on top.
LAYERS = ["helpers", "perception", "robot", "sim", "synth", "sources", "retarget", "mind",
          "control", "output", "run", "eval", "mirrorbot"]
TOP = {"__init__", "__main__", "cli"}
PACKAGE = Path(mirrorbot.__file__).parent


def layer_of(module: str) -> str:
    """The layer of ``mirrorbot.a.b`` (a package's name, ``helpers`` or ``mirrorbot``)."""
    parts = module.split(".")[1:]
    if not parts or parts[0] in TOP:
        return "mirrorbot"
    return parts[0] if (PACKAGE / parts[0]).is_dir() else "helpers"


def imports_of(path: Path) -> set[str]:
    """Every ``mirrorbot...`` module a file imports, at any depth (functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "mirrorbot" or name.startswith("mirrorbot.")}


def test_every_module_is_in_a_known_layer() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(LAYERS) - {"helpers", "mirrorbot"}


def test_no_module_imports_upward() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(rel.parts)
        mine = LAYERS.index(layer_of(module))
        upward += [f"{module} -> {name}" for name in sorted(imports_of(path))
                   if name != "mirrorbot" and LAYERS.index(layer_of(name)) > mine]
    assert upward == [], "imports that run up the layers:\n" + "\n".join(upward)
