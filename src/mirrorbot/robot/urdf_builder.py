"""Writes the humanoid's URDF (``models/mirrorbot_humanoid.urdf``) from one table of numbers.

The robot is an adult-sized upper body on a pedestal: a fixed torso, a head with pan and tilt,
and two 7-joint arms (shoulder flexion, abduction and humeral rotation, elbow flexion, forearm
pronation, wrist flexion and deviation) with a simple hand. The two arms are mirror images, so
a positive angle means the same anatomical motion on both sides.

Zero configuration: arms hanging straight down, palms facing the body, thumbs forward, head
looking along +x. Base frame: x forward (toward the person), y to the robot's left, z up, origin
on the floor under the pedestal.

Run ``python -m mirrorbot.robot.urdf_builder models/mirrorbot_humanoid.urdf`` to regenerate the
file, and ``python -m mirrorbot.robot.urdf_builder --table`` for the joint table of the docs. A
test keeps the committed file equal to what this module writes.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import quoteattr

# --- Dimensions [m] and masses [kg] (adult human proportions) -------------------------------
# Joint speeds [rad/s]: a mirror must keep up with a person's gestures. Real actors' shoulders
# (the Bandai Namco development set, solved for this robot) pass 8.1 rad/s at the 99th percentile
# of frames, their elbows 6.6 (12 at the 99.9th); social humanoids are built as fast (NAO's
# shoulder pitch 8.3 rad/s, Pepper's 7.3). At 6 and 7 rad/s the robot fell behind every brisk
# wave and raise of those actors (worst clip's 90th percentile of limb error 36 deg, 23 at 8
# and 9); at 3 rad/s it was 80 ms behind the synthetic person (``mirrorbot eval retarget``).
SHOULDER_SPEED_RAD_S = 8.0  # shoulder elevation and the second shoulder joint
ELBOW_SPEED_RAD_S = 9.0  # humeral rotation and elbow flexion
# The shoulder's first joint turns the arm up in the plane halfway between forward and out (as a
# person's arm rises most freely, in the scapular plane), so that the gimbal of its three joints
# (the arm along the first axis) points horizontally back-and-out or forward-and-across, where
# people do not put their upper arm: in the Bandai Namco development set 0.06% of arm frames come
# within 25 deg of it, against 6.3% of the sideways axis a plain flexion joint has (waves, raises
# through the side, arms held out). docs/robot.md.
SHOULDER_PLANE_RAD = math.radians(45.0)
# Shoulder torque [N m]: the shaper accelerates the shoulders at up to 160 rad/s^2 (real actors'
# shoulders reach 105 rad/s^2 at the 99th percentile, 157 at the 99.9th); on the arm's 0.48 kg m^2
# with 9 N m of its own weight held out, 80 N m fell short and fast raises lagged their command.
SHOULDER_EFFORT_NM = 110.0
# Wrist torque [N m]: enough to hold the wrist's velocity limit while the elbow starts at full
# speed (at 8 N m the elbow's reaction spun the wrist to 1.7 times its limit for a physics step).
WRIST_EFFORT_NM = 12.0
PEDESTAL_HEIGHT_M = 0.55
TORSO_SIZE_M = (0.20, 0.26, 0.50)  # depth (x), width (y), height (z)
SHOULDER_HEIGHT_M = 1.05  # shoulder joint centres above the floor
SHOULDER_HALF_WIDTH_M = 0.18  # shoulder width 0.36 m
NECK_HEIGHT_M = 1.13  # head pan axis above the floor
HEAD_TILT_OFFSET_M = 0.04  # tilt axis above the pan joint
HEAD_RADIUS_M = 0.10
UPPER_ARM_LENGTH_M = 0.28
FOREARM_LENGTH_M = 0.26
HAND_LENGTH_M = 0.18
PALM_OFFSET_M = 0.08  # grasp point below the wrist
UPPER_ARM_RADIUS_M = 0.042
FOREARM_RADIUS_M = 0.035
HAND_SIZE_M = (0.08, 0.03, HAND_LENGTH_M)  # width (thumb axis), thickness, length
TORSO_MASS_KG = 30.0
HEAD_MASS_KG = 4.5
UPPER_ARM_MASS_KG = 2.0
FOREARM_MASS_KG = 1.2
HAND_MASS_KG = 0.45
CONNECTOR_MASS_KG = 0.05  # the massless links between the DOFs of one anatomical joint

SIDES = ("left", "right")


@dataclass(frozen=True, kw_only=True)
class JointSpec:
    """One revolute joint of the humanoid.

    Attributes:
        name: Joint name, also used in the session log.
        parent: Parent link name.
        child: Child link name.
        origin_xyz_m: Joint origin in the parent link frame, (3,) [m].
        axis: Unit rotation axis in the joint frame, (3,).
        origin_rpy: Joint frame's roll, pitch, yaw in the parent link frame [rad].
        lower_rad: Lower position limit [rad].
        upper_rad: Upper position limit [rad].
        velocity_rad_s: Velocity limit [rad/s].
        effort_nm: Torque limit [N m].
        meaning: What a positive angle does, for the docs.
    """

    name: str
    parent: str
    child: str
    origin_xyz_m: tuple[float, float, float]
    axis: tuple[float, float, float]
    lower_rad: float
    upper_rad: float
    velocity_rad_s: float
    effort_nm: float
    meaning: str
    origin_rpy: tuple[float, float, float] = (0.0, 0.0, 0.0)


@dataclass(frozen=True, kw_only=True)
class Shape:
    """A primitive geometry placed in a link frame.

    Attributes:
        kind: ``box``, ``cylinder`` (along z) or ``sphere``.
        size_m: Box (x, y, z) extents, cylinder (radius, length) or sphere (radius,) [m].
        xyz_m: Centre in the link frame [m].
        material: Material name (colour).
        collides: Whether the shape is also a collision shape.
    """

    kind: str
    size_m: tuple[float, ...]
    xyz_m: tuple[float, float, float]
    material: str
    collides: bool = True


MATERIALS: dict[str, tuple[float, float, float, float]] = {
    "steel": (0.35, 0.37, 0.40, 1.0),
    "shell": (0.86, 0.88, 0.90, 1.0),
    "torso_blue": (0.20, 0.38, 0.62, 1.0),
    "joint_dark": (0.15, 0.16, 0.18, 1.0),
    "hand_orange": (0.95, 0.60, 0.25, 1.0),
    "eye_black": (0.05, 0.05, 0.05, 1.0),
}


def _arm_joints(side: str) -> list[JointSpec]:
    """The 7 joints of one arm; ``s`` mirrors the axes so both sides share limits."""
    s = 1.0 if side == "left" else -1.0
    shoulder = (0.0, s * SHOULDER_HALF_WIDTH_M, SHOULDER_HEIGHT_M)

    def j(name: str, parent: str, child: str, xyz: tuple[float, float, float],
          axis: tuple[float, float, float], lo: float, hi: float, vel: float, eff: float,
          meaning: str) -> JointSpec:
        return JointSpec(name=f"{side}_{name}", parent=parent, child=child, origin_xyz_m=xyz,
                         axis=axis, lower_rad=lo, upper_rad=hi, velocity_rad_s=vel,
                         effort_nm=eff, meaning=meaning)

    p = side
    plane = (0.0, 0.0, s * SHOULDER_PLANE_RAD)
    return [
        replace(j("shoulder_flex", "base_link", f"{p}_shoulder_flex_link", shoulder,
                  (0.0, -1.0, 0.0), -1.2, 3.3, SHOULDER_SPEED_RAD_S, SHOULDER_EFFORT_NM,
                  "elevation: arm swings up in the plane 45 deg between forward and out"),
                origin_rpy=plane),
        j("shoulder_abd", f"{p}_shoulder_flex_link", f"{p}_shoulder_abd_link", (0.0, 0.0, 0.0),
          (s, 0.0, 0.0), -1.0, 1.45, SHOULDER_SPEED_RAD_S, SHOULDER_EFFORT_NM,
          "out of that plane: arm swings back and out (negative: forward and across)"),
        replace(j("shoulder_rot", f"{p}_shoulder_abd_link", f"{p}_upper_arm", (0.0, 0.0, 0.0),
                  (0.0, 0.0, s), -1.75, 1.4, ELBOW_SPEED_RAD_S, 40.0,
                  "external rotation of the upper arm"),
                origin_rpy=(0.0, 0.0, -plane[2])),
        j("elbow", f"{p}_upper_arm", f"{p}_elbow_link", (0.0, 0.0, -UPPER_ARM_LENGTH_M),
          (0.0, -1.0, 0.0), 0.0, 2.5, ELBOW_SPEED_RAD_S, 50.0, "elbow flexion"),
        j("forearm_rot", f"{p}_elbow_link", f"{p}_forearm", (0.0, 0.0, 0.0), (0.0, 0.0, -s),
          -1.4, 1.4, 4.0, 10.0, "pronation: palm turns down/back"),
        j("wrist_flex", f"{p}_forearm", f"{p}_wrist_flex_link", (0.0, 0.0, -FOREARM_LENGTH_M),
          (-s, 0.0, 0.0), -1.2, 1.3, 4.0, WRIST_EFFORT_NM,
          "wrist flexion: hand bends toward the palm"),
        j("wrist_dev", f"{p}_wrist_flex_link", f"{p}_hand", (0.0, 0.0, 0.0), (0.0, 1.0, 0.0),
          -0.35, 0.6, 4.0, WRIST_EFFORT_NM, "ulnar deviation: hand bends toward the little finger"),
    ]


def joint_specs() -> list[JointSpec]:
    """All revolute joints in the robot's canonical order (head, left arm, right arm)."""
    head = [
        JointSpec(name="head_pan", parent="base_link", child="head_pan_link",
                  origin_xyz_m=(0.0, 0.0, NECK_HEIGHT_M), axis=(0.0, 0.0, 1.0),
                  lower_rad=-1.4, upper_rad=1.4, velocity_rad_s=3.0, effort_nm=10.0,
                  meaning="head turns to the robot's left"),
        JointSpec(name="head_tilt", parent="head_pan_link", child="head",
                  origin_xyz_m=(0.0, 0.0, HEAD_TILT_OFFSET_M), axis=(0.0, 1.0, 0.0),
                  lower_rad=-0.5, upper_rad=0.8, velocity_rad_s=3.0, effort_nm=10.0,
                  meaning="head looks down"),
    ]
    return head + _arm_joints("left") + _arm_joints("right")


def _link_shapes() -> dict[str, list[Shape]]:
    """Geometry of every link that has any (the connector links have none)."""
    tx, ty, tz = TORSO_SIZE_M
    torso_bottom = SHOULDER_HEIGHT_M + 0.02 - tz
    shapes: dict[str, list[Shape]] = {
        # PyBullet's GUI paints a whole link in the colour of its last visual: main shape last.
        "base_link": [
            Shape(kind="cylinder", size_m=(0.045, NECK_HEIGHT_M - (torso_bottom + tz)),
                  xyz_m=(0.0, 0.0, (NECK_HEIGHT_M + torso_bottom + tz) / 2),
                  material="joint_dark", collides=False),
            Shape(kind="cylinder", size_m=(0.25, 0.04), xyz_m=(0.0, 0.0, 0.02), material="steel"),
            Shape(kind="cylinder", size_m=(0.07, PEDESTAL_HEIGHT_M - 0.04),
                  xyz_m=(0.0, 0.0, 0.04 + (PEDESTAL_HEIGHT_M - 0.04) / 2), material="steel"),
            Shape(kind="box", size_m=(tx, ty, tz), xyz_m=(0.0, 0.0, torso_bottom + tz / 2),
                  material="torso_blue"),
        ],
        "head": [
            Shape(kind="sphere", size_m=(0.018,), xyz_m=(0.088, 0.038, 0.12),
                  material="eye_black", collides=False),
            Shape(kind="sphere", size_m=(0.018,), xyz_m=(0.088, -0.038, 0.12),
                  material="eye_black", collides=False),
            Shape(kind="sphere", size_m=(HEAD_RADIUS_M,), xyz_m=(0.0, 0.0, 0.10),
                  material="shell"),
        ],
    }
    for side in SIDES:
        ua_len = UPPER_ARM_LENGTH_M - 0.06
        fa_len = FOREARM_LENGTH_M - 0.05
        shapes[f"{side}_upper_arm"] = [
            Shape(kind="sphere", size_m=(0.05,), xyz_m=(0.0, 0.0, 0.0), material="joint_dark",
                  collides=False),
            Shape(kind="cylinder", size_m=(UPPER_ARM_RADIUS_M, ua_len),
                  xyz_m=(0.0, 0.0, -0.04 - ua_len / 2), material="shell"),
        ]
        shapes[f"{side}_forearm"] = [
            Shape(kind="sphere", size_m=(0.04,), xyz_m=(0.0, 0.0, 0.0), material="joint_dark",
                  collides=False),
            Shape(kind="cylinder", size_m=(FOREARM_RADIUS_M, fa_len),
                  xyz_m=(0.0, 0.0, -0.03 - fa_len / 2), material="shell"),
        ]
        hx, hy, hz = HAND_SIZE_M
        shapes[f"{side}_hand"] = [
            Shape(kind="box", size_m=(hx, hy, hz), xyz_m=(0.0, 0.0, -0.01 - hz / 2),
                  material="hand_orange"),
            # The thumb points forward (+x) in the zero pose; it shows the hand's orientation.
            Shape(kind="box", size_m=(0.05, 0.022, 0.022), xyz_m=(hx / 2 + 0.015, 0.0, -0.05),
                  material="hand_orange", collides=False),
        ]
    return shapes


LINK_MASSES_KG: dict[str, float] = {
    "base_link": TORSO_MASS_KG,
    "head": HEAD_MASS_KG,
    **{f"{side}_upper_arm": UPPER_ARM_MASS_KG for side in SIDES},
    **{f"{side}_forearm": FOREARM_MASS_KG for side in SIDES},
    **{f"{side}_hand": HAND_MASS_KG for side in SIDES},
}


def _inertia(shape: Shape, mass_kg: float) -> tuple[float, float, float]:
    """Principal moments (Ixx, Iyy, Izz) [kg m^2] of a solid primitive about its centre."""
    if shape.kind == "box":
        x, y, z = shape.size_m
        return (mass_kg * (y * y + z * z) / 12, mass_kg * (x * x + z * z) / 12,
                mass_kg * (x * x + y * y) / 12)
    if shape.kind == "cylinder":
        r, h = shape.size_m
        i_xy = mass_kg * (3 * r * r + h * h) / 12
        return (i_xy, i_xy, mass_kg * r * r / 2)
    (r,) = shape.size_m
    i = 2 * mass_kg * r * r / 5
    return (i, i, i)


def _fmt(values: tuple[float, ...]) -> str:
    return " ".join(f"{v:.6g}" for v in values)


def _geometry_xml(shape: Shape) -> str:
    if shape.kind == "box":
        return f'<box size="{_fmt(shape.size_m)}"/>'
    if shape.kind == "cylinder":
        return f'<cylinder radius="{shape.size_m[0]:.6g}" length="{shape.size_m[1]:.6g}"/>'
    return f'<sphere radius="{shape.size_m[0]:.6g}"/>'


def _link_xml(name: str, shapes: list[Shape]) -> list[str]:
    lines = [f"  <link name={quoteattr(name)}>"]
    mass = LINK_MASSES_KG.get(name, CONNECTOR_MASS_KG)
    if shapes:
        # The main (first colliding) shape carries the mass; accessories are visual only.
        main = next(s for s in shapes if s.collides)
        ixx, iyy, izz = _inertia(main, mass)
        com = main.xyz_m
    else:
        ixx = iyy = izz = 1e-5
        com = (0.0, 0.0, 0.0)
    if name == "base_link":
        # Keep the base's inertial frame at its link frame: PyBullet places a fixed base by
        # its inertial frame, and the base frame must stay on the floor under the pedestal.
        com = (0.0, 0.0, 0.0)
    lines += [
        "    <inertial>",
        f'      <origin xyz="{_fmt(com)}" rpy="0 0 0"/>',
        f'      <mass value="{mass:.6g}"/>',
        f'      <inertia ixx="{ixx:.6g}" ixy="0" ixz="0" iyy="{iyy:.6g}" iyz="0" izz="{izz:.6g}"/>',
        "    </inertial>",
    ]
    for shape in shapes:
        geometry = _geometry_xml(shape)
        origin = f'<origin xyz="{_fmt(shape.xyz_m)}" rpy="0 0 0"/>'
        lines += [
            "    <visual>",
            f"      {origin}",
            f"      <geometry>{geometry}</geometry>",
            f'      <material name="{shape.material}"/>',
            "    </visual>",
        ]
        if shape.collides:
            lines += [
                "    <collision>",
                f"      {origin}",
                f"      <geometry>{geometry}</geometry>",
                "    </collision>",
            ]
    lines.append("  </link>")
    return lines


def build_urdf() -> str:
    """The complete URDF text of the humanoid."""
    joints = joint_specs()
    shapes = _link_shapes()
    links = ["base_link"] + [j.child for j in joints]
    lines = [
        '<?xml version="1.0"?>',
        "<!-- Generated by `python -m mirrorbot.robot.urdf_builder`; edit it, not this file. -->",
        '<robot name="mirrorbot_humanoid">',
    ]
    for name, rgba in MATERIALS.items():
        lines.append(f'  <material name="{name}"><color rgba="{_fmt(rgba)}"/></material>')
    for side in SIDES:
        links.append(f"{side}_palm")
    for link in links:
        lines += _link_xml(link, shapes.get(link, []))
    for j in joints:
        lines += [
            f'  <joint name="{j.name}" type="revolute">',
            f'    <parent link="{j.parent}"/>',
            f'    <child link="{j.child}"/>',
            f'    <origin xyz="{_fmt(j.origin_xyz_m)}" rpy="{_fmt(j.origin_rpy)}"/>',
            f'    <axis xyz="{_fmt(j.axis)}"/>',
            f'    <limit lower="{j.lower_rad:.6g}" upper="{j.upper_rad:.6g}" '
            f'velocity="{j.velocity_rad_s:.6g}" effort="{j.effort_nm:.6g}"/>',
            '    <dynamics damping="0.5" friction="0.0"/>',
            "  </joint>",
        ]
    for side in SIDES:
        lines += [
            f'  <joint name="{side}_palm_joint" type="fixed">',
            f'    <parent link="{side}_hand"/>',
            f'    <child link="{side}_palm"/>',
            f'    <origin xyz="0 0 {-PALM_OFFSET_M:.6g}" rpy="0 0 0"/>',
            "  </joint>",
        ]
    lines.append("</robot>")
    return "\n".join(lines) + "\n"


def joint_table_markdown() -> str:
    """The joint table of the docs: names, axes, limits and what positive means."""
    rows = [
        "| joint | axis (joint frame) | lower [deg] | upper [deg] | velocity [deg/s] "
        "| effort [N m] | positive angle |",
        "|---|---|---|---|---|---|---|",
    ]
    for j in joint_specs():
        rows.append(
            f"| `{j.name}` | ({_fmt(j.axis)}) | {math.degrees(j.lower_rad):.0f} "
            f"| {math.degrees(j.upper_rad):.0f} | {math.degrees(j.velocity_rad_s):.0f} "
            f"| {j.effort_nm:.0f} | {j.meaning} |"
        )
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the URDF to a path, or print the joint table with ``--table``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="where to write the URDF")
    parser.add_argument("--table", action="store_true", help="print the joint table (Markdown)")
    args = parser.parse_args(argv)
    if args.table:
        sys.stdout.write(joint_table_markdown())
    elif args.out is not None:
        args.out.write_text(build_urdf())
    else:
        sys.stdout.write(build_urdf())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
