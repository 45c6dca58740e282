"""Keys of the live window: q quit, r record, c calibrate, m mirror/anatomical, space pause.

The run loop passes each key pressed in its OpenCV window to :meth:`LiveControls.key`; the
pipeline reads the resulting state every frame. Tests drive the same object with scripted
keys (there is no keyboard on a headless machine).
"""

from __future__ import annotations

from dataclasses import dataclass

from mirrorbot.retarget import Mode

KEY_ESC = 27
HELP = "keys: q quit, r record, c calibrate, m mirror/anatomical, space pause"


@dataclass
class LiveControls:
    """What the person at the keyboard asked for.

    Attributes:
        mode: Mirror or anatomical, switched by ``m``.
        paused: The robot holds still while paused (``space``).
        quit: ``q`` or Esc: end the run (outputs are completed as usual).
        recording: Whether the landmarks are being recorded (``r`` starts and stops).
        calibrate: ``c`` asks for a fresh calibration; the pipeline clears it once begun.
        message: The last thing a key did, for the screen.
    """

    mode: Mode = Mode.MIRROR
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
            self.mode = Mode.ANATOMICAL if self.mode is Mode.MIRROR else Mode.MIRROR
            self.message = f"mode: {self.mode.value}"
        elif code == ord(" "):
            self.paused = not self.paused
            self.message = "paused (space resumes)" if self.paused else "resumed"
        return self.quit
