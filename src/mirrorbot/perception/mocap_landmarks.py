"""Motion capture skeletons -> MediaPipe's 33 pose world landmarks (docs/mocap.md).

A BVH skeleton's joints give the landmarks the pose model would report for the same person
seen by a camera in front of them: shoulders, elbows, wrists, hips, knees and ankles are the
joints of those names; the hand's knuckles and thumb, the face and the feet are laid out from
the hand, head and foot joints' frames. Joint names are matched after dropping a namespace
(``mixamorig:``), case, ``_``, ``-`` and spaces, so Bandai Namco's (``UpperArm_L``), CMU's
(``LeftArm``), Mixamo's (``mixamorig:LeftArm``), Unreal's (``upperarm_l``) and Poser/DAZ's
(``lShldr``) names all match.

Units and the up axis are found from the skeleton (or given): up is the world axis nearest
the hips-to-shoulders direction, and the unit is the one that makes that distance an adult's
(about 0.5 m). The camera looks at the person's front as they stand in the first frame and
stays there (a person who turns turns away from it); landmarks are hip-centred, in MediaPipe
axes (x to the image's right = the person's left, y down, z away from the camera).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.errors import SourceError
from mirrorbot.perception.bvh import BvhClip, forward_kinematics
from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark

# Metres per file unit, by name. "cmu": the CMU database's BVH conversions (1/0.45 inch).
UNITS_M = {"m": 1.0, "dm": 0.1, "cm": 0.01, "mm": 0.001, "in": 0.0254, "cmu": 0.0254 / 0.45}
TORSO_M = 0.5  # hips' centre to shoulders' centre of an adult, for finding the unit
UNIT_TOLERANCE = 1.6  # the best unit must give a torso within this factor of TORSO_M
HAND_M = 0.085  # wrist to knuckles
# Face points from the head joint (the top of the neck): forward, left, up [m].
FACE_M = {
    Landmark.NOSE: (0.10, 0.0, 0.06), Landmark.LEFT_EYE_INNER: (0.085, 0.015, 0.095),
    Landmark.LEFT_EYE: (0.08, 0.033, 0.097), Landmark.LEFT_EYE_OUTER: (0.07, 0.048, 0.095),
    Landmark.RIGHT_EYE_INNER: (0.085, -0.015, 0.095), Landmark.RIGHT_EYE: (0.08, -0.033, 0.097),
    Landmark.RIGHT_EYE_OUTER: (0.07, -0.048, 0.095), Landmark.LEFT_EAR: (0.0, 0.075, 0.07),
    Landmark.RIGHT_EAR: (0.0, -0.075, 0.07), Landmark.MOUTH_LEFT: (0.085, 0.025, 0.015),
    Landmark.MOUTH_RIGHT: (0.085, -0.025, 0.015),
}
HEAD_ABOVE_NECK_M = 0.08  # where the head joint is put when a skeleton has none


def _side_names(role: str) -> dict[str, tuple[str, ...]]:
    """Normalised joint names of one role for each side ({l}: l/left, {s}: left/l)."""
    patterns = {
        "shoulder": ("upperarm{l}", "{s}arm", "{s}upperarm", "{s}uparm", "{l}shldr",
                     "{l}upperarm"),
        "elbow": ("lowerarm{l}", "forearm{l}", "{s}forearm", "{s}lowerarm", "{s}lowarm",
                  "{l}forearm", "{l}lowerarm", "{s}elbow"),
        "wrist": ("hand{l}", "{s}hand", "{l}hand", "{s}wrist"),
        "hip": ("upperleg{l}", "thigh{l}", "{s}upleg", "{s}upperleg", "{s}thigh", "{l}thigh",
                "{l}upperleg", "{s}hip"),
        "knee": ("lowerleg{l}", "calf{l}", "{s}leg", "{s}lowerleg", "{s}shin", "{l}shin",
                 "{l}lowerleg", "{s}knee"),
        "ankle": ("foot{l}", "{s}foot", "{l}foot", "{s}ankle"),
        "toe": ("toes{l}", "ball{l}", "toe{l}", "{s}toebase", "{s}toe", "{s}toes", "{l}toe"),
        "index": ("{s}handindex1", "index01{l}", "{l}index1", "{s}index1"),
        "pinky": ("{s}handpinky1", "pinky01{l}", "{l}pinky1", "{s}pinky1"),
    }[role]
    return {side: tuple(p.format(l=side[0], s=side) for p in patterns)
            for side in ("left", "right")}


HEAD_NAMES = ("head",)


def normalise_joint_name(name: str) -> str:
    """``mixamorig:Left_Arm`` -> ``leftarm`` (namespace, case and separators dropped)."""
    return "".join(ch for ch in name.rsplit(":", 1)[-1].lower() if ch.isalnum())


@dataclass(frozen=True, kw_only=True)
class MocapOptions:
    """How to read a skeleton (``bvh:FILE?units=cm&up=y``).

    Attributes:
        units: A key of :data:`UNITS_M`, or None to find it from the skeleton's size.
        scale_m: Metres per file unit (overrides ``units``), or None.
        up: ``x``, ``y``, ``z`` (optionally with a sign) or None to find it.
    """

    units: str | None = None
    scale_m: float | None = None
    up: str | None = None


@dataclass(frozen=True)
class MocapLandmarks:
    """A clip as pose landmarks.

    Attributes:
        world_m: (F, 33, 3) [m], MediaPipe axes, hip-centred.
        rate_hz: Frame rate [Hz].
        scale_m: Metres per file unit used.
        units: The unit's name (or ``"scale"`` when given as a number).
        up_axis: The file's up axis, e.g. ``"+y"``.
    """

    world_m: FloatArray
    rate_hz: float
    scale_m: float
    units: str
    up_axis: str


class _Joints:
    """Finds joints by role in one clip; errors name the names tried."""

    def __init__(self, clip: BvhClip) -> None:
        self.clip = clip
        self.by_name = {normalise_joint_name(n): k for k, n in enumerate(clip.names)}

    def find(self, names: tuple[str, ...]) -> int | None:
        for name in names:
            if name in self.by_name:
                return self.by_name[name]
        return None

    def need(self, role: str, side: str) -> int:
        names = _side_names(role)[side]
        found = self.find(names)
        if found is None:
            raise SourceError(
                f"BVH file {self.clip.path} has no {side} {role} joint (looked for "
                f"{', '.join(names[:4])}, ...; it has {', '.join(self.clip.names[:12])}"
                f"{' ...' if len(self.clip.names) > 12 else ''}); docs/mocap.md lists the "
                "names read")
        return found


def _unit_vector(v: FloatArray, what: str, clip: BvhClip) -> FloatArray:
    n = float(np.linalg.norm(v))
    if not n > 1e-9:
        raise SourceError(f"BVH file {clip.path}: cannot tell the {what} (the skeleton's joints "
                          "coincide); is it a human skeleton?")
    return v / n


def _find_up(mean_torso: FloatArray, option: str | None, clip: BvhClip) -> tuple[FloatArray,
                                                                                 str]:
    if option is None:
        axis = int(np.argmax(np.abs(mean_torso)))
        sign = 1.0 if mean_torso[axis] > 0 else -1.0
    else:
        text = option.strip().lower()
        sign = -1.0 if text.startswith("-") else 1.0
        letter = text.lstrip("+-")
        if letter not in ("x", "y", "z"):
            raise SourceError(f"bvh option up={option!r} must be x, y or z (optionally -x ...)")
        axis = "xyz".index(letter)
    up = np.zeros(3)
    up[axis] = sign
    return up, f"{'+' if sign > 0 else '-'}{'xyz'[axis]}"


def _find_scale(torso_units: float, options: MocapOptions, clip: BvhClip) -> tuple[float, str]:
    if options.scale_m is not None:
        return options.scale_m, "scale"
    if options.units is not None:
        if options.units not in UNITS_M:
            raise SourceError(f"bvh option units={options.units!r} is not known; use one of "
                              f"{', '.join(UNITS_M)} or scale=METRES_PER_UNIT")
        return UNITS_M[options.units], options.units
    name, scale = min(UNITS_M.items(),
                      key=lambda kv: abs(math.log(max(torso_units * kv[1], 1e-12) / TORSO_M)))
    if abs(math.log(max(torso_units * scale, 1e-12) / TORSO_M)) > math.log(UNIT_TOLERANCE):
        raise SourceError(f"BVH file {clip.path}: cannot tell its units (hips to shoulders is "
                          f"{torso_units:.3g} file units); give them, e.g. "
                          f"bvh:{clip.path}?units=cm (one of {', '.join(UNITS_M)}) or "
                          "?scale=METRES_PER_UNIT")
    return scale, name


def mocap_landmarks(clip: BvhClip, options: MocapOptions | None = None) -> MocapLandmarks:
    """The clip's frames as MediaPipe world landmarks (see the module docstring).

    Raises:
        SourceError: A needed joint is missing, or units or up axis cannot be found.
    """
    options = options or MocapOptions()
    joints = _Joints(clip)
    P, R, ends = forward_kinematics(clip)
    idx = {(role, side): joints.need(role, side)
           for role in ("shoulder", "elbow", "wrist", "hip") for side in ("left", "right")}
    sh_mid = (P[:, idx["shoulder", "left"]] + P[:, idx["shoulder", "right"]]) / 2
    hip_mid = (P[:, idx["hip", "left"]] + P[:, idx["hip", "right"]]) / 2
    torso = sh_mid - hip_mid
    up, up_name = _find_up(torso.mean(axis=0), options.up, clip)
    scale, units = _find_scale(float(np.median(np.linalg.norm(torso, axis=1))), options, clip)

    def horizontal_left(f: int | slice) -> FloatArray:
        v = (P[f, idx["shoulder", "left"]] - P[f, idx["shoulder", "right"]]
             + P[f, idx["hip", "left"]] - P[f, idx["hip", "right"]])
        return v - np.multiply.outer(v @ up, up) if v.ndim == 2 else v - (v @ up) * up

    left0 = _unit_vector(horizontal_left(0), "way the person faces", clip)
    forward0 = np.cross(left0, up)
    # Rows: MediaPipe x (the person's left), y (down), z (away from the camera = backward).
    M_mp_world = np.stack([left0, -up, -forward0]) * scale
    n = clip.frame_count
    out = np.zeros((n, NUM_LANDMARKS, 3))

    def put(landmark: Landmark, points_world: FloatArray) -> None:
        out[:, landmark] = (points_world - hip_mid) @ M_mp_world.T

    # Each frame's own facing, for the parts laid out by hand (feet, face without a head joint).
    left_t = horizontal_left(slice(None))
    left_t /= np.maximum(np.linalg.norm(left_t, axis=1, keepdims=True), 1e-9)
    forward_t = np.cross(left_t, up)
    metre = 1.0 / scale  # one metre in file units
    for side in ("left", "right"):
        name = side.upper()
        s, e, w = (P[:, idx[role, side]] for role in ("shoulder", "elbow", "wrist"))
        put(Landmark[f"{name}_SHOULDER"], s)
        put(Landmark[f"{name}_ELBOW"], e)
        put(Landmark[f"{name}_WRIST"], w)
        index, pinky, thumb = _hand_points(clip, joints, P, R, ends, idx, side, up, forward_t,
                                           metre)
        put(Landmark[f"{name}_INDEX"], index)
        put(Landmark[f"{name}_PINKY"], pinky)
        put(Landmark[f"{name}_THUMB"], thumb)
        hip = P[:, idx["hip", side]]
        knee_j = joints.find(_side_names("knee")[side])
        ankle_j = joints.find(_side_names("ankle")[side])
        knee = P[:, knee_j] if knee_j is not None else hip - 0.42 * metre * up
        ankle = P[:, ankle_j] if ankle_j is not None else knee - 0.42 * metre * up
        toe_j = joints.find(_side_names("toe")[side])
        toe = (P[:, toe_j] if toe_j is not None
               else ankle + metre * (0.15 * forward_t - 0.07 * up))
        put(Landmark[f"{name}_HIP"], hip)
        put(Landmark[f"{name}_KNEE"], knee)
        put(Landmark[f"{name}_ANKLE"], ankle)
        put(Landmark[f"{name}_HEEL"], ankle - metre * (0.05 * forward_t + 0.05 * up))
        put(Landmark[f"{name}_FOOT_INDEX"], toe)
    for landmark, points in _face(joints, P, R, sh_mid, up, left_t, forward_t, metre).items():
        put(landmark, points)
    return MocapLandmarks(world_m=out, rate_hz=clip.rate_hz, scale_m=scale, units=units,
                          up_axis=up_name)


def _hand_points(clip: BvhClip, joints: _Joints, P: FloatArray, R: FloatArray,
                 ends: FloatArray, idx: dict[tuple[str, str], int], side: str, up: FloatArray,
                 forward_t: FloatArray, metre: float) -> tuple[FloatArray, FloatArray,
                                                               FloatArray]:
    """(index knuckle, pinky knuckle, thumb), each (F, 3) [file units].

    The hand points along its bone (toward the finger joints, its end site, or as its offset
    from the forearm runs); the thumb side is read from the hand joint's frame, taking the
    thumb to point forward in the frame where the arm hangs lowest (a relaxed arm).
    """
    w_j, e_j = idx["wrist", side], idx["elbow", side]
    w = P[:, w_j]
    index_j = joints.find(_side_names("index")[side])
    pinky_j = joints.find(_side_names("pinky")[side])
    R_h = R[:, w_j]
    if np.linalg.norm(clip.end_offsets[w_j]) > 1e-9:
        bone_local = clip.end_offsets[w_j]
    else:
        bone_local = clip.offsets[w_j]  # the hand continues the forearm's line
    bone_local = bone_local / max(float(np.linalg.norm(bone_local)), 1e-12)
    point = R_h @ bone_local
    if index_j is not None and pinky_j is not None:
        knuckles = (P[:, index_j] + P[:, pinky_j]) / 2 - w
        norm = np.linalg.norm(knuckles, axis=1, keepdims=True)
        point = np.where(norm > 1e-9, knuckles / np.maximum(norm, 1e-12), point)
    s = P[:, idx["shoulder", side]]
    arm = w - s
    hang = -(arm @ up) / np.maximum(np.linalg.norm(arm, axis=1), 1e-12)
    ref = int(np.argmax(hang))
    thumb_local = R_h[ref].T @ forward_t[ref]
    thumb_local = thumb_local - (thumb_local @ bone_local) * bone_local
    if np.linalg.norm(thumb_local) < 1e-6:  # the hand points forward there: use the forearm
        thumb_local = R_h[ref].T @ np.cross(up, P[ref, w_j] - P[ref, e_j])
    thumb_local = thumb_local / max(float(np.linalg.norm(thumb_local)), 1e-12)
    across = R_h @ thumb_local
    hm = HAND_M * metre
    index = w + hm * point + 0.022 * metre * across
    pinky = w + 0.88 * hm * point - 0.022 * metre * across
    if index_j is not None and pinky_j is not None:
        index, pinky = P[:, index_j], P[:, pinky_j]
    thumb = w + 0.55 * hm * point + 0.045 * metre * across
    return index, pinky, thumb


def _face(joints: _Joints, P: FloatArray, R: FloatArray, sh_mid: FloatArray, up: FloatArray,
          left_t: FloatArray, forward_t: FloatArray, metre: float,
          ) -> dict[Landmark, FloatArray]:
    """Face landmarks (F, 3) each [file units], from the head joint, turning with the head.

    Without a head joint the face sits above the shoulders, facing the body's way.
    """
    head_j = joints.find(HEAD_NAMES)
    if head_j is None:
        head = sh_mid + HEAD_ABOVE_NECK_M * metre * up
        return {landmark: head + metre * (o[0] * forward_t + o[1] * left_t + o[2] * up)
                for landmark, o in FACE_M.items()}
    # The face as it sits in frame 0 (looking along the body's forward), then turning with the
    # head joint's rotation since.
    axes0 = np.stack([forward_t[0], left_t[0], up], axis=1)  # columns: fwd, left, up
    R_rel = R[:, head_j] @ R[0, head_j].T
    return {landmark: P[:, head_j] + R_rel @ (axes0 @ (np.asarray(o) * metre))
            for landmark, o in FACE_M.items()}
