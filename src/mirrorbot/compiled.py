"""Compiled per-frame kernels: the controller's inner loops in numba.

Everything after the pose model must take under 1 ms per frame (``mirrorbot bench``). In numpy
each small operation costs about a microsecond of overhead, and the collision checks, the
intent likelihoods and the arm solutions are hundreds of them; compiled, each is a few
microseconds. Kernels are plain functions on arrays and floats, compiled the first time they
run and cached on disk by numba (beside the package, or in the user's cache folder when that is
read-only), so only the first run on a machine pays the compile time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., Any])


def kernel(fn: F) -> F:
    """Compile ``fn`` with numba in nopython mode, cached on disk."""
    return cast(F, numba.njit(cache=True, nogil=True)(fn))
