"""Keys of the live window: q quit, r record, c calibrate, m mirror/anatomical, space pause.

The run loop passes each key pressed in its OpenCV window to :meth:`LiveControls.key`; the
pipeline reads the resulting state every frame through :class:`LiveHooks`, which also writes
the recordings. Tests drive the same object with scripted
keys (there is no keyboard on a headless machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mirrorbot.perception.recording import RecordingHeader, RecordingWriter
from mirrorbot.retarget.retarget import Mapping
from mirrorbot.sources.pose_sources import PoseSample

KEY_ESC = 27
HELP = "keys: q quit, r record, c calibrate, m mirror/anatomical, space pause"


@dataclass
class LiveControls:
    """What the person at the keyboard asked for.

    Attributes:
        mapping: Mirror or anatomical, switched by ``m``.
        paused: The robot holds still while paused (``space``).
        quit: ``q`` or Esc: end the run (outputs are completed as usual).
        recording: Whether the landmarks are being recorded (``r`` starts and stops).
        calibrate: ``c`` asks for a fresh calibration; the pipeline clears it once begun.
        message: The last thing a key did, for the screen.
    """

    mapping: Mapping = Mapping.MIRROR
    paused: bool = False
    quit: bool = False
    recording: bool = False
    calibrate: bool = False
    message: str = HELP

    def key(self, code: int) -> bool:
        """Handle one key code (as from ``cv2.waitKey``); True when the run should end."""
        if code in (ord("q"), KEY_ESC):
            self.quit = True
            self.message = "quitting"
        elif code == ord("r"):
            self.recording = not self.recording
            self.message = "recording started" if self.recording else "recording stopped"
        elif code == ord("c"):
            self.calibrate = True
            self.message = "calibrating: stand still, arms relaxed, for a second"
        elif code == ord("m"):
            self.mapping = Mapping.ANATOMICAL if self.mapping is Mapping.MIRROR \
                else Mapping.MIRROR
            self.message = f"mode: {self.mapping.value}"
        elif code == ord(" "):
            self.paused = not self.paused
            self.message = "paused (space resumes)" if self.paused else "resumed"
        return self.quit


class LiveHooks:
    """The live window's keys applied to a run: the controls, and the recordings.

    The pipeline applies the rest (:class:`mirrorbot.run.pipeline.Pipeline`: the mapping it
    switches on ``m``, the calibration, the pause).

    Args:
        controls: The key state (:class:`LiveControls`).
        out_dir: Where ``r`` writes ``recording-N.jsonl`` (landmarks, the recording format).
        rate_hz: The source's frame rate, for the recordings' header.
    """

    def __init__(self, controls: LiveControls, out_dir: Path, rate_hz: float) -> None:
        self.controls = controls
        self.out_dir = out_dir
        self.rate_hz = rate_hz
        self.recordings: list[Path] = []
        self._writer: RecordingWriter | None = None
        self._t0_s = 0.0

    def record(self, sample: PoseSample) -> None:
        """Start, feed or stop the recording as ``r`` asked (each line is flushed)."""
        if self.controls.recording and self._writer is None:
            path = self.out_dir / f"recording-{len(self.recordings) + 1}.jsonl"
            self._writer = RecordingWriter(path, RecordingHeader(
                fps=self.rate_hz, source=f"live run, started at {sample.t_s:.2f} s"))
            self.recordings.append(path)
            self._t0_s = sample.t_s
        if self._writer is not None and not self.controls.recording:
            self.close()
        if self._writer is not None:
            self._writer.write(sample.t_s - self._t0_s, sample.pose)

    def close(self) -> None:
        """Finish the recording under way, if any."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
