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


def test_the_mirror_copies_a_hand_at_the_mouth_at_the_mouths_depth() -> None:
    """The mirror copies a hand the image shows at the mouth at the mouth's depth.

    The pose model put it 30 cm in front of the mouth; it is brought to the mouth's depth
    over 0.25 s, and let go as it leaves.
    """
    from mirrorbot.mind.hand_at_mouth import _HAND_POINTS, MOUTH_FADE_S, MouthContact
    from mirrorbot.perception.landmarks import NUM_LANDMARKS, Landmark, PoseFrame, Side

    world = np.zeros((NUM_LANDMARKS, 3))
    world[int(Landmark.LEFT_SHOULDER)] = (0.18, 0.0, 0.0)
    world[int(Landmark.RIGHT_SHOULDER)] = (-0.18, 0.0, 0.0)
    world[int(Landmark.LEFT_HIP)] = (0.1, 0.5, 0.0)
    world[int(Landmark.RIGHT_HIP)] = (-0.1, 0.5, 0.0)
    world[int(Landmark.MOUTH_LEFT), 2] = world[int(Landmark.MOUTH_RIGHT), 2] = -0.1
    hand = _HAND_POINTS[Side.LEFT]
    world[hand, 2] = -0.4  # 30 cm nearer the camera than the mouth
    uv_at = np.tile([500.0, 800.0], (NUM_LANDMARKS, 1))
    uv_at[int(Landmark.LEFT_SHOULDER)], uv_at[int(Landmark.RIGHT_SHOULDER)] = (600, 300), (400, 300)
    uv_at[int(Landmark.MOUTH_LEFT)], uv_at[int(Landmark.MOUTH_RIGHT)] = (510, 200), (490, 200)
    uv_at[hand] = (520.0, 215.0)
    uv_at[hand[0]] = (530.0, 290.0)  # the wrist below the mouth
    uv_away = uv_at.copy()
    uv_away[hand] = (700.0, 500.0)
    pose = PoseFrame(0.0, world, np.ones(NUM_LANDMARKS), None)
    contact = MouthContact()
    depths = []
    for k in range(30):
        t_s = k / 30.0
        out = contact(pose, uv_at if t_s < 0.5 else uv_away, t_s)
        depths.append(float(out.world_m[hand[0], 2]))
    assert depths[0] == -0.4  # one frame at the mouth moves nothing yet
    at_full = int(np.ceil(MOUTH_FADE_S * 30)) + 1
    assert abs(depths[at_full] - (-0.1)) < 0.02  # at the mouth's depth (the tip's, nearly)
    assert depths[-1] == -0.4  # gone from the mouth: as seen again
    assert np.all(np.abs(np.diff(depths)) < 0.3 / (MOUTH_FADE_S * 30) + 1e-9)  # no jump
    assert contact(pose, None, 1.1).world_m is pose.world_m  # no image: as is
