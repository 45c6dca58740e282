"""Parsing the ``--source`` argument (``SRC`` in docs/conventions.md) into a typed spec."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from mirrorbot.errors import SourceError

MAX_CAMERA_INDEX = 999  # OpenCV's own limit is far lower; a larger index is a typo
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
"""Files read as images (a folder's frames or photos, or one photo given as a source)."""

SOURCE_FORMS = ("camera", "camera:INDEX", "video:PATH", "PATH (a video file)",
                "images:DIR[?mode=photos|sequence]", "PATH.jpg|.png (one photo)",
                "recording:PATH.jsonl", "PATH.jsonl", "bvh:PATH.bvh[.gz]",
                "synthetic:GESTURE[,GESTURE...]")

SYNTHETIC_OPTIONS = ("seed", "noise", "jitter", "dropouts", "occlusion", "wander", "yaw",
                     "height", "hand", "rate", "repeat")
"""The ``synthetic:`` source's ``?key=value`` options (``synth_person.parse_synthetic``)."""


class SourceKind(enum.Enum):
    """The kinds of input mirrorbot reads."""

    CAMERA = "camera"
    VIDEO = "video"
    IMAGES = "images"
    RECORDING = "recording"
    BVH = "bvh"
    SYNTHETIC = "synthetic"


OPTION_EXAMPLES = {SourceKind.BVH: "units=cm", SourceKind.IMAGES: "mode=photos"}
"""The kinds whose path may end in ``?key=value&...`` options, with an example of each."""


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source: its kind and argument (camera index, path or gesture list)."""

    kind: SourceKind
    arg: str
    text: str

    @property
    def camera_index(self) -> int:
        """The webcam index of a camera source."""
        return int(self.arg)

    @property
    def path(self) -> Path:
        """The file or folder of a video, images, recording or BVH source (options dropped)."""
        if self.kind in OPTION_EXAMPLES:
            return Path(self.arg.partition("?")[0])
        return Path(self.arg)

    @property
    def options(self) -> dict[str, str]:
        """``?key=value&...`` after a BVH or images source's path (``bvh:a.bvh?units=cm``).

        Raises:
            SourceError: An option without a value.
        """
        if self.kind not in OPTION_EXAMPLES:
            return {}
        return parse_options(self.arg.partition("?")[2], self.kind.value,
                             OPTION_EXAMPLES[self.kind])

    @property
    def uses_pose_model(self) -> bool:
        """Whether the pose model tracks this source's frames (camera, video, images, photo).

        Recordings, motion capture and the synthetic person give landmarks without it.
        """
        return self.kind in (SourceKind.CAMERA, SourceKind.VIDEO, SourceKind.IMAGES)

    @property
    def input_path(self) -> Path | None:
        """The file this source reads, which no output may overwrite, or None.

        None for a device, a folder of images or the synthetic person.
        """
        if self.kind in (SourceKind.VIDEO, SourceKind.RECORDING, SourceKind.BVH):
            return self.path
        return None


def refuse_model_without_tracking(spec: SourceSpec, model_path: Path | None) -> None:
    """Refuse a pose model (``--model``) for a source that no pose model tracks.

    Raises:
        SourceError: ``model_path`` is given and ``spec`` gives landmarks without a pose model
            (``recording:``, ``bvh:``, ``synthetic:``): the model would be silently unused.
    """
    if model_path is not None and not spec.uses_pose_model:
        raise SourceError(f"--model {model_path} only applies to camera, video, images and "
                          f"photo sources (the pose model tracks their frames); a "
                          f"{spec.kind.value}: source gives landmarks without one: drop --model")


def parse_options(query: str, kind: str, example: str) -> dict[str, str]:
    """``a=1&b=x`` (the part after ``?`` of a source) -> {"a": "1", "b": "x"}, lower case.

    Raises:
        SourceError: An option without a value (``example`` shows one of ``kind``'s), or one
            given twice.
    """
    out: dict[str, str] = {}
    for item in (q for q in query.split("&") if q):
        key, eq, value = item.partition("=")
        if not eq:
            raise SourceError(f"{kind} option {item!r} needs a value, e.g. {example}")
        key = key.strip().lower()
        if key in out:
            raise SourceError(f"{kind} option {key!r} is given twice ({key}={out[key]} and "
                              f"{key}={value.strip().lower()}); give it once")
        out[key] = value.strip().lower()
    return out


def check_known_options(options: dict[str, str], known: list[str], kind: str,
                        example: str = "") -> None:
    """Refuse options of a ``kind`` of source that are not in ``known`` (listed in that order).

    Raises:
        SourceError: Naming the unknown ones and the available ones (and ``example``, if any).
    """
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise SourceError(f"unknown {kind} option(s) {unknown}; available: {known}"
                          + (f", e.g. {example}" if example else ""))


def parse_source(text: str) -> SourceSpec:
    """Parse ``camera``, ``camera:1``, ``video:a.mp4``, ``a.mp4``, ``images:dir``, ...

    Raises:
        SourceError: The text matches none of the forms; the message lists them.
    """
    head, sep, rest = text.partition(":")
    if text == "camera":
        return SourceSpec(SourceKind.CAMERA, "0", text)
    if sep and head == "camera":
        if not (rest.isascii() and rest.isdigit()):  # not "²" or other Unicode digits
            raise SourceError(f"camera index must be a whole number, got {rest!r}; "
                              "try --source camera:0")
        if int(rest) > MAX_CAMERA_INDEX:
            raise SourceError(f"camera index {rest} is out of range; webcams are numbered "
                              f"0 to {MAX_CAMERA_INDEX} (Linux: ls /dev/video*); try "
                              "--source camera:0")
        return SourceSpec(SourceKind.CAMERA, rest, text)
    if sep and head in {k.value for k in SourceKind} - {"camera"}:
        if not rest:
            raise SourceError(f"source {text!r} needs something after the colon; "
                              f"valid forms: {', '.join(SOURCE_FORMS)}")
        return SourceSpec(SourceKind(head), rest, text)
    if text and (not sep or len(head) == 1 or "/" in head or "." in head):
        # A bare path (a Windows drive letter or a path containing ':' counts too).
        if text.lower().endswith((".bvh", ".bvh.gz")):
            return SourceSpec(SourceKind.BVH, text, text)
        if text.lower().endswith(".jsonl"):  # the recordings `mirrorbot record` writes
            return SourceSpec(SourceKind.RECORDING, text, text)
        if text.lower().endswith(IMAGE_SUFFIXES):  # one photo: held like a folder's photos
            return SourceSpec(SourceKind.IMAGES, text, text)
        return SourceSpec(SourceKind.VIDEO, text, text)
    raise SourceError(f"unknown source {text!r}; valid forms: {', '.join(SOURCE_FORMS)}")
