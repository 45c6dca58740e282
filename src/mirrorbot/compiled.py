"""Compiled per-frame kernels: the controller's inner loops in numba.

Everything after the pose model must take under 1 ms per frame (``mirrorbot bench``). In numpy
each small operation costs about a microsecond of overhead, and the collision checks, the
intent likelihoods and the arm solutions are hundreds of them; compiled, each is a few
microseconds. Kernels are plain functions on arrays and floats, compiled the first time they
run and cached on disk by numba, so only the first run on a machine pays the compile time.

The cache lives in ``$XDG_CACHE_HOME/mirrorbot/numba/<digest>`` (``~/.cache`` by default), where
the digest is of the package's source: numba checks only a cached kernel's own file, not the
kernels it calls, so after an update of :mod:`mirrorbot.robot.collision_model` the command shaper's
cached kernels went on using the old collision code. A user's ``NUMBA_CACHE_DIR`` is kept.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import numba

STALE_CACHE_S = 7 * 24 * 3600.0  # other versions' caches unused this long are removed


def source_digest() -> str:
    """A digest of every module of the package (12 hex digits)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _use_versioned_cache() -> None:
    """Point numba's cache at a folder of this source version (unless the user chose one)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mirrorbot" / \
        "numba"
    folder = root / source_digest()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        os.utime(folder)
        for other in root.iterdir():
            if other != folder and time.time() - other.stat().st_mtime > STALE_CACHE_S:
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        return  # numba's own cache beside the package
    setattr(numba.config, "CACHE_DIR", str(folder))  # noqa: B010 - numba.config is untyped


_use_versioned_cache()


def kernels_cached() -> bool | None:
    """Whether this source version's kernels are cached already (None: unknown, a user's cache).

    Numba writes an index (``*.nbi``) per cached kernel; an empty folder means the first run of
    this version on this machine, which compiles.
    """
    folder = getattr(numba.config, "CACHE_DIR", "")
    if not folder or os.environ.get("NUMBA_CACHE_DIR"):
        return None
    return any(Path(folder).rglob("*.nbi"))

COMPILING_NOTICE = ("mirrorbot: compiling the controller's kernels (first run of this version on "
                    "this machine only, about 15-30 s) ...")


@contextmanager
def compile_notice(enabled: bool = True) -> Iterator[None]:
    """Say on stderr, once, that the first run of a version compiles (only then).

    At once when this version's cache is empty; after 1 s with a user's own cache (unknown);
    never when the kernels are cached (a busy machine loading them slowly is not compiling).
    ``run`` and ``eval`` both compile on their first use: ``eval retarget`` sat silent for
    30 s before its first progress line.
    """
    cached = kernels_cached()
    notice = threading.Timer(0.0 if cached is False else 1.0,
                             lambda: print(COMPILING_NOTICE, file=sys.stderr, flush=True))
    notice.daemon = True
    if enabled and not cached:
        notice.start()
    try:
        yield
    finally:
        notice.cancel()


F = TypeVar("F", bound=Callable[..., Any])


def kernel(fn: F) -> F:
    """Compile ``fn`` with numba in nopython mode, cached on disk."""
    return cast(F, numba.njit(cache=True, nogil=True)(fn))
