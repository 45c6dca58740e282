"""A hand at the mouth, judged in the image (hand_at_mouth)."""

from __future__ import annotations

import numpy as np


def test_hands_at_the_mouth_in_the_image() -> None:
    """At the mouth: the tip within half a shoulder width of it, not above, the wrist below.

    A cup held to the lips. Not: a hand at the cheek or the top of the head, or one far from
    the face.
    """
    from mirrorbot.mind.hand_at_mouth import hands_at_mouth
    from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark, PoseFrame, Side

    def pose(tip_uv: tuple[float, float], wrist_uv: tuple[float, float]) -> PoseFrame:
        world = np.zeros((NUM_LANDMARKS, 3))
        world[int(Landmark.LEFT_SHOULDER)] = (0.18, 0.0, 0.0)  # facing the camera
        world[int(Landmark.RIGHT_SHOULDER)] = (-0.18, 0.0, 0.0)
        world[int(Landmark.LEFT_HIP)] = (0.1, 0.5, 0.0)
        world[int(Landmark.RIGHT_HIP)] = (-0.1, 0.5, 0.0)
        uv = np.tile([500.0, 800.0], (NUM_LANDMARKS, 1))  # everything else far below
        uv[int(Landmark.LEFT_SHOULDER)] = (600.0, 300.0)
        uv[int(Landmark.RIGHT_SHOULDER)] = (400.0, 300.0)  # 200 px: one shoulder width
        uv[int(Landmark.MOUTH_LEFT)] = (510.0, 200.0)
        uv[int(Landmark.MOUTH_RIGHT)] = (490.0, 200.0)
        for tip in (Landmark.LEFT_INDEX, Landmark.LEFT_PINKY):
            uv[int(tip)] = tip_uv
        uv[int(Landmark.LEFT_WRIST)] = wrist_uv
        return PoseFrame(0.0, world, np.ones(NUM_LANDMARKS), uv)

    assert hands_at_mouth(pose((520.0, 215.0), (530.0, 290.0)))[Side.LEFT]  # a cup to the lips
    assert not hands_at_mouth(pose((560.0, 150.0), (570.0, 190.0)))[Side.LEFT]  # the cheek
    assert not hands_at_mouth(pose((500.0, 120.0), (510.0, 150.0)))[Side.LEFT]  # the head
    assert not hands_at_mouth(pose((700.0, 215.0), (710.0, 290.0)))[Side.LEFT]  # far aside
    assert not hands_at_mouth(pose((520.0, 215.0), (530.0, 290.0)))[Side.RIGHT]
