"""Checks of a retargeter beyond the average: singular arms held still.

With the elbow fully stretched the humeral rotation is undefined (any rotation gives the same
limb directions), so the pose model's millimetres of noise decide it from frame to frame. A
retargeter that solves each frame afresh then spins the arm while the person stands still; a
steady one keeps the rotation it had. Here the person holds each arm straight (down, forward,
out to the side) for a while, with pose-model-like noise on the arm's points, and the check
reports the largest change of any arm joint from one frame to the next: the truth does not
move, so every degree of it is the retargeter's. The shoulder's three joints and the elbow
count; the forearm rotation and the wrist follow the hand's points (the task's optional step).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.perception.landmarks import (
    ARM_LANDMARKS,
    HAND_LANDMARKS,
    NUM_LANDMARKS,
    PoseFrame,
    Side,
)
from mirrorbot.retarget.retarget import Mapping, RetargetContext
from mirrorbot.robot.urdf import RobotModel

HOLD_FRAMES = 45  # 1.5 s at 30 Hz per held pose
NOISE_M = 0.002  # the pose model's frame-to-frame jitter on a still arm is a few millimetres
UPPER_ARM_M, FOREARM_M = 0.29, 0.26
# Straight arms in MediaPipe world axes (x to the image's right = the person's left, y down,
# z away from the camera = the person's back); x is mirrored for the right arm.
HELD_ARMS: dict[str, tuple[float, float, float]] = {
    "down": (0.0, 1.0, 0.0), "forward": (0.0, 0.0, -1.0), "out": (1.0, 0.0, 0.0)}


def _still_body() -> FloatArray:
    """A person standing still, (33, 3) [m], MediaPipe world axes (the synthetic body)."""
    from mirrorbot.sources.pose_sources import synthetic_person

    frame = next(iter(synthetic_person("none?noise=off&yaw=0").frames()))
    return frame.world_true_m.copy()


def held_arm_poses(direction: tuple[float, float, float], rng: np.random.Generator,
                   frames: int = HOLD_FRAMES) -> list[PoseFrame]:
    """Both arms held straight along ``direction`` (the left arm's; mirrored for the right).

    The elbow, wrist and hand points carry Gaussian noise of :data:`NOISE_M` per axis, anew
    every frame.
    """
    body = _still_body()
    out = []
    for k in range(frames):
        world = body.copy()
        for side in Side:
            d = np.array(direction) * (np.array([1.0, 1.0, 1.0]) if side is Side.LEFT
                                       else np.array([-1.0, 1.0, 1.0]))
            s, e, w = ARM_LANDMARKS[side]
            wrist_before = world[w].copy()
            world[e] = world[s] + UPPER_ARM_M * d
            world[w] = world[e] + FOREARM_M * d
            for h in HAND_LANDMARKS[side]:  # the hand goes with the wrist
                world[h] = world[h] - wrist_before + world[w]
            for i in (e, w, *HAND_LANDMARKS[side]):
                world[i] = world[i] + rng.normal(0.0, NOISE_M, 3)
        out.append(PoseFrame(t_s=k / 30.0, world_m=world, visibility=np.ones(NUM_LANDMARKS)))
    return out


def singular_holds(context: RetargetContext, build: Any, seed: int = 0) -> dict[str, Any]:
    """The largest frame-to-frame change of a shoulder or elbow joint [deg], straight arms held.

    Args:
        context: The robot and the mode.
        build: Makes a fresh retargeter from ``context`` (one per held pose).
        seed: Seed of the noise.

    Returns:
        ``{"max_step_deg": worst, "by_pose": {pose: max step}}``.
    """
    model = context.model
    hand = set(model.hand_indices())
    arm = [i for side in Side for i in model.arm_indices(side) if i not in hand]
    rng = np.random.default_rng(seed)
    by_pose = {}
    for name, direction in HELD_ARMS.items():
        retargeter = build(context)
        q = np.array([np.asarray(retargeter(p), dtype=float)[arm]
                      for p in held_arm_poses(direction, rng)])
        steps = np.abs(np.diff(q[5:], axis=0))  # the first frames move from rest to the pose
        by_pose[name] = round(float(np.degrees(steps.max())), 2)
    return {"max_step_deg": max(by_pose.values()), "by_pose": by_pose}


def default_context(model: RobotModel | None = None) -> RetargetContext:
    """The humanoid in mirror mode at its rest pose, as ``eval retarget`` uses it.

    ``model``: the robot already loaded (else it is loaded here).
    """
    from mirrorbot.paths import robot_urdf_path
    from mirrorbot.robot.scripted import rest_pose
    from mirrorbot.robot.urdf import load_robot_model

    model = model or load_robot_model(robot_urdf_path())
    return RetargetContext(model, Mapping.MIRROR, rest_pose(model))
