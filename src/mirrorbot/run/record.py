"""``mirrorbot record``: landmarks from any source into a recording file, frame by frame."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from mirrorbot.errors import SourceError, is_interrupt
from mirrorbot.labels import clip_labels
from mirrorbot.perception.recording import RecordingHeader, RecordingWriter
from mirrorbot.progress import Progress
from mirrorbot.sources.pose_sources import PoseSource


@dataclass(frozen=True)
class RecordResult:
    """What was recorded.

    Attributes:
        frames: Frames written.
        tracked: Frames in which a person was tracked.
        seconds: Time span of the frames [s].
        interrupted: Whether Ctrl-C ended the recording (everything seen is still written).
    """

    frames: int
    tracked: int
    seconds: float
    interrupted: bool


def record_landmarks(source: PoseSource, out_path: Path, *, seconds: float | None = None,
                     progress: bool = True) -> RecordResult:
    """Write ``source``'s frames to ``out_path`` until it ends or ``seconds`` [s] have passed.

    Every line is flushed as written; Ctrl-C stops cleanly and the file stays valid. The file
    is created at the first frame: without one, nothing is written (or replaced). The
    source's labels (the synthetic person's, a recording's) are cut to the ``seconds`` recorded.
    """
    labels = source.labels if seconds is None else clip_labels(source.labels, seconds)
    header = RecordingHeader(fps=source.rate_hz, source=source.text, labels=labels,
                             extra=dict(getattr(source, "header_extra", {})))
    total = source.frame_count
    if seconds is not None:
        total = int(seconds * source.rate_hz) if total is None else min(
            total, int(seconds * source.rate_hz))
    if source.is_live and progress:
        print("recording; press Ctrl-C to stop", file=sys.stderr)
    frames = tracked = 0
    last_t = 0.0
    interrupted = False
    bar = Progress(total, "frames", enabled=progress)
    writer: RecordingWriter | None = None  # opened at the first frame: a source that gives
    try:  # none (or fails first) leaves an earlier recording of that name as it was
        for sample in source:
            if seconds is not None and sample.t_s >= seconds - 1e-9:
                break
            if writer is None:
                writer = RecordingWriter(out_path, header)
            writer.write(sample.t_s, sample.pose)
            frames += 1
            tracked += sample.pose is not None
            last_t = sample.t_s
            bar.update()
    except (KeyboardInterrupt, SystemError) as exc:
        if not is_interrupt(exc):
            raise
        interrupted = True
    finally:
        bar.close()
        if writer is not None:
            writer.close()
    if frames == 0 and not interrupted:
        raise SourceError(f"{source.text} gave no usable frames (none, or every one "
                          "unreadable); nothing recorded, check the input")
    return RecordResult(frames=frames, tracked=tracked, seconds=last_t, interrupted=interrupted)
