"""Array type aliases used across the package (one place, so signatures stay short)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
"""Any float64 array; the docstring of each use gives its shape and unit."""

IntArray = npt.NDArray[np.int64]
"""An int64 array of indices."""

Vec3 = npt.NDArray[np.float64]
"""A 3-vector, shape (3,)."""

Mat4 = npt.NDArray[np.float64]
"""A homogeneous transform, shape (4, 4); ``T_a_b`` maps points in frame b to frame a."""

ImageRGB = npt.NDArray[np.uint8]
"""An RGB image, shape (H, W, 3), uint8."""

ImageRGBA = npt.NDArray[np.uint8]
"""An RGBA image, shape (H, W, 4), uint8."""

ImageBGR = npt.NDArray[np.uint8]
"""A BGR image as OpenCV uses it, shape (H, W, 3), uint8."""

BoolArray = npt.NDArray[np.bool_]
"""A boolean mask; the docstring of each use gives its shape."""
