"""Every ``--source`` as one stream of poses: camera, video, images, recording, mocap, synthetic."""
