"""The person's side of the picture: the camera image or the skeleton, shown mirrored."""

from __future__ import annotations

from mirrorbot.arrays import ImageBGR
from mirrorbot.output.overlay import blank_panel, draw_skeleton, mirrored
from mirrorbot.output.skeleton_view import skeleton_picture
from mirrorbot.perception.landmarks import PoseFrame
from mirrorbot.sources.pose_sources import PoseSample


def person_view(sample: PoseSample, pose: PoseFrame | None, caption: str) -> ImageBGR:
    """The person's view with the tracked skeleton, shown mirrored.

    Like a mirror or a selfie camera, so that the person and the robot beside them move on the
    same side of the screen. Tracking always sees the unflipped image; only this picture is
    flipped. Sources without a picture (recordings, motion capture) show the skeleton in 3-D,
    as a camera in front of the person would see it (:mod:`mirrorbot.output.skeleton_view`).
    """
    if sample.image_bgr is None:
        if pose is None:
            return blank_panel(caption)
        return mirrored(skeleton_picture(pose.world_m, pose.visibility))
    base = sample.image_bgr
    if pose is not None and pose.image_uv is not None:
        base = draw_skeleton(base, pose.image_uv, pose.visibility)
    return mirrored(base)
