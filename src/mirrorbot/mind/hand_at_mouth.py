"""Is a hand at the mouth? From the image where a camera saw the person, else the world.

A cup lifted to the mouth is a drink, however it got there (issue 25). The pose model places a
hand in its image to a few pixels but may put it 30 cm off in depth: on a real clip of a woman
drinking, the world landmarks put her hand 32 cm in front of her mouth while the image showed
it at her lips. So contact is judged in the image, and a hand found there is moved in depth to
the mouth's depth for the recogniser (:mod:`mirrorbot.mind.intent`). Motion capture (no image):
in the world landmarks, as they are.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from mirrorbot.arrays import FloatArray
from mirrorbot.perception.body_frames import torso_rotation
from mirrorbot.perception.landmarks import (
    ARM_LANDMARKS,
    HAND_LANDMARKS,
    Landmark,
    PoseFrame,
    Side,
)

MOUTH_NEAR = 0.5
"""A hand whose tip is within this many shoulder widths of the mouth is at the mouth: in the
image, where the pose model has one (a camera), else in the world landmarks (motion capture).
A hand holding a mug to the lips has its fingers on the handle, beside the mouth."""
MOUTH_ABOVE = 0.1
"""... and no higher above the mouth than this many shoulder widths: a cup's handle is beside or
below the lips, while a hand scratching the head, at the ear (a phone) or at the cheek (an
archer's anchor) is above them."""
WRIST_BELOW_MOUTH = 0.15
"""... with the wrist at least this many shoulder widths below the mouth: a hand holding a cup
to the lips holds it from below (on real clips 0.2-0.8), one touching the cheek or the side of
the head has the wrist at the mouth's height or above."""
MIN_FORESHORTENING = 0.3  # a person turned further from the camera is measured as at this


_TIPS = {Side.LEFT: (int(Landmark.LEFT_INDEX), int(Landmark.LEFT_PINKY)),
         Side.RIGHT: (int(Landmark.RIGHT_INDEX), int(Landmark.RIGHT_PINKY))}
_MOUTH = (int(Landmark.MOUTH_LEFT), int(Landmark.MOUTH_RIGHT))
_HAND_POINTS = {side: [int(ARM_LANDMARKS[side][2])] + [int(p) for p in HAND_LANDMARKS[side]]
                for side in Side}
"""Each hand's wrist, index, little finger and thumb landmarks."""
_SHOULDERS = (int(Landmark.LEFT_SHOULDER), int(Landmark.RIGHT_SHOULDER))


def hands_at_mouth(pose: PoseFrame) -> dict[Side, bool]:
    """Whether each hand's tip is within :data:`MOUTH_NEAR` shoulder widths of the mouth.

    Measured in the image when the pose has one: a camera places a hand at the mouth in its
    image to a few pixels, but may put it 30 cm in front of the face in depth. Else (motion
    capture) in the world landmarks.
    """
    points = pose.image_uv if pose.image_uv is not None else pose.world_m
    mouth = (points[_MOUTH[0]] + points[_MOUTH[1]]) / 2
    width = float(np.linalg.norm(points[_SHOULDERS[0]] - points[_SHOULDERS[1]]))
    if pose.image_uv is not None:  # as wide as the shoulders would look facing the camera
        left = torso_rotation(pose.world_m)[:, 1]  # world x, y: the image's axes
        width /= max(math.hypot(float(left[0]), float(left[1])), MIN_FORESHORTENING)
    out = {}
    for side, (index, pinky) in _TIPS.items():
        tip = (points[index] + points[pinky]) / 2
        # Image v and MediaPipe's world y both point down.
        tip_below = float(tip[1] - mouth[1])
        wrist_below = float(points[_HAND_POINTS[side][0], 1] - mouth[1])
        out[side] = width > 1e-9 and float(np.linalg.norm(tip - mouth)) < MOUTH_NEAR * width \
            and tip_below >= -MOUTH_ABOVE * width and wrist_below >= WRIST_BELOW_MOUTH * width
    return out


def hands_to_mouth_depth(pose: PoseFrame, at_mouth: dict[Side, bool]) -> FloatArray:
    """The world landmarks (33, 3) [m], with each hand the image shows at the mouth at its depth.

    A hand at the mouth touches it; the camera's image says so to a few pixels, but the pose
    model may place the hand 30 cm in front of the face in depth (world z, the camera's line of
    sight). Its position across the line of sight is kept. Motion capture (no image): as is.
    """
    if pose.image_uv is None or not any(at_mouth.values()):
        return pose.world_m
    world = pose.world_m.copy()
    mouth_z = float(world[_MOUTH[0], 2] + world[_MOUTH[1], 2]) / 2
    for side, near in at_mouth.items():
        if near:
            index, pinky = _TIPS[side]
            shift = mouth_z - float(world[index, 2] + world[pinky, 2]) / 2
            world[_HAND_POINTS[side], 2] += shift
    return world


MOUTH_FADE_S = 0.25
"""The mirror's correction of a hand at the mouth fades in (and out) over this long [s]: a
hand passing the mouth moves the robot's little, one that stays is put at the mouth."""


class MouthContact:
    """For the mirror: a hand the image shows at the mouth, brought to the mouth's depth.

    The robot copies where the world landmarks put the person's hand; a hand held to the lips
    they may put 30 cm in front of the face, and the robot held its hand out in front of its
    chest. The correction of :func:`hands_to_mouth_depth` fades in over :data:`MOUTH_FADE_S`
    while the hand stays at the mouth, and out when it leaves.
    """

    def __init__(self) -> None:
        self.weight = dict.fromkeys(Side, 0.0)
        self.t_prev_s: float | None = None

    def __call__(self, pose: PoseFrame, image_uv: FloatArray | None, t_s: float) -> PoseFrame:
        """``pose`` with each hand at the mouth (judged in ``image_uv``) moved in depth."""
        dt_s = 0.0 if self.t_prev_s is None else max(t_s - self.t_prev_s, 0.0)
        self.t_prev_s = t_s
        if image_uv is None:
            return pose
        seen = replace(pose, image_uv=image_uv)
        near = hands_at_mouth(seen)
        step = dt_s / MOUTH_FADE_S
        for side in Side:
            self.weight[side] = min(1.0, self.weight[side] + step) if near[side] \
                else max(0.0, self.weight[side] - step)
        if not any(self.weight.values()):
            return pose
        snapped = hands_to_mouth_depth(seen, dict.fromkeys(Side, True))
        world = pose.world_m.copy()
        for side, weight in self.weight.items():
            points = _HAND_POINTS[side]
            world[points] += weight * (snapped[points] - world[points])
        return replace(pose, world_m=world)
