"""Rigid transforms as pure numpy functions (``T_a_b`` maps frame-b points into frame a)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from mirrorbot.arrays import FloatArray, Mat4, Vec3
from mirrorbot.compiled import kernel


def rotation_about_axis(axis: Vec3, angle_rad: float) -> FloatArray:
    """Rotation matrix (3, 3) of ``angle_rad`` about the unit vector ``axis`` (Rodrigues)."""
    x, y, z = axis
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    t = 1.0 - c
    return np.array([
        [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
        [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
        [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
    ])


def rotation_from_rpy(rpy_rad: Sequence[float]) -> FloatArray:
    """URDF roll-pitch-yaw (fixed axes x, y, z) to a rotation matrix (3, 3)."""
    roll, pitch, yaw = rpy_rad
    rx = rotation_about_axis(np.array([1.0, 0.0, 0.0]), roll)
    ry = rotation_about_axis(np.array([0.0, 1.0, 0.0]), pitch)
    rz = rotation_about_axis(np.array([0.0, 0.0, 1.0]), yaw)
    return rz @ ry @ rx


def transform_from_xyz_rpy(xyz_m: Sequence[float], rpy_rad: Sequence[float]) -> Mat4:
    """Homogeneous transform (4, 4) from a translation [m] and URDF roll-pitch-yaw [rad]."""
    T = np.eye(4)
    T[:3, :3] = rotation_from_rpy(rpy_rad)
    T[:3, 3] = xyz_m
    return T


@kernel
def cross3(a: Vec3, b: Vec3) -> Vec3:
    """Cross product of two 3-vectors (np.cross is ~20x slower on single vectors)."""
    out = np.empty(3)
    out[0] = a[1] * b[2] - a[2] * b[1]
    out[1] = a[2] * b[0] - a[0] * b[2]
    out[2] = a[0] * b[1] - a[1] * b[0]
    return out


@kernel
def dot3(a: Vec3, b: Vec3) -> float:
    """Dot product of two 3-vectors."""
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


@kernel
def norm3(v: Vec3) -> float:
    """Length of a 3-vector (np.linalg.norm is ~4x slower on single vectors)."""
    return math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2])


@kernel
def rotate_back3(R: FloatArray, v: Vec3) -> Vec3:
    """``R.T @ v`` for a (3, 3) rotation and a 3-vector.

    That is ``v`` expressed in the frame whose axes are ``R``'s columns.
    """
    out = np.empty(3)
    for j in range(3):
        out[j] = R[0, j] * v[0] + R[1, j] * v[1] + R[2, j] * v[2]
    return out


@kernel
def matmul3(A: FloatArray, B: FloatArray) -> FloatArray:
    """``A @ B`` of two (3, 3) matrices (in compiled code ``@`` would need SciPy's BLAS)."""
    out = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            out[i, j] = A[i, 0] * B[0, j] + A[i, 1] * B[1, j] + A[i, 2] * B[2, j]
    return out


@kernel
def from_columns(x: Vec3, y: Vec3, z: Vec3) -> FloatArray:
    """The (3, 3) matrix with columns ``x``, ``y``, ``z``."""
    out = np.empty((3, 3))
    for i in range(3):
        out[i, 0], out[i, 1], out[i, 2] = x[i], y[i], z[i]
    return out


@kernel
def unit3(v: Vec3, min_length_m: float = 1e-9) -> Vec3:
    """``v`` scaled to length 1, or zeros (3,) when it is shorter than ``min_length_m``."""
    n = norm3(v)
    return v / n if n > min_length_m else np.zeros(3)


def rx(a: float) -> FloatArray:
    """Rotation about x by ``a`` [rad], (3, 3)."""
    c, s = math.cos(a), math.sin(a)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


@kernel
def ry(a: float) -> FloatArray:
    """Rotation about y by ``a`` [rad], (3, 3)."""
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])


def rz(a: float) -> FloatArray:
    """Rotation about z by ``a`` [rad], (3, 3)."""
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
